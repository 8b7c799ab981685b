"""What a user could try with their own session outside the desk's buttons: a form or REST save carries
whatever fields its sender puts in it (frappe enforces neither read-only fields nor who may edit in a
workflow state). Each request is made as frappe's ``PUT /api/resource`` makes it: the stored document,
updated with the sent values, saved as the user."""

import json
from datetime import date

import frappe
import pytest
from frappe.model.workflow import apply_workflow

from pumpurs_app.compensations.report.compensation_reconciliation import compensation_reconciliation as report
from pumpurs_app.rules import personal_code
from tests.integration.consultations import consultation
from tests.integration.money import COMPENSATION, approve_claim, make_claim, step
from tests.integration.payments import (
	BATCH,
	call,
	camt053,
	exported_batch,
	file_content,
	paid_batch,
	upload,
)
from tests.integration.plans import PLAN, act, approve_all, make_plan, transition
from tests.integration.refusals import no_permission

OTHER_IBAN = "LV44HABA0551000000001"


def forged_save(user: str, doctype: str, name: str, **values):
	doc = frappe.get_doc(doctype, name)
	doc.update(values)
	return act(user, doc.save)


def add_staff(institution: str, user: str, function: str, **values) -> None:
	doc = frappe.get_doc("Educational Institution", institution)
	doc.append("staff", {"user": user, "function": function, **values})
	doc.save(ignore_permissions=True)


# --- registers ----------------------------------------------------------------------------------------------


def test_a_school_is_not_moved_to_another_partner_by_its_own_staff(world):
	with no_permission("Educational Institution", "write"):
		forged_save(
			world.user("a_director"),
			"Educational Institution",
			world.school_a,
			partner=world.vocational_partner,
		)
	assert frappe.db.get_value("Educational Institution", world.school_a, "partner") == world.municipality
	forged_save(
		world.user("ikvd_admin"), "Educational Institution", world.school_a, partner=world.vocational_partner
	)
	assert frappe.db.get_value("Learner", world.learners["a7"], "partner") == world.vocational_partner


def test_another_institutions_record_is_not_taken_over_by_naming_ones_own(world):
	learner = world.learners["v1"]
	with no_permission("Learner", "write"):
		forged_save(
			world.user("a_coord"),
			"Learner",
			learner,
			institution=world.school_a,
			education_type="General",
			grade=7,
		)
	assert frappe.db.get_value("Learner", learner, "institution") == world.vocational_school


def test_a_duplicate_personal_code_does_not_say_where_the_child_studies(world):
	code = frappe.db.get_value("Learner", world.learners["v1"], "personal_code")
	twin = frappe.get_doc(
		{
			"doctype": "Learner",
			"first_name": "Dubults",
			"last_name": "Kods",
			"personal_code": code,
			"institution": world.school_b,
			"education_type": "Vocational",
			"grade": 2,
		}
	)
	# nor that the code is in the programme (test_registers.py)
	with pytest.raises(frappe.ValidationError, match="cannot be registered here") as refused:
		act(world.user("b_director"), twin.insert)
	assert world.vocational_school not in str(refused.value) and "already" not in str(refused.value)
	twin.institution, twin.education_type, twin.grade = world.vocational_school, "Vocational", 1
	with pytest.raises(frappe.DuplicateEntryError, match=world.vocational_school):
		act(world.user("vet_coord"), twin.insert)  # inside one's own institutions the record is named


def test_a_learners_history_never_holds_a_full_personal_code(world):
	learner = frappe.get_doc("Learner", world.learners["a7"])
	old_code = learner.personal_code
	new_code = personal_code.make_old_format(date(2013, 5, 17), 321)
	learner.personal_code = new_code
	learner.save(ignore_permissions=True, ignore_version=False)  # tests skip versions unless asked
	version = frappe.get_last_doc("Version", filters={"ref_doctype": "Learner", "docname": learner.name})
	changes = {row[0]: row[1:] for row in json.loads(version.data)["changed"]}
	assert changes["personal_code"][0].startswith("******-**") and changes["personal_code"][1].startswith(
		"******-**"
	)
	assert old_code not in version.data and new_code not in version.data


# --- plans and consultations ---------------------------------------------------------------------------------


