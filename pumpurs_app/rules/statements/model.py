"""What a bank statement is read into, whichever format it came in, and the limits of what is read."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.spreadsheets import MB, WorkbookLimits

DBIT = "DBIT"  # money leaving the account: a payment
CRDT = "CRDT"  # money coming in, e.g. a returned payment
ZIP = b"PK\x03\x04"  # an .xlsx (a zip archive)
HEADER_SEARCH_ROWS = 30  # a bank table's header row is one of its first rows
# The programme's biggest partner pays about 5,000 lines a batch: a statement has room for four such batches.
# 20,000 camt.053 entries like those of tests/unit/samples are 15 MB and take some 150 MB to read; an Excel
# export of as many rows (banks write 10-20 columns) unpacks to about as much. 20 MB stays below frappe's
# default upload limit of 25 MB.
MAX_TRANSACTIONS = 20_000
LIMITS = WorkbookLimits(
	max_bytes=20 * MB,
	max_unzipped_bytes=64 * MB,
	max_rows=MAX_TRANSACTIONS + HEADER_SEARCH_ROWS,
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


def unsupported(filename: str) -> RuleViolation:
	return RuleViolation(
		"The file {filename} is neither a camt.053 XML statement nor an Excel (.xlsx) or CSV bank export.",
		filename=filename,
	)


def compact(value: str | None) -> str | None:
	return ("".join(value.split()).upper() or None) if value else None
