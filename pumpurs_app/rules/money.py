"""Amounts of money: ``Decimal`` with exactly two decimals, never ``float``.

Compensations are summed against caps and paid to the cent, so a binary float (where 0.1 + 0.2 != 0.3) must
never reach a rule: passing one is a programming error. Text from people and bank files is Latvian
(``1 234,50``) or English (``1,234.50``); a third decimal is refused rather than rounded away, because
``12,500`` may just as well mean twelve thousand five hundred.
"""

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from pumpurs_app.rules.errors import RuleViolation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# spaces that people and spreadsheets put between thousands
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]")
_PLAIN = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_DOT_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+,\d+$")  # 1.234,50
_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$")  # 1,234.50


def to_money(value: str | int | Decimal) -> Decimal:
	"""The amount with exactly two decimals; refuses text that is no amount or has more than two decimals."""
	if isinstance(value, float | bool) or not isinstance(value, str | int | Decimal):
		raise TypeError(f"money must be str, int or Decimal, not {type(value).__name__}")
	if isinstance(value, int):
		amount = Decimal(value)
	elif isinstance(value, str):
		amount = _parse(value)
		if amount.as_tuple().exponent < -2:
			raise RuleViolation("Amount {value} has more than two decimals.", value=value.strip())
	elif not value.is_finite():
		raise RuleViolation("{value} is not a valid amount.", value=str(value))
	elif value != value.quantize(CENT):
		raise RuleViolation("Amount {value} has more than two decimals.", value=str(value))
	else:
		amount = value
	return amount.quantize(CENT) + ZERO  # + ZERO turns -0.00 into 0.00


def _parse(text: str) -> Decimal:
	raw = _SPACES.sub("", text)
	if not raw:
		raise RuleViolation("Amount is required.")
	if _PLAIN.match(raw):
		normal = raw.replace(",", ".")
	elif _DOT_THOUSANDS.match(raw):
		normal = raw.replace(".", "").replace(",", ".")
	elif _COMMA_THOUSANDS.match(raw):
		normal = raw.replace(",", "")
	else:
		raise RuleViolation("{value} is not a valid amount.", value=text.strip())
	try:
		return Decimal(normal)
	except InvalidOperation:  # pragma: no cover - the patterns only let digits through
		raise RuleViolation("{value} is not a valid amount.", value=text.strip()) from None


def to_cents(amount: Decimal) -> int:
	"""Whole cents, as payment files and sepaxml count them."""
	return int(to_money(amount).scaleb(2))


def money_sum(values: Iterable[str | int | Decimal]) -> Decimal:
	"""The exact sum of amounts (each checked by :func:`to_money`)."""
	total = ZERO
	for value in values:
		total += to_money(value)
	return total.quantize(CENT)


def check_positive(amount: str | int | Decimal, what: str) -> Decimal:
	"""The amount, refused when it is zero or negative; ``what`` names the amount for the user."""
	value = to_money(amount)
	if value <= 0:
		raise RuleViolation(
			"{what} must be greater than zero, not {amount} EUR.", what=what, amount=str(value)
		)
	return value
