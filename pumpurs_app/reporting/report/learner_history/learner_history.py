"""One learner's case history across terms, as a tree in chronological order: every plan (term, state, author,
approvals, highest severity, evaluation), under it its measures (planned and delivered), and under each
measure its consultations and compensations.

Plan authors and specialists may open it — they work with the learner — but each part is read through
``frappe.get_list``, so everyone sees only the plans, consultations and compensations of their own
institutions (frappe#31063), and a part they may not read at all (compensations, for specialists) is left
out. The learner's personal code is never read."""

from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import formatdate, get_fullname

from pumpurs_app.reporting import report_utils

PLAN = "Individual Support Plan"
MEASURE = "Support Plan Measure"
RISK = "Support Plan Risk"
CONSULTATION = "Support Consultation"
COMPENSATION = "Compensation"
APPROVERS = (
	("director_approved_by", "director_approved_on"),
	("partner_approved_by", "partner_approved_on"),
	("ikvd_approved_by", "ikvd_approved_on"),
)


def execute(filters: dict | None = None) -> tuple[list, list]:
	filters = frappe._dict(filters or {})
	if not filters.get("learner"):
		return columns(), []
	plans = frappe.get_list(
		PLAN,
		filters={"learner": filters.learner},
		fields=[
			"name",
			"school_term",
			"institution",
			"plan_date",
			"workflow_state",
			"docstatus",
			"plan_author",
			"plan_author_name",
			"highest_severity",
			"continues_next_term",
			"evaluated_on",
			"evaluated_by",
			*(field for by, on in APPROVERS for field in (by, on)),
		],
		limit=0,
	)
	if not plans:
		return columns(), []
	names = [plan.name for plan in plans]
	measures = plan_children(names)
	outcomes = risk_outcomes(names)
	consultations = by_measure(readable(CONSULTATION, filters.learner, names))
	compensations = by_measure(readable(COMPENSATION, filters.learner, names))

	order = report_utils.term_sort_keys()
	plans.sort(key=lambda p: (order.get(p.school_term, (0, 0)), str(p.plan_date or ""), p.name))
	data = []
	for plan in plans:
		data.append(plan_row(plan, outcomes.get(plan.name, {})))
		shown = set()
		for measure in measures[plan.name]:
			data.append(measure_row(plan, measure))
			for item in (
				consultations[(plan.name, measure.measure)] + compensations[(plan.name, measure.measure)]
			):
				data.append(item)
			shown.add(measure.measure)
		# anything recorded against a measure that is not (or no longer) in the plan: under the plan itself
		for (plan_name, measure_name), items in {**consultations, **compensations}.items():
			if plan_name == plan.name and measure_name not in shown:
				data += [{**item, "indent": 1} for item in items]
	return columns(), data


def plan_children(plans: list[str]) -> dict[str, list]:
	rows = frappe.get_list(
		PLAN,
		filters={"name": ("in", plans)},
		fields=[
			"name as plan",
			f"`tab{MEASURE}`.name as measure",
			f"`tab{MEASURE}`.idx as idx",
			f"`tab{MEASURE}`.measure_kind as measure_kind",
			f"`tab{MEASURE}`.risk_factor as risk_factor",
			f"`tab{MEASURE}`.specialist_role as specialist_role",
			f"`tab{MEASURE}`.specialist as specialist",
			f"`tab{MEASURE}`.compensation_type as compensation_type",
			f"`tab{MEASURE}`.ngo_project as ngo_project",
			f"`tab{MEASURE}`.planned_hours as planned_hours",
			f"`tab{MEASURE}`.planned_amount as planned_amount",
			f"`tab{MEASURE}`.delivered_hours as delivered_hours",
			f"`tab{MEASURE}`.approved_amount as approved_amount",
			f"`tab{MEASURE}`.paid_amount as paid_amount",
		],
		order_by=f"`tab{MEASURE}`.idx",
		limit=0,
	)
	grouped = defaultdict(list)
	for row in rows:
		if row.measure:
			grouped[row.plan].append(row)
	return grouped


def risk_outcomes(plans: list[str]) -> dict[str, dict[str, int]]:
	rows = frappe.get_list(
		PLAN,
		filters=[[PLAN, "name", "in", plans], [RISK, "outcome", "is", "set"]],
		fields=["name as plan", f"`tab{RISK}`.outcome as outcome", f"count(`tab{RISK}`.name) as risks"],
		group_by=f"`tab{PLAN}`.name, `tab{RISK}`.outcome",
		order_by=f"`tab{PLAN}`.name",
		limit=0,
	)
	outcomes = defaultdict(dict)
	for row in rows:
		outcomes[row.plan][row.outcome] = row.risks
	return outcomes


