"""Learners at risk per term by risk group and severity — for the whole programme, per partner or per
institution ("Group by") — as IKVD reported them (learning/school 8,655 learners in semester 1 of 2019/20…).

Approved plans only (Approved or Evaluated). Each term a row for all risk groups together (learners by their
plan's highest severity, from the plan's flags) and one row per risk group: distinct learners with a risk of
that group, split by the highest severity among their risks of that group (which the plan keeps per group),
so that High + Medium + Low is the group's learners. Counted in one grouped SQL query of the plans through
``frappe.get_list``: a user counts only the plans they may see (frappe#31063). Within a term a learner has one
live plan (the plan's unique ``active_plan_key``), so a term's learners are counted as its plans; the chart,
over all terms selected, counts distinct learners."""

import frappe
from frappe import _

from pumpurs_app.reporting import report_utils
from pumpurs_app.rules import support_plans as plan_rules
from pumpurs_app.support_plans.doctype.individual_support_plan.individual_support_plan import (
	GROUP_SEVERITY_FIELDS,
	RISK_GROUP_FIELDS,
)

PLAN = "Individual Support Plan"
# "Group by" filter -> the plan fields a row is keyed by
LEVELS = {"": [], "Partner": ["partner"], "Institution": ["partner", "institution"]}
LEARNER = f"`tab{PLAN}`.learner"
# how many risk groups a plan has (each column of a field qualified: frappe's field permission check wants it)
GROUPS_PRESENT = " + ".join(f"`tab{PLAN}`.{flag}" for flag in RISK_GROUP_FIELDS.values())


def execute(filters: dict | None = None) -> tuple[list, list, None, dict]:
	filters = frappe._dict(filters or {})
	level = level_fields(filters)
	conditions = report_utils.plan_filters(filters)  # approved and evaluated plans
	keyed = [f"`tab{PLAN}`.{field}" for field in level] + [f"`tab{PLAN}`.school_term"]

	plans = frappe.get_list(
		PLAN,
		filters=conditions,
		fields=[
			*keyed,
			"count(*) as learners",
			*(severity_count("highest_severity", s, s.lower()) for s in plan_rules.SEVERITIES),
			f"count(if({GROUPS_PRESENT} > 1, 1, null)) as several",
			*group_fields(),
		],
		group_by=", ".join(keyed),
		order_by=", ".join(keyed),
	)
	order = report_utils.term_sort_keys()
	plans.sort(key=lambda r: (*(r[f] or "" for f in level), order.get(r.school_term, (0, 0))))
	data = []
	for row in plans:
		key = {field: row[field] for field in level}
		data.append(
			{
				**key,
				"school_term": row.school_term,
				"risk_group": _("All Risk Groups"),
				"indent": 0,
				"learners": row.learners,
				"high": row.high,
				"medium": row.medium,
				"low": row.low,
				"share": None,
				"several": row.several,
			}
		)
		for group in plan_rules.RISK_GROUPS:
			found = split_by_severity(row, group)
			if not found["learners"]:
				continue
			data.append(
				{
					**key,
					"school_term": row.school_term,
					"risk_group": _(group, context="Risk Factor"),
					"indent": 1,
					**found,
					"share": report_utils.share(found["learners"], row.learners),
				}
			)
	return columns(level), data, None, chart(conditions)


def level_fields(filters: frappe._dict) -> list[str]:
	group_by = filters.get("group_by") or ""
	if group_by == "None":
		group_by = ""
	if group_by not in LEVELS:
		frappe.throw(_("Group by must be Partner, Institution or nothing."))
	return LEVELS[group_by]


def severity_count(
	field: str, severity: str, alias: str, at_least: bool = False, across_terms: bool = False
) -> str:
	"""Learners whose plan's ``field`` is ``severity`` (or, ``at_least``, that severity or a higher one): the
	plans of a term, or ``across_terms`` the distinct learners."""
	levels = plan_rules.SEVERITIES[plan_rules.SEVERITIES.index(severity) :] if at_least else (severity,)
	condition = f"`tab{PLAN}`.{field} in ({', '.join(frappe.db.escape(s) for s in levels)})"
	if across_terms:
		return f"count(distinct if({condition}, {LEARNER}, null)) as {alias}"
	return f"count(if({condition}, 1, null)) as {alias}"


def group_fields(across_terms: bool = False) -> list[str]:
	"""Per risk group: its learners, those with a High risk of the group, and those with Medium or High."""
	fields = []
	for field in GROUP_SEVERITY_FIELDS.values():
		fields += [
			severity_count(field, "Low", f"{field}_learners", True, across_terms),
			severity_count(field, "High", f"{field}_high", False, across_terms),
			severity_count(field, "Medium", f"{field}_medium_or_higher", True, across_terms),
		]
	return fields


def split_by_severity(row, group: str) -> dict:
	"""Learners of a risk group by the highest severity of their risks in that group."""
	field = GROUP_SEVERITY_FIELDS[group]
	learners, high, medium_or_higher = (
		row[f"{field}_{count}"] for count in ("learners", "high", "medium_or_higher")
	)
	return {
		"learners": learners,
		"high": high,
		"medium": medium_or_higher - high,
		"low": learners - medium_or_higher,
	}


def columns(level: list[str]) -> list[dict]:
	count = {"fieldtype": "Int", "width": 100}
	shown = []
	if "partner" in level:
		shown.append(
			{
				"fieldname": "partner",
				"label": _("Partner"),
				"fieldtype": "Link",
				"options": "Partner",
				"width": 200,
			}
		)
	if "institution" in level:
		shown.append(
			{
				"fieldname": "institution",
				"label": _("Educational Institution"),
				"fieldtype": "Link",
				"options": "Educational Institution",
				"width": 220,
			}
		)
	return [
		*shown,
		{
			"fieldname": "school_term",
			"label": _("School Term"),
			"fieldtype": "Link",
			"options": "School Term",
			"width": 150,
		},
		{
			"fieldname": "risk_group",
			"label": _("Risk Group", context="Risk Profile"),
			"fieldtype": "Data",
			"width": 320,
		},
		{"fieldname": "learners", "label": _("Learners"), **count},
		{"fieldname": "high", "label": _("High", context="Support Plan Risk"), **count},
		{"fieldname": "medium", "label": _("Medium", context="Support Plan Risk"), **count},
		{"fieldname": "low", "label": _("Low", context="Support Plan Risk"), **count},
		{
			"fieldname": "share",
			"label": _("Share of Learners at Risk (%)"),
			"fieldtype": "Percent",
			"width": 130,
		},
		{"fieldname": "several", "label": _("In Several Risk Groups"), **count},
	]


def chart(conditions: dict) -> dict | None:
	"""Learners per risk group over everything selected (each learner once per group), stacked by severity."""
	totals = frappe.get_list(PLAN, filters=conditions, fields=group_fields(across_terms=True))[0]
	groups = [g for g in plan_rules.RISK_GROUPS if totals[f"{GROUP_SEVERITY_FIELDS[g]}_learners"]]
	if not groups:
		return None
	rows = {g: split_by_severity(totals, g) for g in groups}
	return {
		"data": {
			"labels": [_(plan_rules.RISK_GROUP_SHORT[g], context="Risk group on a chart") for g in groups],
			"datasets": [
				{
					"name": _(severity, context="Support Plan Risk"),
					"values": [rows[g][severity.lower()] for g in groups],
				}
				for severity in reversed(plan_rules.SEVERITIES)
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"colors": ["#e24c4c", "#f8b34a", "#5e64ff"],
	}
