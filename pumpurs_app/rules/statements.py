"""Bank statements: ISO 20022 camt.053 XML, or the bank's Excel/CSV export, read into transactions.

A statement is read and checked whole before anything is written: every bad row is collected and the file
refused with all of them (:class:`StatementErrors`), so an accountant never reconciles half a statement.
"""

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.money import to_money
from pumpurs_app.rules.spreadsheets import (
	MB,
	WorkbookLimits,
	check_size,
	open_workbook,
	sheet_rows,
	too_many_rows,
)

DBIT = "DBIT"  # money leaving the account: a payment
CRDT = "CRDT"  # money coming in, e.g. a returned payment

_CAMT053 = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0[2-8]$")
_NAMESPACED = re.compile(r"^\{(.*)\}(.*)$")
_RETURN_SUBFAMILY = "RRTN"  # bank transaction code of a reversal due to a payment return
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_HEADER_SEARCH_ROWS = 30
# The programme's biggest partner pays about 5,000 lines a batch: a statement has room for four such batches.
# 20,000 camt.053 entries like those of tests/unit/samples are 15 MB and take some 150 MB to read; an Excel
# export of as many rows (banks write 10-20 columns) unpacks to about as much. 20 MB stays below frappe's
# default upload limit of 25 MB.
MAX_TRANSACTIONS = 20_000
LIMITS = WorkbookLimits(
	max_bytes=20 * MB,
	max_unzipped_bytes=64 * MB,
	max_rows=MAX_TRANSACTIONS + _HEADER_SEARCH_ROWS,
	max_columns=64,
)


@dataclass(frozen=True)
class Transaction:
	line: int  # 1-based position in the file: the row of a table, the n-th transaction of an XML statement
	booking_date: date
	amount: Decimal  # positive; the direction says which way
	direction: str  # DBIT or CRDT
	end_to_end_id: str | None
	counterparty_iban: str | None
	counterparty_name: str | None
	reference: str | None  # remittance information
	returned: bool
	return_reason: str | None
	bank_reference: str | None  # AcctSvcrRef or archive code: the bank's own ID of the booking


@dataclass(frozen=True)
class Statement:
	account_iban: str | None
	statement_id: str | None
	from_date: date | None
	to_date: date | None
	transactions: list[Transaction]


@dataclass(frozen=True)
class RowError:
	row: int
	column: str
	reason_template: str  # English template, key of its translation, like RuleViolation's message
	params: dict = field(default_factory=dict)

	@property
	def reason(self) -> str:
		return self.reason_template.format(**self.params)


class StatementErrors(RuleViolation):
	"""The statement has bad rows; ``errors`` lists every one of them."""

	def __init__(self, errors: list[RowError]) -> None:
		super().__init__(
			"Errors found in the bank statement: {count}. Nothing was imported.", count=len(errors)
		)
		self.errors = errors


# --- dispatch and duplicates -------------------------------------------------------------------------------


