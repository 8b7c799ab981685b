"""The national hub's figures of the partners that run their own sites, per term, as each site last sent them
(PuMPuRS Term Figures): IKVD's roles alone read them (the DocType's permissions, applied by get_list)."""

import frappe
from frappe import _

FIGURES = "PuMPuRS Term Figures"
COLUMNS = (
	("partner", "Partner", "Link", "Partner", 220),
	("school_term", "School Term", "Data", None, 110),
	("plans", "Plans", "Int", None, 80),
	("approved_plans", "Approved Plans", "Int", None, 110),
	("learners", "Learners With Plans", "Int", None, 120),
	("measures", "Measures", "Int", None, 90),
	("planned_hours", "Planned Consultation Hours", "Float", None, 150),
	("consultation_hours", "Consultation Hours Given", "Float", None, 150),
	("compensations_paid", "Total Paid", "Currency", None, 120),
	("received_on", "Received On", "Datetime", None, 160),
)


def execute(filters: dict | None = None) -> tuple[list, list]:
	filters = frappe._dict(filters or {})
	conditions = {}
	if filters.school_term:
		conditions["school_term"] = filters.school_term
	elif filters.school_year:
		conditions["school_term"] = ("like", f"{filters.school_year} %")
	if filters.partner:
		conditions["partner"] = filters.partner
	rows = frappe.get_list(
		FIGURES,
		filters=conditions,
		fields=[column[0] for column in COLUMNS],
		order_by="school_term desc, partner asc",
	)
	columns = [
		{"fieldname": name, "label": _(label), "fieldtype": kind, "options": options, "width": width}
		for name, label, kind, options, width in COLUMNS
	]
	return columns, rows
