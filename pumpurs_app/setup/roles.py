"""The PuMPuRS roles. Created once at install; an administrator may then edit them (two-factor login, home
page) and later versions add roles through patches, never by overwriting."""

import frappe

from pumpurs_app import access

ROLES = (
	access.ADMINISTRATOR,
	access.REGIONAL_COORDINATOR,
	access.PARTNER_COORDINATOR,
	access.INSTITUTION_COORDINATOR,
	access.DIRECTOR,
	access.PLAN_AUTHOR,
	access.SPECIALIST,
	access.ACCOUNTANT,
	access.AUDITOR,
	access.SITE_ACCOUNT,
	access.HUB_ACCOUNT,
)


def create_missing_roles() -> None:
	for role in ROLES:
		if not frappe.db.exists("Role", role):
			frappe.get_doc(doctype="Role", role_name=role, desk_access=1).insert(ignore_permissions=True)