def parse_statement(content: bytes, filename: str) -> Statement:
	"""Read a camt.053 XML, an .xlsx or a CSV statement, recognised by its content rather than its name."""
	head = (content or b"").lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:8]
	if not head:
		raise RuleViolation("The file {filename} is empty.", filename=filename)
	check_size(content, LIMITS.max_bytes)
	if head.startswith(b"<"):
		return parse_camt053(content)
	if (
		head.startswith((_ZIP, _OLE2, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
		or b"\x00" not in content[:4096]
	):
		return parse_bank_table(content, filename)
	raise _unsupported(filename)


def fingerprint(statement: Statement) -> str:
	"""A sha256 of the account and its transactions, independent of their order in the file, to refuse a
	statement uploaded twice (also when the bank exported the same rows in another order)."""
	rows = []
	for transaction in statement.transactions:
		values = asdict(transaction)
		del values["line"]
		rows.append(json.dumps(values, default=str, sort_keys=True, ensure_ascii=False))
	payload = json.dumps([statement.account_iban, sorted(rows)], ensure_ascii=False)
	return hashlib.sha256(payload.encode()).hexdigest()


def _unsupported(filename: str) -> RuleViolation:
	return RuleViolation(
		"The file {filename} is neither a camt.053 XML statement nor an Excel (.xlsx) or CSV bank export.",
		filename=filename,
	)


# --- camt.053 ----------------------------------------------------------------------------------------------


def parse_camt053(content: bytes) -> Statement:
	"""Read an ISO 20022 camt.053 statement of any version from .001.02 to .001.08 (booked entries only).

	Statements never declare a DTD: one is refused, in whatever encoding, so no entity is expanded (a
	"billion laughs" of 3 KB is 3 million characters to the standard library's parser) and no external
	entity or DTD is looked up."""
	try:  # some banks put a line break before the XML declaration
		root = fromstring(content.lstrip(codecs.BOM_UTF8 + b" \t\r\n"), forbid_dtd=True)
	except DefusedXmlException:
		raise RuleViolation(
			"The bank statement declares a DTD or entities, which bank statements never do: it was not read."
		) from None
	except ParseError as error:
		line = error.position[0]
		raise RuleViolation("The XML of the bank statement is damaged near line {line}.", line=line) from None
	name = _NAMESPACED.match(root.tag)
	if not name or name[2] != "Document" or not _CAMT053.match(name[1]):
		raise RuleViolation("This file is not an ISO 20022 camt.053 bank statement.")
	xml = _Xml(name[1])
	statements = xml.all(root, "BkToCstmrStmt/Stmt")
	if not statements:
		raise RuleViolation("This file is not an ISO 20022 camt.053 bank statement.")
	accounts = sorted(
		{_compact(xml.text(stmt, "Acct/Id/IBAN", "Acct/Id/Othr/Id")) or "" for stmt in statements}
	)
	if len(accounts) > 1:
		raise RuleViolation(
			"The bank statement covers several accounts ({accounts}); upload one account at a time.",
			accounts=", ".join(accounts),
		)
	account = accounts[0] or None
	transactions: list[Transaction] = []
	errors: list[RowError] = []
	position = 0
	for stmt in statements:
		for entry in xml.all(stmt, "Ntry"):
			details = xml.all(entry, "NtryDtls/TxDtls") or [None]
			booked = (xml.text(entry, "Sts/Cd", "Sts") or "BOOK") == "BOOK"
			for index, detail in enumerate(details, start=1):
				position += 1
				if position > MAX_TRANSACTIONS:
					raise RuleViolation(
						"The bank statement has more than {limit} transactions; at most {limit} are read at once. Download statements of shorter periods from the bank.",
						limit=MAX_TRANSACTIONS,
					)
				if booked:
					found = _camt_transaction(
						xml, entry, detail, index, len(details), position, account, errors
					)
					transactions += [found] if found else []
	if errors:
		raise StatementErrors(errors)
	starts = [_xml_date(xml.text(stmt, "FrToDt/FrDtTm")) for stmt in statements]
	ends = [_xml_date(xml.text(stmt, "FrToDt/ToDtTm")) for stmt in statements]
	days = [transaction.booking_date for transaction in transactions]
	return Statement(
		account_iban=account,
		statement_id=", ".join(filter(None, (xml.text(stmt, "Id") for stmt in statements))) or None,
		from_date=min(starts) if None not in starts else min(days, default=None),
		to_date=max(ends) if None not in ends else max(days, default=None),
		transactions=transactions,
	)


class _Xml:
	"""Paths like ``Ntry/Amt`` in the statement's own namespace."""

	def __init__(self, namespace: str) -> None:
		self.namespace = namespace

	def _path(self, path: str) -> str:
		return "/".join(f"{{{self.namespace}}}{part}" for part in path.split("/"))

	def all(self, element, path: str) -> list:
		return element.findall(self._path(path))

	def first(self, element, *paths: str):
		for path in paths:
			found = element.find(self._path(path)) if element is not None else None
			if found is not None:
				return found
		return None

	def text(self, element, *paths: str) -> str | None:
		"""The first non-empty text among ``paths``."""
		for path in paths:
			if element is None:
				return None
			value = (element.findtext(self._path(path)) or "").strip()
			if value:
				return value
		return None


def _camt_transaction(xml, entry, detail, index, count, position, account, errors) -> Transaction | None:
	found: list[RowError] = []

	def fail(column: str, reason: str, **params) -> None:
		found.append(RowError(position, column, reason, params))

	amount_element = xml.first(detail, "Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt")
	if amount_element is None and count == 1:
		amount_element = xml.first(entry, "Amt")
	amount = None
	if amount_element is None:
		several = "The entry has several transactions but no amount for each."
		fail("Amt", several if count > 1 else "A value is required.")
	elif amount_element.get("Ccy", "EUR") != "EUR":
		fail("Amt", "Currency {currency} is not supported; only EUR is.", currency=amount_element.get("Ccy"))
	else:
		amount = _amount(amount_element.text or "", "Amt", fail)
	direction = xml.text(detail, "CdtDbtInd") or xml.text(entry, "CdtDbtInd")
	if direction not in (DBIT, CRDT):
		fail("CdtDbtInd", "{value} is neither debit (D) nor credit (K).", value=direction or "")
	raw_date = xml.text(entry, "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm")
	booking_date = _xml_date(raw_date)
	if booking_date is None:
		if raw_date:
			fail("BookgDt", "{value} is not a valid date.", value=raw_date)
		else:
			fail("BookgDt", "A value is required.")
	if found:
		errors.extend(found)
		return None
	return_info = xml.first(detail, "RtrInf")
	returned = (
		(xml.text(entry, "RvslInd") or "").lower() in ("true", "1")
		or return_info is not None
		or _RETURN_SUBFAMILY
		in (xml.text(element, "BkTxCd/Domn/Fmly/SubFmlyCd") for element in (detail, entry))
	)
	name, iban = _counterparty(xml, detail, direction, account)
	e2e = xml.text(detail, "Refs/EndToEndId")
	return Transaction(
		line=position,
		booking_date=booking_date,
		amount=amount,
		direction=direction,
		end_to_end_id=None if e2e in (None, "NOTPROVIDED") else e2e,
		counterparty_iban=iban,
		counterparty_name=name,
		reference=_reference(xml, entry, detail),
		returned=returned,
		return_reason=xml.text(return_info, "Rsn/Cd", "Rsn/Prtry", "AddtlInf"),
		bank_reference=_bank_reference(xml, entry, detail, index, count),
	)


def _amount(text: str, column: str, fail) -> Decimal | None:
	try:
		amount = to_money(text)
	except RuleViolation as error:
		fail(column, error.message, **error.params)
		return None
	if amount <= 0:
		fail(column, "The amount is zero." if not amount else "{value} is not a valid amount.", value=text)
		return None
	return amount


def _counterparty(xml, detail, direction, account) -> tuple[str | None, str | None]:
	"""The other party: the creditor of a payment, the debtor of an incoming sum, but never our account."""
	roles = ("Cdtr", "Dbtr") if direction == DBIT else ("Dbtr", "Cdtr")
	for role in roles:
		name = xml.text(detail, f"RltdPties/{role}/Nm", f"RltdPties/{role}/Pty/Nm")
		iban = _compact(xml.text(detail, f"RltdPties/{role}Acct/Id/IBAN"))
		if (name or iban) and not (iban and iban == account):
			return name, iban
	return None, None


def _reference(xml, entry, detail) -> str | None:
	parts = xml.all(detail, "RmtInf/Ustrd") if detail is not None else []
	unstructured = [(part.text or "").strip() for part in parts]
	return (
		" ".join(filter(None, unstructured))
		or xml.text(detail, "RmtInf/Strd/CdtrRefInf/Ref", "AddtlTxInf")
		or xml.text(entry, "AddtlNtryInf")
	)


def _bank_reference(xml, entry, detail, index, count) -> str | None:
	"""The transaction's own AcctSvcrRef, else the entry's, numbered when the entry holds several."""
	own = xml.text(detail, "Refs/AcctSvcrRef")
	if own:
		return own
	shared = xml.text(entry, "AcctSvcrRef", "NtryRef")
	return f"{shared}/{index}" if shared and count > 1 else shared


def _xml_date(value: str | None) -> date | None:
	try:
		return date.fromisoformat(value[:10]) if value else None
	except ValueError:
		return None


# --- Excel and CSV exports ---------------------------------------------------------------------------------

# recognised header names, compared without case and diacritics ("Kredīts" = "kredits")
_HEADERS = {
	"date": (
		"datums",
		"date",
		"booking date",
		"transaction date",
		"gramatosanas datums",
		"operacijas datums",
	),
	"amount": ("summa", "amount", "summa eur", "amount eur", "summa (eur)", "amount (eur)"),
	"debit": ("debets", "debet", "debit"),
	"credit": ("kredits", "credit"),
	"direction": ("d/k", "debets/kredits", "d/c", "debit/credit", "dk"),
	"name": (
		"sanemejs",
		"maksatajs",
		"sanemejs/maksatajs",
		"maksatajs/sanemejs",
		"beneficiary",
		"payer",
		"beneficiary/payer",
		"name",
		"counterparty",
	),
	"iban": ("konts", "iban", "account", "sanemeja konts", "maksataja konts", "counterparty account"),
	"reference": ("informacija sanemejam", "details", "reference", "maksajuma merkis", "payment details"),
	"e2e": ("endtoendid", "end-to-end id", "end to end id", "maksajuma id", "end-to-end reference"),
	"archive": ("arhiva kods", "bank reference", "archive code", "arhiva numurs"),
	"status": ("statuss", "status"),
	"return_reason": ("atgriesanas iemesls", "return reason"),
}
_MISSING_LABELS = {"date": "Datums / Date", "amount": "Summa / Amount"}
_RETURNED = ("atgriez", "return")  # "Atgriezts", "Returned"
_SUMMARY = (
	"kopa",
	"total",
	"atlikums",
	"balance",
	"apgrozijums",
	"turnover",
	"sakuma atlikums",
	"beigu atlikums",
)
_DIRECTIONS = {
	"d": DBIT,
	"debets": DBIT,
	"debit": DBIT,
	"dbit": DBIT,
	"dr": DBIT,
	"k": CRDT,
	"c": CRDT,
	"kredits": CRDT,
	"credit": CRDT,
	"crdt": CRDT,
	"cr": CRDT,
}
_EXCEL_SERIALS = (36526, 73050)  # date cells stored as numbers: 2000-01-01 .. 2099-12-31
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T].*)?$")
_YMD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")


