"""Duties separated by person, not by role: nobody verifies or approves a claim whose content they shaped,
nobody lists themself in a staff table, nobody pays a claim they entered, changed, verified or approved, and
a payment batch confirmed as paid is undone only by the bank returning its payments (an exported batch that
the bank did not pay is withdrawn by someone other than its exporter)."""

import json

import frappe
import pytest
from frappe.permissions import update_permission_property

from pumpurs_app import access
from pumpurs_app.compensations.doctype.compensation.compensation import refresh_measure_amounts
from tests.integration import records
from tests.integration.money import COMPENSATION, approve_claim, daily_tickets, make_claim, october, step
from tests.integration.payments import (
	BATCH,
	STATEMENT,
	call,
	camt053,
	exported_batch,
	new_batch,
	paid_batch,
	upload,
)
from tests.integration.plans import act
from tests.integration.refusals import no_permission

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


def test_institutions_are_registered_by_ikvd(world):
	"""Only IKVD registers an institution (frappe's User Permissions keep a partner's coordinator to the
	institutions that exist), so nobody with a local role lists themself in a new one."""
	coordinator = world.user("muni_coord")
	school = frappe.get_doc(
		doctype=INSTITUTION,
		institution_name="Testa 5. sākumskola",
		partner=world.municipality,
		education_type="General",
		director=coordinator,
	)
	with no_permission(INSTITUTION, "create"):
		act(coordinator, school.insert)
	assert not frappe.db.exists(INSTITUTION, {"institution_name": "Testa 5. sākumskola"})
	# the control: IKVD's administrator registers it, with the coordinator as its director
	act(world.user("ikvd_admin"), school.insert)
	assert access.DIRECTOR in frappe.get_roles(coordinator)


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
		act(world.user(payer), frappe.get_doc(BATCH, batch.name).withdraw, "Banka noraidīja")
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


# --- item 7 (c): paid is final; an unpaid export is withdrawn -------------------------------------------------


def test_a_paid_batch_is_not_cancelled(world):
	batch, claims = paid_batch(world)
	with no_permission(BATCH, "cancel"):
		act(world.user("muni_accountant"), frappe.get_doc(BATCH, batch.name).cancel)
	with pytest.raises(frappe.ValidationError, match="has been paid and cannot be cancelled"):
		frappe.get_doc(BATCH, batch.name).cancel()  # not even by the site's Administrator
	assert frappe.db.get_value(BATCH, batch.name, ["docstatus", "status"]) == (1, "Paid")
	assert {frappe.db.get_value(COMPENSATION, c, "workflow_state") for c in claims} == {"Paid"}


def test_an_exported_batch_the_bank_did_not_pay_is_withdrawn_by_another_accountant(world):
	batch, claims = exported_batch(world)  # exported by muni_accountant
	with pytest.raises(frappe.ValidationError, match="You exported batch"):
		act(world.user("muni_accountant"), frappe.get_doc(BATCH, batch.name).withdraw, "Banka noraidīja")
	with pytest.raises(frappe.ValidationError, match="Write why the batch is withdrawn"):
		act(world.user("muni_accountant2"), frappe.get_doc(BATCH, batch.name).withdraw, "  ")
	act(world.user("muni_accountant2"), frappe.get_doc(BATCH, batch.name).withdraw, "Banka noraidīja failu")
	withdrawn = frappe.get_doc(BATCH, batch.name)
	assert (withdrawn.status, withdrawn.docstatus, withdrawn.withdrawn_by, withdrawn.withdrawal_reason) == (
		"Withdrawn",
		0,
		world.user("muni_accountant2"),
		"Banka noraidīja failu",
	)
	# kept for the audit trail: its lines, its bank files and the reason on its timeline
	assert sorted(r.compensation for r in withdrawn.lines) == sorted(claims)
	assert all(r.end_to_end_id and not r.active_compensation for r in withdrawn.lines)
	assert frappe.db.exists("File", {"file_url": withdrawn.sepa_file, "attached_to_name": batch.name})
	assert frappe.db.exists(
		"Comment", {"reference_name": batch.name, "content": ("like", "%Banka noraidīja failu%")}
	)
	# its claims are payable again, and the batch does nothing more
	assert {frappe.db.get_value(COMPENSATION, c, "workflow_state") for c in claims} == {"Approved"}
	again = new_batch(world)
	assert call(world, "muni_accountant", again.name, "get_compensations")[1] == 3
	doc = frappe.get_doc(BATCH, batch.name)
	doc.payment_reference = "SWED-1"
	with pytest.raises(frappe.ValidationError, match="was withdrawn"):
		act(world.user("muni_accountant2"), doc.save)
	with pytest.raises(frappe.ValidationError, match="was withdrawn"):
		act(world.user("muni_accountant2"), frappe.get_doc(BATCH, batch.name).submit)
	with pytest.raises(frappe.ValidationError, match="Only an exported batch"):
		act(world.user("muni_accountant2"), frappe.get_doc(BATCH, batch.name).withdraw, "Vēlreiz")
	with pytest.raises(frappe.ValidationError, match="cannot be deleted"):
		act(world.user("muni_accountant2"), frappe.delete_doc, BATCH, batch.name)


