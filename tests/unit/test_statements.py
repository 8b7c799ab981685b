import io
import re
import xml.etree.ElementTree as ElementTree
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules.spreadsheets import MB
from pumpurs_app.rules.statements import (
	CRDT,
	DBIT,
	LIMITS,
	MAX_TRANSACTIONS,
	RowError,
	StatementErrors,
	fingerprint,
	parse_bank_table,
	parse_camt053,
	parse_statement,
)
from tests.unit.hostile_files import billion_laughs, external_entity, padded_sheet, peak_while, zip_bomb

D = Decimal
SAMPLES = Path(__file__).parent / "samples"
SCHOOL = "LV80BANK0000435195001"
JANIS = "LV44HABA0551000000001"
ANNA = "LV31UNLA0050000000002"
NOT_CAMT = "This file is not an ISO 20022 camt.053 bank statement."
NO_DTD = "The bank statement declares a DTD or entities, which bank statements never do: it was not read."


def errors_found(count: int) -> str:
	"""The message of a statement refused for ``count`` bad rows (each named in the exception's errors)."""
	return rf"^Errors found in the bank statement: {count}\. Nothing was imported\.$"


def sample(name: str) -> bytes:
	return (SAMPLES / name).read_bytes()


def camt08(*entries: str, account: str = SCHOOL) -> bytes:
	"""A camt.053.001.08 statement (the newer layout: Sts/Cd, Pty/Nm, amounts in TxDtls)."""
	return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
<BkToCstmrStmt><GrpHdr><MsgId>M-8</MsgId><CreDtTm>2026-10-10T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-8</Id><Acct><Id><IBAN>{account}</IBAN></Id></Acct>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Dt><Dt>2026-10-09</Dt></Dt></Bal>
{"".join(entries)}
</Stmt></BkToCstmrStmt></Document>""".encode()


def entry08(
	amount: str,
	direction: str = DBIT,
	booked: str = "2026-10-06",
	e2e: str = "KPB-2026-00007-0001",
	reversal: bool = False,
	return_code: str | None = None,
	status: str = "BOOK",
	currency: str = "EUR",
	ref: str = "ARH-1",
) -> str:
	reversal_xml = "<RvslInd>true</RvslInd>" if reversal else ""
	return_xml = f"<RtrInf><Rsn><Cd>{return_code}</Cd></Rsn></RtrInf>" if return_code else ""
	return f"""<Ntry><Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>{reversal_xml}
