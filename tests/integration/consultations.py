"""Helpers for consultation tests: a consultation logged by a support specialist against an approved plan."""

from datetime import timedelta

import frappe

from tests.integration.plans import act

CONSULTATION = "Support Consultation"


def consultation(world, plan, who="a_specialist", day=None, start="10:00:00", minutes=40, **values):
	term_start = frappe.db.get_value("School Term", plan.school_term, "start_date")
	measure = next(m.name for m in plan.measures if m.measure_kind == "Consultation")
	doc = frappe.get_doc(
		{
			"doctype": CONSULTATION,
			"support_plan": plan.name,
			"measure": measure,
			"specialist": world.user(who),
			"consultation_date": day or (term_start + timedelta(days=3)),
			"start_time": start,
			"duration_minutes": minutes,
			"mode": "In person",
			"topic": "Mācību motivācija",
			**values,
		}
	)
	act(world.user(who), doc.insert)
	return frappe.get_doc(CONSULTATION, doc.name)
