"""From approved compensations to a SEPA file, and back from the bank statement to Reconciled — as the
municipality's accountants."""

import io
import threading
from decimal import Decimal

import frappe
import pytest
from lxml import etree
from openpyxl import load_workbook

from pumpurs_app.compensations.report.compensation_reconciliation import compensation_reconciliation as report
from tests.integration.money import COMPENSATION, GUARDIAN_IBAN, october, step
from tests.integration.payments import (
	BATCH,
	PAIN,
	STATEMENT,
	SUPPLIER_IBAN,
	approved_claims,
	call,
	camt053,
	exported_batch,
	file_content,
	new_batch,
	paid_batch,
	pain001_schema,
	upload,
)
from tests.integration.plans import act
from tests.unit.hostile_files import billion_laughs, zip_bomb


def test_a_batch_of_approved_compensations_exports_a_valid_sepa_file(world):
	batch, claims = exported_batch(world)
	assert sorted(r.compensation for r in batch.lines) == sorted(claims)
	assert batch.total_amount == 56.0 and batch.status == "Exported" and batch.payment_count == 3
	# one File per bank file, attached to its field (frappe adds a second one to a field whose File names none)
	files = frappe.get_all(
		"File",
		{"attached_to_doctype": BATCH, "attached_to_name": batch.name},
		["file_url", "attached_to_field"],
	)
	assert sorted((f.attached_to_field or "", f.file_url) for f in files) == [
		("payment_list", batch.payment_list),
		("sepa_file", batch.sepa_file),
	]
	xml = file_content(batch.sepa_file)
	pain001_schema().validate(xml)  # raises if the file does not pass the XSD
	tree = etree.fromstring(xml)
	assert Decimal(tree.findtext(f".//{PAIN}GrpHdr/{PAIN}CtrlSum")) == Decimal("56.00")
	assert tree.findtext(f".//{PAIN}DbtrAcct/{PAIN}Id/{PAIN}IBAN") == frappe.db.get_value(
		"Partner", world.municipality, "iban"
	)
	e2e = [el.text for el in tree.iter(f"{PAIN}EndToEndId")]
	assert sorted(e2e) == sorted(r.end_to_end_id for r in batch.lines)
	personal_code = frappe.db.get_value("Learner", world.learners["a8money"], "personal_code")
	texts = " ".join(el.text for el in tree.iter(f"{PAIN}Ustrd"))
	assert personal_code.replace("-", "") not in texts.replace("-", "") and "PuMPuRS" in texts
	sheet = load_workbook(io.BytesIO(file_content(batch.payment_list))).active
	values = [row for row in sheet.iter_rows(values_only=True)]
	assert values[-1][3:5] == ("Total", 56.0)
	assert {row[2] for row in values[5:-1]} == {GUARDIAN_IBAN, SUPPLIER_IBAN}


def test_one_transfer_per_payee_iban(world):
	batch, _claims = exported_batch(world, per_iban=True)
	assert batch.payment_count == 2
	guardian_lines = [r for r in batch.lines if r.payee_iban == GUARDIAN_IBAN]
	assert len(guardian_lines) == 2 and len({r.end_to_end_id for r in guardian_lines}) == 1
	tree = etree.fromstring(file_content(batch.sepa_file))
	amounts = sorted(Decimal(el.text) for el in tree.iter(f"{PAIN}InstdAmt"))
	assert amounts == [Decimal("5.00"), Decimal("51.00")]


def test_an_exported_batch_is_not_exported_again_nor_changed(world):
	batch, _claims = exported_batch(world)
	with pytest.raises(frappe.ValidationError, match="already exported"):
		call(world, "muni_accountant", batch.name, "export")
	doc = frappe.get_doc(BATCH, batch.name)
	doc.lines = doc.lines[:1]
	with pytest.raises(frappe.ValidationError, match="has been exported"):
		act(world.user("muni_accountant"), doc.save)


def test_confirming_marks_the_compensations_paid(world):
	batch, claims = exported_batch(world)
	doc = frappe.get_doc(BATCH, batch.name)
	doc.payment_reference = "SWED-2026-10-25-001"
	act(world.user("muni_accountant"), doc.submit)
	for claim in claims:
		state, paid_on, reference, in_batch = frappe.db.get_value(
			COMPENSATION, claim, ["workflow_state", "paid_on", "payment_reference", "payment_batch"]
		)
		assert (state, str(paid_on), reference, in_batch) == (
			"Paid",
			str(october(world, 25)),
			"SWED-2026-10-25-001",
			batch.name,
		)
	assert frappe.db.exists("Version", {"ref_doctype": COMPENSATION, "docname": claims[0]})
	transport = frappe.get_all(
		"Support Plan Measure",
		{"parent": world.money_plan, "compensation_type": "Public transport tickets"},
		["approved_amount", "paid_amount"],
	)[0]
	assert (transport.approved_amount, transport.paid_amount) == (51.0, 51.0)


