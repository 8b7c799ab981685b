"""SEPA credit transfer files (ISO 20022 pain.001.001.03) for paying compensations.

The file is built by the ``sepaxml`` library and validated against the XSD it ships. Texts are reduced to
the SEPA basic Latin character set that every bank accepts (``Bērziņš`` -> ``Berzins``), and a remittance
text never carries a personal code: it travels through the payee's bank and shows on their statement.
"""

import hashlib
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from xml.etree.ElementTree import SubElement

import sepaxml
from lxml import etree
from sepaxml import SepaTransfer
from text_unidecode import unidecode

from pumpurs_app.rules import personal_code
from pumpurs_app.rules.bank import normalize_bic, normalize_iban
from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.money import check_positive, money_sum, to_cents

SCHEMA = "pain.001.001.03"
REMITTANCE_LIMIT = 140
NAME_LIMIT = 70
ID_LIMIT = 35
ELLIPSIS = "…"

# old DDMMYY-CNNNN (also written without the hyphen) and new 32xxxx-xxxxx personal codes; the hyphen may be
# a space or what a word processor makes of it (an en dash, a non-breaking hyphen, a minus sign), and the
# digits may be of any script (full-width ones become ASCII digits in the file); the first digit is 0..3
_SPACE_BEFORE_PUNCTUATION = re.compile(r" ([,;.:])")
_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{1,35}$")
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


@dataclass(frozen=True)
class PaymentLine:
	key: str  # the batch line, e.g. "KPB-2026-00003-0001"
	payee_name: str
	iban: str
	bic: str | None
	amount: Decimal
	remittance: str


def strip_personal_codes(text: str) -> str:
	"""``text`` without anything that looks like a Latvian personal code, spaces tidied; again until none is
	left, as the numbers on either side of a removed code may close up into one."""
	stripped, previous = text or "", None
	while stripped != previous:
		previous = stripped
		stripped = " ".join(personal_code.IN_TEXT.sub(_drop_code, stripped).split())
		stripped = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", stripped)
	return stripped


def _drop_code(found: re.Match) -> str:
	return " " if personal_code.looks_like_code(found.group()) else found.group()


def remittance_text(parts: Iterable[str], limit: int = REMITTANCE_LIMIT) -> str:
	"""The distinct parts without personal codes, joined by ``; `` and cut to ``limit`` characters with an
	ending ``…`` (counted as the bank will see the text, transliterated)."""
	seen: list[str] = []
	for part in parts:
		clean = strip_personal_codes(part).strip(" ;")
		if clean and clean not in seen:
			seen.append(clean)
	return _shorten("; ".join(seen), limit)


def _shorten(text: str, limit: int) -> str:
	if len(unidecode(text)) <= limit:
		return text
	cut = min(len(text), limit)  # Latin and Latvian letters stay one letter each when transliterated
	while cut and len(unidecode(text[:cut].rstrip(" ;,") + ELLIPSIS)) > limit:
		cut -= 1
	return text[:cut].rstrip(" ;,") + ELLIPSIS


def sepa_text(text: str, limit: int) -> str:
	"""``text`` in the SEPA basic Latin set, at most ``limit`` characters."""
	latin = " ".join(_NOT_SEPA.sub(" ", unidecode(text or "").replace(";", ",")).split())
	latin = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", latin)
	if len(latin) > limit:
		latin = latin[: limit - 3].rstrip() + "..."
	return latin


def file_remittance(text: str) -> str:
	"""The remittance as the payment file carries it: without personal codes, in the SEPA character set, at
	most 140 characters. Codes are stripped again after transliteration, which can make a code of what did
	not look like one (``161175*19997`` becomes ``161175 19997``, superscript digits become digits)."""
	latin = sepa_text(strip_personal_codes(text), sys.maxsize)
	return sepa_text(strip_personal_codes(latin), REMITTANCE_LIMIT)


def end_to_end_id(key: str) -> str:
	"""The end-to-end ID of a batch line: the key itself when it is short and plain (letters, digits and
	hyphens), else a readable prefix and a hash of the key, so that it stays unique and deterministic."""
	if not key:
		raise ValueError("a batch line needs a key")
	if _SAFE_ID.match(key):
		return key
	digest = hashlib.sha256(key.encode()).hexdigest()[:10]
	prefix = re.sub(r"[^A-Za-z0-9]+", "-", unidecode(key)).strip("-")[:24].strip("-")
	return f"{prefix}-{digest}" if prefix else digest


def aggregate(lines: Iterable[PaymentLine], per_iban: bool) -> list[tuple[PaymentLine, list[str]]]:
	"""The payments to make and, for each, the keys of the batch lines it pays.

	With ``per_iban`` the lines of one payee (same IBAN and name) become one payment of their exact sum,
	keyed by the first line. Remittance texts always lose personal codes and fit 140 characters.
	"""
	groups: dict[tuple, list[PaymentLine]] = {}
	keys: set[str] = set()
	for line in lines:
		if line.key in keys:
			raise RuleViolation("Batch line {key} appears twice.", key=line.key)
		keys.add(line.key)
		check_positive(line.amount, line.key)
		iban = normalize_iban(line.iban)
		group = (iban, " ".join(line.payee_name.split()).casefold()) if per_iban else (line.key,)
		groups.setdefault(group, []).append(replace(line, iban=iban))
	payments = []
	for members in groups.values():
		first = members[0]
		payment = replace(
			first,
			bic=next((member.bic for member in members if member.bic), None),
			amount=money_sum(member.amount for member in members),
			remittance=remittance_text(member.remittance for member in members),
		)
		payments.append((payment, [member.key for member in members]))
	return payments


