"""The desk a PuMPuRS user finds: a user with only the app's roles lands on the PuMPuRS workspace and is
offered no other workspace; anyone with another role of the host site keeps frappe's desk; the workspace's
number cards go to the roles whose work they count (test_workspace.py)."""

import frappe
from frappe.desk.desktop import get_workspace_sidebar_items

from pumpurs_app import desk
from pumpurs_app.utils import APP_MODULES
from tests.integration.plans import act

FRAPPES_OWN = {"Users", "Website", "Tools", "Integrations", "Build"}


def sidebar(user: str) -> set[str]:
	return {page.name for page in act(user, get_workspace_sidebar_items)["pages"]}


def test_a_local_user_lands_on_the_pumpurs_workspace_and_sees_no_other(world):
	for key in (
		"a_author",
		"a_specialist",
		"a_accountant",
		"a_director",
		"muni_coord",
		"regional",
		"auditor",
	):
		user = frappe.get_doc("User", world.user(key))
		assert (user.module_profile, user.default_workspace) == (desk.MODULE_PROFILE, desk.WORKSPACE), key
		blocked = {row.module for row in user.block_modules}
		assert {"Core", "Website", "Integrations", "Desk", "Custom"} <= blocked and not blocked & APP_MODULES
		assert sidebar(user.name) == {desk.WORKSPACE}, key


def test_a_user_with_another_role_of_the_site_keeps_frappes_desk(world):
	user = frappe.get_doc("User", world.user("a_author2"))
	assert user.module_profile == desk.MODULE_PROFILE
	user.append("roles", {"role": "Website Manager"})
	user.save(ignore_permissions=True)
	assert (user.module_profile, user.default_workspace, user.block_modules) == (None, None, [])
	assert {desk.WORKSPACE, "Website"} <= sidebar(user.name)
	assert FRAPPES_OWN & sidebar(user.name)
	user.roles = [row for row in user.roles if row.role != "Website Manager"]
	user.save(ignore_permissions=True)
	assert user.module_profile == desk.MODULE_PROFILE and sidebar(user.name) == {desk.WORKSPACE}


def test_a_profile_an_administrator_chose_is_kept(world):
	frappe.get_doc(doctype="Module Profile", module_profile_name="Skolas").insert(ignore_permissions=True)
	user = frappe.get_doc("User", world.user("b_author"))
	user.module_profile = "Skolas"
	user.save(ignore_permissions=True)
	user.append("roles", {"role": "Website Manager"})
	user.save(ignore_permissions=True)
	assert user.module_profile == "Skolas"


def test_the_profile_blocks_the_modules_of_apps_installed_later(world):
	frappe.get_doc(doctype="Module Def", module_name="Testa modulis", app_name="frappe", custom=1).insert(
		ignore_permissions=True
	)
	desk.sync_module_profile()
	blocked = {row.module for row in frappe.get_doc("User", world.user("a_author")).block_modules}
	assert "Testa modulis" in blocked
