"""From a claim entered in the form to a reconciled payment, through the desk: the school's coordinator enters a
compensation claim and sends it, the school's accountant verifies it and the director approves it; the
municipality's accountant makes a payment batch of the approved compensations, exports the SEPA file and the
payment list, confirms the batch (the compensations are Paid), uploads the bank's camt.053 statement and
submits it (Reconciled), and finds the payments reconciled in the Compensation Reconciliation report."""

import io
import re
from decimal import Decimal

import frappe
import pytest
from lxml import etree
from openpyxl import load_workbook

from pumpurs_app.compensations.doctype.compensation.compensation import refresh_measure_amounts
from tests.integration.browser.conftest import committed, purge
from tests.integration.browser.desk import Desk, expect
from tests.integration.money import (
	COMPENSATION,
	GUARDIAN_IBAN,
	approve_claim,
	make_claim,
	measure_of,
	october,
)
from tests.integration.payments import BATCH, PAIN, STATEMENT, SUPPLIER_IBAN, camt053, pain001_schema

pytestmark = pytest.mark.browser

TRANSPORT = "Public transport tickets"
EVIDENCE = b"%PDF-1.4\n% biletes (browser test)\n"


@pytest.fixture
def money_made_here(world):
	"""Claims, payment batches and bank statements the test makes, in the browser or here, are deleted when it
	ends (with their files), and the money plan's approved and paid amounts are counted again."""
	before = {
		doctype: set(frappe.get_all(doctype, pluck="name")) for doctype in (COMPENSATION, BATCH, STATEMENT)
	}
	yield
	frappe.db.rollback()
	made = {doctype: set(frappe.get_all(doctype, pluck="name")) - names for doctype, names in before.items()}
	uploaded = frappe.get_all(
		STATEMENT, filters={"name": ("in", made[STATEMENT] or [""])}, pluck="statement_file"
	)
	uploaded += frappe.get_all(
		"Compensation Line", filters={"parent": ("in", made[COMPENSATION] or [""])}, pluck="evidence"
	)
	purge(STATEMENT, made[STATEMENT])
	purge(BATCH, made[BATCH])
	purge(COMPENSATION, made[COMPENSATION], file_urls=uploaded)  # the statement and the evidence, uploaded
	refresh_measure_amounts(world.money_plan)
	frappe.db.commit()


def expect_state(desk: Desk, state: str) -> None:
	"""The state as the form's header shows it and as the page's model holds it."""
	expect(desk.state_indicator()).to_have_text(state)
	assert desk.doc("workflow_state") == state


def expect_measure(desk: Desk, measure: str) -> None:
	"""The plan's measure the claim is for, as a read-only form shows it: its label, not the row's ID."""
	shown = desk.field("measure").locator(".control-value")
	expect(shown).to_contain_text(TRANSPORT)
	expect(shown).not_to_contain_text(measure)


def decide(desk: Desk, claim: str, action: str, state: str, step: str) -> None:
	desk.open_form(COMPENSATION, claim)
	expect_measure(desk, committed(COMPENSATION, claim).measure)
	assert action in desk.workflow_actions()
	desk.workflow_action(action)
	expect_state(desk, state)
	desk.shot(step)
	assert committed(COMPENSATION, claim).workflow_state == state


