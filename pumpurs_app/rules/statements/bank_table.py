"""The bank's Excel (.xlsx) or CSV export of an account's transactions: columns found by their Latvian or
English headers, wherever the header row is."""

import codecs
import csv
import io
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from pumpurs_app.rules import dates
from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.money import to_money
from pumpurs_app.rules.spreadsheets import OLE2, open_workbook, sheet_rows, too_many_rows
from pumpurs_app.rules.statements.model import (
	CRDT,
	DBIT,
	HEADER_SEARCH_ROWS,
	LIMITS,
	ZIP,
	RowError,
	Statement,
	StatementErrors,
	Transaction,
	compact,
	unsupported,
)

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


def parse_bank_table(content: bytes, filename: str) -> Statement:
	"""Read the bank's .xlsx or CSV export; columns are found by their Latvian or English header."""
	if content.startswith(OLE2):
		raise RuleViolation(
			"Old Excel files (.xls) are not supported; save {filename} as .xlsx or CSV.", filename=filename
		)
	try:
		rows = _xlsx_rows(content, filename) if content.startswith(ZIP) else _csv_rows(content)
	except csv.Error:  # NUL bytes, a field longer than csv allows: not a bank export
		raise unsupported(filename) from None
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
	workbook = open_workbook(content, LIMITS, unsupported(filename), data_only=True)
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
	sample = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
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
	has_date = isinstance(value, date | int | float) or dates.looks_like_date(text, with_time=True)
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
	for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
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
			counterparty_iban=compact(self.text("iban")),
			counterparty_name=self.text("name"),
			reference=self.text("reference"),
			returned=status.startswith(_RETURNED),
			return_reason=self.text("return_reason"),
			bank_reference=self.text("archive"),
		)

	def booking_date(self) -> date | None:
		value = self.cell("date")
		day = dates.cell_date(value)
		if day is not None:
			return day
		if isinstance(value, int | float) and _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
			from openpyxl.utils.datetime import from_excel

			return from_excel(value).date()
		text = _cell_text(value)
		if not text:
			self.fail("date", "A value is required.")
			return None
		day = dates.parse_date(text, with_time=True)
		if day is None:
			self.fail("date", "{value} is not a valid date.", value=text)
		return day

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