def readable(doctype: str, learner: str, plans: list[str]) -> list[dict]:
	"""The learner's consultations or compensations on the plans shown, if the user may read them at all."""
	if not frappe.has_permission(doctype, "read"):
		return []
	if doctype == CONSULTATION:
		rows = frappe.get_list(
			CONSULTATION,
			filters={"learner": learner, "support_plan": ("in", plans)},
			fields=[
				"name",
				"support_plan",
				"measure",
				"consultation_date",
				"start_time",
				"specialist",
				"specialist_name",
				"specialist_role",
				"duration_minutes",
				"mode",
				"learner_confirmed",
			],
			order_by="consultation_date, start_time",
			limit=0,
		)
		return [consultation_row(row) for row in rows]
	rows = frappe.get_list(
		COMPENSATION,
		filters={"learner": learner, "support_plan": ("in", plans)},
		fields=[
			"name",
			"support_plan",
			"measure",
			"compensation_type",
			"period_from",
			"period_to",
			"total_amount",
			"workflow_state",
			"paid_on",
		],
		order_by="period_from, name",
		limit=0,
	)
	return [compensation_row(row) for row in rows]


def by_measure(rows: list[dict]) -> defaultdict:
	grouped = defaultdict(list)
	for row in rows:
		grouped[(row.pop("plan"), row.pop("measure"))].append(row)
	return grouped


def plan_row(plan, outcomes: dict[str, int]) -> dict:
	who = {
		"director_approved_by": _("Director", context="Learner History"),
		"partner_approved_by": _("Municipality", context="Learner History"),
		"ikvd_approved_by": _("IKVD", context="Learner History"),
	}
	approvals = [
		f"{who[by]}: {get_fullname(plan[by])} ({formatdate(plan[on])})"
		for by, on in APPROVERS
		if plan.get(by)
	]
	evaluation = []
	if plan.continues_next_term:
		evaluation.append(_("Continues studying: {0}").format(_(plan.continues_next_term, context=PLAN)))
	if plan.evaluated_on:
		evaluation.append(
			_("evaluated {0} by {1}").format(formatdate(plan.evaluated_on), get_fullname(plan.evaluated_by))
		)
	if outcomes:
		evaluation.append(
			", ".join(
				f"{_(o, context=RISK)} {n}"
				for o, n in sorted(outcomes.items(), key=lambda i: OUTCOME_ORDER.get(i[0], 9))
			)
		)
	return {
		"row_type": _("Plan", context="Learner History"),
		"reference_doctype": PLAN,
		"document": plan.name,
		"indent": 0,
		"school_term": plan.school_term,
		"institution": plan.institution,
		"date": plan.plan_date,
		"state": _(plan.workflow_state or ""),
		"person": plan.plan_author_name or get_fullname(plan.plan_author),
		"approvals": "; ".join(approvals),
		"highest_severity": _(plan.highest_severity, context=PLAN) if plan.highest_severity else "",
		"evaluation": "; ".join(evaluation),
	}


OUTCOME_ORDER = {"Reduced": 0, "Unchanged": 1, "Increased": 2}


def measure_row(plan, measure) -> dict:
	kind = measure.measure_kind
	# catalogue records (compensation types, risk factors) are named in English; their Latvian names are
	# Translation records, so _() gives each user their own language
	what = (
		_(measure.compensation_type or "")
		or measure.ngo_project
		or (_(measure.specialist_role, context=MEASURE) if measure.specialist_role else "")
	)
	details = " — ".join(part for part in (what, _(measure.risk_factor or "")) if part)
	return {
		"row_type": _("Measure", context="Learner History"),
		"indent": 1,
		"school_term": plan.school_term,
		"institution": plan.institution,
		"kind": _(kind, context=MEASURE) if kind else "",
		"details": details,
		"person": get_fullname(measure.specialist) if measure.specialist else "",
		"planned_hours": measure.planned_hours if kind == "Consultation" else None,
		"delivered_hours": measure.delivered_hours if kind == "Consultation" else None,
		"planned_amount": measure.planned_amount if kind == "Compensation" else None,
		"approved_amount": measure.approved_amount if kind == "Compensation" else None,
		"paid_amount": measure.paid_amount if kind == "Compensation" else None,
	}


