"""Bank statements: ISO 20022 camt.053 XML, or the bank's Excel/CSV export, read into transactions.

A statement is read and checked whole before anything is written: every bad row is collected and the file
refused with all of them (:class:`StatementErrors`), so an accountant never reconciles half a statement.

Each format has its reader: :mod:`.camt053` for ISO 20022 XML, :mod:`.bank_table` for the bank's Excel or CSV
export; :mod:`.model` holds what both read into.
"""

import codecs
import hashlib
import json
from dataclasses import asdict

from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.spreadsheets import OLE2, check_size
from pumpurs_app.rules.statements.bank_table import parse_bank_table
from pumpurs_app.rules.statements.camt053 import parse_camt053
from pumpurs_app.rules.statements.model import (
	CRDT,
	DBIT,
	LIMITS,
	MAX_TRANSACTIONS,
	ZIP,
	RowError,
	Statement,
	StatementErrors,
	Transaction,
	unsupported,
)

__all__ = [
	"CRDT",
	"DBIT",
	"LIMITS",
	"MAX_TRANSACTIONS",
	"RowError",
	"Statement",
	"StatementErrors",
	"Transaction",
	"fingerprint",
	"parse_bank_table",
	"parse_camt053",
	"parse_statement",
]


def parse_statement(content: bytes, filename: str) -> Statement:
	"""Read a camt.053 XML, an .xlsx or a CSV statement, recognised by its content rather than its name."""
	head = (content or b"").lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:8]
	if not head:
		raise RuleViolation("The file {filename} is empty.", filename=filename)
	check_size(content, LIMITS.max_bytes)
	if head.startswith(b"<"):
		return parse_camt053(content)
	if (
		head.startswith((ZIP, OLE2, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
		or b"\x00" not in content[:4096]
	):
		return parse_bank_table(content, filename)
	raise unsupported(filename)


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
