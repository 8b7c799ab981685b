"""Compensation money by type, partner, institution and month: planned in the plans, approved, paid and
reconciled with the bank.

Planned amounts are the compensation measures of live (approved or evaluated) plans in the chosen terms; they
belong to a plan and its term, not to a month, so they show on the type, partner and institution rows. The
other amounts are submitted Compensations of those terms by the month their period starts (over the whole
programme, no term or school year chosen, by the school year of their term: months of every year ran to
70,000 rows nationally): approved counts every claim approved or later (Approved, Paid, Reconciled), paid the
Paid and Reconciled ones, reconciled the Reconciled ones.

Money is exact: MariaDB sums the DECIMAL columns, every sum comes back to the cent as a ``Decimal``, the
report adds only Decimals (its own total row, not frappe's float one) and turns each finished amount into
the number a row shows. Everything is read grouped through ``frappe.get_list``, so each user sees only their
own institutions' or partner's money (frappe#31063)."""

from collections import defaultdict
from decimal import Decimal

import frappe
from frappe import _

from pumpurs_app.reporting import report_utils
from pumpurs_app.rules import compensations as comp_rules
from pumpurs_app.rules.money import money_sum

PLAN = "Individual Support Plan"
MEASURE = "Support Plan Measure"
COMPENSATION = "Compensation"


def execute(filters: dict | None = None) -> tuple[list, list, None, dict]:
	filters = frappe._dict(filters or {})
	terms = report_utils.terms_of(filters)
	planned = planned_amounts(filters)
	claims = claimed_amounts(filters, terms)
	return columns(by_year=terms is None), tree(planned, claims), None, chart(claims)


def planned_amounts(filters) -> dict[tuple[str, str, str], Decimal]:
	"""(type, partner, institution) -> planned amount of the live plans' compensation measures."""
	conditions = report_utils.list_filters(PLAN, report_utils.plan_filters(filters))
	conditions.append([MEASURE, "measure_kind", "=", "Compensation"])
	if filters.get("compensation_type"):
		conditions.append([MEASURE, "compensation_type", "=", filters.compensation_type])
	rows = frappe.get_list(
		PLAN,
		filters=conditions,
		fields=[
			f"`tab{MEASURE}`.compensation_type as compensation_type",
			"partner",
			"institution",
			f"sum(`tab{MEASURE}`.planned_amount) as amount",
		],
		group_by=f"`tab{MEASURE}`.compensation_type, partner, institution",
		order_by=f"`tab{MEASURE}`.compensation_type",
		limit=0,
	)
	return {(r.compensation_type, r.partner, r.institution): report_utils.money(r.amount) for r in rows}


def claimed_amounts(filters, terms: list[str] | None) -> list[frappe._dict]:
	"""Approved-or-later compensations per type, partner, institution, month (or term) and state, with their
	sums; each row's ``period`` is its month (``2026-10``) or its term's school year (``2026/2027``)."""
	by_year = terms is None  # all terms: by the school year of the claim's term
	conditions = {"docstatus": 1, "workflow_state": ("in", comp_rules.APPROVED_OR_LATER)}
	if terms is not None:
		conditions["school_term"] = ("in", terms or [""])
	for field in ("partner", "institution", "compensation_type"):
		if filters.get(field):
			conditions[field] = filters[field]
	period = ["school_term"] if by_year else ["year(period_from) as year", "month(period_from) as month"]
	rows = frappe.get_list(
		COMPENSATION,
		filters=conditions,
		fields=[
			"compensation_type",
			"partner",
			"institution",
			"workflow_state as state",
			*period,
			"count(*) as compensations",
			"sum(total_amount) as amount",
		],
		group_by="compensation_type, partner, institution, workflow_state, "
		+ ("school_term" if by_year else "year(period_from), month(period_from)"),
		order_by="compensation_type, partner, institution",
		limit=0,
	)
	year_of = (
		dict(frappe.get_all("School Term", fields=["name", "school_year"], as_list=True)) if by_year else {}
	)
	for r in rows:
		r.amount = report_utils.money(r.amount)
		r.period = year_of[r.school_term] if by_year else report_utils.month_label(r.year, r.month)
	return rows


# the tree's levels: a row's field, and the claim attribute it groups by
LEVELS = (
	("compensation_type", "compensation_type"),
	("partner", "partner"),
	("institution", "institution"),
	("month", "period"),
)


def tree(planned: dict, claims: list) -> list[dict]:
	"""Type → partner → institution → month (or school year) rows, then the total."""
	rows = branch((), planned, claims)
	if rows:
		rows.append(row((), money_sum(planned.values()), claims, total=True))
	return rows


