"""Approved plans and learners per institution and term, by grade band — the programme's own public figure
("Jelgavas 4. sākumskola — 53 IAPs in semester 1, 52 in semester 2").

Approved means Approved or Evaluated (submitted). Everything is counted in SQL through ``frappe.get_list``
(grouped), so a user counts only the plans they may see (frappe#31063) and the report stays fast at the
programme's scale. The last row is the total over everything shown, with learners counted once however many
terms and institutions they had a plan in (286 plans for 181 learners, as Madona reported its 2020/21)."""

import frappe
from frappe import _

from pumpurs_app.reporting import report_utils
from pumpurs_app.rules import target_group

PLAN = "Individual Support Plan"
# grade band (as target_group.grade_band names it) -> column
BANDS = {
	"Grades 1–4": "grades_1_4",
	"Grades 5–9": "grades_5_9",
	"Grades 10–12": "grades_10_12",
	"Vocational years 1–4": "vocational",
}


def execute(filters: dict | None = None) -> tuple[list, list, None, dict]:
	filters = frappe._dict(filters or {})
	conditions = report_utils.plan_filters(filters)  # approved and evaluated plans
	total = {
		"partner": _("Total", context="Plans by Institution and Term"),
		"is_total": 1,
		"plans": 0,
		"learners": 0,
		**dict.fromkeys(BANDS.values(), 0),
	}
	# One query: a learner has one live plan a term (the plan's unique ``active_plan_key``), so an
	# institution's learners in a term are its approved plans of that term
	rows = {}
	for row in frappe.get_list(
		PLAN,
		filters=conditions,
		fields=["partner", "institution", "school_term", "education_type", "grade", "count(*) as plans"],
		group_by="partner, institution, school_term, education_type, grade",
		order_by="partner, institution, school_term",
	):
		entry = rows.setdefault(
			(row.institution, row.school_term),
			{
				"partner": row.partner,
				"institution": row.institution,
				"school_term": row.school_term,
				"plans": 0,
				"learners": 0,
				**dict.fromkeys(BANDS.values(), 0),
			},
		)
		band = BANDS[target_group.grade_band(row.education_type, row.grade)]
		entry["plans"] += row.plans
		entry["learners"] += row.plans
		entry[band] += row.plans
		total[band] += row.plans
	overall = frappe.get_list(
		PLAN, filters=conditions, fields=["count(*) as plans", "count(distinct learner) as learners"]
	)[0]
	total["plans"], total["learners"] = overall.plans, overall.learners

	order = report_utils.term_sort_keys()
	data = sorted(
		rows.values(),
		key=lambda r: (r["partner"] or "", r["institution"] or "", order.get(r["school_term"], (0, 0))),
	)
	if data:
		data.append(total)
	return columns(), data, None, chart(data, order)


def columns() -> list[dict]:
	count = {"fieldtype": "Int", "width": 110}
	return [
		{
			"fieldname": "partner",
			"label": _("Partner"),
			"fieldtype": "Link",
			"options": "Partner",
			"width": 220,
		},
		{
			"fieldname": "institution",
			"label": _("Educational Institution"),
			"fieldtype": "Link",
			"options": "Educational Institution",
			"width": 240,
		},
		{
			"fieldname": "school_term",
			"label": _("School Term"),
			"fieldtype": "Link",
			"options": "School Term",
			"width": 120,
		},
		{"fieldname": "plans", "label": _("Approved Plans"), **count},
		{"fieldname": "learners", "label": _("Learners"), **count},
		*({"fieldname": field, "label": _(band), **count} for band, field in BANDS.items()),
	]


def chart(data: list[dict], order: dict) -> dict | None:
	per_term = {}
	for row in data:
		if not row.get("is_total"):
			per_term[row["school_term"]] = per_term.get(row["school_term"], 0) + row["plans"]
	if not per_term:
		return None
	labels = sorted(per_term, key=lambda term: order.get(term, (0, 0)))
	return {
		"data": {
			"labels": labels,
			"datasets": [{"name": _("Approved Plans"), "values": [per_term[t] for t in labels]}],
		},
		"type": "bar",
	}