def parse_bank_table(content: bytes, filename: str) -> Statement:
	"""Read the bank's .xlsx or CSV export; columns are found by their Latvian or English header."""
	if content.startswith(_OLE2):
		raise RuleViolation(
			"Old Excel files (.xls) are not supported; save {filename} as .xlsx or CSV.", filename=filename
		)
	try:
		rows = _xlsx_rows(content, filename) if content.startswith(_ZIP) else _csv_rows(content)
	except csv.Error:  # NUL bytes, a field longer than csv allows: not a bank export
		raise _unsupported(filename) from None
	if not any(_filled(row) for row in rows):
		raise RuleViolation("The file {filename} is empty.", filename=filename)
	header_row, columns = _find_header(rows)
	names = {key: str(rows[header_row][index]).strip() for key, index in columns.items()}
	transactions: list[Transaction] = []
	errors: list[RowError] = []
	for number, row in enumerate(rows[header_row + 1 :], start=header_row + 2):
		if not _filled(row) or _is_summary(row, columns["date"]):
			continue
		parsed = _Row(number, row, columns, names)
		found = parsed.transaction()
		errors += parsed.errors
		transactions += [found] if found else []
	if errors:
		raise StatementErrors(errors)
	days = [transaction.booking_date for transaction in transactions]
	return Statement(
		account_iban=None,
		statement_id=None,
		from_date=min(days, default=None),
		to_date=max(days, default=None),
		transactions=transactions,
	)


