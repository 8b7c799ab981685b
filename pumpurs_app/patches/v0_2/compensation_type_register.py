"""Plans named their compensation measures' types from a fixed list; they now link to the Compensation Type
register. Create the register's records, and a record for any value a site used that the list did not
have, so that every existing measure keeps pointing at a real type."""

import frappe

from pumpurs_app.setup.compensation_types import create_compensation_types


def execute() -> None:
	create_compensation_types()
	used = frappe.get_all(
		"Support Plan Measure",
		filters={"compensation_type": ("is", "set")},
		distinct=True,
		pluck="compensation_type",
	)
	for value in used:
		if not frappe.db.exists("Compensation Type", value):
			frappe.get_doc(
				doctype="Compensation Type",
				type_name=value,
				type_name_lv=value,
				unit="amount",
				evidence_mandatory=1,
				allow_supplier=1,
			).insert(ignore_permissions=True)
