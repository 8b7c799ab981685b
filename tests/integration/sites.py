"""Other sites of the test bench, for the tests that need a fresh one (test_host_site.py, test_backup.py): bench
commands as the bench user, with the database admin dev/test passes on, and steps of host_site.py run on such a
site in a process of its own (the test's process is connected to the test site)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def db_admin() -> tuple[str, ...]:
	"""The options that let bench create and drop sites' databases."""
	user, password = os.environ.get("PUMPURS_DB_ADMIN_USER"), os.environ.get("PUMPURS_DB_ADMIN_PASSWORD")
	if not user or password is None:
		pytest.fail("run through dev/test: it passes PUMPURS_DB_ADMIN_USER and PUMPURS_DB_ADMIN_PASSWORD")
	return ("--db-root-username", user, "--db-root-password", password)


def drop(site: str) -> None:
	if (sites_path() / site).exists():
		bench("drop-site", site, "--force", "--no-backup", *db_admin())


def on_site(site: str, step: str):
	"""A step of tests/integration/host_site.py on ``site``; its result."""
	result = subprocess.run(
		[sys.executable, "-m", "tests.integration.host_site", site, str(sites_path()), step],
		cwd=sites_path(),
		env={**os.environ, "PYTHONPATH": str(APP_ROOT)},
		capture_output=True,
		text=True,
	)
	assert result.returncode == 0, f"{step} on {site} failed:\n{result.stderr[-3000:]}"
	return json.loads(result.stdout.splitlines()[-1])