def _xlsx_rows(content: bytes, filename: str) -> list[tuple]:
	workbook = open_workbook(content, LIMITS, _unsupported(filename), data_only=True)
	try:
		return [tuple(row) for row in sheet_rows(workbook.worksheets[0], LIMITS, values_only=True)]
	finally:
		workbook.close()


def _csv_rows(content: bytes) -> list[list[str]]:
	"""Rows of a CSV in UTF-8 (with or without BOM), UTF-16 or Windows-1257; ``;``, ``,`` or tab separated."""
	if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
		text = content.decode("utf-16")
	else:
		try:
			text = content.decode("utf-8-sig")
		except UnicodeDecodeError:
			text = content.decode("cp1257", errors="replace")
	sample = "\n".join(text.splitlines()[:_HEADER_SEARCH_ROWS])
	delimiter = max((";", ",", "\t"), key=sample.count)  # on a tie the first: ";" as Latvian banks use
	rows = list(islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), LIMITS.max_rows + 1))
	if len(rows) > LIMITS.max_rows:
		raise too_many_rows(LIMITS.max_rows)
	return rows


def _norm(value) -> str:
	text = unicodedata.normalize("NFKD", str(value))
	text = "".join(char for char in text if not unicodedata.combining(char))
	return " ".join(text.casefold().split()).rstrip(":")


def _filled(row) -> bool:
	return any(_cell_text(cell) for cell in row)


def _is_summary(row, date_column: int) -> bool:
	"""A total or balance line that banks add below the transactions (it has no date)."""
	first = next(_norm(cell) for cell in row if _cell_text(cell))
	value = row[date_column] if date_column < len(row) else None
	text = _cell_text(value) or ""
	has_date = isinstance(value, date | int | float) or _DMY.match(text) or _YMD.match(text)
	return first.startswith(_SUMMARY) and not has_date


def _recognise(row) -> dict[str, int]:
	columns: dict[str, int] = {}
	for index, cell in enumerate(row):
		name = _norm(cell) if cell is not None else ""
		for key, aliases in _HEADERS.items():
			if name in aliases and key not in columns:
				columns[key] = index
	return columns


