"""Consultation hours by specialist role, specialist and month: what the approved plans planned against what
the specialists delivered (confirmed by the learner) and logged (all consultations). For the whole programme
(no term or school year chosen) a specialist's hours are shown by school year instead of by month: months of
every year would run to tens of thousands of rows nationally, and IKVD counts the programme by school year.

Planned hours are the consultation measures of live (approved or evaluated) plans in the chosen terms; they
belong to a plan and a term, not to a month, so they show on the role and specialist rows (hours of measures
without a named specialist on a row of their own). Delivered and logged hours come from Support
Consultations of the same terms, by the month of the consultation.

Planned hours are read grouped in SQL through ``frappe.get_list``, so a user counts only the plans of their
own institutions (frappe#31063); delivered and logged hours from the consultations' running totals, scoped
here by the same condition frappe applies to the consultations — a specialist sees their institution's."""

from collections import defaultdict

import frappe
from frappe import _
from frappe.query_builder.functions import Sum

from pumpurs_app.reporting import report_utils
from pumpurs_app.reporting.doctype.pumpurs_consultation_totals.pumpurs_consultation_totals import scoped_query

PLAN = "Individual Support Plan"
MEASURE = "Support Plan Measure"


def execute(filters: dict | None = None) -> tuple[list, list, None, dict]:
	filters = frappe._dict(filters or {})
	terms = report_utils.terms_of(filters)
	planned = planned_minutes(filters)
	done = delivered(filters, terms)
	rows = tree(planned, done)
	return columns(by_year=terms is None), rows, None, chart(done)


def planned_minutes(filters) -> dict[tuple[str, str], float]:
	"""(role, specialist or "") -> planned hours of the live plans' consultation measures."""
	conditions = report_utils.list_filters(PLAN, report_utils.plan_filters(filters))
	conditions.append([MEASURE, "measure_kind", "=", "Consultation"])
	for field in ("specialist_role", "specialist"):
		if filters.get(field):
			conditions.append([MEASURE, field, "=", filters[field]])
	rows = frappe.get_list(
		PLAN,
		filters=conditions,
		fields=[
			f"`tab{MEASURE}`.specialist_role as role",
			f"`tab{MEASURE}`.specialist as specialist",
			f"sum(`tab{MEASURE}`.planned_hours) as hours",
		],
		group_by=f"`tab{MEASURE}`.specialist_role, `tab{MEASURE}`.specialist",
		order_by=f"`tab{MEASURE}`.specialist_role",
		limit=0,
	)
	return {(r.role or "", r.specialist or ""): float(r.hours or 0) for r in rows}


def delivered(filters, terms: list[str] | None) -> list[frappe._dict]:
	"""Consultations per role, specialist and month (or school year): count, confirmed count, all and
	confirmed minutes — from the consultations' running totals (PuMPuRS Consultation Totals), which only the
	report reads: scoped here as frappe scopes the consultations themselves for the user. Each row's
	``period`` is its month (``2026-10``) or, over all terms (``terms`` None), its school year
	(``2026/2027``): labels that sort in time order."""
	by_year = terms is None
	query, totals = scoped_query(terms, filters)
	term = frappe.qb.DocType("School Term")
	period = term.school_year if by_year else totals.month
	query = (
		query.select(
			totals.specialist_role.as_("role"),
			totals.specialist,
			period.as_("period"),
			Sum(totals.consultations).as_("consultations"),
			Sum(totals.confirmed).as_("confirmed"),
			Sum(totals.logged_minutes).as_("logged_minutes"),
			Sum(totals.confirmed_minutes).as_("confirmed_minutes"),
		)
		.groupby(totals.specialist_role, totals.specialist, period)
		.orderby(totals.specialist_role)
		.orderby(totals.specialist)
	)
	if by_year:
		query = query.join(term).on(term.name == totals.school_term)
	rows = query.run(as_dict=True)
	if not by_year:
		for row in rows:
			row.period = report_utils.month_label(row.period.year, row.period.month)
	return rows


def tree(planned: dict, done: list) -> list[dict]:
	"""Role → specialist → month (or school year) rows, then the total."""
	by_person = defaultdict(list)  # (role, specialist) -> their months
	for r in done:
		by_person[(r.role or "", r.specialist)].append(r)
	people_of = defaultdict(set)
	for role, person in set(planned) | set(by_person):
		people_of[role].add(person)
	names = full_names({p for people in people_of.values() for p in people if p})
	rows = []
	for role in sorted(people_of, key=role_order):
		name = role_label(role)
		people = sorted(people_of[role], key=lambda s: (not s, names.get(s, "").lower()))
		rows.append(
			row(
				0,
				name,
				role=name,
				planned=sum(planned.get((role, p), 0) for p in people),
				consultations=[m for p in people for m in by_person[(role, p)]],
			)
		)
		for person in people:
			periods = sorted(by_person[(role, person)], key=lambda r: r.period)
			label = (
				names[person] if person else _("No Specialist Named in the Plan", context="Support Delivered")
			)
			rows.append(
				row(
					1,
					label,
					role=name,
					specialist=person,
					planned=planned.get((role, person), 0),
					consultations=periods,
				)
			)
			for p in periods:
				rows.append(row(2, p.period, role=name, specialist=person, month=p.period, consultations=[p]))
	if rows:
		total = _("Total", context="Support Delivered")
		rows.append(row(0, total, planned=sum(planned.values()), consultations=done, total=True))
	return rows


