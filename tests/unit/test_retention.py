from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pumpurs_app.rules import RuleViolation, retention
from pumpurs_app.rules.retention import Claim


def test_data_is_kept_for_the_years_after_the_last_activity_and_due_the_day_after():
	assert retention.kept_until(date(2026, 5, 31), 10) == date(2036, 5, 31)
	assert not retention.is_due(date(2026, 5, 31), 10, date(2036, 5, 31))
	assert retention.is_due(date(2026, 5, 31), 10, date(2036, 6, 1))


def test_a_leap_day_is_kept_until_the_28th_of_february():
	assert retention.kept_until(date(2024, 2, 29), 1) == date(2025, 2, 28)
	assert retention.kept_until(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_the_period_is_at_least_a_year():
	with pytest.raises(RuleViolation, match="at least one year; it is 0"):
		retention.kept_until(date(2026, 1, 1), 0)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.integers(1, 50))
def test_never_due_before_the_period_has_passed(last, years):
	until = retention.kept_until(last, years)
	assert until.year == last.year + years and until >= last
	assert not retention.is_due(last, years, until) and retention.is_due(
		last, years, date.fromordinal(until.toordinal() + 1)
	)


def test_an_anonymised_learner_keeps_only_the_id():
	assert retention.anonymised_names("IZGL-2026-00007") == (
		"Anonimizēts",
		"IZGL-2026-00007",
		"Anonimizēts IZGL-2026-00007",
	)


def test_erasure_waits_for_money_on_its_way():
	claims = [
		Claim("KOMP-2", "Verified", None),
		Claim("KOMP-1", "Approved", None),
		Claim("KOMP-3", "Draft", None),
	]
	with pytest.raises(RuleViolation, match=r"compensations KOMP-1, KOMP-2 are being paid"):
		retention.check_erasure(claims, 10, date(2026, 12, 6))


def test_erasure_waits_while_paid_money_is_kept():
	claims = [Claim("KOMP-1", "Reconciled", date(2020, 3, 1)), Claim("KOMP-2", "Paid", date(2021, 10, 25))]
	with pytest.raises(
		RuleViolation, match=r"KOMP-2 was paid on 25.10.2021: money records are kept until 25.10.2031"
	):
		retention.check_erasure(claims, 10, date(2026, 12, 6))
	retention.check_erasure(claims, 10, date(2031, 10, 26))  # the period has passed


def test_erasure_of_a_learner_without_money_or_with_closed_claims_only():
	retention.check_erasure([], 10, date(2026, 12, 6))
	retention.check_erasure(
		[
			Claim("KOMP-1", "Rejected", None),
			Claim("KOMP-2", "Cancelled", None),
			Claim("KOMP-3", "Draft", None),
		],
		10,
		date(2026, 12, 6),
	)
