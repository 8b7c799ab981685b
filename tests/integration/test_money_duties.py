"""Duties separated by person, not by role: nobody verifies or approves a claim whose content they shaped,
nobody lists themself in a staff table, and nobody pays a claim they entered, changed, verified or approved."""

import frappe
import pytest
from frappe.permissions import update_permission_property

from pumpurs_app import access
from tests.integration.money import COMPENSATION, approve_claim, make_claim, step
from tests.integration.plans import act
from tests.integration.test_payments import BATCH, call, new_batch

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


# --- item 7 (b): nobody pays what they had a hand in ----------------------------------------------------------


def verified_by_the_second_accountant(world) -> str:
	claim = make_claim(world)
	step(world, "a_coord", claim.name, "Submit for Verification")
	step(world, "muni_accountant2", claim.name, "Verify")
	return step(world, "a_director", claim.name, "Approve").name


def approved_by_the_coordinator_listed_as_accountant(world) -> str:
	list_in_staff(world, "Partner", world.municipality, world.user("muni_coord"), "Accountant")
	claim = make_claim(world)
	step(world, "a_coord", claim.name, "Submit for Verification")
	step(world, "a_accountant", claim.name, "Verify")
	return step(world, "muni_coord", claim.name, "Approve").name


def entered_by_the_coordinator_listed_as_accountant(world) -> str:
	list_in_staff(world, "Partner", world.municipality, world.user("muni_coord"), "Accountant")
	claim = make_claim(world, who="muni_coord")
	return approve_claim(world, claim.name).name


@pytest.mark.parametrize(
	"make, payer, conflict",
	[
		(verified_by_the_second_accountant, "muni_accountant2", "You verified compensation"),
		(approved_by_the_coordinator_listed_as_accountant, "muni_coord", "You approved compensation"),
		(entered_by_the_coordinator_listed_as_accountant, "muni_coord", "You entered compensation"),
	],
	ids=["verifier", "approver", "enterer"],
)
def test_whoever_had_a_hand_in_a_claim_does_not_pay_it(world, make, payer, conflict):
	claim = make(world)
	message = f"{conflict} {claim}, so someone else must pay it"
	with pytest.raises(frappe.ValidationError, match=message):
		new_batch(world, who=payer, lines=[{"compensation": claim}])
	own = new_batch(world, who=payer)
	own, added = call(world, payer, own.name, "get_compensations")
	assert added == 0 and not own.lines  # left for someone else
	frappe.delete_doc(BATCH, own.name, force=True)

	batch = new_batch(world, lines=[{"compensation": claim}])  # by the partner's first accountant
	with pytest.raises(frappe.ValidationError, match=message):
		call(world, payer, batch.name, "export")
	assert not frappe.db.get_value(BATCH, batch.name, "exported_on")
	batch, _files = call(world, "muni_accountant", batch.name, "export")
	with pytest.raises(frappe.ValidationError, match=message):
		act(world.user(payer), frappe.get_doc(BATCH, batch.name).submit)
	act(world.user("muni_accountant"), frappe.get_doc(BATCH, batch.name).submit)
	assert frappe.db.get_value(COMPENSATION, claim, "workflow_state") == "Paid"


def test_an_institutions_accountant_does_not_make_the_partners_batches(world):
	"""The partner's coordinator who is an accountant at one of its schools has the Accountant role and sees
	the partner's account, but pays nothing: batches are the partner's own accountants'."""
	list_in_staff(world, INSTITUTION, world.school_a, world.user("muni_coord"), "Accountant")
	claim = approve_claim(world, make_claim(world).name).name
	with pytest.raises(frappe.PermissionError, match="Only an accountant of Testa novada pašvaldība"):
		new_batch(world, who="muni_coord", lines=[{"compensation": claim}])
	batch = new_batch(world, lines=[{"compensation": claim}])
	with pytest.raises(frappe.PermissionError, match="Only an accountant of Testa novada pašvaldība"):
		call(world, "muni_coord", batch.name, "export")
