"""What a PuMPuRS user finds on the desk.

Frappe's sidebar lists the workspace of every module a user is not blocked from, so a teacher whose only
roles are the app's saw frappe's Users, Website, Tools, Integrations and Build beside PuMPuRS; and the
workspace's number cards follow read rights alone, so a teacher saw the claims waiting for payment. Here:

- a user whose roles are all the app's (a teacher, a specialist, a school's accountant, IKVD's staff) gets
  the Module Profile "PuMPuRS", which blocks every module outside the app, and lands on the PuMPuRS workspace;
  a user with any other role of the host site (an ERPNext accountant who also pays claims) keeps the desk
  the site gives them, and a Module Profile an administrator chose is left alone;
- the profile blocks the modules of apps installed later too (it is brought up to date on every migrate);
- each of the workspace's number cards is shown to the roles whose work it counts.
"""

import frappe

from pumpurs_app import access
from pumpurs_app.utils import APP_MODULES

MODULE_PROFILE = "PuMPuRS"
WORKSPACE = "PuMPuRS"
AUTOMATIC_ROLES = frozenset({"All", "Guest", "Desk User"})
APP_ROLES = access.LOCAL_ROLES | {access.ADMINISTRATOR, access.REGIONAL_COORDINATOR, access.AUDITOR}

# number card -> the roles whose work it counts (frappe shows a card to whoever may read its DocType)
CARD_AUDIENCE = {
	"Plans Awaiting My Approval": {
		access.DIRECTOR,
		access.PARTNER_COORDINATOR,
		access.REGIONAL_COORDINATOR,
		access.ADMINISTRATOR,
	},
	"Compensations Approved Not Paid": {
		access.ACCOUNTANT,
		access.DIRECTOR,
		access.INSTITUTION_COORDINATOR,
		access.PARTNER_COORDINATOR,
		*access.NATIONAL_ROLES,
	},
	"Unmatched Bank Transactions": {access.ACCOUNTANT, *access.NATIONAL_ROLES},
}


def sync_module_profile() -> None:
	"""`after_install` and `after_migrate`: the profile blocks every module but the app's, and the users who
	have it are brought in step (frappe copies a profile's modules into a user when the user is saved)."""
	blocked = sorted(set(frappe.get_all("Module Def", pluck="name")) - APP_MODULES)
	if frappe.db.exists("Module Profile", MODULE_PROFILE):
		profile = frappe.get_doc("Module Profile", MODULE_PROFILE)
	else:
		profile = frappe.new_doc("Module Profile")
		profile.module_profile_name = MODULE_PROFILE
	if sorted(row.module for row in profile.block_modules) == blocked and not profile.is_new():
		return
	profile.set("block_modules", [{"module": module} for module in blocked])
	profile.save(ignore_permissions=True)
	for user in frappe.get_all("User", {"module_profile": MODULE_PROFILE}, pluck="name"):
		doc = frappe.get_doc("User", user)
		doc.flags.ignore_permissions = True
		doc.save()


def fit_desk(user, method=None) -> None:
	"""`before_validate` of User (before frappe copies the profile's modules into the user)."""
	if user.name in ("Administrator", "Guest"):  # (frappe sets user_type later in validate, from the roles)
		return
	roles = {row.role for row in user.roles} - AUTOMATIC_ROLES
	if roles and roles <= APP_ROLES:
		if not user.module_profile and frappe.db.exists("Module Profile", MODULE_PROFILE):
			user.module_profile = MODULE_PROFILE
			user.default_workspace = user.default_workspace or WORKSPACE
	elif user.module_profile == MODULE_PROFILE:
		user.module_profile = None
		user.set("block_modules", [])
		if user.default_workspace == WORKSPACE:
			user.default_workspace = None


def card_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""`has_permission` of Number Card: the app's cards for their audience only."""
	audience = CARD_AUDIENCE.get(doc.name)
	if audience is None:
		return None
	return None if audience & set(frappe.get_roles(user)) else False
