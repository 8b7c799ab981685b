from pumpurs_app.rules.sites import is_development_site


def test_a_site_under_localhost_is_for_development():
	assert is_development_site("pumpurs.localhost", {})
	assert is_development_site("School.Localhost", {})
	assert is_development_site("localhost", {})


def test_a_site_config_may_mark_a_site_for_development_or_tests():
	for conf in (
		{"developer_mode": 1},
		{"allow_tests": True},
		{"allow_tests": "true"},
		{"developer_mode": "1"},
	):
		assert is_development_site("skola.example.lv", conf)


def test_any_other_site_is_not():
	assert not is_development_site("skola.example.lv", {})
	assert not is_development_site("pumpurs.localhost.example.lv", {})
	assert not is_development_site("notlocalhost", {})
	for conf in (
		{"developer_mode": 0},
		{"allow_tests": False},
		{"allow_tests": "false"},
		{"developer_mode": "0"},
	):
		assert not is_development_site("skola.example.lv", conf)
