"""The PuMPuRS workspace: its number cards and chart count only what each user may see."""

import json

import frappe
from frappe.desk.doctype.number_card.number_card import get_result

from pumpurs_app.reporting import cards
from pumpurs_app.reporting.dashboard_chart_source.plans_per_term import plans_per_term
from pumpurs_app.rules import school_terms
from tests.integration.money import approve_claim, make_claim
from tests.integration.plans import act, approve_all, make_plan, transition

PLAN = "Individual Support Plan"


def card_value(user: str, name: str, extra: list | None = None):
	card = frappe.get_doc("Number Card", name)
	filters = json.loads(card.filters_json) + (extra or [])
	return act(user, get_result, card.as_dict(), filters)


def test_active_plans_this_term(world):
	term = world.terms["current_s1"]
	approve_all(world, make_plan(world).name)
	approve_all(world, make_plan(world, learner="v1", author="vet_author").name, municipal=False)
	this_term = [[PLAN, "school_term", "=", term]]

	def expected(*institutions):
		return frappe.db.count(
			PLAN,
			{
				"school_term": term,
				"workflow_state": "Approved",
				"docstatus": 1,
				"institution": ("in", institutions),
			},
		)

	assert card_value(world.user("a_author"), "Active Plans This Term", this_term) == expected(world.school_a)
	assert card_value(world.user("vet_author"), "Active Plans This Term", this_term) == expected(
		world.vocational_school
	)
	assert card_value(world.user("b_author"), "Active Plans This Term", this_term) == 0
	assert card_value(world.user("regional"), "Active Plans This Term", this_term) == expected(
		world.school_a, world.vocational_school
	)


def test_plans_awaiting_my_approval(world):
	plan = make_plan(world)
	transition(world, "a_author", plan.name, "Send for Approval")
	assert act(world.user("a_director"), cards.plans_awaiting_my_approval) == 1
	assert act(world.user("b_director"), cards.plans_awaiting_my_approval) == 0  # another school's director
	assert act(world.user("muni_coord"), cards.plans_awaiting_my_approval) == 0  # not yet their step
	transition(world, "a_director", plan.name, "Approve")
	assert act(world.user("a_director"), cards.plans_awaiting_my_approval) == 0
	assert act(world.user("muni_coord"), cards.plans_awaiting_my_approval) == 1
	assert act(world.user("vet_coord"), cards.plans_awaiting_my_approval) == 0


def test_compensations_approved_not_paid(world):
	claim = approve_claim(world, make_claim(world).name)
	assert card_value(world.user("a_accountant"), "Compensations Approved Not Paid") == claim.total_amount
	assert card_value(world.user("muni_accountant"), "Compensations Approved Not Paid") == claim.total_amount
	assert not card_value(world.user("vet_accountant"), "Compensations Approved Not Paid")


def test_plans_per_term_chart_is_counted_for_each_user(world):
	"""Frappe caches a chart's data under the chart's name alone, so a chart counted for one user would be
	shown to the next: this one is counted for each user, asked one after another as the desk asks."""
	approve_all(world, make_plan(world).name)
	approve_all(world, make_plan(world, learner="v1", author="vet_author").name, municipal=False)
	term = world.terms["current_s1"]
	label = school_terms.short_name(*frappe.db.get_value("School Term", term, ["school_year", "term_type"]))

	def counts(user):
		data = act(user, plans_per_term.get, chart_name="Plans per Term")
		return dict(zip(data["labels"], data["datasets"][0]["values"], strict=True))

	def submitted(*institutions):
		return frappe.db.count(
			PLAN, {"school_term": term, "docstatus": 1, "institution": ("in", institutions)}
		)

	assert counts(world.user("regional"))[label] == submitted(world.school_a, world.vocational_school)
	assert counts(world.user("a_author"))[label] == submitted(world.school_a)
	assert counts(world.user("vet_author"))[label] == submitted(world.vocational_school) == 1
	assert counts(world.user("b_author"))[label] == 0
	assert len(counts(world.user("b_author"))) == plans_per_term.TERMS_SHOWN


def test_workspace_shortcuts_follow_the_roles(world):
	"""Every PuMPuRS role may open the workspace (its module is one all of them read) and sees the shortcuts
	its permissions allow."""
	from frappe.desk.desktop import get_desktop_page

	def shortcuts(user):
		page = act(user, get_desktop_page, json.dumps({"name": "PuMPuRS", "title": "PuMPuRS", "public": 1}))
		return {item["link_to"] for item in page["shortcuts"]["items"]}

	assert "Compensation Payment Batch" in shortcuts(world.user("muni_accountant"))
	assert "Compensation Payment Batch" not in shortcuts(world.user("a_author"))
	assert "Individual Support Plan" in shortcuts(world.user("a_author"))


def test_workspace_number_cards_follow_the_roles(world):
	"""frappe shows a number card to users who may read its document type (a card counted by a method and
	naming none would show to System Managers only); the app narrows that to the roles whose work it counts
	(desk.CARD_AUDIENCE): the approvers see what waits for them, the accountants the bank's exceptions."""
	from frappe.desk.desktop import get_desktop_page

	def cards(user):
		page = act(user, get_desktop_page, json.dumps({"name": "PuMPuRS", "title": "PuMPuRS", "public": 1}))
		return {item.get("number_card_name") for item in page["number_cards"]["items"]}

	active, awaiting, to_pay, unmatched = (
		"Active Plans This Term",
		"Plans Awaiting My Approval",
		"Compensations Approved Not Paid",
		"Unmatched Bank Transactions",
	)
	for key, shown in {
		"a_author": {active},
		"a_specialist": {active},
		"a_coord": {active, to_pay},
		"a_director": {active, awaiting, to_pay},
		"muni_coord": {active, awaiting, to_pay},
		"muni_accountant": {active, to_pay, unmatched},
		"regional": {active, awaiting, to_pay, unmatched},
		"auditor": {active, to_pay, unmatched},
	}.items():
		assert cards(world.user(key)) == shown, key
