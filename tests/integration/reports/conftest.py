"""The plan reports' story (plan_reports.py), built once for each test module that asks for it, and the
rollback of every report test."""

import frappe
import pytest

from tests.integration.conftest import reset_caches
from tests.integration.reports.plan_reports import make_story

STORY = "reports_plans_story"
built = {}


@pytest.fixture(autouse=True)
def rollback(site):
	"""Instead of tests/integration/conftest.py's: each test's own changes are rolled back — to the story's
	savepoint once the story is built (building it through the real workflow takes a while), and the story
	itself after the module. A test of a module without the story is rolled back entirely, as there."""
	frappe.set_user("Administrator")
	frappe.local.lang = "en"
	yield
	if built:
		frappe.db.rollback(save_point=STORY)
	else:
		frappe.db.rollback()
	reset_caches()


@pytest.fixture(scope="module")
def story(world) -> dict[str, str]:
	frappe.set_user("Administrator")
	built.update(make_story(world))
	frappe.db.savepoint(STORY)
	yield dict(built)
	built.clear()
	frappe.db.rollback()
	reset_caches()
