"""Masked personal codes kept the last three digits, which with the birth date rebuild most old-format codes:
mask every learner's code again (rules.personal_code.mask), and the masked codes in learners' change
history, which cannot be told apart from there, in full."""

import json
import re

import frappe

from pumpurs_app.rules import personal_code

OLD_MASK = re.compile(r"\*{6}-\*\*\d{3}")


def execute() -> None:
	learner = frappe.qb.DocType("Learner")
	for name, code, masked in (
		frappe.qb.from_(learner)
		.select(learner.name, learner.personal_code, learner.personal_code_masked)
		.run()
	):
		if personal_code.mask(code) != masked:
			frappe.db.set_value(
				"Learner", name, "personal_code_masked", personal_code.mask(code), update_modified=False
			)
	version = frappe.qb.DocType("Version")
	rows = (
		frappe.qb.from_(version)
		.select(version.name, version.data)
		.where((version.ref_doctype == "Learner") & version.data.like("%******-**%"))
		.run()
	)
	for name, data in rows:
		remasked = OLD_MASK.sub(personal_code.FULL_MASK, data)
		if remasked != data:
			json.loads(remasked)  # still the JSON it was
			frappe.db.set_value("Version", name, "data", remasked, update_modified=False)
