"""Isolation in the browser: a user of the state vocational school cannot open the municipal school's plan by
its address, and the learner list shows the vocational school's learners only."""

import frappe
import pytest

from tests.integration.browser.conftest import PLAN
from tests.integration.browser.desk import expect

pytestmark = pytest.mark.browser


def test_other_partners_plan_is_not_permitted(login, committed_plan):
	plan = committed_plan()
	learner_name = frappe.db.get_value(PLAN, plan, "learner_name")

	vet = login("vet_author")
	vet.goto(f"individual-support-plan/{plan}")
	vet.shot("vocational-user-opens-municipal-plan")
	expect(vet.dialog().locator(".modal-title")).to_have_text("Not permitted")
	expect(vet.page.locator("body")).not_to_contain_text(learner_name)
	assert vet.page.evaluate("name => !window.cur_frm || cur_frm.docname !== name", plan)

	# the municipal school's own author opens it (the test above fails for the right reason)
	author = login("a_author")
	author.open_form(PLAN, plan)
	expect(author.field("learner").locator("input")).to_have_value(learner_name)


def test_learner_list_shows_only_own_learners(login, world, fresh_learner):
	municipal = frappe.db.get_value("Learner", fresh_learner(), "full_name")
	vocational = fresh_learner(world.vocational_school, education_type="Vocational", grade=2)
	own = set(frappe.get_all("Learner", filters={"institution": world.vocational_school}, pluck="full_name"))
	assert frappe.db.get_value("Learner", vocational, "full_name") in own
	assert frappe.db.count("Learner") > len(own)

	vet = login("vet_author")
	vet.goto("learner")
	titles = vet.main.locator(".list-row-container .list-subject a.ellipsis")
	expect(titles.first).to_be_visible()
	vet.shot("vocational-user-learner-list")
	shown = {title.strip() for title in titles.all_inner_texts()}
	assert shown == own
	assert municipal not in shown
	expect(vet.main.locator(".list-count")).to_contain_text(f"{len(own)} of {len(own)}")
