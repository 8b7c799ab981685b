"""Helpers for compensation and payment tests: claims against the world's approved money plan, walked through
the real workflow by the real users."""

from datetime import date

import frappe
from frappe.model.workflow import apply_workflow

from pumpurs_app.compensations.doctype.compensation.compensation import set_decision_reason, set_override
from pumpurs_app.registers.doctype.school_term.school_term import all_terms
from tests.integration.files import uploaded
from tests.integration.plans import act

COMPENSATION = "Compensation"
GUARDIAN_IBAN = "LV97HABA0012345678910"


def term_dates(world) -> tuple[date, date]:
	term = next(t for t in all_terms() if t.name == world.terms["current_s1"])
	return term.start_date, term.end_date


def measure_of(world, compensation_type: str) -> str:
	plan = frappe.get_doc("Individual Support Plan", world.money_plan)
	return next(m.name for m in plan.measures if m.compensation_type == compensation_type)


def october(world, day: int) -> date:
	start, _end = term_dates(world)
	return date(start.year, 10, day)


def new_claim(world, kind="Public transport tickets", lines=None, period=None, **values):
	start = period[0] if period else october(world, 1)
	end = period[1] if period else october(world, 31)
	lines = (
		lines
		if lines is not None
		else [
			{
				"line_date": october(world, 5),
				"description": "Jelgava–Ozolnieki",
				"quantity": 4,
				"unit_price": 1.5,
				"evidence": "/private/files/biletes.pdf",
			}
		]
	)
	return frappe.get_doc(
		{
			"doctype": COMPENSATION,
			"support_plan": world.money_plan,
			"measure": measure_of(world, kind),
			"period_from": start,
			"period_to": end,
			"lines": lines,
			"payee_kind": "Guardian",
			"payee_name": "Anna Bērziņa",
			"payee_iban": GUARDIAN_IBAN,
			**values,
		}
	)


def make_claim(world, who="a_coord", **kwargs):
	claim = uploaded(world.user(who), new_claim(world, **kwargs))
	act(world.user(who), claim.insert)
	return frappe.get_doc(COMPENSATION, claim.name)


def step(world, who: str, claim: str, action: str, reason: str | None = None, override: str | None = None):
	user = world.user(who)
	if reason:
		act(user, set_decision_reason, claim, reason)
	if override:
		act(user, set_override, claim, override)
	act(user, apply_workflow, frappe.get_doc(COMPENSATION, claim).as_dict(), action)
	return frappe.get_doc(COMPENSATION, claim)


def approve_claim(world, claim: str):
	step(world, "a_coord", claim, "Submit for Verification")
	step(world, "a_accountant", claim, "Verify")
	return step(world, "a_director", claim, "Approve")


def daily_tickets(world, first_day: int, days: int, price: float = 9.0) -> list[dict]:
	"""One line a day (the transport type's daily cap is 10 EUR)."""
	return [
		{
			"line_date": october(world, day),
			"description": "Biļetes",
			"quantity": 1,
			"unit_price": price,
			"evidence": "/private/files/b.pdf",
		}
		for day in range(first_day, first_day + days)
	]
