"""What the support achieved, from the plans' evaluations: how each risk group's risks changed (Reduced /
Unchanged / Increased) and how many learners went on studying the next term — the programme's goal indicator
(retention = Yes / (Yes + No + Unknown)) — per partner, institution or grade band ("Group by").

Evaluated plans only. Outcomes are counted per assessed risk (a plan's risk factor), retention per evaluated
plan (one a learner and term). Counted in SQL through ``frappe.get_list`` (grouped), so a user counts only the
plans they may see (frappe#31063)."""

import frappe
from frappe import _

from pumpurs_app.reporting import report_utils
from pumpurs_app.rules import support_plans as plan_rules
from pumpurs_app.rules import target_group

PLAN = "Individual Support Plan"
RISK = "Support Plan Risk"
# "Group by" filter -> plan fields grouped in SQL
LEVELS = {
	"": [],
	"Partner": ["partner"],
	"Institution": ["partner", "institution"],
	"Grade Band": ["education_type", "grade"],
}
OUTCOMES = {"Reduced": "reduced", "Unchanged": "unchanged", "Increased": "increased"}
CONTINUES = {"Yes": "continues", "No": "stopped", "Unknown": "unknown"}
BAND_ORDER = ("Grades 1–4", "Grades 5–9", "Grades 10–12", "Vocational years 1–4")


def execute(filters: dict | None = None) -> tuple[list, list, None, dict]:
	filters = frappe._dict(filters or {})
	group_by = grouping(filters)
	fields = LEVELS[group_by]
	conditions = evaluated_plans(filters)
	keyed = [f"`tab{PLAN}`.{field}" for field in fields]

	groups: dict[tuple, dict] = {}
	total = new_group(
		{
			"grade_band" if group_by == "Grade Band" else "partner": _(
				"Total", context="Outcomes and Retention"
			),
			"is_total": 1,
		}
	)

	def group_of(row) -> dict:
		key = group_key(group_by, row)
		if key not in groups:
			groups[key] = new_group(group_labels(group_by, key))
		return groups[key]

	for row in frappe.get_list(
		PLAN,
		filters=conditions,
		fields=[*keyed, "continues_next_term", "count(*) as plans"],
		group_by=", ".join([*keyed, "continues_next_term"]),
		order_by=", ".join([*keyed, "continues_next_term"]),
	):
		column = CONTINUES.get(row.continues_next_term, "unknown")  # evaluation requires an answer
		for target in (group_of(row), total):
			target[column] += row.plans
			target["plans"] += row.plans
	outcome_fields = [
		*keyed,
		f"`tab{RISK}`.risk_group as risk_group",
		f"`tab{RISK}`.outcome as outcome",
		f"count(`tab{RISK}`.name) as risks",
	]
	outcome_keys = ", ".join([*keyed, f"`tab{RISK}`.risk_group", f"`tab{RISK}`.outcome"])
	for row in frappe.get_list(
		PLAN, filters=conditions, fields=outcome_fields, group_by=outcome_keys, order_by=outcome_keys
	):
		column = OUTCOMES.get(row.outcome)
		if not column or row.risk_group not in plan_rules.RISK_GROUPS:
			continue
		for target in (group_of(row), total):
			target[column] += row.risks
			target["by_risk_group"].setdefault(row.risk_group, dict.fromkeys(OUTCOMES.values(), 0))[
				column
			] += row.risks

	data = []
	for key in sorted(groups, key=sort_key(group_by)):
		data += group_rows(groups[key])
	if groups and group_by:
		data += group_rows(total)
	elif groups:
		data = group_rows(total)  # no grouping: the total is the only group
	return (
		columns(group_by),
		data,
		None,
		chart(group_by, [groups[k] for k in sorted(groups, key=sort_key(group_by))], total),
	)


def grouping(filters: frappe._dict) -> str:
	group_by = filters.get("group_by") or ""
	if group_by == "None":
		group_by = ""
	if group_by not in LEVELS:
		frappe.throw(_("Group by must be Partner, Institution, Grade Band or nothing."))
	return group_by


def evaluated_plans(filters: frappe._dict) -> dict:
	conditions = report_utils.plan_filters(filters, states=(plan_rules.EVALUATED,))
	conditions["docstatus"] = 1
	return conditions


