"""Duties separated by person, not by role: nobody verifies or approves a claim whose content they shaped,
and nobody lists themself in a staff table."""

import frappe
import pytest
from frappe.permissions import update_permission_property

from pumpurs_app import access
from tests.integration.money import COMPENSATION, make_claim, step
from tests.integration.plans import act

INSTITUTION = "Educational Institution"
OTHER_IBAN = "LV44HABA0551000000001"


def list_in_staff(world, doctype: str, name: str, user: str, function: str) -> None:
	"""IKVD's administrator lists ``user`` in the staff of a partner or an institution (through the form)."""
	doc = frappe.get_doc(doctype, name)
	doc.append("staff", {"user": user, "function": function})
	act(world.user("ikvd_admin"), doc.save)


# --- item 5: four eyes by person ------------------------------------------------------------------------------


def test_whoever_changed_a_draft_claim_does_not_verify_or_approve_it(world):
	# the school's coordinator, also listed as the school's accountant, changes the account of a claim the
	# partner's coordinator entered (sending the record of who changed it blank), and cannot verify it
	list_in_staff(world, INSTITUTION, world.school_a, world.user("a_coord"), "Accountant")
	claim = make_claim(world, who="muni_coord")
	doc = frappe.get_doc(COMPENSATION, claim.name)
	doc.update({"payee_iban": OTHER_IBAN, "content_changed_by": ""})
	act(world.user("a_coord"), doc.save)
	step(world, "a_coord", claim.name, "Submit for Verification")  # sending it changes nothing
	with pytest.raises(frappe.ValidationError, match="You changed this compensation's payee"):
		step(world, "a_coord", claim.name, "Verify")
	verified = step(world, "a_accountant", claim.name, "Verify")
	assert verified.content_changed_by.split() == [world.user("muni_coord"), world.user("a_coord")]

	# the partner's coordinator, also listed as the school's coordinator, changes the lines of a claim the
	# school's coordinator entered, and cannot approve it
	list_in_staff(world, INSTITUTION, world.school_a, world.user("muni_coord"), "Coordinator")
	other = make_claim(
		world,
		kind="Meals",
		payee_kind="Supplier",
		payee_name="SIA Skolas ēdnīca",
		payee_iban=OTHER_IBAN,
		lines=[{"line_date": claim.lines[0].line_date, "quantity": 1, "description": "Pusdienas"}],
	)
	doc = frappe.get_doc(COMPENSATION, other.name)
	doc.lines[0].quantity = 2
	act(world.user("muni_coord"), doc.save)
	step(world, "a_coord", other.name, "Submit for Verification")
	step(world, "a_accountant", other.name, "Verify")
	with pytest.raises(frappe.ValidationError, match="You changed this compensation's payee, account"):
		step(world, "muni_coord", other.name, "Approve")
	assert step(world, "a_director", other.name, "Approve").workflow_state == "Approved"


# --- item 7 (a): nobody lists themself ------------------------------------------------------------------------

OWN_ENTRY = "You cannot add, change or remove your own entry in the staff of"


def test_nobody_adds_changes_or_removes_their_own_place_at_an_institution(world):
	coordinator = world.user("muni_coord")
	school = frappe.get_doc(INSTITUTION, world.school_a)
	school.append("staff", {"user": coordinator, "function": "Accountant"})
	with pytest.raises(frappe.ValidationError, match=OWN_ENTRY):
		act(coordinator, school.save)
	school = frappe.get_doc(INSTITUTION, world.school_b)
	school.director = coordinator
	with pytest.raises(frappe.ValidationError, match=OWN_ENTRY):
		act(coordinator, school.save)
	assert access.ACCOUNTANT not in frappe.get_roles(coordinator)

	# listed by someone else, they cannot change or remove that entry themselves either
	list_in_staff(world, INSTITUTION, world.school_b, coordinator, "Coordinator")
	school = frappe.get_doc(INSTITUTION, world.school_b)
	next(row for row in school.staff if row.user == coordinator).function = "Accountant"
	with pytest.raises(frappe.ValidationError, match=OWN_ENTRY):
		act(coordinator, school.save)
	school = frappe.get_doc(INSTITUTION, world.school_b)
	school.staff = [row for row in school.staff if row.user != coordinator]
	with pytest.raises(frappe.ValidationError, match=OWN_ENTRY):
		act(coordinator, school.save)

	# the staff of others they do change
	school = frappe.get_doc(INSTITUTION, world.school_a)
	school.append("staff", {"user": world.user("a_author2"), "function": "Accountant"})
	act(coordinator, school.save)
	assert access.ACCOUNTANT in frappe.get_roles(world.user("a_author2"))


def test_nobody_lists_themself_in_a_partners_staff_even_where_they_may_edit_it(world):
	"""A partner's staff is IKVD's to edit (permlevel 1); an administrator may let partner coordinators edit it
	in the Role Permissions Manager, and even then nobody lists themself."""
	try:
		for level in (0, 1):
			update_permission_property("Partner", access.PARTNER_COORDINATOR, level, "write", 1)
		coordinator = world.user("muni_coord")
		partner = frappe.get_doc("Partner", world.municipality)
		partner.append("staff", {"user": coordinator, "function": "Accountant"})
		with pytest.raises(frappe.ValidationError, match=OWN_ENTRY):
			act(coordinator, partner.save)
		partner = frappe.get_doc("Partner", world.municipality)
		partner.append("staff", {"user": world.user("a_author2"), "function": "Accountant"})
		act(coordinator, partner.save)  # the permissions do let them edit it
		assert world.user("a_author2") in access.partner_staff_users({world.municipality})
	finally:
		frappe.db.rollback()
		frappe.clear_cache(doctype="Partner")
