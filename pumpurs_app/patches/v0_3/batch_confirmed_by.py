"""Who confirmed each paid batch, for the four eyes on bank returns: from the batch's history (the change that
submitted it), else the last to change it (confirming is the last change a paid batch gets)."""

import frappe

BATCH = "Compensation Payment Batch"


def execute() -> None:
	for name, modified_by in frappe.get_all(
		BATCH, {"docstatus": 1, "confirmed_by": ("is", "not set")}, ["name", "modified_by"], as_list=True
	):
		submitted_by = frappe.get_all(
			"Version",
			{"ref_doctype": BATCH, "docname": name, "data": ("like", '%["docstatus", 0, 1]%')},
			pluck="owner",
			order_by="creation desc",
			limit=1,
		)
		frappe.db.set_value(
			BATCH, name, "confirmed_by", (submitted_by or [modified_by])[0], update_modified=False
		)
