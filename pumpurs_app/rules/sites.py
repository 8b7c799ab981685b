"""Which sites the development commands may change. The demo sets a site's System Settings and creates about 80
users with a published password, so it goes only into a site made for development or tests."""

from collections.abc import Mapping

DEVELOPMENT_FLAGS = ("developer_mode", "allow_tests")


def is_development_site(site: str, conf: Mapping[str, object]) -> bool:
	"""The site's config sets developer_mode or allow_tests, or its name is under .localhost (RFC 6761: such a
	name only ever resolves to the machine itself)."""
	name = site.lower().rstrip(".")
	return (
		name == "localhost"
		or name.endswith(".localhost")
		or any(_is_set(conf.get(f)) for f in DEVELOPMENT_FLAGS)
	)


def _is_set(value: object) -> bool:
	# `bench set-config` stores what it is given: true, 1, "1", "true"
	if isinstance(value, str):
		return value.strip().lower() in ("1", "true", "yes", "on")
	return bool(value)
