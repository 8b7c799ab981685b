"""The app on a school's own site, stood in for by a second, fresh site of the bench (`bench new-site`, as the
bench user, with the database admin dev/test passes on): the demo command refuses it, and uninstalling the
app leaves it as it was before the app came, with its own records that share names with the app's."""

import os

import click
import frappe
import pytest

from pumpurs_app.commands import refuse_unless_development_site
from pumpurs_app.rules.sites import DEVELOPMENT_FLAGS
from pumpurs_app.setup.compensation_types import COMPENSATION_TYPES
from pumpurs_app.setup.risk_factors import RISK_FACTORS
from pumpurs_app.setup.roles import ROLES
from pumpurs_app.setup.workflows import COMPENSATION_WORKFLOW, PLAN_WORKFLOW
from tests.integration.host_site import HOST_WORKFLOW
from tests.integration.sites import bench, db_admin, drop, on_site

HOST = "pumpurs-host.test"  # not under .localhost, and its config sets neither developer_mode nor allow_tests


def on_host(step: str):
	return on_site(HOST, step)


@pytest.fixture(scope="module")
def host():
	"""The fresh host site with its own records, the names of what it holds before the app comes (`before`),
	then the app installed. Dropped at the end."""
	drop(HOST)  # left by an interrupted run
	bench("new-site", HOST, *db_admin(), "--admin-password", "admin")
	try:
		# workflow e-mails attach a PDF whose styles wkhtmltopdf loads from host_name: the test server serves them
		bench("--site", HOST, "set-config", "host_name", os.environ["PUMPURS_TEST_URL"])
		on_host("prepare")
		before = on_host("snapshot")
		bench("--site", HOST, "install-app", "pumpurs_app")
		yield before
	finally:
		drop(HOST)


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


def test_uninstalling_leaves_the_host_site_as_it_was(host):
	on_host("use_the_app")
	installed = on_host("snapshot")
	# what the app made, that uninstalling must take away again
	assert set(ROLES) <= set(installed["Role"])
	assert {PLAN_WORKFLOW, COMPENSATION_WORKFLOW} <= set(installed["Workflow"])
	# the catalogues' Latvian names
	assert len(installed["Translation"]) == len(host["Translation"]) + len(RISK_FACTORS) + len(
		COMPENSATION_TYPES
	)
	for records in ("User Permission", "Workflow Action", "Notification Log", "Scheduled Job Log"):
		assert installed[records], records
	assert {"Pending Director", "Reconciled", "Send for Approval"} <= {
		*installed["Workflow State"],
		*installed["Workflow Action Master"],
	}
	assert "PuMPuRS Settings" in installed["Singles"]

	# frappe runs the app's before_uninstall in a dry run too: nothing may be removed then
	bench("--site", HOST, "uninstall-app", "pumpurs_app", "--dry-run")
	assert on_host("snapshot") == installed

	bench("--site", HOST, "uninstall-app", "pumpurs_app", "--yes", "--no-backup")
	after = on_host("snapshot")
	changes = {
		doctype: {
			"left": sorted(set(after[doctype]) - set(names)),
			"gone": sorted(set(names) - set(after[doctype])),
		}
		for doctype, names in host.items()
		if doctype != "Has Role" and set(after[doctype]) != set(names)
	}
	assert changes == {}
	# among them the host's own workflow with its Draft state and Verify action, and frappe's Approved
	assert after["Workflow"] == [HOST_WORKFLOW]
	assert {"Draft", "Approved"} <= set(after["Workflow State"])
	assert "Verify" in after["Workflow Action Master"]
	# every role row the site had is still there (the test world's users keep their other roles), none of ours
	assert set(host["Has Role"]) <= set(after["Has Role"])
	assert not [row for row in after["Has Role"] if row.rsplit(": ", 1)[1] in ROLES]