def _missing(columns: dict[str, int]) -> list[str]:
	missing = [] if "date" in columns else ["date"]
	if "amount" not in columns and not {"debit", "credit"} <= columns.keys():
		missing.append("amount")
	return missing


def _find_header(rows) -> tuple[int, dict[str, int]]:
	"""The first row that names the required columns (banks put account details above it)."""
	best = None
	for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
		columns = _recognise(row)
		if not _missing(columns):
			return index, columns
		if best is None or len(columns) > len(best):
			best = columns
	raise RuleViolation(
		"The bank statement has no column for {columns}.",
		columns=", ".join(_MISSING_LABELS[key] for key in _missing(best or {})),
	)


def _cell_text(value) -> str | None:
	if value is None:
		return None
	if isinstance(value, float):
		value = format(value, ".15g")
	elif isinstance(value, datetime | date):
		value = value.isoformat()
	return str(value).strip() or None


class _Row:
	"""One data row of a table; collects its errors under the column names the file uses."""

	def __init__(self, number: int, row, columns: dict[str, int], names: dict[str, str]) -> None:
		self.number, self.row, self.columns, self.names = number, row, columns, names
		self.errors: list[RowError] = []

	def cell(self, key: str):
		index = self.columns.get(key)
		return self.row[index] if index is not None and index < len(self.row) else None

	def text(self, key: str) -> str | None:
		return _cell_text(self.cell(key))

	def fail(self, key: str, reason: str, **params) -> None:
		self.errors.append(RowError(self.number, self.names[key], reason, params))

	def transaction(self) -> Transaction | None:
		booking_date = self.booking_date()
		amount, direction = self.amount()
		if self.errors:
			return None
		status = _norm(self.text("status") or "")
		return Transaction(
			line=self.number,
			booking_date=booking_date,
			amount=amount,
			direction=direction,
			end_to_end_id=self.text("e2e"),
			counterparty_iban=_compact(self.text("iban")),
			counterparty_name=self.text("name"),
			reference=self.text("reference"),
			returned=status.startswith(_RETURNED),
			return_reason=self.text("return_reason"),
			bank_reference=self.text("archive"),
		)

	def booking_date(self) -> date | None:
		value = self.cell("date")
		if isinstance(value, datetime):
			return value.date()
		if isinstance(value, date):
			return value
		if isinstance(value, int | float) and _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
			from openpyxl.utils.datetime import from_excel

			return from_excel(value).date()
		text = _cell_text(value)
		if not text:
			self.fail("date", "A value is required.")
			return None
		match = _DMY.match(text) or _YMD.match(text)
		try:
			if match:
				parts = [int(part) for part in match.groups()]
				return date(*parts) if match.re is _YMD else date(parts[2], parts[1], parts[0])
		except ValueError:
			pass
		self.fail("date", "{value} is not a valid date.", value=text)
		return None

	def money(self, key: str) -> Decimal | None:
		"""The signed amount in the column, ``None`` when empty or wrong (then with an error)."""
		value = self.cell(key)
		try:
			if isinstance(value, float):  # Excel shows 15 significant digits: so do we
				value = Decimal(format(value, ".15g"))
			elif not isinstance(value, int | Decimal):
				value = _cell_text(value)
				if value is None:
					return None
			return to_money(value)
		except RuleViolation as error:
			self.fail(key, error.message, **error.params)
			return None

	def amount(self) -> tuple[Decimal | None, str | None]:
		"""The positive amount and its direction: from a D/K column or the sign of a single amount column,
		or from separate debit and credit columns."""
		if "amount" not in self.columns:
			debit, credit = self.money("debit"), self.money("credit")
			if debit and credit:
				self.fail("credit", "Both the debit and the credit amount are filled in.")
			elif debit or credit:
				return abs(debit or credit), DBIT if debit else CRDT
			elif not self.errors:
				self.fail("debit", "Amount is required.")
			return None, None
		errors = len(self.errors)
		value = self.money("amount")
		if value is None:
			if len(self.errors) == errors:
				self.fail("amount", "Amount is required.")
			return None, None
		if not value:
			self.fail("amount", "The amount is zero.")
		raw = self.text("direction")
		direction = _DIRECTIONS.get(_norm(raw)) if raw else (DBIT if value < 0 else CRDT)
		if direction is None:
			self.fail("direction", "{value} is neither debit (D) nor credit (K).", value=raw)
		return abs(value), direction


def _compact(value: str | None) -> str | None:
	return ("".join(value.split()).upper() or None) if value else None