def group_key(group_by: str, row) -> tuple:
	if group_by == "Grade Band":
		return (target_group.grade_band(row.education_type, row.grade),)
	return tuple(row[field] for field in LEVELS[group_by])


def group_labels(group_by: str, key: tuple) -> dict:
	if group_by == "Grade Band":
		return {"grade_band": _(key[0])}
	return dict(zip(LEVELS[group_by], key, strict=True))


def sort_key(group_by: str):
	if group_by == "Grade Band":
		return lambda key: BAND_ORDER.index(key[0]) if key[0] in BAND_ORDER else len(BAND_ORDER)
	return lambda key: tuple(value or "" for value in key)


def new_group(labels: dict) -> dict:
	return {
		**labels,
		"plans": 0,
		**dict.fromkeys(CONTINUES.values(), 0),
		**dict.fromkeys(OUTCOMES.values(), 0),
		"by_risk_group": {},
	}


def group_rows(group: dict) -> list[dict]:
	"""The group's own row (retention and all its risks' outcomes) and a row per risk group under it."""
	by_risk_group = group["by_risk_group"]
	head = {
		**{k: v for k, v in group.items() if k != "by_risk_group"},
		"indent": 0,
		"risk_group": _("All Risk Groups"),
		"retention": report_utils.share(group["continues"], group["plans"]),
	}
	head["reduced_share"] = reduced_share(head)
	rows = [head]
	labels = {k: v for k, v in group.items() if k in ("partner", "institution", "grade_band", "is_total")}
	for risk_group in plan_rules.RISK_GROUPS:
		if risk_group in by_risk_group:
			row = {
				**labels,
				"indent": 1,
				"risk_group": _(risk_group, context="Risk Factor"),
				"retention": None,  # retention belongs to the plans, not to a risk group
				**by_risk_group[risk_group],
			}
			row["reduced_share"] = reduced_share(row)
			rows.append(row)
	return rows


def reduced_share(row: dict) -> float:
	return report_utils.share(row["reduced"], sum(row[c] for c in OUTCOMES.values()))


def columns(group_by: str) -> list[dict]:
	count = {"fieldtype": "Int", "width": 100}
	shown = []
	if group_by in ("", "Partner", "Institution"):
		shown.append(
			{
				"fieldname": "partner",
				"label": _("Partner"),
				"fieldtype": "Link",
				"options": "Partner",
				"width": 200,
			}
		)
	if group_by == "Institution":
		shown.append(
			{
				"fieldname": "institution",
				"label": _("Educational Institution"),
				"fieldtype": "Link",
				"options": "Educational Institution",
				"width": 220,
			}
		)
	if group_by == "Grade Band":
		shown.append({"fieldname": "grade_band", "label": _("Grade Band"), "fieldtype": "Data", "width": 150})
	return [
		*shown,
		{
			"fieldname": "risk_group",
			"label": _("Risk Group", context="Outcomes and Retention"),
			"fieldtype": "Data",
			"width": 320,
		},
		{"fieldname": "plans", "label": _("Evaluated Plans"), **count},
		{"fieldname": "continues", "label": _("Continue Studying"), **count},
		{"fieldname": "stopped", "label": _("Do Not Continue"), **count},
		{"fieldname": "unknown", "label": _("Not Known"), **count},
		{"fieldname": "retention", "label": _("Retention (%)"), "fieldtype": "Percent", "width": 110},
		{"fieldname": "reduced", "label": _("Risks Reduced"), **count},
		{"fieldname": "unchanged", "label": _("Risks Unchanged"), **count},
		{"fieldname": "increased", "label": _("Risks Increased"), **count},
		{"fieldname": "reduced_share", "label": _("Risks Reduced (%)"), "fieldtype": "Percent", "width": 110},
	]


def chart(group_by: str, groups: list[dict], total: dict) -> dict | None:
	if not total["plans"]:
		return None
	shown = groups if group_by else [total]
	field = {"": "partner", "Partner": "partner", "Institution": "institution", "Grade Band": "grade_band"}[
		group_by
	]
	retained = [g for g in shown if g["plans"]]
	return {
		"data": {
			"labels": [g[field] for g in retained],
			"datasets": [
				{
					"name": _("Retention (%)"),
					"values": [report_utils.share(g["continues"], g["plans"]) for g in retained],
				}
			],
		},
		"type": "bar",
		"fieldtype": "Percent",
	}
