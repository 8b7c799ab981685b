"""ISO 20022 camt.053 bank statements (XML), versions .001.02 to .001.08."""

import codecs
import re
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.money import to_money
from pumpurs_app.rules.statements.model import (
	CRDT,
	DBIT,
	MAX_TRANSACTIONS,
	RowError,
	Statement,
	StatementErrors,
	Transaction,
	compact,
)

_CAMT053 = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0[2-8]$")
_NAMESPACED = re.compile(r"^\{(.*)\}(.*)$")
_RETURN_SUBFAMILY = "RRTN"  # bank transaction code of a reversal due to a payment return


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
		{compact(xml.text(stmt, "Acct/Id/IBAN", "Acct/Id/Othr/Id")) or "" for stmt in statements}
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
		iban = compact(xml.text(detail, f"RltdPties/{role}Acct/Id/IBAN"))
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
