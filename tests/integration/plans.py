"""Helpers for support-plan tests: make a plan as its author and walk it through the real workflow as the
real approvers."""

import frappe
from frappe.model.workflow import apply_workflow

from pumpurs_app import access
from pumpurs_app.support_plans.doctype.individual_support_plan.individual_support_plan import (
	set_decision_reason,
)

PLAN = "Individual Support Plan"

DEFAULT_RISKS = [
	{"risk_factor": "Unexcused absences", "severity": "High", "observation": "Kavē pirmdienās"},
	{"risk_factor": "Hard to get to school", "severity": "Medium"},
]
DEFAULT_MEASURES = [
	{
		"measure_kind": "Consultation",
		"risk_factor": "Unexcused absences",
		"specialist_role": "Psychologist",
		"planned_hours": 6,
	},
	{
		"measure_kind": "Compensation",
		"risk_factor": "Hard to get to school",
		"compensation_type": "Public transport tickets",
		"planned_amount": 120,
	},
]


def act(user: str, fn, *args, **kwargs):
	"""Run ``fn`` as ``user`` (real roles, real permissions), then return to Administrator."""
	frappe.set_user(user)
	access.clear_scope_cache()
	try:
		return fn(*args, **kwargs)
	finally:
		frappe.set_user("Administrator")
		access.clear_scope_cache()


def new_plan(world, learner="a7", term="current_s1", author="a_author", risks=None, measures=None, **values):
	return frappe.get_doc(
		{
			"doctype": PLAN,
			"learner": world.learners[learner],
			"school_term": world.terms[term],
			"plan_author": world.user(author),
			"risks": risks if risks is not None else DEFAULT_RISKS,
			"measures": measures if measures is not None else DEFAULT_MEASURES,
			**values,
		}
	)


def make_plan(world, author="a_author", **kwargs):
	from tests.integration.files import uploaded  # files.py uses act() from here

	plan = new_plan(world, author=author, **kwargs)
	act(world.user(author), uploaded(world.user(author), plan).insert)
	return frappe.get_doc(PLAN, plan.name)  # a fresh copy, as stored


def transition(world, who: str, plan: str, action: str, reason: str | None = None):
	user = world.user(who)
	if reason:
		act(user, set_decision_reason, plan, reason)
	act(user, apply_workflow, frappe.get_doc(PLAN, plan).as_dict(), action)
	return frappe.get_doc(PLAN, plan)


def approve_all(world, plan: str, municipal: bool = True):
	transition(world, "a_author" if municipal else "vet_author", plan, "Send for Approval")
	transition(world, "a_director" if municipal else "vet_director", plan, "Approve")
	if municipal:
		transition(world, "muni_coord", plan, "Approve")
	return transition(world, "regional", plan, "Approve")


def confirm_consultation(world, name: str, confirmed_at) -> None:
	"""The learner's confirmation of a consultation, recorded as a school records it: by its coordinator, not
	by the specialist (school B has no coordinator: IKVD's administrator records it there)."""
	doc = frappe.get_doc("Support Consultation", name)
	recorder = {world.school_a: "a_coord", world.vocational_school: "vet_icoord"}.get(
		doc.institution, "ikvd_admin"
	)
	doc.update({"learner_confirmed": 1, "confirmed_at": confirmed_at})
	act(world.user(recorder), doc.save)
