"""Properties of personal codes (rules/personal_code.py) over generated valid and invalid codes.

Codes are built here from their parts (birth date, century digit, serial; or 32 and eight digits) and the
check digit of python-stdnum, not by the module's own ``make_*`` helpers, which are checked against them.
"""

import re
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum.lv import pvn

from pumpurs_app.rules import RuleViolation, personal_code

TODAY = date(2026, 1, 15)  # a fixed "today", so that no example depends on the day the suite runs
NORMAL_SHAPE = re.compile(r"^\d{6}-\d{5}$")
NEW_MASK_SHAPE = re.compile(r"^\*{6}-\*{2}\d{3}$")

births = st.dates(min_value=date(1800, 1, 1), max_value=TODAY)
serials = st.integers(min_value=0, max_value=999)


def old_code(born: date, serial: int) -> str:
	"""The 11 digits of an old-format code: DDMMYY, the century digit (0 = 1800s, 1 = 1900s, 2 = 2000s),
	three serial digits and the check digit."""
	body = f"{born:%d%m}{born.year % 100:02d}{(born.year - 1800) // 100}{serial:03d}"
	return body + pvn.calc_check_digit_pers(body)


def new_code(serial: int) -> str:
	body = f"32{serial:08d}"
	return body + pvn.calc_check_digit_pers(body)


old_codes = st.builds(old_code, births, serials)
new_codes = st.builds(new_code, st.integers(min_value=0, max_value=99_999_999))


@st.composite
def written(draw, codes):
	"""A valid code as people write it: with or without the hyphen, with a space, padded with spaces."""
	digits = draw(codes)
	separator = draw(st.sampled_from(["", "-", " "]))
	pad = draw(st.sampled_from(["", " ", "  "]))
	return digits, f"{pad}{digits[:6]}{separator}{digits[6:]}{pad}"


@settings(max_examples=100)
@given(written(old_codes))
def test_an_old_code_validates_to_its_canonical_form_and_its_birth_date(case):
	digits, text = case
	normal = personal_code.normalize(text, today=TODAY)
	assert NORMAL_SHAPE.match(normal)
	assert normal.replace("-", "") == digits
	assert personal_code.normalize(normal, today=TODAY) == normal  # idempotent
	assert not personal_code.is_new_format(normal)
	born = personal_code.birth_date(normal)
	assert born is not None and born <= TODAY
	assert f"{born:%d%m}{born.year % 100:02d}" == digits[:6]


@settings(max_examples=100)
@given(written(old_codes))
def test_an_old_code_is_masked_entirely(case):
	"""Its mask shows no digit at all, whichever way the code was written."""
	digits, text = case
	for shown in (text, personal_code.normalize(text, today=TODAY), digits):
		masked = personal_code.mask(shown)
		assert masked == personal_code.FULL_MASK
		assert not any(ch.isdigit() for ch in masked)


@settings(max_examples=100)
@given(written(new_codes))
def test_a_new_code_validates_has_no_birth_date_and_masks_to_its_last_three_digits(case):
	digits, text = case
	normal = personal_code.normalize(text)  # no birth date, so the day of the run does not matter
	assert NORMAL_SHAPE.match(normal) and normal.replace("-", "") == digits
	assert personal_code.normalize(normal) == normal
	assert personal_code.is_new_format(normal) and personal_code.birth_date(normal) is None
	masked = personal_code.mask(text)
	assert NEW_MASK_SHAPE.match(masked)
	assert masked[-3:] == digits[-3:]
	assert masked == personal_code.mask(normal) == personal_code.mask(digits)


@settings(max_examples=100)
@given(st.one_of(written(old_codes), written(new_codes)), st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_refused(case, shift):
	digits, _text = case
	wrong = digits[:-1] + str((int(digits[-1]) + shift) % 10)
	with pytest.raises(RuleViolation, match=f"^{wrong} is not a valid Latvian personal code\\.$"):
		personal_code.normalize(wrong, today=TODAY)


@settings(max_examples=100)
@given(st.dates(min_value=date(1800, 1, 2), max_value=date(2099, 12, 31)), serials, st.data())
def test_a_birth_date_after_today_is_refused(born, serial, data):
	today = data.draw(st.dates(min_value=date(1800, 1, 1), max_value=born - timedelta(days=1)))
	code = old_code(born, serial)
	with pytest.raises(RuleViolation, match="future"):
		personal_code.normalize(code, today=today)
	assert personal_code.normalize(code, today=born) == f"{code[:6]}-{code[6:]}"


@settings(max_examples=100)
@given(st.integers(min_value=4, max_value=9), st.integers(min_value=0, max_value=999_999_999))
def test_a_company_number_is_refused(first, rest):
	"""A registration number (first digit 4..9, valid by its own checksum) is no personal code."""
	body = f"{first}{rest:09d}"
	check = (3 - pvn.checksum(body + "0")) % 11
	assume(check < 10)
	number = body + str(check)
	assert pvn.is_valid(number)
	with pytest.raises(RuleViolation, match="company"):
		personal_code.normalize(number, today=TODAY)


@settings(max_examples=100)
@given(births, serials)
def test_generated_old_codes_are_the_codes_of_their_birth_date(born, serial):
	code = personal_code.make_old_format(born, serial)
	assert code.replace("-", "") == old_code(born, serial)
	assert personal_code.birth_date(code) == born


@settings(max_examples=100)
@given(st.integers(min_value=0, max_value=99_999_999))
def test_generated_new_codes_are_new_codes(serial):
	code = personal_code.make_new_format(serial)
	assert code.replace("-", "") == new_code(serial)
	assert personal_code.is_new_format(code)