<Sts><Cd>{status}</Cd></Sts><BookgDt><Dt>{booked}</Dt></BookgDt><AcctSvcrRef>{ref}</AcctSvcrRef><BkTxCd/>
<NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>
<Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>
<RltdPties><Dbtr><Pty><Nm>Jelgavas 4. sakumskola</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>{SCHOOL}</IBAN></Id></DbtrAcct>
<Cdtr><Pty><Nm>Anna Liepa</Nm></Pty></Cdtr><CdtrAcct><Id><IBAN>{ANNA}</IBAN></Id></CdtrAcct></RltdPties>
<RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>{return_xml}
</TxDtls></NtryDtls></Ntry>"""


# --- camt.053 ---


def test_camt053_v02_sample():
	statement = parse_statement(sample("camt053_v02.xml"), "izraksts.xml")
	assert statement.account_iban == SCHOOL
	assert statement.statement_id == "2026-10-10-LV80BANK0000435195001"
	assert (statement.from_date, statement.to_date) == (date(2026, 10, 5), date(2026, 10, 9))
	rows = [
		(t.line, t.direction, t.amount, t.end_to_end_id, t.counterparty_iban, t.returned, t.bank_reference)
		for t in statement.transactions
	]
	assert rows == [
		(1, DBIT, D("12.50"), "KPB-2026-00003-0001", JANIS, False, "2026100500001"),
		(2, DBIT, D("30.00"), "KPB-2026-00003-0002", ANNA, False, "2026100500002"),
		# one booking of two payments: one transaction each, amounts from TxAmt and InstdAmt
		(3, DBIT, D("15.00"), "KPB-2026-00003-0003", "LV08RIKO0002930000003", False, "2026100600007/1"),
		(4, DBIT, D("25.00"), None, ANNA, False, "2026100600007/2"),  # NOTPROVIDED is no ID
		(5, DBIT, D("99.99"), None, "LV97HABA0012345678910", False, "2026100600011"),
		# the return names the payee as debtor; our own account is never the counterparty
		(6, CRDT, D("12.50"), "KPB-2026-00003-0001", JANIS, True, "2026100900003"),
		(7, CRDT, D("1000.00"), None, "LV25NDEA0000000000005", False, "2026100700021"),
	]  # the pending 7.20 entry is left out: it is not booked yet
	first, returned = statement.transactions[0], statement.transactions[5]
	assert first.booking_date == date(2026, 10, 5)
	assert first.counterparty_name == "Jānis Bērziņš"
	assert first.reference == "PuMPuRS kompensacija KMP-2026-00012"
	assert statement.transactions[3].reference == "PuMPuRS kompensacija KMP-2026-00015"  # two Ustrd joined
	assert (returned.returned, returned.return_reason) == (True, "AC04")
	assert all(isinstance(t.amount, Decimal) for t in statement.transactions)


def test_bom_and_a_line_break_before_the_xml_declaration_are_accepted():
	content = b"\xef\xbb\xbf\r\n" + sample("camt053_v02.xml")
	assert len(parse_statement(content, "izraksts.xml").transactions) == 7


def test_camt053_v08_layout_reversal_and_return():
	content = camt08(
		entry08("12.50"),
		entry08("12.50", CRDT, "2026-10-08", reversal=True, ref="ARH-2"),
		entry08("7.00", CRDT, "2026-10-09", e2e="KPB-2026-00007-0002", return_code="MS03", ref="ARH-3"),
		entry08("3.00", status="PDNG", ref="ARH-4"),
	)
	statement = parse_camt053(content)
	paid, reversed_, returned = statement.transactions
	assert (paid.amount, paid.direction, paid.counterparty_name, paid.counterparty_iban) == (
		D("12.50"),
		DBIT,
		"Anna Liepa",
		ANNA,
	)
	assert paid.reference == "RF18539007547034" and not paid.returned
	assert (reversed_.returned, reversed_.return_reason, reversed_.counterparty_iban) == (True, None, ANNA)
	assert (returned.returned, returned.return_reason, returned.line) == (True, "MS03", 3)
	assert (statement.from_date, statement.to_date) == (date(2026, 10, 6), date(2026, 10, 9))  # no FrToDt
	assert statement.statement_id == "S-8"


def test_every_camt_version_from_02_to_08_is_read():
	for version in range(2, 9):
		content = camt08(entry08("1.00")).replace(b"camt.053.001.08", f"camt.053.001.0{version}".encode())
		assert parse_statement(content, "x.xml").transactions[0].amount == D("1.00")


def test_a_statement_without_entries_is_empty_not_an_error():
	statement = parse_camt053(camt08())
	assert statement.transactions == [] and statement.from_date is None


@pytest.mark.parametrize(
	"content",
	[
		b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>',
		b"<html><body>Izraksts</body></html>",
		b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn/></Document>',
		b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>',
	],
)
def test_foreign_xml_is_refused(content):
	with pytest.raises(RuleViolation, match=re.escape(NOT_CAMT)) as error:
		parse_statement(content, "x.xml")
	assert error.value.message == NOT_CAMT


def test_a_real_pain001_file_is_refused():
	from pumpurs_app.rules.sepa import PaymentLine, build_pain001

	pain = build_pain001(
		"Skola",
		SCHOOL,
		None,
		"KPB-1",
		date(2026, 10, 5),
		[PaymentLine("K-1", "Anna", ANNA, None, D("1.00"), "x")],
	)
	with pytest.raises(RuleViolation, match="not an ISO 20022 camt.053"):
		parse_statement(pain, "maksajumi.xml")


def test_truncated_xml_is_refused_with_its_line():
	content = sample("camt053_v02.xml")[:2000]
	with pytest.raises(RuleViolation, match="damaged near line") as error:
		parse_statement(content, "izraksts.xml")
	assert error.value.params["line"] > 1


def test_bad_camt_entries_are_all_reported():
	content = camt08(
		entry08("12.505"),
		entry08("5.00", currency="USD"),
		entry08("0.00"),
		entry08("1.00", booked="2026-13-01"),
	)
	with pytest.raises(StatementErrors, match=errors_found(4)) as error:
		parse_camt053(content)
	reasons = [(e.row, e.column, e.reason) for e in error.value.errors]
	assert reasons == [
		(1, "Amt", "Amount 12.505 has more than two decimals."),
		(2, "Amt", "Currency USD is not supported; only EUR is."),
		(3, "Amt", "The amount is zero."),
		(4, "BookgDt", "2026-13-01 is not a valid date."),
	]
	assert error.value.params == {"count": 4}


def test_a_batch_entry_without_amounts_per_transaction_is_refused():
	content = sample("camt053_v02.xml").replace(
		b'<AmtDtls><TxAmt><Amt Ccy="EUR">15.00</Amt></TxAmt></AmtDtls>', b""
	)
	with pytest.raises(StatementErrors, match=errors_found(1)) as error:
		parse_camt053(content)
	assert [(e.row, e.reason) for e in error.value.errors] == [
		(3, "The entry has several transactions but no amount for each.")
	]


def test_statements_of_two_accounts_are_refused():
	one, other = camt08(entry08("1.00")), camt08(entry08("2.00"), account=ANNA)
	stmt = other[other.index(b"<Stmt>") : other.index(b"</Stmt>") + 7]
	both = one.replace(b"</Stmt>", b"</Stmt>" + stmt, 1)
	with pytest.raises(RuleViolation, match="several accounts"):
		parse_camt053(both)


# --- Excel and CSV ---

LATVIAN_CSV = """\ufeffKonta izraksts;LV80BANK0000435195001
Periods;01.10.2026 - 09.10.2026

