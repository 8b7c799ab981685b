"""A dry run of the daily anonymisation: the learners whose personal data the job will have anonymised by a
day (today, or one ahead), with their last activity and the day their retention period ended. Nothing is
changed. For IKVD's administrators only: it lists learners of every partner."""

import frappe
from frappe import _
from frappe.utils import getdate, today

from pumpurs_app import access
from pumpurs_app.registers.data_protection import due_learners


def execute(filters: dict | None = None) -> tuple[list, list]:
	if not {"System Manager", access.ADMINISTRATOR} & set(frappe.get_roles()):
		frappe.throw(
			_("Only IKVD's administrators see which learners are due for anonymisation."),
			frappe.PermissionError,
		)
	on = getdate((filters or {}).get("on") or today())
	due = due_learners(on)
	places = {
		row.name: row
		for row in frappe.get_list(
			"Learner",
			filters={"name": ("in", [name for name, *_dates in due] or [""])},
			fields=["name", "institution", "partner"],
		)
	}
	data = [
		{
			"learner": name,
			"institution": places[name].institution,
			"partner": places[name].partner,
			"last_activity": last,
			"kept_until": until,
		}
		for name, last, until in due
		if name in places
	]
	return columns(), data


def columns() -> list[dict]:
	return [
		{
			"fieldname": "learner",
			"label": _("Learner"),
			"fieldtype": "Link",
			"options": "Learner",
			"width": 160,
		},
		{
			"fieldname": "institution",
			"label": _("Educational Institution"),
			"fieldtype": "Link",
			"options": "Educational Institution",
			"width": 240,
		},
		{
			"fieldname": "partner",
			"label": _("Partner"),
			"fieldtype": "Link",
			"options": "Partner",
			"width": 200,
		},
		{"fieldname": "last_activity", "label": _("Last Activity"), "fieldtype": "Date", "width": 120},
		{"fieldname": "kept_until", "label": _("Kept Until"), "fieldtype": "Date", "width": 120},
	]
