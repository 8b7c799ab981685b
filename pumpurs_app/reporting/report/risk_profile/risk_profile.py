"""Learners at risk per term by risk group and severity — for the whole programme, per partner or per
institution ("Group by") — as IKVD reported them (learning/school 8,655 learners in semester 1 of 2019/20…).

Approved plans only (Approved or Evaluated). Each term a row for all risk groups together (learners by their
plan's highest severity, from the plan's flags) and one row per risk group: distinct learners with a risk of
that group, split by the highest severity among their risks of that group, so that High + Medium + Low is the
group's learners. Counted in SQL through ``frappe.get_list`` (grouped): a user counts only the plans they may
see (frappe#31063)."""

import frappe
from frappe import _

from pumpurs_app.reporting import report_utils
from pumpurs_app.rules import support_plans as plan_rules

PLAN = "Individual Support Plan"
RISK = "Support Plan Risk"
# "Group by" filter -> the plan fields a row is keyed by
LEVELS = {"": [], "Partner": ["partner"], "Institution": ["partner", "institution"]}
GROUP_FLAGS = {
	plan_rules.LEARNING: "has_learning_risk",
	plan_rules.SOCIAL: "has_social_risk",
	plan_rules.ECONOMIC: "has_economic_risk",
	plan_rules.FAMILY: "has_family_risk",
}
LEARNER = f"`tab{PLAN}`.learner"
# how many risk groups a plan has (each column of a field qualified: frappe's field permission check wants it)
GROUPS_PRESENT = " + ".join(f"`tab{PLAN}`.{flag}" for flag in GROUP_FLAGS.values())


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
			f"count(distinct {LEARNER}) as learners",
			*(severity_count("highest_severity", s, f"`tab{PLAN}`") for s in plan_rules.SEVERITIES),
			f"count(distinct if({GROUPS_PRESENT} > 1, {LEARNER}, null)) as several",
		],
		group_by=", ".join(keyed),
		order_by=", ".join(keyed),
	)
	risks = {}
	for row in frappe.get_list(
		PLAN,
		filters=conditions,
		fields=risk_fields(keyed),
		group_by=", ".join([*keyed, f"`tab{RISK}`.risk_group"]),
		order_by=", ".join(keyed),
	):
		risks[(*(row[f] for f in level), row.school_term, row.risk_group)] = row

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
			found = risks.get((*key.values(), row.school_term, group))
			if not found:
				continue
			data.append(
				{
					**key,
					"school_term": row.school_term,
					"risk_group": _(group, context="Risk Factor"),
					"indent": 1,
					**split_by_severity(found),
					"share": report_utils.share(found.learners, row.learners),
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


def severity_count(field: str, severity: str, table: str, at_least: bool = False) -> str:
	"""Distinct learners whose ``field`` is ``severity`` (or, ``at_least``, that severity or a higher one)."""
	levels = plan_rules.SEVERITIES[plan_rules.SEVERITIES.index(severity) :] if at_least else (severity,)
	values = ", ".join(frappe.db.escape(s) for s in levels)
	alias = severity.lower() + ("_or_higher" if at_least else "")
	return f"count(distinct if({table}.{field} in ({values}), {LEARNER}, null)) as {alias}"


def risk_fields(keyed: list[str]) -> list[str]:
	"""Per risk group: its learners, those with a High risk of the group, and those with Medium or High."""
	return [
		*keyed,
		f"`tab{RISK}`.risk_group as risk_group",
		f"count(distinct {LEARNER}) as learners",
		severity_count("severity", "High", f"`tab{RISK}`"),
		severity_count("severity", "Medium", f"`tab{RISK}`", at_least=True),
	]


def split_by_severity(row) -> dict:
	"""Learners of a risk group by the highest severity of their risks in that group."""
	return {
		"learners": row.learners,
		"high": row.high,
		"medium": row.medium_or_higher - row.high,
		"low": row.learners - row.medium_or_higher,
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
	rows = {
		row.risk_group: split_by_severity(row)
		for row in frappe.get_list(
			PLAN,
			filters=conditions,
			fields=risk_fields([]),
			group_by=f"`tab{RISK}`.risk_group",
			order_by=f"`tab{RISK}`.risk_group",
		)
	}
	groups = [g for g in plan_rules.RISK_GROUPS if g in rows]
	if not groups:
		return None
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