def consultation_row(row) -> dict:
	role = _(row.specialist_role, context=MEASURE) if row.specialist_role else ""
	return {
		"plan": row.support_plan,
		"measure": row.measure,
		"row_type": _("Consultation", context="Learner History"),
		"reference_doctype": CONSULTATION,
		"document": row.name,
		"indent": 2,
		"date": row.consultation_date,
		"person": row.specialist_name or get_fullname(row.specialist),
		"details": ", ".join(p for p in (role, _(row.mode, context=CONSULTATION) if row.mode else "") if p),
		"minutes": row.duration_minutes,
		"confirmed": row.learner_confirmed,
		"state": _("Confirmed", context="Learner History")
		if row.learner_confirmed
		else _("Not Confirmed", context="Learner History"),
	}


def compensation_row(row) -> dict:
	return {
		"plan": row.support_plan,
		"measure": row.measure,
		"row_type": _("Compensation", context="Learner History"),
		"reference_doctype": COMPENSATION,
		"document": row.name,
		"indent": 2,
		"date": row.period_from,
		"details": f"{_(row.compensation_type or '')}: {formatdate(row.period_from)} – {formatdate(row.period_to)}",
		"state": _(row.workflow_state or ""),
		"amount": row.total_amount,
		"paid_on": row.paid_on,
	}


def columns() -> list[dict]:
	money = {"fieldtype": "Currency", "options": "EUR", "width": 110}
	return [
		{
			"fieldname": "row_type",
			"label": _("Row", context="Learner History"),
			"fieldtype": "Data",
			"width": 130,
		},
		{
			"fieldname": "document",
			"label": _("Document", context="Learner History"),
			"fieldtype": "Dynamic Link",
			"options": "reference_doctype",
			"width": 160,
		},
		{
			"fieldname": "reference_doctype",
			"label": _("Document Type", context="Learner History"),
			"fieldtype": "Data",
			"hidden": 1,
		},
		{
			"fieldname": "school_term",
			"label": _("School Term"),
			"fieldtype": "Link",
			"options": "School Term",
			"width": 120,
		},
		{
			"fieldname": "date",
			"label": _("Date", context="Learner History"),
			"fieldtype": "Date",
			"width": 100,
		},
		{
			"fieldname": "state",
			"label": _("State", context="Learner History"),
			"fieldtype": "Data",
			"width": 130,
		},
		{
			"fieldname": "kind",
			"label": _("Measure", context="Learner History"),
			"fieldtype": "Data",
			"width": 120,
		},
		{
			"fieldname": "details",
			"label": _("Details", context="Learner History"),
			"fieldtype": "Data",
			"width": 280,
		},
		{"fieldname": "person", "label": _("Author or Specialist"), "fieldtype": "Data", "width": 170},
		{
			"fieldname": "approvals",
			"label": _("Approvals", context="Learner History"),
			"fieldtype": "Data",
			"width": 320,
		},
		{"fieldname": "highest_severity", "label": _("Highest Severity"), "fieldtype": "Data", "width": 100},
		{
			"fieldname": "evaluation",
			"label": _("Evaluation", context="Learner History"),
			"fieldtype": "Data",
			"width": 300,
		},
		{
			"fieldname": "planned_hours",
			"label": _("Planned Hours", context="Learner History"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 90,
		},
		{
			"fieldname": "delivered_hours",
			"label": _("Delivered Hours", context="Learner History"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 90,
		},
		{
			"fieldname": "minutes",
			"label": _("Minutes", context="Learner History"),
			"fieldtype": "Int",
			"width": 80,
		},
		{"fieldname": "confirmed", "label": _("Confirmed by the Learner"), "fieldtype": "Check", "width": 90},
		{"fieldname": "planned_amount", "label": _("Planned Amount (EUR)"), **money},
		{"fieldname": "approved_amount", "label": _("Approved Amount (EUR)"), **money},
		{"fieldname": "paid_amount", "label": _("Paid Amount (EUR)"), **money},
		{"fieldname": "amount", "label": _("Compensation Total (EUR)"), **money},
		{
			"fieldname": "paid_on",
			"label": _("Paid On", context="Learner History"),
			"fieldtype": "Date",
			"width": 100,
		},
		{
			"fieldname": "institution",
			"label": _("Educational Institution"),
			"fieldtype": "Link",
			"options": "Educational Institution",
			"width": 200,
		},
	]