def row(
	indent: int,
	label: str,
	role: str | None = None,  # the role's name in the user's language
	specialist: str | None = None,
	month: str | None = None,
	planned: float | None = None,
	consultations: list = (),
	total: bool = False,
) -> dict:
	logged = sum(int(r.logged_minutes or 0) for r in consultations)
	confirmed = sum(int(r.confirmed_minutes or 0) for r in consultations)
	delivered_hours = hours(confirmed)
	return {
		"label": label,
		"indent": indent,
		"is_total": int(total),
		"specialist_role": role,
		"specialist": specialist or None,
		"month": month,
		"planned_hours": round(planned, 2) if planned is not None else None,
		"delivered_hours": delivered_hours,
		"logged_hours": hours(logged),
		"consultations": sum(int(r.consultations or 0) for r in consultations),
		"confirmed_consultations": sum(int(r.confirmed or 0) for r in consultations),
		"delivered_share": report_utils.share(delivered_hours, planned) if planned else None,
	}


def full_names(users: set[str]) -> dict[str, str]:
	"""The specialists' names in one query. Only users already in the user's scoped rows are looked up (the
	specialists of their own institutions' plans and consultations), and only their names are read."""
	rows = frappe.get_all("User", filters={"name": ("in", list(users) or [""])}, fields=["name", "full_name"])
	found = {r.name: r.full_name or r.name for r in rows}
	return {user: found.get(user, user) for user in users}


def hours(minutes: int) -> float:
	return round(minutes / 60, 2)


def role_order(role: str) -> tuple[int, str]:
	options = (frappe.get_meta(MEASURE).get_field("specialist_role").options or "").split("\n")
	return (options.index(role), role) if role in options else (len(options), role)


def role_label(role: str) -> str:
	return _(role, context=MEASURE) if role else _("No Role", context="Support Delivered")


def columns(by_year: bool = False) -> list[dict]:
	hours_column = {"fieldtype": "Float", "precision": 2, "width": 120}
	return [
		{
			"fieldname": "label",
			"label": _("Role / Specialist / School Year", context="Support Delivered")
			if by_year
			else _("Role / Specialist / Month", context="Support Delivered"),
			"fieldtype": "Data",
			"width": 260,
		},
		{
			"fieldname": "specialist_role",
			"label": _("Specialist Role", context="Support Delivered"),
			"fieldtype": "Data",
			"width": 150,
		},
		{
			"fieldname": "specialist",
			"label": _("Specialist", context="Support Delivered"),
			"fieldtype": "Link",
			"options": "User",
			"width": 180,
		},
		{
			"fieldname": "month",  # the period: the month, or the school year over the whole programme
			"label": _("School Year", context="Support Delivered")
			if by_year
			else _("Month", context="Support Delivered"),
			"fieldtype": "Data",
			"width": 90,
		},
		{
			"fieldname": "planned_hours",
			"label": _("Planned Hours", context="Support Delivered"),
			**hours_column,
		},
		{
			"fieldname": "delivered_hours",
			"label": _("Delivered Hours (Confirmed)", context="Support Delivered"),
			**hours_column,
		},
		{
			"fieldname": "logged_hours",
			"label": _("Logged Hours (All)", context="Support Delivered"),
			**hours_column,
		},
		{
			"fieldname": "consultations",
			"label": _("Consultations", context="Support Delivered"),
			"fieldtype": "Int",
			"width": 110,
		},
		{
			"fieldname": "confirmed_consultations",
			"label": _("Confirmed by the Learner", context="Support Delivered"),
			"fieldtype": "Int",
			"width": 120,
		},
		{
			"fieldname": "delivered_share",
			"label": _("Delivered, % of Planned", context="Support Delivered"),
			"fieldtype": "Percent",
			"width": 120,
		},
	]


def chart(done: list) -> dict:
	"""Delivered (confirmed) hours per month (or school year), one bar per role."""
	minutes = defaultdict(int)
	for r in done:
		minutes[(r.role or "", r.period)] += int(r.confirmed_minutes or 0)
	roles = sorted({role for role, _month in minutes}, key=role_order)
	return report_utils.monthly_bars(minutes, roles, role_label, lambda total: hours(total or 0))
