"""Helpers of the tests of the reports on delivered support and money (Support Delivered, Compensations,
Approval Queue and Ageing, Programme Indicators): plans and consultations made through the real workflow, the
independent SQL counts more than one of them uses, and how a report is run and read."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import frappe
from frappe.utils import now_datetime, today

from tests.integration.money import COMPENSATION, october
from tests.integration.plans import PLAN, act, confirm_consultation, make_plan, transition

CONSULTATION = "Support Consultation"
ABSENCES = [{"risk_factor": "Unexcused absences", "severity": "Medium"}]
TRAVEL = [{"risk_factor": "Hard to get to school", "severity": "Medium"}]
CHAINS = {  # who sends and approves a school's plans before IKVD
	"a": ("a_author", "a_director", "muni_coord"),
	"b": ("b_author", "b_director", "muni_coord"),
	"vet": ("vet_author", "vet_director", None),
}


def approve(world, plan: str, school: str = "a"):
	author, director, partner = CHAINS[school]
	transition(world, author, plan, "Send for Approval")
	transition(world, director, plan, "Approve")
	if partner:
		transition(world, partner, plan, "Approve")
	return transition(world, "regional", plan, "Approve")


def approved_plan(world, learner: str, measures: list[dict], school: str = "a", **plan):
	"""A plan against unexcused absences, written by the school's author and approved by its whole chain."""
	made = make_plan(
		world, learner=learner, author=CHAINS[school][0], risks=ABSENCES, measures=measures, **plan
	)
	return approve(world, made.name, school)


def consultation_measure(role: str, hours: float, specialist: str | None = None) -> dict:
	return {
		"measure_kind": "Consultation",
		"risk_factor": "Unexcused absences",
		"specialist_role": role,
		"planned_hours": hours,
		"specialist": specialist,
	}


def transport_measure(amount) -> dict:
	return {
		"measure_kind": "Compensation",
		"risk_factor": "Hard to get to school",
		"compensation_type": "Public transport tickets",
		"planned_amount": amount,
	}


def day(world, month: int, number: int) -> date:
	"""A day of the current school year's first term (September to December)."""
	return date(october(world, 1).year, month, number)


def consult(
	world, plan, who: str, when: date, start: str = "10:00:00", minutes: int = 40, confirmed: bool = True
):
	"""A consultation logged by the specialist; a confirmed one is confirmed by the learner the same evening."""
	measure = next(m.name for m in plan.measures if m.measure_kind == "Consultation")
	doc = frappe.get_doc(
		{
			"doctype": CONSULTATION,
			"support_plan": plan.name,
			"measure": measure,
			"specialist": world.user(who),
			"consultation_date": when,
			"start_time": start,
			"duration_minutes": minutes,
			"mode": "In person",
			"topic": "Mācību motivācija",
		}
	)
	act(world.user(who), doc.insert)
	if confirmed:
		confirm_consultation(
			world, doc.name, datetime.combine(when, datetime.min.time()) + timedelta(hours=18)
		)
	return doc.name


def run(world, who: str, report, filters: dict | None = None, lang: str = "en") -> tuple[list, list, dict]:
	"""The report as the user sees it in the desk (in-process): columns, rows, chart."""
	frappe.local.lang = lang
	try:
		columns, rows, _message, chart = act(world.user(who), report.execute, filters or {})
	finally:
		frappe.local.lang = "en"
	return columns, rows, chart


def total_of(rows: list[dict]) -> dict:
	return next(r for r in rows if r.get("is_total"))


def cents(value) -> Decimal:
	"""An amount as exact cents: a report row's number (a float that is the nearest to its two decimals) or
	MariaDB's own sum cast to text."""
	return Decimal(str(value)).quantize(Decimal("0.01"))


def money_of(row: dict, *fields: str) -> tuple[Decimal, ...]:
	return tuple(cents(row[f]) for f in fields)


def wait(doctype: str, name: str, days: int) -> None:
	frappe.get_doc(doctype, name).db_set(
		"pending_since", now_datetime() - timedelta(days=days), update_modified=False
	)


def sql_waiting(column: str, values: list[str], term: str | None = None) -> list[tuple[str, str, str, int]]:
	"""(doctype, state, name, days waiting) of every plan and compensation waiting at an approval step."""
	term_condition = "and school_term = %(term)s" if term else ""
	rows = []
	for doctype, states in (
		(PLAN, ("Pending Director", "Pending Partner Coordinator", "Pending IKVD")),
		(COMPENSATION, ("Submitted", "Verified")),
	):
		rows += frappe.db.sql(
			f"""select %(doctype)s, workflow_state, name, datediff(%(today)s, pending_since)
			from `tab{doctype}` where docstatus = 0 and workflow_state in %(states)s and {column} in %(values)s {term_condition}""",
			{"doctype": doctype, "states": states, "values": values, "today": today(), "term": term},
		)
	return [tuple(r) for r in rows]


def sql_planned_money(term: str, partners: list[str]) -> dict[tuple, Decimal]:
	rows = frappe.db.sql(
		"""select m.compensation_type, p.partner, p.institution, cast(sum(m.planned_amount) as char) as amount
		from `tabSupport Plan Measure` m
		join `tabIndividual Support Plan` p on p.name = m.parent and m.parenttype = 'Individual Support Plan'
		where m.measure_kind = 'Compensation' and p.docstatus = 1 and p.workflow_state in ('Approved', 'Evaluated')
			and p.school_term = %s and p.partner in %s
		group by m.compensation_type, p.partner, p.institution""",
		(term, partners),
		as_dict=True,
	)
	return {(r.compensation_type, r.partner, r.institution): cents(r.amount) for r in rows}


def terms_of_year(world, which: str) -> list[str]:
	return [world.terms[f"{which}_{suffix}"] for suffix in ("s1", "s2", "h")]


def sql_live_plans(terms: list[str], column: str, values: list[str]) -> tuple[int, int, int, int]:
	"""(plans, learners, institutions, partners) of live plans in the terms."""
	return frappe.db.sql(
		f"""select count(*), count(distinct learner), count(distinct institution), count(distinct partner)
		from `tabIndividual Support Plan`
		where docstatus = 1 and workflow_state in ('Approved', 'Evaluated') and school_term in %(terms)s and {column} in %(values)s""",
		{"terms": terms, "values": values},
	)[0]