def branch(path: tuple, planned: dict[tuple, Decimal], claims: list) -> list[dict]:
	"""The rows under ``path`` (each level's planned money and claims handed down, so each is looked at once
	per level). Planned money has no month: month rows show only what was claimed."""
	depth = len(path)
	attribute = LEVELS[depth][1]
	planned_under, claims_under = defaultdict(dict), defaultdict(list)
	if depth < 3:
		for key, amount in planned.items():
			planned_under[key[depth]][key] = amount
	for claim in claims:
		claims_under[claim[attribute]].append(claim)
	rows = []
	for value in sorted(
		set(planned_under) | set(claims_under), key=lambda v: _(v).lower() if depth == 0 else v
	):
		below = (*path, value)
		mine = claims_under.get(value, [])
		if depth < 3:
			rows.append(row(below, money_sum(planned_under[value].values()), mine))
			rows += branch(below, planned_under[value], mine)
		else:
			rows.append(row(below, None, mine))
	return rows


def row(path: tuple, planned: Decimal | None, claims: list, total: bool = False) -> dict:
	by_state = defaultdict(Decimal)  # cents added as Decimals are exact; the few state totals checked below
	for c in claims:
		by_state[c.state] += c.amount

	def amount(states) -> Decimal:
		return money_sum(by_state[state] for state in states if state in by_state)

	approved = amount(comp_rules.APPROVED_OR_LATER)
	if total:
		label = _("Total", context="Compensations")
	else:
		label = _(path[-1]) if len(path) == 1 else path[-1]
	return {
		"label": label,
		"indent": max(len(path) - 1, 0),
		"is_total": int(total),
		**{field: path[i] if i < len(path) else None for i, (field, _attribute) in enumerate(LEVELS)},
		"planned": report_utils.as_number(planned),
		"approved": report_utils.as_number(approved),
		"paid": report_utils.as_number(amount(comp_rules.PAID_OR_LATER)),
		"reconciled": report_utils.as_number(amount((comp_rules.RECONCILED,))),
		"compensations": sum(int(c.compensations) for c in claims),
		"approved_share": report_utils.share(approved, planned) if planned else None,
	}


def columns(by_year: bool = False) -> list[dict]:
	money = {"fieldtype": "Currency", "options": "EUR", "width": 120}
	return [
		{
			"fieldname": "label",
			"label": _("Type / Partner / Institution / School Year", context="Compensations")
			if by_year
			else _("Type / Partner / Institution / Month", context="Compensations"),
			"fieldtype": "Data",
			"width": 280,
		},
		{
			"fieldname": "compensation_type",
			"label": _("Compensation Type", context="Compensations"),
			"fieldtype": "Link",
			"options": "Compensation Type",
			"width": 170,
		},
		{
			"fieldname": "partner",
			"label": _("Partner", context="Compensations"),
			"fieldtype": "Link",
			"options": "Partner",
			"width": 200,
		},
		{
			"fieldname": "institution",
			"label": _("Educational Institution", context="Compensations"),
			"fieldtype": "Link",
			"options": "Educational Institution",
			"width": 200,
		},
		{
			"fieldname": "month",  # the period: the month, or the school year over the whole programme
			"label": _("School Year", context="Compensations")
			if by_year
			else _("Month", context="Compensations"),
			"fieldtype": "Data",
			"width": 90,
		},
		{"fieldname": "planned", "label": _("Planned", context="Compensations"), **money},
		{"fieldname": "approved", "label": _("Approved", context="Compensations"), **money},
		{"fieldname": "paid", "label": _("Paid", context="Compensations"), **money},
		{"fieldname": "reconciled", "label": _("Reconciled", context="Compensations"), **money},
		{
			"fieldname": "compensations",
			"label": _("Approved Compensations", context="Compensations"),
			"fieldtype": "Int",
			"width": 110,
		},
		{
			"fieldname": "approved_share",
			"label": _("Approved, % of Planned", context="Compensations"),
			"fieldtype": "Percent",
			"width": 120,
		},
	]


def chart(claims: list) -> dict:
	"""Spend (approved money) per month (or school year), one bar per compensation type."""
	amounts = defaultdict(list)
	for c in claims:
		amounts[(c.compensation_type, c.period)].append(c.amount)
	kinds = sorted({kind for kind, _month in amounts}, key=lambda k: _(k).lower())
	bars = report_utils.monthly_bars(amounts, kinds, _, lambda spent: float(money_sum(spent or [])))
	return {**bars, "fieldtype": "Currency"}