def test_a_director_elsewhere_does_not_approve_here(world):
	add_staff(world.school_b, world.user("a_director"), "Plan Author")  # director at A, teacher at B
	plan = make_plan(world, learner="b2voc", author="b_author")
	transition(world, "b_author", plan.name, "Send for Approval")
	doc = frappe.get_doc(PLAN, plan.name)
	with pytest.raises(frappe.PermissionError, match="Director"):
		act(world.user("a_director"), apply_workflow, doc.as_dict(), "Approve")
	assert (
		transition(world, "b_director", plan.name, "Approve").workflow_state == "Pending Partner Coordinator"
	)


def test_a_plan_author_does_not_send_a_colleagues_draft(world):
	plan = make_plan(world)
	with pytest.raises(frappe.PermissionError, match="author"):
		act(world.user("a_author2"), apply_workflow, plan.as_dict(), "Send for Approval")
	assert transition(world, "a_coord", plan.name, "Send for Approval").workflow_state == "Pending Director"


def test_an_approver_does_not_rewrite_the_author_or_the_stamps_while_deciding(world):
	plan = make_plan(world)
	transition(world, "a_author", plan.name, "Send for Approval")
	with pytest.raises(frappe.PermissionError, match="cannot be changed"):
		# the director approves and, in the same request, makes a colleague the author
		forged_save(
			world.user("a_director"),
			PLAN,
			plan.name,
			workflow_state="Pending Partner Coordinator",
			plan_author=world.user("a_author2"),
		)
	forged_save(
		world.user("a_director"),
		PLAN,
		plan.name,
		workflow_state="Pending Partner Coordinator",
		director_approved_by=world.user("a_coord"),
	)
	assert frappe.db.get_value(PLAN, plan.name, "director_approved_by") == world.user("a_director")


def test_nobody_approves_one_plan_at_two_steps(world):
	# the partner coordinator names themselves the school's director, then approves as both
	school = frappe.get_doc("Educational Institution", world.school_a)
	school.director = world.user("muni_coord")
	school.save(ignore_permissions=True)
	plan = make_plan(world)
	transition(world, "a_author", plan.name, "Send for Approval")
	assert transition(world, "muni_coord", plan.name, "Approve").director_approved_by == world.user(
		"muni_coord"
	)
	with pytest.raises(frappe.PermissionError, match="earlier step"):
		transition(world, "muni_coord", plan.name, "Approve")


def test_a_specialist_logs_only_their_own_consultations(world):
	add_staff(world.school_a, world.user("a_author2"), "Specialist", specialist_role="Psychologist")
	plan = approve_all(world, make_plan(world).name)
	with pytest.raises(frappe.PermissionError, match="only your own"):
		consultation(world, plan, who="a_author2", specialist=world.user("a_specialist"))
	theirs = consultation(world, plan)  # a_specialist's own
	with pytest.raises(frappe.PermissionError, match="only your own"):
		forged_save(
			world.user("a_author2"), "Support Consultation", theirs.name, specialist=world.user("a_author2")
		)
	with pytest.raises(frappe.PermissionError, match="only your own"):
		act(world.user("a_author2"), frappe.delete_doc, "Support Consultation", theirs.name)
	assert consultation(world, plan, who="a_coord", specialist=world.user("a_author2"), start="12:00:00").name


# --- compensations and payments ------------------------------------------------------------------------------


def test_a_verifier_does_not_edit_a_draft_nor_forge_who_verified(world):
	claim = make_claim(world)
	with pytest.raises(frappe.PermissionError, match="draft claim"):
		forged_save(world.user("muni_accountant"), COMPENSATION, claim.name, payee_iban=OTHER_IBAN)
	step(world, "a_coord", claim.name, "Submit for Verification")
	step(world, "muni_coord", claim.name, "Verify")
	with pytest.raises(
		frappe.ValidationError, match="You verified this compensation, so someone else must approve it"
	):
		# the verifier approves too, claiming someone else verified: four eyes still holds
		forged_save(
			world.user("muni_coord"),
			COMPENSATION,
			claim.name,
			workflow_state="Approved",
			docstatus=1,
			verified_by=world.user("a_accountant"),
		)
	with pytest.raises(frappe.PermissionError, match="cannot be changed"):
		forged_save(
			world.user("a_director"),
			COMPENSATION,
			claim.name,
			workflow_state="Approved",
			docstatus=1,
			payee_iban=OTHER_IBAN,
		)
	approved = step(world, "a_director", claim.name, "Approve")
	assert (approved.verified_by, approved.payee_iban) == (world.user("muni_coord"), claim.payee_iban)