def test_a_compensation_sits_in_one_live_batch(world):
	claims = approved_claims(world)
	new_batch(world, lines=[{"compensation": claims[0]}])
	with pytest.raises(frappe.DuplicateEntryError, match="already in payment batch"):
		new_batch(world, who="muni_accountant2", lines=[{"compensation": claims[0]}])
	# the database refuses it too, past the controller
	line = frappe.get_doc(
		{
			"doctype": "Compensation Payment Line",
			"parenttype": BATCH,
			"parentfield": "lines",
			"parent": "KPB-X",
			"compensation": claims[0],
			"active_compensation": claims[0],
		}
	)
	with pytest.raises(
		frappe.UniqueValidationError, match=f"Duplicate entry '{claims[0]}' for key 'active_compensation'"
	):
		line.db_insert()


def test_a_cancelled_compensation_leaves_its_draft_batch_and_a_paid_one_is_not_cancelled(world):
	claims = approved_claims(world)
	batch = new_batch(world, lines=[{"compensation": c} for c in claims])
	step(world, "a_director", claims[2], "Cancel Compensation")
	assert [r.compensation for r in frappe.get_doc(BATCH, batch.name).lines] == claims[:2]
	batch, _ = call(world, "muni_accountant", batch.name, "export")
	act(world.user("muni_accountant"), frappe.get_doc(BATCH, batch.name).submit)
	with pytest.raises(frappe.ValidationError, match="has been paid"):
		act(world.user("a_director"), frappe.get_doc(COMPENSATION, claims[0]).cancel)
	# (a paid batch is not cancelled either: test_money_duties)


def test_the_lines_links_are_checked_together_with_frappes_answers(world):
	"""A batch checks its lines' links in one query (documents.ScopedRecord), not one or two per line as
	frappe does: for lines that are fine, spelled in another case, missing or cancelled, the same error and
	the same stored names as frappe's own check."""
	from frappe.model.document import Document

	claims = approved_claims(world)
	step(world, "a_director", claims[2], "Cancel Compensation")
	cases = [
		[claims[0], claims[1].lower()],
		[claims[0], "KOMP-NAV-1", claims[1], "KOMP-NAV-2"],
		[claims[1], claims[2]],
	]
	for names in cases:
		outcomes = []
		for check in (lambda doc: doc._validate_links(), lambda doc: Document._validate_links(doc)):
			doc = frappe.get_doc(
				{
					"doctype": BATCH,
					"partner": world.municipality,
					"execution_date": october(world, 25),
					"lines": [{"compensation": name} for name in names],
				}
			)
			doc._action = "save"
			try:
				check(doc)
				outcomes.append(("fine", [row.compensation for row in doc.lines]))
			except frappe.ValidationError as error:
				outcomes.append((type(error).__name__, str(error)))
			frappe.clear_messages()
		assert outcomes[0] == outcomes[1], names
	assert outcomes[0][0] == "CancelledLinkError"


def test_two_accountants_batching_the_same_compensation_at_once(world, api):
	"""Exactly one wins, whatever the timing: the batch line's unique key decides in the database."""
	claim = approved_claims(world)[0]
	frappe.db.sql(
		"insert ignore into `tabSeries` (name, current) values (%s, 0)", f"KPB-{frappe.utils.nowdate()[:4]}-"
	)
	frappe.db.commit()
	clients = [api(world.user("muni_accountant")), api(world.user("muni_accountant2"))]
	body = {
		"partner": world.municipality,
		"execution_date": str(october(world, 25)),
		"lines": [{"compensation": claim}],
	}
	results = [None, None]

	def post(i):
		results[i] = clients[i].post(f"/api/resource/{BATCH}", body)

	threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	try:
		assert sorted(r.status for r in results)[0] == 200 and sum(r.status == 200 for r in results) == 1, [
			r.text[:200] for r in results
		]
		loser = next(r for r in results if r.status != 200)
		assert "already in payment batch" in loser.error_text() or "Active Compensation" in loser.error_text()
	finally:
		frappe.db.rollback()
		for r in results:
			if r and r.status == 200:
				frappe.delete_doc(
					BATCH, r.data["name"], force=True, ignore_permissions=True, ignore_missing=False
				)
		for name in frappe.get_all(
			COMPENSATION, {"learner": world.learners["a8money"], "docstatus": 1}, pluck="name"
		):
			doc = frappe.get_doc(COMPENSATION, name)
			doc.flags.ignore_permissions = True
			doc.workflow_state = "Cancelled"  # a cancel goes only into the workflow's cancelled state
			doc.cancel()
			frappe.delete_doc(COMPENSATION, name, force=True, ignore_permissions=True)
		for name in frappe.get_all(COMPENSATION, {"learner": world.learners["a8money"]}, pluck="name"):
			frappe.delete_doc(COMPENSATION, name, force=True, ignore_permissions=True)
		frappe.db.commit()