def test_whoever_paid_a_claim_does_not_book_its_return(world):
	"""A bank return makes a paid claim payable again: the statement that says so is submitted by someone who
	did not export or confirm the batch (a statement is a file anyone can make), so one person cannot pay a
	claim twice. Matching a payment, which pays nothing, stays the payer's own."""
	batch, claims = paid_batch(world)  # exported and confirmed by muni_accountant
	account = frappe.db.get_value("Partner", world.municipality, "iban")
	first, second = (next(r for r in batch.lines if r.compensation == c) for c in claims[:2])
	content = camt053(
		account,
		[
			(
				f"{first.amount:.2f}",
				first.end_to_end_id,
				first.payee_iban,
				str(october(world, 26)),
				False,
				None,
			),
			(
				f"{second.amount:.2f}",
				second.end_to_end_id,
				second.payee_iban,
				str(october(world, 28)),
				True,
				"AC04",
			),
		],
	)
	statement = upload(world, content)  # by muni_accountant
	with pytest.raises(frappe.ValidationError, match=f"You exported or confirmed batch {batch.name}"):
		act(world.user("muni_accountant"), frappe.get_doc(STATEMENT, statement.name).submit)
	assert frappe.db.get_value(COMPENSATION, second.compensation, "workflow_state") == "Paid"
	# the control: a colleague who had no hand in the payment books the return
	act(world.user("muni_accountant2"), frappe.get_doc(STATEMENT, statement.name).submit)
	assert frappe.db.get_value(COMPENSATION, second.compensation, "workflow_state") == "Approved"
	assert frappe.db.get_value(COMPENSATION, first.compensation, "workflow_state") == "Reconciled"
	# a statement that only matches payments is the payer's to submit
	third = next(r for r in batch.lines if r.compensation == claims[2])
	matched_only = upload(
		world,
		camt053(
			account,
			[
				(
					f"{third.amount:.2f}",
					third.end_to_end_id,
					third.payee_iban,
					str(october(world, 27)),
					False,
					None,
				)
			],
		),
		name="izraksts-2.xml",
	)
	act(world.user("muni_accountant"), frappe.get_doc(STATEMENT, matched_only.name).submit)
	assert frappe.db.get_value(COMPENSATION, third.compensation, "workflow_state") == "Reconciled"


def test_only_an_exported_unpaid_batch_is_withdrawn(world):
	draft = new_batch(world)
	with pytest.raises(frappe.ValidationError, match="Only an exported batch"):
		act(world.user("muni_accountant2"), frappe.get_doc(BATCH, draft.name).withdraw, "Nevajag")
	paid, _claims = paid_batch(world)
	with pytest.raises(frappe.ValidationError, match="Only an exported batch"):
		act(world.user("muni_accountant2"), frappe.get_doc(BATCH, paid.name).withdraw, "Nevajag")


def one_claim_batch(world, first_day: int, confirm: bool) -> tuple[str, str]:
	"""An approved claim of ten October days, in a batch the partner's accountant exported (and confirmed)."""
	period = (october(world, first_day), october(world, first_day + 9))
	claim = make_claim(world, period=period, lines=daily_tickets(world, first_day, 2)).name
	approve_claim(world, claim)
	batch = new_batch(world, lines=[{"compensation": claim}]).name
	call(world, "muni_accountant", batch, "export")
	if confirm:
		act(world.user("muni_accountant"), frappe.get_doc(BATCH, batch).submit)
	return batch, claim


def test_over_http_a_paid_batch_stays_paid_and_an_unpaid_export_is_withdrawn(world, api):
	"""As the desk and the REST API call them: the cancel endpoints refuse a paid batch (neither the accountant
	nor IKVD's administrator has a cancel right), and the withdrawal is the batch's own method."""
	made = {}
	try:
		made["paid"] = one_claim_batch(world, 1, confirm=True)
		made["exported"] = one_claim_batch(world, 11, confirm=False)
		frappe.db.commit()
		paid, paid_claim = made["paid"]
		for who in ("muni_accountant", "ikvd_admin"):
			for method in ("frappe.client.cancel", "frappe.desk.form.save.cancel"):
				response = api(world.user(who)).post(
					f"/api/method/{method}", {"doctype": BATCH, "name": paid}
				)
				assert response.status == 403, (who, method, response.text[:300])
		again = api(world.user("muni_accountant2")).post(
			f"/api/resource/{BATCH}",
			{
				"partner": world.municipality,
				"execution_date": str(october(world, 25)),
				"lines": [{"compensation": paid_claim}],
			},
		)
		assert again.status != 200 and "only approved, unpaid compensations" in again.error_text()

		exported, exported_claim = made["exported"]
		body = {
			"dt": BATCH,
			"dn": exported,
			"method": "withdraw",
			"args": json.dumps({"reason": "Banka noraidīja"}),
		}
		refused = api(world.user("muni_accountant")).post("/api/method/run_doc_method", body)
		assert refused.status != 200 and "You exported batch" in refused.error_text()
		withdrawn = api(world.user("muni_accountant2")).post("/api/method/run_doc_method", body)
		assert withdrawn.status == 200, withdrawn.text[:300]

		frappe.db.rollback()  # a new snapshot: the requests ran on their own connections
		assert frappe.db.get_value(BATCH, paid, ["docstatus", "status"]) == (1, "Paid")
		assert frappe.db.get_value(COMPENSATION, paid_claim, "workflow_state") == "Paid"
		assert frappe.db.get_value(BATCH, exported, ["docstatus", "status"]) == (0, "Withdrawn")
		assert not frappe.db.exists("Compensation Payment Line", {"active_compensation": exported_claim})
	finally:
		sides = {
			key: records.PartnerRecords(
				key, world.municipality, world.school_a, {}, {BATCH: b, COMPENSATION: c}
			)
			for key, (b, c) in made.items()
		}
		records.purge(world, sides)  # (rolls back first)
		refresh_measure_amounts(world.money_plan)
		frappe.db.commit()
