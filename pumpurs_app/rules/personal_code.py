"""Latvian personal codes (personas kods).

Two forms exist: the old ``DDMMYY-CNNNN`` with the birth date and a century digit, and the new form issued
from July 2017 that starts with ``32`` and carries no birth date. python-stdnum validates both; we add what
a register of learners needs on top: refuse company numbers, refuse birth dates in the future, keep one
canonical written form and mask the code for people who must not see it.
"""

import re
import unicodedata
from datetime import date
from functools import lru_cache

from stdnum.exceptions import ValidationError
from stdnum.lv import pvn

from pumpurs_app.rules.errors import RuleViolation

NEW_FORMAT_PREFIX = "32"

# python-stdnum cleans a code character by character (Unicode digits, separators) on every call, and validating
# one code calls it several times: an import of 10,000 rows spent most of its checking there. Its answers for
# a given text never change, so they are remembered, a few thousand codes at a time (a file's rows).
# A code written as it is printed (digits, at most the hyphen) needs no cleaning at all.
_validate = lru_cache(maxsize=16_384)(pvn.validate)
_birth_date = lru_cache(maxsize=16_384)(pvn.get_birth_date)  # of the compact digits
_PRINTED = re.compile(r"[0-9]{6}-?[0-9]{5}")


def _compact(code: str) -> str:
	return code.replace("-", "") if _PRINTED.fullmatch(code) else pvn.compact(code)


def forget() -> None:
	"""Drop what is remembered (a benchmark measuring a fresh process)."""
	for cached in (_validate, _birth_date):
		cached.cache_clear()


def normalize(code: str, today: date | None = None) -> str:
	"""Return the code as ``XXXXXX-XXXXX`` or raise :class:`RuleViolation`."""
	raw = (code or "").strip()
	if not raw:
		raise RuleViolation("Personal code is required.")
	try:
		digits = _validate(raw)
	except ValidationError:
		raise RuleViolation("{code} is not a valid Latvian personal code.", code=raw) from None
	if digits[0] > "3":
		raise RuleViolation("{code} is a company registration number, not a personal code.", code=raw)
	born = birth_date(digits)
	if born and born > (today or date.today()):
		raise RuleViolation("Personal code {code} gives a birth date in the future.", code=raw)
	return f"{digits[:6]}-{digits[6:]}"


def is_new_format(code: str) -> bool:
	return _compact(code).startswith(NEW_FORMAT_PREFIX)


def birth_date(code: str) -> date | None:
	"""Birth date encoded in an old-format code; ``None`` for the new format, which has none."""
	digits = _compact(code)
	return None if digits.startswith(NEW_FORMAT_PREFIX) else _birth_date(digits)


FULL_MASK = "******-*****"
# a personal code inside any text: eleven digits, with or without a hyphen (also a typographic one) or space
IN_TEXT = re.compile(r"(?<!\d)\d{6}[-\s\u2010-\u2015\u2212\ufe58\ufe63\uff0d]?\d{5}(?!\d)")


def looks_like_code(found: str) -> bool:
	"""Could these eleven digits be a code? Old codes begin with the day of birth, new ones with 32."""
	return unicodedata.digit(found[0]) <= 3


def redact(text: str | None) -> str:
	"""``text`` (an error message, a traceback) with every personal code in it masked, its layout kept."""
	return IN_TEXT.sub(
		lambda found: FULL_MASK if looks_like_code(found.group()) else found.group(), text or ""
	)


def mask(code: str | None) -> str:
	"""What roles without access to personal codes see, chosen so that with everything else they see (the
	birth date) it identifies no one: an old-format code is its birth date, a century digit, three serial
	digits and a check digit, so its last digits and the birth date would leave only a few codes, often one —
	nothing of it is shown. A new-format code carries no birth date: its last three digits leave millions."""
	if not code:
		return ""
	digits = _compact(code)
	if not digits.startswith(NEW_FORMAT_PREFIX):
		return FULL_MASK
	return "******-**" + digits[-3:]


def make_old_format(born: date, serial: int) -> str:
	"""A valid old-format code for ``born`` (demo data and tests); ``serial`` is 0..999."""
	century = (born.year - 1800) // 100
	body = f"{born:%d%m}{born.year % 100:02d}{century}{serial:03d}"
	return normalize(body + pvn.calc_check_digit_pers(body), today=born)


def make_new_format(serial: int) -> str:
	"""A valid new-format code (demo data and tests); ``serial`` is 0..99_999_999."""
	body = f"{NEW_FORMAT_PREFIX}{serial:08d}"
	return normalize(body + pvn.calc_check_digit_pers(body))
