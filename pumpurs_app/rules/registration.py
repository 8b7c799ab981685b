"""Registration numbers of partners (legal entities) and educational institutions."""

import re

from stdnum.exceptions import ValidationError
from stdnum.lv import pvn

from pumpurs_app.rules.errors import RuleViolation

# the register of educational institutions (VIIS) numbers schools with ten digits
INSTITUTION_CODE = re.compile(r"^\d{10}$")


def normalize_registration_number(number: str) -> str:
	"""An 11-digit Latvian registration number of a legal entity (a municipality or a state school)."""
	raw = (number or "").strip()
	try:
		digits = pvn.validate(raw)
	except ValidationError:
		raise RuleViolation("{number} is not a valid Latvian registration number.", number=raw) from None
	if digits[0] <= "3":
		raise RuleViolation("{number} is a personal code, not a registration number.", number=raw)
	return digits


def normalize_institution_code(code: str) -> str:
	raw = re.sub(r"\s+", "", code or "")
	if not INSTITUTION_CODE.match(raw):
		raise RuleViolation(
			"{code} is not a valid institution registration code (ten digits).", code=code or ""
		)
	return raw