class _Transfer(SepaTransfer):
	"""sepaxml's transfer with our message and payment IDs instead of random ones, individual booking of
	each payment, and ``NOTPROVIDED`` as the debtor agent when its BIC is unknown."""

	def __init__(self, config, message_id: str, created: datetime, batch_booking: bool) -> None:
		self._message_id = message_id
		self._created = created
		self._batch_booking = batch_booking
		super().__init__(config, schema=SCHEMA, clean=True)

	def _finalize_batch(self) -> None:
		super()._finalize_batch()
		root = self._xml.find("CstmrCdtTrfInitn")
		root.find("GrpHdr/MsgId").text = self._message_id
		root.find("GrpHdr/CreDtTm").text = self._created.strftime("%Y-%m-%dT%H:%M:%S")
		for number, info in enumerate(root.findall("PmtInf"), start=1):
			info.find("PmtInfId").text = f"{self._message_id[: ID_LIMIT - 4]}-{number:03d}"
			info.find("BtchBookg").text = "true" if self._batch_booking else "false"
			agent = info.find("DbtrAgt/FinInstnId")
			if not len(agent):
				SubElement(SubElement(agent, "Othr"), "Id").text = "NOTPROVIDED"


def build_pain001(
	debtor_name: str,
	debtor_iban: str,
	debtor_bic: str | None,
	message_id: str,
	execution_date: date,
	payments: Sequence[PaymentLine],
	created: datetime | None = None,
	batch_booking: bool = False,
) -> bytes:
	"""The pain.001.001.03 XML paying ``payments`` from the debtor's account on ``execution_date``.

	Each payment's end-to-end ID is :func:`end_to_end_id` of its key, so the bank statement leads back to
	the batch line. Payments are booked one by one unless ``batch_booking``.
	"""
	if not payments:
		raise RuleViolation("A payment file needs at least one payment.")
	if not _SAFE_ID.match(message_id or ""):
		raise RuleViolation(
			"Message ID {value} must be 1–35 letters, digits or hyphens.", value=message_id or ""
		)
	if not sepa_text(debtor_name, NAME_LIMIT):
		raise RuleViolation("The payer's name is required.")
	if isinstance(execution_date, datetime):
		execution_date = execution_date.date()
	iban = normalize_iban(debtor_iban)
	config = {"name": sepa_text(debtor_name, NAME_LIMIT), "IBAN": iban, "currency": "EUR", "batch": True}
	bic = normalize_bic(debtor_bic or "", iban)
	if bic:
		config["BIC"] = bic
	transfer = _Transfer(config, message_id, created or datetime.now(), batch_booking)
	seen: dict[str, str] = {}
	for payment in payments:
		e2e = end_to_end_id(payment.key)
		if e2e in seen:
			raise RuleViolation(
				"Batch lines {key} and {other} would get the same end-to-end ID {value}.",
				key=payment.key,
				other=seen[e2e],
				value=e2e,
			)
		seen[e2e] = payment.key
		transfer.add_payment(_payment(payment, e2e, execution_date))
	xml = transfer.export(validate=False)
	check_schema(xml)
	return xml


@cache
def _schema() -> etree.XMLSchema:
	"""sepaxml's own copy of the pain.001.001.03 schema, loaded once, for libxml2: sepaxml validates with
	xmlschema (pure Python), which took 1.4 s of a 5,000-payment file, and reloads the schema every time."""
	return etree.XMLSchema(etree.parse(str(Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd")))


def check_schema(xml: bytes) -> None:
	"""Refuse a payment file that does not pass the schema — a bug of ours, not the user's: the schema's
	reason is kept."""
	schema = _schema()
	if not schema.validate(etree.fromstring(xml)):
		raise RuleViolation(
			"The payment file does not pass the pain.001.001.03 schema: {error}",
			error=schema.error_log.last_error.message,
		)


def _payment(payment: PaymentLine, e2e: str, execution_date: date) -> dict:
	name = sepa_text(payment.payee_name, NAME_LIMIT)
	if not name:
		raise RuleViolation("Payment {key} has no payee name.", key=payment.key)
	description = file_remittance(payment.remittance)
	if not description:
		raise RuleViolation("Payment {key} has no remittance text.", key=payment.key)
	iban = normalize_iban(payment.iban)
	result = {
		"name": name,
		"IBAN": iban,
		"amount": to_cents(check_positive(payment.amount, payment.key)),
		"execution_date": execution_date,
		"description": description,
		"endtoend_id": e2e,
	}
	if payment.bic:
		result["BIC"] = normalize_bic(payment.bic, iban)
	return result
