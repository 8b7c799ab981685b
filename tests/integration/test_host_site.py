"""The app on a school's own site, stood in for by a second, fresh site of the bench (`bench new-site`, as the
bench user, with the database admin dev/test passes on): the demo command refuses it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import frappe
import pytest

from pumpurs_app.commands import refuse_unless_development_site
from pumpurs_app.rules.sites import DEVELOPMENT_FLAGS

HOST = "pumpurs-host.test"  # not under .localhost, and its config sets neither developer_mode nor allow_tests
APP_ROOT = Path(__file__).resolve().parents[2]


def sites_path() -> Path:
	return Path(os.environ["PUMPURS_SITES_PATH"])


def bench(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
	result = subprocess.run(
		["bench", *args], cwd=sites_path().parent, capture_output=True, text=True, stdin=subprocess.DEVNULL
	)
	if ok:
		assert result.returncode == 0, (
			f"bench {args[:3]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
		)
	return result


def on_host(step: str):
	"""A step of tests/integration/host_site.py on the host site, in a process of its own."""
	result = subprocess.run(
		[sys.executable, "-m", "tests.integration.host_site", HOST, str(sites_path()), step],
		cwd=sites_path(),
		env={**os.environ, "PYTHONPATH": str(APP_ROOT)},
		capture_output=True,
		text=True,
	)
	assert result.returncode == 0, f"{step} on {HOST} failed:\n{result.stderr[-3000:]}"
	return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def host():
	"""The fresh host site with the app installed. Dropped at the end."""
	user, password = os.environ.get("PUMPURS_DB_ADMIN_USER"), os.environ.get("PUMPURS_DB_ADMIN_PASSWORD")
	if not user or password is None:
		pytest.fail("run through dev/test: it passes PUMPURS_DB_ADMIN_USER and PUMPURS_DB_ADMIN_PASSWORD")
	credentials = ("--db-root-username", user, "--db-root-password", password)

	def drop() -> None:
		if (sites_path() / HOST).exists():
			bench("drop-site", HOST, "--force", "--no-backup", *credentials)

	drop()  # left by an interrupted run
	bench("new-site", HOST, *credentials, "--admin-password", "admin")
	try:
		bench("--site", HOST, "install-app", "pumpurs_app")
		yield
	finally:
		drop()


def test_the_demo_goes_only_into_a_development_or_test_site():
	refuse_unless_development_site(frappe.local.site, frappe.conf)  # the test site: allow_tests, .localhost
	production = {key: value for key, value in frappe.conf.items() if key not in DEVELOPMENT_FLAGS}
	with pytest.raises(click.ClickException, match=r"^skola\.example\.lv is not a development or test site"):
		refuse_unless_development_site("skola.example.lv", production)


def test_the_demo_command_refuses_the_host_site(host):
	before = on_host("demo_traces")
	result = bench("--site", HOST, "pumpurs-demo", ok=False)
	assert result.returncode != 0
	assert f"{HOST} is not a development or test site" in result.stderr
	assert "To load it anyway, add --force." in result.stderr
	assert before["partners"] == 0
	assert on_host("demo_traces") == before  # no users, no partners, System Settings as they were