# --- the bank statement -------------------------------------------------------------------------------------


def test_statement_reconciles_matched_returns_returned_and_lists_exceptions(world):
	batch, claims = paid_batch(world)
	account = frappe.db.get_value("Partner", world.municipality, "iban")
	line = {r.compensation: r for r in batch.lines}
	first, second, meals = (line[c] for c in claims)
	booked = str(october(world, 26))
	content = camt053(
		account,
		[
			(f"{first.amount:.2f}", first.end_to_end_id, first.payee_iban, booked, False, None),  # matched
			(
				f"{second.amount + 1:.2f}",
				second.end_to_end_id,
				second.payee_iban,
				booked,
				False,
				None,
			),  # wrong amount
			(
				f"{meals.amount:.2f}",
				meals.end_to_end_id,
				meals.payee_iban,
				str(october(world, 28)),
				True,
				"AC04",
			),  # returned
			("12.34", "SVESS-1", "LV44HABA0551000000001", booked, False, None),  # not ours
		],
	)
	statement = upload(world, content)
	assert [line.match_status for line in statement.lines] == [
		"Matched",
		"Amount mismatch",
		"Returned",
		"Unmatched",
	]
	assert (
		statement.matched_count,
		statement.mismatch_count,
		statement.returned_count,
		statement.unmatched_count,
	) == (1, 1, 1, 1)
	assert all(line.reason for line in statement.lines)
	assert (
		frappe.db.get_value(COMPENSATION, claims[0], "workflow_state") == "Paid"
	)  # nothing changes before submit
	act(world.user("muni_accountant2"), frappe.get_doc(STATEMENT, statement.name).submit)
	assert frappe.db.get_value(COMPENSATION, claims[0], ["workflow_state", "bank_statement"]) == (
		"Reconciled",
		statement.name,
	)
	assert frappe.db.get_value(COMPENSATION, claims[1], "workflow_state") == "Paid"
	assert frappe.db.get_value(COMPENSATION, claims[2], ["workflow_state", "payment_batch"]) == (
		"Approved",
		None,
	)
	statuses = dict(
		frappe.get_all(
			"Compensation Payment Line", {"parent": batch.name}, ["compensation", "status"], as_list=True
		)
	)
	assert statuses == {claims[0]: "Matched", claims[1]: "Amount mismatch", claims[2]: "Returned"}
	assert new_batch(world, lines=[{"compensation": claims[2]}]).name  # the returned one is payable again

	# the reconciliation report as the accountant: approved vs paid vs reconciled, and the exceptions
	rows = act(world.user("muni_accountant"), report.execute, {"partner": world.municipality})[1]
	batch_row = next(r for r in rows if r.get("payment_batch") == batch.name and r["kind"] == "batch")
	assert (batch_row["paid"], batch_row["reconciled"], batch_row["mismatched"], batch_row["returned"]) == (
		56.0 - meals.amount,
		first.amount,
		second.amount,
		meals.amount,
	)
	exceptions = [r for r in rows if r["kind"] == "exception"]
	assert sorted(r["status"] for r in exceptions) == ["Amount mismatch", "Returned", "Unmatched"]
	assert act(world.user("vet_accountant"), report.execute, {"partner": world.municipality})[1] == []
	assert not [r for r in act(world.user("a_accountant"), report.execute, {})[1] if r["kind"] != "partner"]


