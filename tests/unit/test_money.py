from decimal import Decimal

import pytest

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules.money import check_positive, money_sum, to_cents, to_money


@pytest.mark.parametrize(
	"value, expected",
	[
		("12,50", "12.50"),
		("12.5", "12.50"),
		("1 234,56", "1234.56"),
		("1\u00a0234,56", "1234.56"),
		("1.234,56", "1234.56"),
		("1,234.56", "1234.56"),
		(" -7,05 ", "-7.05"),
		("+3", "3.00"),
		(7, "7.00"),
		(Decimal("12.500000000"), "12.50"),  # a database NUMERIC: the value has two decimals
		("-0,00", "0.00"),
	],
)
def test_amounts_are_read_exactly(value, expected):
	amount = to_money(value)
	assert amount == Decimal(expected)
	assert str(amount) == expected


def test_a_third_decimal_is_refused_not_rounded():
	for value in ("12,505", "12.500", "1.234", Decimal("0.001")):
		with pytest.raises(RuleViolation, match="more than two decimals") as error:
			to_money(value)
		assert error.value.message == "Amount {value} has more than two decimals."


@pytest.mark.parametrize("value", ["abc", "12,50 EUR", "1.234.567", "1,2,3", "1e3", "NaN", "--1", ","])
def test_text_that_is_no_amount_is_refused(value):
	with pytest.raises(RuleViolation, match="not a valid amount"):
		to_money(value)


def test_empty_amount_and_special_decimals():
	with pytest.raises(RuleViolation, match="required"):
		to_money("  ")
	for value in (Decimal("NaN"), Decimal("Infinity")):
		with pytest.raises(RuleViolation, match="not a valid amount"):
			to_money(value)


def test_floats_are_a_programming_error():
	for value in (0.1, 1.0, True, None, [1]):
		with pytest.raises(
			TypeError, match=f"^money must be str, int or Decimal, not {type(value).__name__}$"
		):
			to_money(value)


def test_cents_and_exact_sums():
	assert to_cents(Decimal("12.34")) == 1234
	assert to_cents(Decimal("0.05")) == 5
	assert to_cents(Decimal("1000000.00")) == 100_000_000
	assert money_sum(["0.10", "0.20"]) == Decimal("0.30")
	assert money_sum([Decimal("0.01")] * 100_000) == Decimal("1000.00")
	assert money_sum([]) == Decimal("0.00")
	assert str(money_sum([1, "2,5", Decimal("0.25")])) == "3.75"


def test_positive_amounts():
	assert check_positive("0,01", "Amount") == Decimal("0.01")
	for value in ("0", "-5,00"):
		with pytest.raises(RuleViolation, match="Ticket price must be greater than zero") as error:
			check_positive(value, "Ticket price")
		assert error.value.params["what"] == "Ticket price"