Datums;Saņēmējs/Maksātājs;Konts;Informācija saņēmējam;Summa;D/K;Arhīva kods;Maksājuma ID;Statuss
05.10.2026;Jānis Bērziņš;LV44 HABA 0551 0000 0000 1;PuMPuRS kompensācija;12,50;D;2026100500001;KPB-2026-00003-0001;
06.10.2026;Anna Liepa;LV31UNLA0050000000002;"Biļetes; oktobris";1 025,00;D;2026100600002;;
09.10.2026;Jānis Bērziņš;LV44HABA0551000000001;Atgriezts maksājums;12,50;K;2026100900003;KPB-2026-00003-0001;Atgriezts
;;;;;;;;
Kopā apgrozījums;;;;1050,00;;;;
"""


def test_latvian_csv_export():
	statement = parse_statement(LATVIAN_CSV.encode("utf-8"), "izraksts.csv")
	first, second, returned = statement.transactions
	assert (first.line, first.booking_date, first.amount, first.direction) == (
		5,
		date(2026, 10, 5),
		D("12.50"),
		DBIT,
	)
	assert (first.counterparty_iban, first.counterparty_name) == (JANIS, "Jānis Bērziņš")
	assert (first.end_to_end_id, first.bank_reference) == ("KPB-2026-00003-0001", "2026100500001")
	assert (second.amount, second.reference, second.end_to_end_id) == (
		D("1025.00"),
		"Biļetes; oktobris",
		None,
	)
	assert (returned.direction, returned.returned) == (CRDT, True)
	assert (statement.from_date, statement.to_date, statement.account_iban) == (
		date(2026, 10, 5),
		date(2026, 10, 9),
		None,
	)


def test_english_csv_with_commas_and_signed_amounts():
	content = (
		b"Date,Beneficiary,IBAN,Details,Amount,Archive code,End-to-end ID,Status\r\n"
		b'2026-10-05,Anna Liepa,LV31UNLA0050000000002,"Tickets, October",-12.50,A1,KPB-1,\r\n'
		b'2026-10-06,Municipality,LV25NDEA0000000000005,Funding,"1,000.00",A2,,\r\n'
		b"2026-10-07,Anna Liepa,LV31UNLA0050000000002,Return,12.50,A3,KPB-1,Returned\r\n"
	)
	statement = parse_bank_table(content, "statement.csv")
	assert [(t.line, t.direction, t.amount, t.returned) for t in statement.transactions] == [
		(2, DBIT, D("12.50"), False),
		(3, CRDT, D("1000.00"), False),
		(4, CRDT, D("12.50"), True),
	]
	assert statement.transactions[0].reference == "Tickets, October"


def test_windows_1257_and_utf16_csv_are_read():
	text = "Datums;Summa;Saņēmējs\n05.10.2026;-1,00;Bērziņš\n"
	for encoding in ("cp1257", "utf-16"):
		statement = parse_statement(text.encode(encoding), "x.csv")
		assert statement.transactions[0].counterparty_name == "Bērziņš"


def xlsx(rows: list[list]) -> bytes:
	workbook = Workbook()
	sheet = workbook.active
	for row in rows:
		sheet.append(row)
	buffer = io.BytesIO()
	workbook.save(buffer)
	return buffer.getvalue()


def test_xlsx_export_with_excel_dates_and_debit_credit_columns():
	content = xlsx(
		[
			["Konta pārskats"],
			["Datums", "Maksātājs", "IBAN", "Debets", "Kredīts", "Details", "Bank reference", "EndToEndId"],
			[datetime(2026, 10, 5), "Jānis", JANIS, 12.5, None, "Komp.", 2026100500001, "KPB-1"],
			[46301, "Anna", ANNA, 0, 1234.56, "Atgriezts", "B2", None],  # a date cell stored as a number
			["07.10.2026", "Anna", ANNA, "0,10", "", "x", "B3", None],
			[None, None, None, None, None],
			["Total", None, None, 12.6, 1234.56],
		]
	)
	statement = parse_statement(content, "izraksts.xlsx")
	assert [(t.line, t.booking_date, t.direction, t.amount) for t in statement.transactions] == [
		(3, date(2026, 10, 5), DBIT, D("12.50")),
		(4, date(2026, 10, 6), CRDT, D("1234.56")),
		(5, date(2026, 10, 7), DBIT, D("0.10")),
	]
	assert statement.transactions[0].bank_reference == "2026100500001"
	assert statement.transactions[0].end_to_end_id == "KPB-1"


def test_float_noise_of_a_spreadsheet_is_not_a_third_decimal():
	content = xlsx([["Date", "Amount"], [date(2026, 10, 5), 0.1 + 0.2], [date(2026, 10, 5), 1.005]])
	with pytest.raises(StatementErrors, match=errors_found(1)) as error:
		parse_bank_table(content, "x.xlsx")
	assert [(e.row, e.reason) for e in error.value.errors] == [
		(3, "Amount 1.005 has more than two decimals.")
	]


def test_missing_columns_are_named():
	with pytest.raises(RuleViolation, match="no column for Datums / Date, Summa / Amount") as error:
		parse_bank_table("Nosaukums;Vērtība\nA;1\n".encode(), "x.csv")
	assert error.value.message == "The bank statement has no column for {columns}."
	assert error.value.params["columns"] == "Datums / Date, Summa / Amount"
	with pytest.raises(RuleViolation, match="no column for Summa / Amount"):
		parse_bank_table(xlsx([["Datums", "Debets"], ["05.10.2026", 1]]), "x.xlsx")


def test_all_bad_rows_are_reported_and_nothing_is_returned():
	content = (
		"Datums;Summa;D/K;Saņēmējs\n"
		"05.10.2026;12,50;D;Anna\n"
		"31.02.2026;12,50;D;Anna\n"
		"2026/10/05;abc;D;Anna\n"
		";12,345;X;Anna\n"
		"06.10.2026;0,00;D;Anna\n"
		"06.10.2026;;D;Anna\n"
	).encode()
	with pytest.raises(StatementErrors, match=errors_found(7)) as error:
		parse_statement(content, "izraksts.csv")
	assert error.value.errors == [
		RowError(3, "Datums", "{value} is not a valid date.", {"value": "31.02.2026"}),
		RowError(4, "Datums", "{value} is not a valid date.", {"value": "2026/10/05"}),
		RowError(4, "Summa", "{value} is not a valid amount.", {"value": "abc"}),
		RowError(5, "Datums", "A value is required."),
		RowError(5, "Summa", "Amount {value} has more than two decimals.", {"value": "12,345"}),
		RowError(6, "Summa", "The amount is zero."),
		RowError(7, "Summa", "Amount is required."),
	]
	assert str(error.value) == "Errors found in the bank statement: 7. Nothing was imported."
	assert isinstance(error.value, RuleViolation)


def test_unknown_direction_and_both_debit_and_credit():
	with pytest.raises(StatementErrors, match=errors_found(1)) as error:
		parse_bank_table(b"Datums;Summa;D/K\n05.10.2026;1,00;X\n", "x.csv")
	assert error.value.errors[0].reason == "X is neither debit (D) nor credit (K)."
	with pytest.raises(StatementErrors, match=errors_found(1)) as error:
		parse_bank_table(xlsx([["Date", "Debit", "Credit"], ["2026-10-05", 1, 2]]), "x.xlsx")
	assert error.value.errors[0] == RowError(
		2, "Credit", "Both the debit and the credit amount are filled in."
	)


@pytest.mark.parametrize("content", [b"", b"   \r\n", b"\xef\xbb\xbf"])
def test_empty_files_are_refused(content):
	with pytest.raises(RuleViolation, match="The file izraksts.csv is empty."):
		parse_statement(content, "izraksts.csv")


def test_other_files_are_refused_clearly():
	with pytest.raises(RuleViolation, match="Old Excel files"):
		parse_statement(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "izraksts.xls")
	with pytest.raises(RuleViolation, match="neither a camt.053 XML statement nor"):
		parse_statement(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "bilde.png")
	with pytest.raises(RuleViolation, match="neither a camt.053 XML statement nor"):
		parse_statement(b"PK\x03\x04 not really a zip", "izraksts.xlsx")


# --- duplicates ---


def test_fingerprint_is_stable_and_ignores_row_order():
	content = LATVIAN_CSV.encode()
	first = fingerprint(parse_statement(content, "a.csv"))
	assert first == fingerprint(parse_statement(content, "b.csv"))
	assert len(first) == 64
	lines = LATVIAN_CSV.splitlines()
	reordered = "\n".join(lines[:4] + [lines[5], lines[4]] + lines[6:]).encode()
	assert fingerprint(parse_statement(reordered, "c.csv")) == first
	changed = LATVIAN_CSV.replace("12,50;D", "12,51;D").encode()
	assert fingerprint(parse_statement(changed, "d.csv")) != first
	camt = parse_statement(sample("camt053_v02.xml"), "x.xml")
	assert fingerprint(camt) == fingerprint(parse_statement(sample("camt053_v02.xml"), "y.xml")) != first


# --- uploads that would exhaust memory ---


def camt_document(*entries: str) -> str:
	"""A camt.053 statement without its XML declaration, for a DTD to go in front of it."""
	return camt08(*entries).decode().split("?>", 1)[1]


def test_the_zip_bomb_of_a_few_kilobytes_is_refused_unread():
	content = zip_bomb(["Datums", "Summa", "Saņēmējs"])
	assert len(content) < 10_000
	raised, peak = peak_while(lambda: parse_statement(content, "izraksts.xlsx"))
	assert str(raised).startswith(
		"A sheet of the workbook declares its size as A1:XFD1048576, larger than is read (at most 20030 rows"
	)
	assert peak < 5  # reading it took 200 MB


def test_a_sheet_that_declares_too_small_a_size_is_still_read_whole():
	content = padded_sheet(xlsx([["Datums", "Summa"], ["05.10.2026", "-1,00"]]), "A1:A1", "")
	assert [t.amount for t in parse_statement(content, "izraksts.xlsx").transactions] == [D("1.00")]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-8"])
def test_entities_of_a_camt053_are_never_expanded(encoding):
	content = billion_laughs(camt_document(entry08("1.00", ref="&laugh;")), encoding=encoding)
	# the standard library's parser expands it: 3 million characters out of a few hundred bytes
	expanded = ElementTree.fromstring(content).find(".//{*}AcctSvcrRef").text
	assert len(content) < 3000 and len(expanded) == 3_000_000
	for bomb in (content, billion_laughs(camt_document(entry08("1.00", ref="&laugh;")), 9, encoding)):
		raised, peak = peak_while(lambda bomb=bomb: parse_statement(bomb, "izraksts.xml"))
		assert isinstance(raised, RuleViolation) and raised.message == NO_DTD
		assert peak < 1


def test_external_entities_and_dtds_of_a_camt053_are_never_fetched(tmp_path):
	secret = tmp_path / "secret.txt"
	secret.write_text("PAROLE-42")
	with_entity = camt_document(entry08("1.00", ref="&xxe;"))
	external_dtd = f'<?xml version="1.0"?><!DOCTYPE Document SYSTEM "{secret.as_uri()}">'
	for content in (
		external_entity(with_entity, secret.as_uri()),
		external_entity(with_entity, secret.as_uri(), encoding="utf-8"),
		(external_dtd + camt_document(entry08("1.00"))).encode(),
	):
		with pytest.raises(RuleViolation, match=re.escape(NO_DTD)) as error:
			parse_statement(content, "izraksts.xml")
		assert error.value.message == NO_DTD and "PAROLE" not in str(error.value)


def test_a_camt053_of_more_transactions_than_are_read_is_refused():
	details = '<TxDtls><Amt Ccy="EUR">1.00</Amt></TxDtls>' * (MAX_TRANSACTIONS + 1)
	entry = f"""<Ntry><Amt Ccy="EUR">20001.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-10-06</Dt></BookgDt>
<NtryDtls>{details}</NtryDtls></Ntry>"""
	with pytest.raises(RuleViolation, match=r"^The bank statement has more than 20000 transactions; at most"):
		parse_statement(camt08(entry), "izraksts.xml")


def test_an_oversized_csv_is_refused_before_it_is_read():
	row = "05.10.2026;-1,00\n"
	content = ("Datums;Summa\n" + row * (21 * MB // len(row))).encode()
	raised, peak = peak_while(lambda: parse_statement(content, "izraksts.csv"))
	assert str(raised) == "The file is 21 MB; at most 20 MB can be read. Split it into several files."
	assert peak < 1


def test_a_csv_of_more_rows_than_are_read_is_refused():
	content = ("Datums;Summa\n" + "05.10.2026;-1,00\n" * LIMITS.max_rows).encode()
	with pytest.raises(RuleViolation, match=r"^The file has more than 20030 rows; at most 20030 are read\."):
		parse_statement(content, "izraksts.csv")
	one_less = ("Datums;Summa\n" + "05.10.2026;-1,00\n" * (LIMITS.max_rows - 1)).encode()
	assert len(parse_statement(one_less, "izraksts.csv").transactions) == LIMITS.max_rows - 1
