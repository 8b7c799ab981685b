"""The app's workflows stop frappe's own workflow e-mail, which puts the whole record (the learner's name with
it) into the job queue and attaches its print: the app announces a waiting record itself, by name only."""

import frappe

from pumpurs_app.setup.workflows import COMPENSATION_WORKFLOW, PLAN_WORKFLOW


def execute() -> None:
	for workflow in (PLAN_WORKFLOW, COMPENSATION_WORKFLOW):
		if frappe.db.exists("Workflow", workflow):
			frappe.db.set_value("Workflow", workflow, "send_email_alert", 0)