def test_from_a_claim_in_the_form_to_reconciled(login, world, money_made_here):
	# another claim of the school, approved through the controllers: lunches paid to the school's canteen
	meals = make_claim(
		world,
		kind="Meals",
		payee_kind="Supplier",
		payee_name="SIA Skolas ēdnīca",
		payee_iban=SUPPLIER_IBAN,
		lines=[
			{"line_date": october(world, day), "quantity": 2, "description": "Pusdienas"} for day in (6, 7)
		],
	)  # 2 × 2 × 2.50 = 10 EUR (6 EUR a day at most)
	approve_claim(world, meals.name)
	frappe.db.commit()

	# the school's coordinator enters the transport claim in the form
	coordinator = login("a_coord")
	coordinator.new_form(COMPENSATION)
	coordinator.fill_link("support_plan", world.money_plan)
	coordinator.select("measure", measure_of(world, TRANSPORT), by_value=True)
	assert coordinator.doc("measure") == measure_of(world, TRANSPORT)
	coordinator.fill_date("period_from", october(world, 1))
	coordinator.fill_date("period_to", october(world, 31))
	coordinator.select("payee_kind", "Guardian")
	coordinator.fill("payee_name", "Anna  Bērziņa")
	coordinator.fill("payee_iban", "lv97 haba 0012 3456 7891 0")  # as people type it
	# the lines last: attaching a line's evidence saves the claim (frappe saves a form when a file is attached)
	for idx, (day, trips, price) in enumerate(((5, 2, 1.5), (6, 4, 2.25)), start=1):
		if idx > 1:
			coordinator.add_row("lines")
		row = coordinator.row_form("lines", idx)
		coordinator.fill_date("line_date", october(world, day), scope=row)
		coordinator.fill("description", "Jelgava–Ozolnieki", scope=row)
		coordinator.fill("quantity", str(trips), scope=row)
		coordinator.fill("unit_price", coordinator.user_number(price), scope=row)
		assert coordinator.doc("lines")[idx - 1]["amount"] == trips * price  # the form's own arithmetic
		coordinator.attach("evidence", f"biletes-{day}.pdf", EVIDENCE, "application/pdf", scope=row)
		coordinator.saved()
		coordinator.close_row_form("lines", idx)
	coordinator.shot("coordinator-entered-the-claim")
	claim = coordinator.doc("name")
	assert re.fullmatch(r"KOMP-\d{4}-\d{5}", claim), claim
	expect_state(coordinator, "Draft")
	saved = committed(COMPENSATION, claim)
	assert (saved.learner, saved.compensation_type, saved.total_amount) == (
		world.learners["a8money"],
		TRANSPORT,
		12.0,
	)
	assert (saved.payee_name, saved.payee_iban) == ("Anna Bērziņa", GUARDIAN_IBAN)
	assert [(str(r.line_date), r.quantity, r.unit_price, r.amount) for r in saved.lines] == [
		(str(october(world, 5)), 2, 1.5, 3.0),
		(str(october(world, 6)), 4, 2.25, 9.0),
	]
	assert all(r.evidence and r.evidence.startswith("/private/files/") for r in saved.lines)
	coordinator.workflow_action("Submit for Verification")
	expect_state(coordinator, "Submitted")
	coordinator.shot("coordinator-sent-the-claim")

	# the school's accountant checks the evidence and verifies the claim, the director approves it
	verifier = login("a_accountant")
	for line in saved.lines:
		response = verifier.page.context.request.get(line.evidence)
		assert (response.status, response.body()) == (200, EVIDENCE), (line.evidence, response.status)
	decide(verifier, claim, "Verify", "Verified", "accountant-verified")
	director = login("a_director")
	decide(director, claim, "Approve", "Approved", "director-approved")
	approved = committed(COMPENSATION, claim)
	assert approved.docstatus == 1
	assert (approved.verified_by, approved.approved_by) == (
		world.user("a_accountant"),
		world.user("a_director"),
	)

	# the municipality's accountant pays both approved claims in one batch
	accountant = login("muni_accountant")
	accountant.new_form(BATCH)
	accountant.fill_link("partner", world.municipality)
	accountant.fill_date("execution_date", october(world, 25))
	accountant.save()
	batch = accountant.doc("name")
	accountant.button("Get Approved Compensations").click()
	accountant.idle()
	accountant.wait_for_form(BATCH, batch)
	expect(accountant.grid("lines").locator(".grid-body .grid-row")).to_have_count(2)
	assert sorted(line["compensation"] for line in accountant.doc("lines")) == sorted([claim, meals.name])
	assert accountant.doc("total_amount") == 22.0
	accountant.shot("accountant-got-the-approved-compensations")

	accountant.button("Export SEPA File").click()
	accountant.confirm()
	accountant.wait_for_form(BATCH, batch)
	expect(accountant.field("status").locator(".control-value")).to_have_text("Exported")
	accountant.shot("accountant-exported-the-batch")
	exported = committed(BATCH, batch)
	end_to_end = {line.compensation: line.end_to_end_id for line in exported.lines}

	name, xml = accountant.download(lambda: accountant.group_button("Bank Files", "Download SEPA File"))
	assert name == f"{batch}.xml"
	pain001_schema().validate(xml)
	tree = etree.fromstring(xml)
	assert tree.tag == f"{PAIN}Document"  # pain.001.001.03
	assert Decimal(tree.findtext(f".//{PAIN}GrpHdr/{PAIN}CtrlSum")) == Decimal("22.00")
	assert tree.findtext(f".//{PAIN}DbtrAcct/{PAIN}Id/{PAIN}IBAN") == frappe.db.get_value(
		"Partner", world.municipality, "iban"
	)
	transfers = {
		tx.findtext(f"{PAIN}PmtId/{PAIN}EndToEndId"): (
			Decimal(tx.findtext(f"{PAIN}Amt/{PAIN}InstdAmt")),
			tx.findtext(f"{PAIN}CdtrAcct/{PAIN}Id/{PAIN}IBAN"),
		)
		for tx in tree.iter(f"{PAIN}CdtTrfTxInf")
	}
	assert transfers == {
		end_to_end[claim]: (Decimal("12.00"), GUARDIAN_IBAN),
		end_to_end[meals.name]: (Decimal("10.00"), SUPPLIER_IBAN),
	}
	personal_code = frappe.db.get_value("Learner", world.learners["a8money"], "personal_code")
	assert personal_code.replace("-", "") not in xml.decode().replace("-", "")

	name, xlsx = accountant.download(lambda: accountant.group_button("Bank Files", "Download Payment List"))
	assert name == f"{batch}.xlsx"
	listed = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
	assert {(row[2], row[4], row[5]) for row in listed[5:-1]} == {
		(GUARDIAN_IBAN, 12.0, end_to_end[claim]),
		(SUPPLIER_IBAN, 10.0, end_to_end[meals.name]),
	}
	assert listed[-1][3:5] == ("Total", 22.0)
	assert personal_code not in " ".join(str(cell) for row in listed for cell in row if cell)

	# the bank has executed the file: the accountant confirms the batch
	accountant.fill("payment_reference", "SWED-BROWSER-1")
	accountant.save("Save")
	accountant.submit()
	expect(accountant.field("status").locator(".control-value")).to_have_text("Paid")
	accountant.shot("accountant-confirmed-the-payment")
	for compensation in (claim, meals.name):
		paid = committed(COMPENSATION, compensation)
		assert (paid.workflow_state, paid.payment_batch, paid.payment_reference) == (
			"Paid",
			batch,
			"SWED-BROWSER-1",
		)

	# the bank statement, as the bank sends it: both transfers booked under the batch's end-to-end IDs
	account = frappe.db.get_value("Partner", world.municipality, "iban")
	booked = str(october(world, 27))
	statement_file = camt053(
		account,
		[
			("12.00", end_to_end[claim], GUARDIAN_IBAN, booked, False, None),
			("10.00", end_to_end[meals.name], SUPPLIER_IBAN, booked, False, None),
		],
	)
	accountant.new_form(STATEMENT)
	accountant.fill_link("partner", world.municipality)
	accountant.attach("statement_file", "izraksts-oktobris.xml", statement_file, "application/xml")
	accountant.saved()  # attaching the file saved the statement, which read and matched it
	statement = accountant.doc("name")
	assert [line["match_status"] for line in accountant.doc("lines")] == ["Matched", "Matched"]
	expect(accountant.grid("lines")).to_contain_text("Matched")
	accountant.shot("accountant-uploaded-the-statement")
	assert committed(COMPENSATION, claim).workflow_state == "Paid"  # nothing changes before the submit
	accountant.submit()
	accountant.shot("accountant-submitted-the-statement")
	for compensation in (claim, meals.name):
		reconciled = committed(COMPENSATION, compensation)
		assert (reconciled.workflow_state, reconciled.bank_statement, str(reconciled.reconciled_on)) == (
			"Reconciled",
			statement,
			booked,
		)

	# the claim's form says so, and so does the reconciliation report
	accountant.open_form(COMPENSATION, claim)
	expect_state(accountant, "Reconciled")
	expect_measure(accountant, measure_of(world, TRANSPORT))
	expect(accountant.shown_value("bank_statement")).to_have_text(statement)
	accountant.shot("the-claim-is-reconciled")
	shown = accountant.open_report("Compensation Reconciliation", partner=world.municipality)
	row = next(r for r in shown["rows"] if r.get("payment_batch") == batch and r.get("kind") == "batch")
	assert (row["paid"], row["reconciled"], row["mismatched"], row["returned"]) == (22.0, 22.0, 0, 0)
	expect(accountant.main.locator(".dt-scrollable")).to_contain_text(batch)
	accountant.shot("reconciliation-report")

	for desk in (coordinator, verifier, director, accountant):
		assert not desk.errors and not desk.console, (desk.user, desk.errors, desk.console)
