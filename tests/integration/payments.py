"""Helpers for payment tests: approved claims of the world's money learner in payment batches exported to a
SEPA file and paid, and the bank statements that come back — as the municipality's accountants."""

from pathlib import Path

import frappe
import sepaxml
import xmlschema

from tests.integration import files
from tests.integration.money import approve_claim, daily_tickets, make_claim, october
from tests.integration.plans import act

BATCH = "Compensation Payment Batch"
STATEMENT = "Compensation Bank Statement"
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}"
SUPPLIER_IBAN = "LV31UNLA0050000000002"


def approved_claims(world) -> list[str]:
	"""Three approved claims of the money learner: two to the guardian, one (meals) to a supplier."""
	first = make_claim(
		world, period=(october(world, 1), october(world, 10)), lines=daily_tickets(world, 1, 4)
	)  # 36 EUR
	second = make_claim(
		world, period=(october(world, 11), october(world, 20)), lines=daily_tickets(world, 11, 2, price=7.5)
	)  # 15
	meals = make_claim(
		world,
		kind="Meals",
		payee_kind="Supplier",
		payee_name="SIA Skolas ēdnīca",
		payee_iban=SUPPLIER_IBAN,
		lines=[{"line_date": october(world, 6), "quantity": 2, "description": "Pusdienas"}],
	)  # 5 EUR
	return [approve_claim(world, c.name).name for c in (first, second, meals)]


def new_batch(world, who="muni_accountant", per_iban=False, **values):
	batch = frappe.get_doc(
		{
			"doctype": BATCH,
			"partner": world.municipality,
			"execution_date": october(world, 25),
			"aggregate_per_iban": per_iban,
			**values,
		}
	)
	act(world.user(who), batch.insert)
	return frappe.get_doc(BATCH, batch.name)


def call(world, who: str, batch: str, method: str):
	doc = frappe.get_doc(BATCH, batch)
	result = act(world.user(who), getattr(doc, method))
	return frappe.get_doc(BATCH, batch), result


def file_content(url: str) -> bytes:
	with open(frappe.get_doc("File", {"file_url": url}).get_full_path(), "rb") as f:
		return f.read()


def pain001_schema() -> xmlschema.XMLSchema:
	return xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"))


def exported_batch(world, per_iban=False):
	claims = approved_claims(world)
	batch = new_batch(world, per_iban=per_iban)
	batch, added = call(world, "muni_accountant", batch.name, "get_compensations")
	assert added == 3
	batch, _files = call(world, "muni_accountant", batch.name, "export")
	return batch, claims


def camt053(account: str, entries: list[tuple]) -> bytes:
	"""A camt.053.001.02 statement; entries are (amount, e2e id, counterparty IBAN, booked, returned, reason)."""
	xml = []
	for i, (amount, e2e, iban, booked, returned, reason) in enumerate(entries, start=1):
		direction = "CRDT" if returned else "DBIT"
		rvsl = "<RvslInd>true</RvslInd>" if returned else ""
		rtr = f"<RtrInf><Rsn><Cd>{reason}</Cd></Rsn></RtrInf>" if returned else ""
		xml.append(
			f"""<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>{rvsl}<Sts>BOOK</Sts>
<BookgDt><Dt>{booked}</Dt></BookgDt><ValDt><Dt>{booked}</Dt></ValDt><AcctSvcrRef>ARH-{i}</AcctSvcrRef><BkTxCd/>
<NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>
<RltdPties><Cdtr><Nm>Saņēmējs</Nm></Cdtr><CdtrAcct><Id><IBAN>{iban}</IBAN></Id></CdtrAcct></RltdPties>{rtr}
</TxDtls></NtryDtls></Ntry>"""
		)
	return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-10-31T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-{len(entries)}-{entries[0][0]}</Id><CreDtTm>2026-10-31T06:00:00</CreDtTm><Acct><Id><IBAN>{account}</IBAN></Id></Acct>
{"".join(xml)}</Stmt></BkToCstmrStmt></Document>""".encode()


def upload(world, content: bytes, name: str = "izraksts.xml", who="muni_accountant"):
	url = files.upload(world.user(who), name, content)
	statement = frappe.get_doc({"doctype": STATEMENT, "partner": world.municipality, "statement_file": url})
	act(world.user(who), statement.insert)
	return frappe.get_doc(STATEMENT, statement.name)


def paid_batch(world):
	batch, claims = exported_batch(world)
	act(world.user("muni_accountant"), frappe.get_doc(BATCH, batch.name).submit)
	return frappe.get_doc(BATCH, batch.name), claims
