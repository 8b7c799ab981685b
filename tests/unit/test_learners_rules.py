from datetime import date

import pytest

from pumpurs_app.rules import RuleViolation, learners, personal_code

TODAY = date(2026, 11, 28)


def test_birth_date_comes_from_old_code():
	identity = learners.identify("161175-19997", None, TODAY)
	assert identity.date_of_birth == date(1975, 11, 16)
	assert identity.is_adult
	assert identity.masked_code == personal_code.FULL_MASK


def test_entered_birth_date_must_match_old_code():
	with pytest.raises(RuleViolation, match="does not match"):
		learners.identify("161175-19997", date(1975, 11, 17), TODAY)
	assert learners.identify("161175-19997", date(1975, 11, 16), TODAY).date_of_birth == date(1975, 11, 16)


def test_new_code_needs_an_entered_birth_date():
	code = personal_code.make_new_format(42)
	with pytest.raises(RuleViolation, match="Enter the date of birth"):
		learners.identify(code, None, TODAY)
	identity = learners.identify(code, date(2012, 5, 1), TODAY)
	assert identity.date_of_birth == date(2012, 5, 1) and not identity.is_adult
	with pytest.raises(RuleViolation, match="future"):
		learners.identify(code, date(2027, 1, 1), TODAY)


def test_consent_rules():
	born = date(2010, 1, 1)
	learners.check_consent(None, None, born, TODAY)  # nothing signed yet: nothing to check
	learners.check_consent(date(2026, 9, 1), learners.PARENT, born, TODAY)
	with pytest.raises(RuleViolation, match="future"):
		learners.check_consent(date(2026, 12, 1), learners.PARENT, born, TODAY)
	with pytest.raises(RuleViolation, match="Say who signed"):
		learners.check_consent(date(2026, 9, 1), None, born, TODAY)
	with pytest.raises(RuleViolation, match="not yet 18"):
		learners.check_consent(date(2026, 9, 1), learners.ADULT_LEARNER, born, TODAY)
	learners.check_consent(date(2026, 9, 1), learners.ADULT_LEARNER, date(2008, 1, 1), TODAY)
