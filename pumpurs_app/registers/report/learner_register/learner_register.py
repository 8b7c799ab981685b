"""Learners per institution and grade band: who is registered, with signed applications, how many adults.

Counts come from ``frappe.get_list``, so a user counts only learners they may see (Script Reports get no
permission filtering of their own, frappe#31063)."""

import frappe
from frappe import _

from pumpurs_app.rules.target_group import grade_band


def execute(filters: dict | None = None) -> tuple[list, list, None, dict]:
	filters = frappe._dict(filters or {})
	rows = frappe.get_list(
		"Learner",
		filters=list_filters(filters),
		fields=[
			"partner",
			"institution",
			"education_type",
			"grade",
			"count(*) as learners",
			"sum(if(consent_date is not null, 1, 0)) as with_consent",
			"sum(is_adult) as adults",
		],
		group_by="partner, institution, education_type, grade",
		order_by="partner, institution, education_type, grade",
	)
	data = {}
	for row in rows:
		key = (
			row.partner,
			row.institution,
			_(row.education_type, context="Learner"),
			_(grade_band(row.education_type, row.grade)),
		)
		total = data.setdefault(
			key,
			frappe._dict(
				partner=key[0],
				institution=key[1],
				education_type=key[2],
				grade_band=key[3],
				learners=0,
				with_consent=0,
				adults=0,
			),
		)
		for field in ("learners", "with_consent", "adults"):
			total[field] += int(row[field] or 0)
	data = list(data.values())
	return columns(), data, None, chart(data)


def list_filters(filters: frappe._dict) -> dict:
	conditions = {"status": filters.get("status") or "Active"}
	for field in ("partner", "institution", "education_type"):
		if filters.get(field):
			conditions[field] = filters[field]
	return conditions


def columns() -> list[dict]:
	return [
		{
			"fieldname": "partner",
			"label": _("Partner"),
			"fieldtype": "Link",
			"options": "Partner",
			"width": 240,
		},
		{
			"fieldname": "institution",
			"label": _("Educational Institution"),
			"fieldtype": "Link",
			"options": "Educational Institution",
			"width": 240,
		},
		{"fieldname": "education_type", "label": _("Education Type"), "fieldtype": "Data", "width": 110},
		{"fieldname": "grade_band", "label": _("Grade Band"), "fieldtype": "Data", "width": 140},
		{"fieldname": "learners", "label": _("Learners"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "with_consent",
			"label": _("With Signed Application"),
			"fieldtype": "Int",
			"width": 120,
		},
		{"fieldname": "adults", "label": _("Adults"), "fieldtype": "Int", "width": 90},
	]


def chart(data: list[dict]) -> dict:
	bands = {}
	for row in data:
		bands[row.grade_band] = bands.get(row.grade_band, 0) + row.learners
	labels = sorted(bands)
	return {
		"data": {
			"labels": labels,
			"datasets": [{"name": _("Learners"), "values": [bands[b] for b in labels]}],
		},
		"type": "bar",
	}
