"""Sites installed before support plans existed get the plan workflow, the risk catalogue and the settings'
defaults (new sites get them at install)."""

import frappe

from pumpurs_app.setup.risk_factors import create_risk_factors
from pumpurs_app.setup.workflows import create_plan_workflow


def execute() -> None:
	create_plan_workflow()
	create_risk_factors()
	frappe.get_single("PuMPuRS Settings").save()
