"""Defaults installed once and upgraded by patches never undo an administrator's changes."""

import frappe

from pumpurs_app.patches.v0_2 import compensation_type_register, compensation_workflow, support_plan_defaults
from pumpurs_app.setup import indexes
from pumpurs_app.setup.workflows import COMPENSATION_WORKFLOW, PLAN_WORKFLOW


def test_patches_keep_the_administrators_edits(world):
	plan_workflow = frappe.get_doc("Workflow", PLAN_WORKFLOW)
	plan_workflow.send_email_alert = 0
	plan_workflow.append(
		"transitions",
		{
			"state": "Pending IKVD",
			"action": "Approve",
			"next_state": "Approved",
			"allowed": "PuMPuRS Auditor",
			"allow_self_approval": 0,
		},
	)
	plan_workflow.save()
	meals = frappe.get_doc("Compensation Type", "Meals")
	meals.cap_per_day = 8
	meals.type_name_lv = "Pusdienas"
	meals.save()
	factor = frappe.get_doc("Risk Factor", "Violence")
	factor.disabled = 1
	factor.save()
	settings = frappe.get_single("PuMPuRS Settings")
	settings.max_consultation_minutes = 45
	settings.save()

	for patch in (support_plan_defaults, compensation_type_register, compensation_workflow):
		patch.execute()

	plan_workflow = frappe.get_doc("Workflow", PLAN_WORKFLOW)
	assert plan_workflow.send_email_alert == 0
	assert any(t.allowed == "PuMPuRS Auditor" for t in plan_workflow.transitions)
	assert frappe.db.get_value("Compensation Type", "Meals", ["cap_per_day", "type_name_lv"]) == (
		8,
		"Pusdienas",
	)
	assert frappe.db.get_value("Risk Factor", "Violence", "disabled") == 1
	assert frappe.db.get_single_value("PuMPuRS Settings", "max_consultation_minutes") == 45
	assert frappe.db.exists("Workflow", COMPENSATION_WORKFLOW)


def test_types_old_plans_used_become_records_of_the_register(world):
	"""The register replaced a fixed list: values old plans used that the list lacked become types."""
	row = frappe.get_all(
		"Support Plan Measure", {"parent": world.money_plan, "measure_kind": "Compensation"}, pluck="name"
	)[0]
	frappe.db.set_value("Support Plan Measure", row, "compensation_type", "Bus pass")
	compensation_type_register.execute()
	assert frappe.db.get_value("Compensation Type", "Bus pass", "type_name_lv") == "Bus pass"


def test_install_made_the_indexes_of_several_columns():
	"""DocType JSON declares single-column indexes only; install (and every migrate) makes the others."""
	for doctype, made in indexes.INDEXES.items():
		for name, columns in made.items():
			found = frappe.db.sql(f"show index from `tab{doctype}` where Key_name = %s", name, as_dict=True)
			assert [r.Column_name for r in sorted(found, key=lambda r: r.Seq_in_index)] == columns, name
