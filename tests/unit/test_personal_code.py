import re
from datetime import date

import pytest

from pumpurs_app.rules import RuleViolation, personal_code


@pytest.mark.parametrize(
	"raw, expected",
	[
		("161175-19997", "161175-19997"),
		("16117519997", "161175-19997"),
		(" 161175 19997 ", "161175-19997"),
		("328673-00679", "328673-00679"),
		("32867300679", "328673-00679"),
	],
)
def test_normalizes_both_formats(raw, expected):
	assert personal_code.normalize(raw) == expected


@pytest.mark.parametrize(
	"raw, fragment",
	[
		("", "required"),
		("161175-19998", "not a valid"),  # check digit
		("161375-19997", "not a valid"),  # month 13
		("328673-00677", "not a valid"),  # new format, check digit
		("1611751999", "not a valid"),  # too short
		("40003521600", "company registration number"),
		("abc", "not a valid"),
	],
)
def test_refuses_invalid_codes(raw, fragment):
	with pytest.raises(RuleViolation, match=re.escape(fragment)):
		personal_code.normalize(raw)


def test_refuses_birth_date_in_future():
	code = personal_code.make_old_format(date(2030, 1, 1), 5)
	with pytest.raises(RuleViolation, match="future"):
		personal_code.normalize(code, today=date(2026, 11, 28))


def test_birth_date_only_in_old_format():
	assert personal_code.birth_date("161175-19997") == date(1975, 11, 16)
	assert personal_code.birth_date("010101-10006") == date(1901, 1, 1)  # century digit 0 -> 1800s+100
	assert personal_code.birth_date("328673-00679") is None
	assert personal_code.is_new_format("32867300679")


def test_generated_codes_are_valid_and_carry_their_date():
	born = date(2011, 2, 28)
	for serial in (0, 1, 999):
		code = personal_code.make_old_format(born, serial)
		assert personal_code.birth_date(code) == born
		assert personal_code.normalize(code) == code
	assert personal_code.is_new_format(personal_code.make_new_format(12345678))


def candidates(masked: str, born: date | None) -> list[str]:
	"""Every valid code that a person seeing the masked code and the birth date could rebuild."""
	if born is None:
		raise AssertionError("a new-format code gives no birth date to start from")
	shown = masked.replace("-", "")
	found = []
	for serial in range(1000):
		code = personal_code.make_old_format(born, serial).replace("-", "")
		if all(m == "*" or m == c for m, c in zip(shown, code, strict=True)):
			found.append(code)
	return found


@pytest.mark.parametrize(
	"born, serial", [(date(2013, 5, 17), 0), (date(2012, 7, 7), 321), (date(1975, 11, 16), 999)]
)
def test_the_masked_old_code_and_the_birth_date_leave_many_codes(born, serial):
	code = personal_code.make_old_format(born, serial)
	assert len(candidates(personal_code.mask(code), born)) >= 50


def test_a_masked_new_code_keeps_its_last_three_digits_and_nothing_else():
	code = personal_code.make_new_format(12345678)
	masked = personal_code.mask(code)
	assert masked == "******-**" + code[-3:]
	assert sum(1 for m in masked if m.isdigit()) == 3
	assert personal_code.mask("") == ""


def test_codes_in_an_error_text_are_masked_and_its_lines_kept():
	text = "Duplicate entry '010112-11118' for key 'active_personal_code'\n  code 32345678901, order 12345678901234"
	assert personal_code.redact(text) == (
		"Duplicate entry '******-*****' for key 'active_personal_code'\n  code ******-*****, order 12345678901234"
	)
	assert personal_code.redact("phone 91234567890") == "phone 91234567890"  # no code begins with 4-9
