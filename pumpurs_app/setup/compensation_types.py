"""The six compensation types of the programme, installed once with cautious national defaults.

No public caps or unit prices were found (prices followed official tariffs and Cabinet regulations), so
every figure here is a setting the administrator is expected to review; partners override them from a date.
"""

import frappe

# English name (the record's name and the value plans used before the register existed), Latvian name,
# unit, default unit price, caps per day / month / term, evidence mandatory, allowed payees
COMPENSATION_TYPES = [
	(
		"Public transport tickets",
		"Sabiedriskā transporta biļetes",
		"trip",
		None,
		10,
		150,
		None,
		1,
		("guardian", "adult_learner", "supplier"),
	),
	(
		"Special transport",
		"Speciālais transports",
		"trip",
		None,
		40,
		400,
		None,
		1,
		("institution", "supplier"),
	),
	("Accommodation", "Naktsmītne", "month", 60, None, 120, None, 1, ("institution", "supplier")),
	("Meals", "Ēdināšana", "day", 2.5, 6, 110, None, 0, ("institution", "supplier")),
	(
		"Individual learning materials",
		"Individuālie mācību līdzekļi",
		"item",
		None,
		None,
		None,
		200,
		1,
		("guardian", "adult_learner", "supplier"),
	),
	(
		"Individual-use items",
		"Individuālās lietošanas priekšmeti",
		"item",
		None,
		None,
		None,
		200,
		1,
		("guardian", "adult_learner", "supplier"),
	),
]


def create_compensation_types() -> None:
	for name, name_lv, unit, price, per_day, per_month, per_term, evidence, payees in COMPENSATION_TYPES:
		if frappe.db.exists("Compensation Type", name):
			continue
		frappe.get_doc(
			doctype="Compensation Type",
			type_name=name,
			type_name_lv=name_lv,
			unit=unit,
			default_unit_price=price,
			cap_per_day=per_day,
			cap_per_month=per_month,
			cap_per_term=per_term,
			evidence_mandatory=evidence,
			**{f"allow_{payee}": 1 for payee in payees},
		).insert(ignore_permissions=True)