def test_a_paid_claims_payment_record_cannot_be_rewritten(world):
	batch, claims = paid_batch(world)
	paid = frappe.db.get_value(COMPENSATION, claims[0], ["paid_on", "payment_batch"])
	with pytest.raises(
		frappe.UpdateAfterSubmitError,
		match=f"Not allowed to change <strong>Payment Batch</strong> after submission from <strong>{batch.name}</strong>",
	):
		forged_save(
			world.user("muni_coord"), COMPENSATION, claims[0], paid_on="2020-01-01", payment_batch=None
		)
	assert frappe.db.get_value(COMPENSATION, claims[0], ["paid_on", "payment_batch"]) == paid
	with pytest.raises(
		frappe.UpdateAfterSubmitError,
		match=r"^Row #1: Not allowed to change <strong>Bank Status</strong> after submission",
	):
		doc = frappe.get_doc(BATCH, batch.name)
		doc.lines[0].status = "Matched"
		act(world.user("muni_accountant"), doc.save)
	assert not frappe.db.get_value("Compensation Payment Line", batch.lines[0].name, "status")


def test_the_bank_file_is_made_from_the_saved_batch(world):
	claims = [approve_claim(world, make_claim(world).name).name]
	batch = frappe.get_doc(
		{
			"doctype": BATCH,
			"partner": world.municipality,
			"execution_date": "2026-10-25",
			"lines": [{"compensation": claims[0]}],
		}
	)
	act(world.user("muni_accountant"), batch.insert)
	sent = frappe.get_doc(BATCH, batch.name)
	sent.lines[0].payee_iban = OTHER_IBAN  # what a crafted request would send along
	files = act(world.user("muni_accountant"), sent.export)
	xml = file_content(files["sepa_file"]).decode()
	assert OTHER_IBAN not in xml and frappe.db.get_value(COMPENSATION, claims[0], "payee_iban") in xml


def test_an_exported_batch_is_not_deleted_nor_its_export_undone(world):
	batch, _claims = exported_batch(world)
	with pytest.raises(frappe.ValidationError, match="cannot be deleted"):
		act(world.user("muni_accountant"), frappe.delete_doc, BATCH, batch.name)
	forged_save(
		world.user("muni_accountant"), BATCH, batch.name, exported_on=None, sepa_file=None, status="Draft"
	)
	kept = frappe.get_doc(BATCH, batch.name)
	assert kept.exported_on and kept.sepa_file and kept.status == "Exported"
	with pytest.raises(frappe.ValidationError, match="already exported"):
		call(world, "muni_accountant", batch.name, "export")


def test_a_statement_read_before_another_reconciled_the_payment_reconciles_nothing(world):
	batch, claims = paid_batch(world)
	account = frappe.db.get_value("Partner", world.municipality, "iban")
	line = batch.lines[0]
	first, second = (
		upload(
			world,
			camt053(
				account, [(f"{line.amount:.2f}", line.end_to_end_id, line.payee_iban, booked, False, None)]
			),
		)
		for booked in ("2026-10-26", "2026-10-27")  # the same payment on two statements
	)
	assert first.lines[0].match_status == second.lines[0].match_status == "Matched"
	act(world.user("muni_accountant"), frappe.get_doc("Compensation Bank Statement", second.name).submit)
	act(world.user("muni_accountant"), frappe.get_doc("Compensation Bank Statement", first.name).submit)
	submitted = frappe.get_doc("Compensation Bank Statement", first.name)
	assert submitted.lines[0].match_status == "Unmatched" and submitted.matched_count == 0
	assert frappe.db.get_value(COMPENSATION, line.compensation, ["workflow_state", "bank_statement"]) == (
		"Reconciled",
		second.name,
	)


def test_returned_money_is_not_counted_as_paid(world):
	batch, claims = paid_batch(world)
	account = frappe.db.get_value("Partner", world.municipality, "iban")
	line = batch.lines[0]
	content = camt053(
		account, [(f"{line.amount:.2f}", line.end_to_end_id, line.payee_iban, "2026-10-28", True, "AC04")]
	)
	act(world.user("muni_accountant2"), upload(world, content).submit)
	rows = act(world.user("muni_accountant"), report.execute, {"partner": world.municipality})[1]
	row = next(r for r in rows if r.get("payment_batch") == batch.name and r["kind"] == "batch")
	assert row["returned"] == line.amount
	assert row["paid"] == pytest.approx(batch.total_amount - line.amount)
