"""Sites installed before the retention period existed keep personal data for the default period until an
administrator sets another."""

import frappe

from pumpurs_app.rules.retention import DEFAULT_YEARS


def execute() -> None:
	if not frappe.db.get_single_value("PuMPuRS Settings", "retention_years"):
		frappe.db.set_single_value("PuMPuRS Settings", "retention_years", DEFAULT_YEARS)
