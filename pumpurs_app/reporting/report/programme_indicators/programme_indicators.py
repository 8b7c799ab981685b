"""The programme's indicators for IKVD over a chosen period (a school year, or from one term to another):
partners, municipalities and institutions taking part, approved plans, learners reached, consultation hours
delivered, compensation money approved and paid per type, youth NGO projects and their participants — each
against the yearly target in PuMPuRS Settings where there is one.

"Taking part" means having at least one live (approved or evaluated) plan in the period. Targets are set per
school year for the whole programme, so a period's target is the sum of the targets of its school years, and
targets are shown only for programme-wide figures: a partner's coordinator (who sees their own partner's
figures only) or a report narrowed to a partner or an institution gets the figures without targets.

Everything is counted in SQL through ``frappe.get_list``, so the scope of the user applies (frappe#31063); the
consultation hours from the consultations' running totals, scoped as the consultations are."""

from collections import defaultdict
from decimal import Decimal

import frappe
from frappe import _
from frappe.query_builder.functions import Sum

from pumpurs_app import access
from pumpurs_app.registers.doctype.school_term.school_term import all_terms
from pumpurs_app.reporting import report_utils
from pumpurs_app.reporting.doctype.pumpurs_consultation_totals.pumpurs_consultation_totals import scoped_query
from pumpurs_app.rules import compensations as comp_rules
from pumpurs_app.rules import school_terms
from pumpurs_app.rules.money import money_sum

PLAN = "Individual Support Plan"
COMPENSATION = "Compensation"
NGO_PROJECT = "Youth NGO Project"
PARTICIPANT = "Youth NGO Project Participant"
PARTNER_TYPES = ("Municipality", "State vocational school", "State general school", "Other state institution")
COUNT, HOURS, MONEY = "count", "hours", "money"


def execute(filters: dict | None = None) -> tuple[list, list, None, dict]:
	filters = frappe._dict(filters or {})
	terms = period_terms(filters)
	years = sorted({t.school_year for t in terms}, key=school_terms.school_year_start)
	targets = yearly_targets() if shows_targets(filters) else None
	plans = plan_figures(filters, terms)
	rows = [
		indicator("partners", _("Partners taking part", context="Programme Indicators"), plans.partners),
		*[
			indicator(f"partners_{kind}", partner_type_label(kind), plans.by_type.get(kind, 0), indent=1)
			for kind in PARTNER_TYPES
		],
		indicator(
			"institutions",
			_("Institutions taking part", context="Programme Indicators"),
			plans.institutions,
			target(targets, years, "target_institutions"),
		),
		indicator(
			"plans",
			_("Approved support plans", context="Programme Indicators"),
			plans.plans,
			target(targets, years, "target_plans"),
		),
		indicator(
			"learners",
			_("Learners reached", context="Programme Indicators"),
			plans.learners,
			target(targets, years, "target_learners"),
		),
		indicator(
			"consultation_hours",
			_("Consultation hours delivered", context="Programme Indicators"),
			consultation_hours(filters, terms),
			kind=HOURS,
		),
		*money_rows(filters, terms, target(targets, years, "target_amount", money=True)),
		*ngo_rows(filters, terms),
	]
	return columns(), rows, None, chart(years, plans.per_year, targets)


# --- the period -------------------------------------------------------------------------------------------


def period_terms(filters) -> list[school_terms.Term]:
	"""The terms of the chosen period, in order: from–to terms, else the school year, else every term."""
	terms = sorted(all_terms(), key=lambda t: t.sort_key)
	if filters.get("from_term") or filters.get("to_term"):
		by_name = {t.name: t for t in terms}
		first = by_name[filters.from_term].start_date if filters.get("from_term") in by_name else None
		last = by_name[filters.to_term].end_date if filters.get("to_term") in by_name else None
		return [t for t in terms if (not first or t.start_date >= first) and (not last or t.end_date <= last)]
	if filters.get("school_year"):
		return [t for t in terms if t.school_year == filters.school_year.strip()]
	return terms


def in_period(terms) -> tuple:
	return ("in", [t.name for t in terms] or [""])


