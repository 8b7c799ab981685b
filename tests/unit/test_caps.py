from datetime import date
from decimal import Decimal

import pytest

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules.caps import (
	DAY,
	MONTH,
	TERM,
	Breach,
	CapExceeded,
	CapOverride,
	CapSet,
	Line,
	amount_for,
	check_caps,
	check_within_period,
	effective_caps,
	overlapping_claims,
	raise_for_breaches,
)

D = Decimal
TERM_1 = (date(2026, 9, 1), date(2026, 12, 31))
NATIONAL = CapSet(per_day=D("10.00"), per_month=D("60.00"), per_term=D("200.00"), unit_price=D("1.15"))


def line(day: int, amount: str, document: str = "KMP-1", month: int = 10) -> Line:
	return Line(date(2026, month, day), D(amount), document)


def test_the_latest_valid_override_wins_field_by_field():
	overrides = [
		CapOverride(date(2026, 9, 1), CapSet(per_month=D("80.00"))),
		CapOverride(date(2027, 1, 1), CapSet(per_day=D("12.00"), unit_price=D("1.30"))),
	]
	assert effective_caps(NATIONAL, overrides, date(2026, 8, 31)) == NATIONAL
	autumn = effective_caps(NATIONAL, overrides, date(2026, 9, 1))
	assert autumn == CapSet(
		per_day=D("10.00"), per_month=D("80.00"), per_term=D("200.00"), unit_price=D("1.15")
	)
	# the 2027 override leaves per_month empty: the national value comes back, not the older override's
	spring = effective_caps(NATIONAL, list(reversed(overrides)), date(2027, 3, 1))
	assert spring == CapSet(
		per_day=D("12.00"), per_month=D("60.00"), per_term=D("200.00"), unit_price=D("1.30")
	)
	assert effective_caps(NATIONAL, [], date(2027, 3, 1)) == NATIONAL


def test_override_on_the_same_day_the_later_in_the_list_wins():
	first = CapOverride(date(2026, 9, 1), CapSet(per_day=D("11.00")))
	second = CapOverride(date(2026, 9, 1), CapSet(per_day=D("12.00")))
	assert effective_caps(NATIONAL, [first, second], date(2026, 9, 2)).per_day == D("12.00")


def test_no_caps_no_breaches():
	assert check_caps(CapSet(), [], [line(5, "9999.99")], TERM_1) == []


def test_caps_count_the_learners_other_documents():
	existing = [line(5, "6.00", "KMP-1"), line(6, "50.00", "KMP-1")]
	new = [line(5, "4.00", "KMP-2")]  # day total exactly 10.00: allowed; month 60.00: allowed
	assert check_caps(NATIONAL, existing, new, TERM_1) == []
	new = [line(5, "4.01", "KMP-2")]
	breaches = check_caps(NATIONAL, existing, new, TERM_1)
	assert breaches == [
		Breach(DAY, "2026-10-05", D("10.00"), D("10.01"), D("0.01")),
		Breach(MONTH, "2026-10", D("60.00"), D("60.01"), D("0.01")),
	]


def test_only_periods_touched_by_the_new_lines_are_reported():
	existing = [line(5, "15.00", "KMP-1")]  # an old excess on 5 October (e.g. before the cap was lowered)
	assert check_caps(NATIONAL, existing, [line(6, "5.00", "KMP-2")], TERM_1) == []
	breaches = check_caps(NATIONAL, existing, [line(5, "1.00", "KMP-2")], TERM_1)
	assert [(b.kind, b.label, b.total) for b in breaches] == [(DAY, "2026-10-05", D("16.00"))]


def test_resaving_a_document_replaces_its_own_earlier_lines():
	existing = [line(5, "8.00", "KMP-2"), line(5, "1.00", "KMP-1")]
	assert check_caps(NATIONAL, existing, [line(5, "9.00", "KMP-2")], TERM_1) == []


def test_term_cap_over_several_months_with_label():
	existing = [line(1, "60.00", month=m) for m in (9, 10, 11)]
	new = [line(1, "20.01", "KMP-9", month=12), line(20, "5.00", "KMP-9", month=8)]  # August: outside term
	caps = CapSet(per_term=D("200.00"))
	breaches = check_caps(caps, existing, new, TERM_1, term_label="2026/2027 S1")
	assert breaches == [Breach(TERM, "2026/2027 S1", D("200.00"), D("200.01"), D("0.01"))]
	default_label = check_caps(caps, existing, new, TERM_1)[0].label
	assert default_label == "2026-09-01 – 2026-12-31"


def test_breaches_are_ordered_day_month_term_and_chronologically():
	caps = CapSet(per_day=D("1.00"), per_month=D("1.00"), per_term=D("1.00"))
	new = [line(7, "2.00", month=11), line(3, "2.00", month=10)]
	kinds = [(b.kind, b.label) for b in check_caps(caps, [], new, TERM_1, "S1")]
	assert kinds == [
		(DAY, "2026-10-03"),
		(DAY, "2026-11-07"),
		(MONTH, "2026-10"),
		(MONTH, "2026-11"),
		(TERM, "S1"),
	]


def test_raise_for_breaches_names_the_first_and_keeps_all():
	raise_for_breaches([])
	breaches = check_caps(NATIONAL, [line(5, "55.00", "KMP-1")], [line(5, "6.00", "KMP-2")], TERM_1)
	with pytest.raises(
		CapExceeded, match=r"^The daily cap of 10\.00 EUR for 2026-10-05 would be exceeded"
	) as error:
		raise_for_breaches(breaches)
	assert str(error.value) == (
		"The daily cap of 10.00 EUR for 2026-10-05 would be exceeded: 61.00 EUR in total, 51.00 EUR too much."
	)
	assert error.value.breaches == breaches
	assert isinstance(error.value, RuleViolation)
	with pytest.raises(CapExceeded, match="monthly cap of 60.00 EUR for 2026-10"):
		raise_for_breaches(breaches[1:])
	with pytest.raises(CapExceeded, match="term cap of 1.00 EUR for S1"):
		raise_for_breaches([Breach(TERM, "S1", D("1.00"), D("2.00"), D("1.00"))])


def test_amounts_from_unit_price():
	assert amount_for(3, D("1.15")) == D("3.45")
	assert amount_for(D("0.5"), D("0.05")) == D("0.03")  # half a cent rounds up


def test_lines_must_fall_in_the_period():
	check_within_period([line(1, "1.00"), line(31, "1.00")], date(2026, 10, 1), date(2026, 10, 31))
	with pytest.raises(RuleViolation, match="2026-11-01 is outside the period 2026-10-01 – 2026-10-31"):
		check_within_period([line(1, "1.00", month=11)], date(2026, 10, 1), date(2026, 10, 31))
	with pytest.raises(RuleViolation, match="ends before it starts"):
		check_within_period([], date(2026, 10, 2), date(2026, 10, 1))


def test_overlapping_claims_share_at_least_one_day():
	others = [
		("KMP-1", date(2026, 9, 1), date(2026, 9, 30)),
		("KMP-2", date(2026, 10, 31), date(2026, 11, 30)),
		("KMP-3", date(2026, 10, 10), date(2026, 10, 12)),
		("KMP-4", date(2026, 11, 1), date(2026, 11, 30)),
	]
	assert overlapping_claims(date(2026, 10, 1), date(2026, 10, 31), others) == ["KMP-2", "KMP-3"]
	assert overlapping_claims(date(2026, 10, 1), date(2026, 10, 1), others) == []
