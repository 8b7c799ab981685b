"""Install hooks: defaults an administrator may later edit are created here once; patches upgrade them.

Uninstalling removes what the app made outside its own modules; frappe itself drops the modules with their
DocTypes, reports, pages, workspace, number cards, charts and print format. Installing changes no global
settings (only the demo, `bench pumpurs-demo`, sets System Settings, on development and test sites), so there
is nothing to restore."""

import frappe
from frappe.modules.patch_handler import get_patches_from_app

from pumpurs_app.desk import MODULE_PROFILE, WORKSPACE, sync_module_profile
from pumpurs_app.setup import indexes
from pumpurs_app.setup.compensation_types import create_compensation_types
from pumpurs_app.setup.risk_factors import create_risk_factors
from pumpurs_app.setup.roles import ROLES, create_missing_roles
from pumpurs_app.setup.workflows import (
	ACTIONS,
	STATE_STYLES,
	create_compensation_workflow,
	create_plan_workflow,
)
from pumpurs_app.utils import drop_latvian_name

APP = "pumpurs_app"
# frappe's own (frappe.utils.install.install_basic_docs): they stay, whoever uses them
FRAPPE_WORKFLOW_STATES = ("Pending", "Approved", "Rejected")
FRAPPE_WORKFLOW_ACTIONS = ("Approve", "Reject", "Review")
# records of frappe's DocTypes that point at one of the app's DocTypes (by this field): nothing without it
RECORDS_ABOUT_APP_DOCTYPES = {
	"Workflow Action": "reference_doctype",
	"Notification Log": "document_type",
	"User Permission": "allow",
	"Custom Field": "dt",
	"Property Setter": "doc_type",
	"Custom DocPerm": "parent",
}


def before_install() -> None:
	# DocType permissions name these roles, so they exist before the DocTypes are synced
	create_missing_roles()


def after_install() -> None:
	create_plan_workflow()
	create_compensation_workflow()
	create_risk_factors()
	create_compensation_types()
	frappe.get_single("PuMPuRS Settings").save()  # stores the defaults
	sync_module_profile()
	indexes.ensure()


def before_uninstall() -> None:
	"""Runs while the app's DocTypes still exist, before frappe deletes its modules. Commits nothing: frappe
	commits once the modules are gone, and a dry run (`uninstall-app --dry-run` runs this hook too) rolls
	it all back."""
	modules = frappe.get_all("Module Def", filters={"app_name": APP}, pluck="name")
	doctypes = frappe.get_all("DocType", filters={"module": ("in", modules)}, fields=["name", "issingle"])
	names = [d.name for d in doctypes]
	# the catalogues' Latvian names (utils.sync_latvian_name), read before frappe drops the catalogues
	for source in [
		*frappe.get_all("Risk Factor", pluck="factor_name"),
		*frappe.get_all("Compensation Type", pluck="type_name"),
	]:
		drop_latvian_name(source)
	for doctype, field in RECORDS_ABOUT_APP_DOCTYPES.items():
		delete_with_children(doctype, {field: ("in", names)})
	for workflow in frappe.get_all("Workflow", filters={"document_type": ("in", names)}, pluck="name"):
		frappe.delete_doc("Workflow", workflow, ignore_permissions=True)
	drop_unused_states_and_actions()
	drop_roles()
	drop_module_profile()
	# frappe deletes a single DocType but not its stored values
	frappe.db.delete("Singles", {"doctype": ("in", [d.name for d in doctypes if d.issingle] or [""])})
	for job in frappe.get_all("Scheduled Job Type", filters={"method": ("like", f"{APP}.%")}, pluck="name"):
		frappe.delete_doc("Scheduled Job Type", job, ignore_permissions=True)  # and its logs
	frappe.db.delete("Patch Log", {"patch": ("in", get_patches_from_app(APP))})
	frappe.clear_cache()  # users' roles and permissions


def delete_with_children(doctype: str, filters: dict) -> None:
	"""Straight in the database: a site has thousands of workflow actions and user permissions."""
	names = frappe.get_all(doctype, filters=filters, pluck="name")
	if not names:
		return
	for table in frappe.get_meta(doctype).get_table_fields():
		frappe.db.delete(table.options, {"parenttype": doctype, "parent": ("in", names)})
	frappe.db.delete(doctype, {"name": ("in", names)})


def drop_unused_states_and_actions() -> None:
	"""The states and actions of the app's workflows (gone by now), unless frappe ships them or another
	workflow uses them. Forced: the app's own documents, dropped next, still link their states."""
	used_states = set(frappe.get_all("Workflow Document State", pluck="state"))
	used_actions = set()
	for transition in frappe.get_all("Workflow Transition", fields=["state", "next_state", "action"]):
		used_states |= {transition.state, transition.next_state}
		used_actions.add(transition.action)
	for state in set(STATE_STYLES) - set(FRAPPE_WORKFLOW_STATES) - used_states:
		frappe.delete_doc("Workflow State", state, ignore_permissions=True, force=True)
	for action in set(ACTIONS) - set(FRAPPE_WORKFLOW_ACTIONS) - used_actions:
		frappe.delete_doc("Workflow Action Master", action, ignore_permissions=True, force=True)


def drop_module_profile() -> None:
	"""The desk of the app's users (desk.py): they get back the modules it blocked and frappe's landing page."""
	users = frappe.get_all("User", {"module_profile": MODULE_PROFILE}, pluck="name")
	frappe.db.delete("Block Module", {"parenttype": "User", "parent": ("in", users or [""])})
	user = frappe.qb.DocType("User")
	frappe.qb.update(user).set(user.module_profile, None).where(user.module_profile == MODULE_PROFILE).run()
	frappe.qb.update(user).set(user.default_workspace, None).where(user.default_workspace == WORKSPACE).run()
	if frappe.db.exists("Module Profile", MODULE_PROFILE):
		frappe.delete_doc("Module Profile", MODULE_PROFILE, ignore_permissions=True, force=True)


def drop_roles() -> None:
	# users', reports', pages' and workspaces' rows, and permissions given to the roles on other DocTypes
	frappe.db.delete("Has Role", {"role": ("in", ROLES)})
	frappe.db.delete("Custom DocPerm", {"role": ("in", ROLES)})
	for role in ROLES:
		# the app's DocTypes still name the roles in their permissions; frappe deletes those next
		frappe.delete_doc("Role", role, ignore_permissions=True, force=True)