def place_conditions(filters) -> dict:
	return {field: filters[field] for field in ("partner", "institution") if filters.get(field)}


# --- plans: partners, institutions, plans, learners -------------------------------------------------------


def plan_figures(filters, terms) -> frappe._dict:
	conditions = {
		"docstatus": ("<", 2),
		"workflow_state": ("in", report_utils.LIVE_PLAN_STATES),
		"school_term": in_period(terms),
		**place_conditions(filters),
	}
	learners = frappe.get_list(
		PLAN, filters=conditions, fields=["count(distinct learner) as learners"], order_by=None, limit=0
	)[0].learners
	# the rest from the plans counted per place and term (a partner has one type; some thousand rows)
	places = frappe.get_list(
		PLAN,
		filters=conditions,
		fields=["partner_type", "partner", "institution", "school_term", "count(*) as plans"],
		group_by="partner_type, partner, institution, school_term",
		order_by=None,
		limit=0,
	)
	year_of = {t.name: t.school_year for t in terms}
	per_year, partners_of = defaultdict(int), defaultdict(set)
	for r in places:
		per_year[year_of[r.school_term]] += int(r.plans)
		partners_of[r.partner_type].add(r.partner)
	return frappe._dict(
		plans=sum(int(r.plans) for r in places),
		learners=int(learners or 0),
		institutions=len({r.institution for r in places}),
		partners=len({r.partner for r in places}),
		by_type={kind: len(partners) for kind, partners in sorted(partners_of.items())},
		per_year=per_year,
	)


def partner_type_label(kind: str) -> str:
	return {
		"Municipality": _("Municipalities taking part", context="Programme Indicators"),
		"State vocational school": _("State vocational schools taking part", context="Programme Indicators"),
		"State general school": _("State general schools taking part", context="Programme Indicators"),
		"Other state institution": _("Other state institutions taking part", context="Programme Indicators"),
	}[kind]


# --- consultations, money, youth NGO projects -------------------------------------------------------------


def consultation_hours(filters, terms) -> float:
	"""Hours of consultations the learner confirmed, from the consultations' running totals (scoped as the
	consultations are: see Support Delivered)."""
	query, totals = scoped_query([t.name for t in terms], place_conditions(filters))
	minutes = query.select(Sum(totals.confirmed_minutes)).run()[0][0]
	return round(int(minutes or 0) / 60, 2)


def money_rows(filters, terms, amount_target) -> list[dict]:
	"""Compensations approved (Approved, Paid, Reconciled) and paid (Paid, Reconciled), in total and per type."""
	rows = frappe.get_list(
		COMPENSATION,
		filters={
			"docstatus": 1,
			"workflow_state": ("in", comp_rules.APPROVED_OR_LATER),
			"school_term": in_period(terms),
			**place_conditions(filters),
		},
		fields=["compensation_type", "workflow_state as state", "sum(total_amount) as amount"],
		group_by="compensation_type, workflow_state",
		order_by="compensation_type",
		limit=0,
	)
	kinds = sorted({r.compensation_type for r in rows}, key=lambda k: _(k).lower())

	def total(states, kind=None) -> Decimal:
		return money_sum(
			report_utils.money(r.amount)
			for r in rows
			if r.state in states and kind in (None, r.compensation_type)
		)

	result = []
	for key, label, states, goal in (
		(
			"approved",
			_("Compensations approved (EUR)", context="Programme Indicators"),
			comp_rules.APPROVED_OR_LATER,
			amount_target,
		),
		(
			"paid",
			_("Compensations paid (EUR)", context="Programme Indicators"),
			comp_rules.PAID_OR_LATER,
			None,
		),
	):
		result.append(indicator(key, label, total(states), goal, kind=MONEY))
		result += [
			indicator(f"{key}:{k}", _(k), total(states, k), kind=MONEY, indent=1, compensation_type=k)
			for k in kinds
		]
	return result


