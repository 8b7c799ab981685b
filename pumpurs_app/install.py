"""Install hooks: defaults an administrator may later edit are created here once; patches upgrade them."""

import frappe

from pumpurs_app.setup.compensation_types import create_compensation_types
from pumpurs_app.setup.risk_factors import create_risk_factors
from pumpurs_app.setup.roles import create_missing_roles
from pumpurs_app.setup.workflows import create_compensation_workflow, create_plan_workflow


def before_install() -> None:
	# DocType permissions name these roles, so they exist before the DocTypes are synced
	create_missing_roles()


def after_install() -> None:
	create_plan_workflow()
	create_compensation_workflow()
	create_risk_factors()
	create_compensation_types()
	frappe.get_single("PuMPuRS Settings").save()  # stores the defaults
