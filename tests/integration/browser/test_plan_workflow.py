"""A municipal school's plan from draft to evaluated, through the real approval chain in the desk: the author
writes it in the form, the director returns it with a reason, the author resends it, the director, the
municipality's coordinator and IKVD approve it, and the author evaluates it."""

import re

import frappe
import pytest
from frappe.utils import today

from tests.integration import plans
from tests.integration.browser.conftest import PLAN, committed
from tests.integration.browser.desk import Desk, expect

pytestmark = pytest.mark.browser

REASON = "Pievienojiet konsultāciju grafiku (browser test)"


def expect_state(desk: Desk, state: str) -> None:
	"""The state as the form shows it (the Approval section's field) and as the page's model holds it."""
	expect(desk.shown_value("workflow_state")).to_have_text(state)
	assert desk.doc("workflow_state") == state


def approve(desk: Desk, plan: str, next_state: str, step: str) -> None:
	desk.open_form(PLAN, plan)
	assert "Approve" in desk.workflow_actions()
	desk.workflow_action("Approve")
	expect_state(desk, next_state)
	desk.shot(step)
	assert committed(PLAN, plan).workflow_state == next_state


def test_municipal_plan_from_draft_to_evaluated(login, world, fresh_learner):
	learner = fresh_learner()
	learner_name = frappe.db.get_value("Learner", learner, "full_name")
	term = world.terms["current_s1"]

	# the plan author logs in through the login page and writes the plan in the form
	author = login("a_author", via_form=True)
	author.new_form(PLAN)
	author.fill_link("learner", learner_name)
	author.fill_link("school_term", term)
	expect(author.field("grade").locator("input")).to_have_value("7")  # fetched from the learner

	author.fill_cell("risks", 1, "risk_factor", "Unexcused absences", link=True)
	author.fill_cell("risks", 1, "severity", "High")
	author.fill_cell("risks", 1, "observation", "Kavē pirmdienās")
	row = author.add_row("risks")
	author.fill_cell("risks", row, "risk_factor", "Hard to get to school", link=True)

	# measures are edited in the row's own form (the fields depend on the kind of measure)
	consultation = author.row_form("measures", 1)
	author.select("measure_kind", "Consultation", scope=consultation)
	author.fill_link("risk_factor", "Unexcused absences", scope=consultation)
	author.select("specialist_role", "Psychologist", scope=consultation)
	author.fill("planned_hours", "6", scope=consultation)
	author.close_row_form("measures", 1)
	row = author.add_row("measures")
	compensation = author.row_form("measures", row)
	author.select("measure_kind", "Compensation", scope=compensation)
	author.fill_link("risk_factor", "Hard to get to school", scope=compensation)
	author.fill_link("compensation_type", "Public transport tickets", scope=compensation)
	author.fill("planned_amount", "120", scope=compensation)
	author.close_row_form("measures", row)
	author.shot("author-filled-the-form")

	author.save()
	plan = author.doc("name")
	assert re.fullmatch(r"IAP-\d{4}S1-\d{5}", plan), plan
	expect(author.page).to_have_url(re.compile(f"/app/individual-support-plan/{plan}$"))
	expect_state(author, "Draft")
	saved = committed(PLAN, plan)
	assert (saved.learner, saved.school_term, saved.plan_author) == (learner, term, world.user("a_author"))
	assert [(r.risk_factor, r.severity) for r in saved.risks] == [
		("Unexcused absences", "High"),
		("Hard to get to school", "Medium"),
	]
	assert [
		(
			m.measure_kind,
			m.risk_factor,
			m.specialist_role,
			m.planned_hours or None,
			m.compensation_type,
			m.planned_amount or None,
		)
		for m in saved.measures
	] == [
		("Consultation", "Unexcused absences", "Psychologist", 6, None, None),
		("Compensation", "Hard to get to school", None, None, "Public transport tickets", 120),
	]
	author.shot("author-saved-the-draft")

	author.workflow_action("Send for Approval")
	expect_state(author, "Pending Director")
	author.shot("author-sent-for-approval")
	assert committed(PLAN, plan).workflow_state == "Pending Director"

	# the director returns it: our client script asks for the reason in a dialog first
	director = login("a_director")
	director.open_form(PLAN, plan)
	assert set(director.workflow_actions()) == {"Approve", "Return to Author", "Reject"}
	# closing the dialog without a reason changes nothing and leaves the page usable
	director.workflow_action("Return to Author", expect_dialog=True)
	director.dialog().locator(".btn-modal-close").click()  # the ×
	director.idle()
	expect(director.page.locator(".modal.show")).to_have_count(0)
	expect_state(director, "Pending Director")
	director.workflow_action("Return to Author", expect_dialog=True)
	dialog = director.dialog()
	expect(dialog.locator(".modal-title")).to_have_text("Return to Author")
	dialog.locator('[data-fieldname="reason"] textarea').fill(REASON)
	director.shot("director-gives-the-reason")
	dialog.get_by_role("button", name="Return to Author").click()
	director.idle()
	expect_state(director, "Returned")
	expect(director.main.locator(".form-message")).to_contain_text(f"Returned to the author: {REASON}")
	director.shot("director-returned-the-plan")
	returned = committed(PLAN, plan)
	assert (returned.workflow_state, returned.decision_reason) == ("Returned", REASON)

	# the author sees why, and sends it again
	author.open_form(PLAN, plan)
	expect_state(author, "Returned")
	expect(author.main.locator(".form-message")).to_contain_text(REASON)
	author.shot("author-sees-the-reason")
	author.workflow_action("Send for Approval")
	expect_state(author, "Pending Director")
	resent = committed(PLAN, plan)
	assert resent.workflow_state == "Pending Director" and not resent.decision_reason

	# director, municipality coordinator, IKVD
	approve(director, plan, "Pending Partner Coordinator", "director-approved")
	approve(login("muni_coord"), plan, "Pending IKVD", "municipality-approved")
	approve(login("regional"), plan, "Approved", "ikvd-approved")
	approved = committed(PLAN, plan)
	assert approved.docstatus == 1
	assert (approved.director_approved_by, approved.partner_approved_by, approved.ikvd_approved_by) == (
		world.user("a_director"),
		world.user("muni_coord"),
		world.user("regional"),
	)

	# the author evaluates it after the term
	author.open_form(PLAN, plan)
	expect_state(author, "Approved")
	assert "Evaluate" in author.workflow_actions()
	author.select("continues_next_term", "Yes")
	for idx, outcome in ((1, "Reduced"), (2, "Unchanged")):  # a submitted plan's rows open in their own form
		risk = author.row_form("risks", idx)
		author.select("outcome", outcome, scope=risk)
		author.close_row_form("risks", idx)
	author.shot("author-fills-the-evaluation")
	author.save("Update")
	author.workflow_action("Evaluate")
	expect_state(author, "Evaluated")
	author.shot("author-evaluated")

	evaluated = committed(PLAN, plan)
	assert evaluated.workflow_state == "Evaluated" and evaluated.docstatus == 1
	assert evaluated.continues_next_term == "Yes"
	assert [r.outcome for r in evaluated.risks] == ["Reduced", "Unchanged"]
	assert (evaluated.evaluated_by, str(evaluated.evaluated_on)) == (world.user("a_author"), today())
	for desk in (author, director):
		assert not desk.errors, desk.errors


def test_header_shows_the_plan_state(login, world, committed_plan):
	plan = committed_plan()
	plans.transition(world, "a_author", plan, "Send for Approval")
	frappe.db.commit()
	director = login("a_director")
	director.open_form(PLAN, plan)
	expect(director.state_indicator()).to_have_text("Pending Director", timeout=2_000)