def ngo_rows(filters, terms) -> list[dict]:
	"""Youth NGO projects running in the period (not cancelled) and the learners taking part in them; narrowed
	to an institution, the projects its learners take part in."""
	conditions = [[NGO_PROJECT, "status", "!=", "Cancelled"]]
	if terms:
		conditions += [
			[NGO_PROJECT, "period_from", "<=", max(t.end_date for t in terms)],
			[NGO_PROJECT, "period_to", ">=", min(t.start_date for t in terms)],
		]
	else:
		conditions.append([NGO_PROJECT, "name", "=", ""])
	if filters.get("partner"):
		conditions.append([NGO_PROJECT, "partner", "=", filters.partner])
	if filters.get("institution"):
		conditions.append([PARTICIPANT, "institution", "=", filters.institution])
	projects = frappe.get_list(
		NGO_PROJECT,
		filters=conditions,
		fields=[f"count(distinct `tab{NGO_PROJECT}`.name) as projects"],
		order_by=None,
		limit=0,
	)[0]
	participants = frappe.get_list(
		NGO_PROJECT,
		filters=[*conditions, [PARTICIPANT, "learner", "is", "set"]],
		fields=[f"count(distinct `tab{PARTICIPANT}`.learner) as learners"],
		order_by=None,
		limit=0,
	)[0]
	return [
		indicator(
			"ngo_projects",
			_("Youth NGO projects", context="Programme Indicators"),
			int(projects.projects or 0),
		),
		indicator(
			"ngo_participants",
			_("Youth NGO project participants", context="Programme Indicators"),
			int(participants.learners or 0),
		),
	]


# --- targets ----------------------------------------------------------------------------------------------


def shows_targets(filters) -> bool:
	"""Targets are the whole programme's: shown only next to programme-wide figures."""
	return access.get_scope().national and not filters.get("partner") and not filters.get("institution")


def yearly_targets() -> dict[str, frappe._dict]:
	"""School year -> its targets (programme settings, the same for every user)."""
	rows = frappe.get_all(
		"PuMPuRS Programme Target",
		filters={"parenttype": "PuMPuRS Settings", "parentfield": "programme_targets"},
		fields=["school_year", "target_plans", "target_learners", "target_institutions", "target_amount"],
	)
	return {row.school_year: row for row in rows}


def target(targets, years, field: str, money: bool = False):
	"""The period's target: the sum of its school years' targets (None where none is set or shown)."""
	if targets is None:
		return None
	values = [targets[y].get(field) for y in years if y in targets and targets[y].get(field)]
	if not values:
		return None
	return money_sum(report_utils.money(v) for v in values) if money else sum(int(v) for v in values)


# --- rows, columns, chart ---------------------------------------------------------------------------------


def indicator(key: str, label: str, value, goal=None, kind: str = COUNT, indent: int = 0, **extra) -> dict:
	return {
		"key": key,
		"indicator": label,
		"indent": indent,
		"kind": kind,
		"value": report_utils.as_number(value) if kind == MONEY else value,
		"target": report_utils.as_number(goal) if kind == MONEY else goal,
		"target_share": report_utils.share(value, goal) if goal else None,
		**extra,
	}


def columns() -> list[dict]:
	return [
		{
			"fieldname": "indicator",
			"label": _("Indicator", context="Programme Indicators"),
			"fieldtype": "Data",
			"width": 340,
		},
		{
			"fieldname": "value",
			"label": _("Value", context="Programme Indicators"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 140,
		},
		{
			"fieldname": "target",
			"label": _("Target", context="Programme Indicators"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 140,
		},
		{
			"fieldname": "target_share",
			"label": _("% of Target", context="Programme Indicators"),
			"fieldtype": "Percent",
			"width": 110,
		},
	]


def chart(years: list[str], per_year: dict, targets) -> dict:
	"""Approved plans per school year of the period, next to the year's target."""
	datasets = [
		{
			"name": _("Approved support plans", context="Programme Indicators"),
			"values": [per_year.get(y, 0) for y in years],
		}
	]
	if targets is not None:
		datasets.append(
			{
				"name": _("Target", context="Programme Indicators"),
				"values": [int(targets[y].target_plans or 0) if y in targets else 0 for y in years],
			}
		)
	return {"data": {"labels": years, "datasets": datasets}, "type": "bar"}
