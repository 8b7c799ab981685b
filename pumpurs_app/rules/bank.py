"""IBAN and BIC of paying accounts and payees, validated by schwifty."""

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from pumpurs_app.rules.errors import RuleViolation


def normalize_iban(value: str, country: str | None = None) -> str:
	"""The IBAN in its compact electronic form (``LV80BANK0000435195001``), of ``country`` if given."""
	raw = (value or "").strip()
	try:
		iban = IBAN(raw)
	except SchwiftyException:
		raise RuleViolation("{iban} is not a valid IBAN.", iban=raw) from None
	if country and iban.country_code != country:
		raise RuleViolation("{iban} is not a {country} IBAN.", iban=raw, country=country)
	return iban.compact


def normalize_bic(value: str, iban: str | None = None) -> str:
	"""A valid BIC: the given one, else the one of the IBAN's bank where schwifty knows it."""
	raw = (value or "").strip().upper()
	if not raw:
		known = IBAN(iban).bic if iban else None
		return str(known) if known else ""
	try:
		bic = BIC(raw)
	except SchwiftyException:
		raise RuleViolation("{bic} is not a valid BIC.", bic=raw) from None
	if iban and bic.country_code != IBAN(iban).country_code:
		raise RuleViolation("BIC {bic} belongs to another country than IBAN {iban}.", bic=raw, iban=iban)
	return str(bic)


def bank_name(iban: str) -> str:
	try:
		return IBAN(iban).bank_name or ""
	except SchwiftyException:
		return ""