def test_statement_from_the_banks_csv_matches_by_iban_and_amount(world):
	batch, claims = paid_batch(world)
	first = next(r for r in batch.lines if r.compensation == claims[0])
	amount = f"{first.amount:.2f}".replace(".", ",")  # the bank writes decimal commas
	csv = (
		"Datums;Saņēmējs/Maksātājs;Konts;Informācija saņēmējam;Summa;Debets/Kredīts;Arhīva kods\n"
		f"{october(world, 27):%d.%m.%Y};Anna Bērziņa;{first.payee_iban};PuMPuRS;{amount};D;A-77\n"
	).encode()
	statement = upload(world, csv, "izraksts.csv")
	assert [line.match_status for line in statement.lines] == ["Matched"]
	assert statement.lines[0].end_to_end_of_line == first.end_to_end_id


@pytest.mark.parametrize(
	"content, name, message",
	[
		(
			b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>",
			"x.xml",
			"not an ISO 20022 camt.053",
		),
		(b"Date;Amount\n31.31.2026;abc\n", "x.csv", "Nothing was imported.*Row 2, column Date"),
		(b"\n\n", "x.csv", "empty"),
	],
)
def test_bad_statement_files_are_refused(world, content, name, message):
	before = frappe.db.count(STATEMENT)
	with pytest.raises(frappe.ValidationError, match=message):
		upload(world, content, name)
	assert frappe.db.count(STATEMENT) == before


HOSTILE_STATEMENTS = [
	(
		zip_bomb(["Datums", "Summa", "Saņēmējs"]),
		"izraksts.xlsx",
		r"^A sheet of the workbook declares its size as A1:XFD1048576, larger than is read \(at most 20030 rows",
		r"^Kāda darbgrāmatas lapa norāda savu izmēru A1:XFD1048576 — lielāku, nekā tiek nolasīts \(ne vairāk kā 20030",
	),
	(
		billion_laughs(
			camt053(SUPPLIER_IBAN, [("1.00", "&laugh;", SUPPLIER_IBAN, "2026-10-05", False, None)])
			.decode()
			.split("?>", 1)[1]
		),
		"izraksts.xml",
		r"^The bank statement declares a DTD or entities, which bank statements never do: it was not read\.$",
		r"^Bankas izrakstā ir DTD vai entītiju deklarācijas, kādu bankas izrakstos nekad nav: tas netika nolasīts\.$",
	),
	(
		b"Datums;Summa\n" + b"05.10.2026;-1,00\n" * (21 * 1024 * 1024 // 17),
		"izraksts.csv",
		r"^The file is 21 MB; at most 20 MB can be read\. Split it into several files\.$",
		r"^Faila izmērs ir 21 MB; var nolasīt ne vairāk kā 20 MB\. Sadaliet to vairākos failos\.$",
	),
]


@pytest.mark.parametrize(
	"content, name, message, latvian", HOSTILE_STATEMENTS, ids=["zip bomb", "entities", "size"]
)
def test_a_statement_that_would_exhaust_memory_is_refused_and_nothing_is_written(
	world, as_user, content, name, message, latvian
):
	before = frappe.db.count(STATEMENT), frappe.db.count("Compensation Bank Statement Line")
	with pytest.raises(frappe.ValidationError, match=message):
		upload(world, content, name)
	with (
		as_user(world.user("muni_accountant"), lang="lv"),
		pytest.raises(frappe.ValidationError, match=latvian),
	):
		upload(world, content, name)
	assert (frappe.db.count(STATEMENT), frappe.db.count("Compensation Bank Statement Line")) == before


def test_a_statement_is_uploaded_once_and_only_for_the_partners_account(world):
	content = camt053(
		frappe.db.get_value("Partner", world.municipality, "iban"),
		[("1.00", "X-1", SUPPLIER_IBAN, str(october(world, 2)), False, None)],
	)
	first = upload(world, content)
	with pytest.raises(frappe.DuplicateEntryError, match=first.name):
		upload(world, content)
	other = camt053(
		"LV80BANK0000435195001", [("1.00", "X-1", SUPPLIER_IBAN, str(october(world, 2)), False, None)]
	)
	with pytest.raises(frappe.ValidationError, match="not of"):
		upload(world, other)


def test_batches_and_statements_are_the_partners_own(world, api):
	batch = new_batch(world)
	frappe.db.commit()
	try:
		assert api(world.user("muni_accountant")).get(f"/api/resource/{BATCH}/{batch.name}").status == 200
		for outsider in ("a_accountant", "vet_accountant", "a_director"):
			assert api(world.user(outsider)).get(f"/api/resource/{BATCH}/{batch.name}").status == 403, (
				outsider
			)
	finally:
		frappe.delete_doc(BATCH, batch.name, force=True, ignore_permissions=True)
		frappe.db.commit()
