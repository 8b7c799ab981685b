"""Users whose only roles are the app's get the PuMPuRS desk (desk.py): the Module Profile that
hides frappe's other workspaces, and the PuMPuRS workspace as their landing page."""

import frappe

from pumpurs_app.desk import APP_ROLES, AUTOMATIC_ROLES, sync_module_profile


def execute() -> None:
	sync_module_profile()
	roles: dict[str, set[str]] = {}
	for row in frappe.get_all("Has Role", {"parenttype": "User"}, ["parent", "role"]):
		roles.setdefault(row.parent, set()).add(row.role)
	for user, held in roles.items():
		if (held - AUTOMATIC_ROLES) and (held - AUTOMATIC_ROLES) <= APP_ROLES:
			doc = frappe.get_doc("User", user)
			doc.flags.ignore_permissions = True
			doc.save()
