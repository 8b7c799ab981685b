from datetime import date

import pytest

from pumpurs_app.rules import RuleViolation, school_terms
from pumpurs_app.rules.school_terms import HOLIDAY, SEMESTER_1, SEMESTER_2, Term


def term(year: int, kind: str) -> Term:
	dates = {
		SEMESTER_1: (date(year, 9, 1), date(year, 12, 31)),
		SEMESTER_2: (date(year + 1, 1, 1), date(year + 1, 5, 31)),
		HOLIDAY: (date(year + 1, 6, 1), date(year + 1, 8, 31)),
	}[kind]
	school_year = f"{year}/{year + 1}"
	return Term(school_terms.term_name(school_year, kind), school_year, kind, *dates)


CALENDAR = [term(y, k) for y in (2021, 2022) for k in (SEMESTER_1, SEMESTER_2, HOLIDAY)]


def test_school_year_must_be_consecutive_years():
	assert school_terms.school_year_start("2021/2022") == 2021
	for bad in ("2021/2023", "2021-2022", "21/22", "", "2022/2021"):
		with pytest.raises(
			RuleViolation,
			match=f"^School year must be two consecutive years written as 2021/2022, not {bad}\\.$",
		):
			school_terms.school_year_start(bad)


def test_names_are_readable():
	assert school_terms.term_name("2021/2022", SEMESTER_1) == "2021/2022 S1"
	assert school_terms.term_name("2021/2022", HOLIDAY) == "2021/2022 H"
	with pytest.raises(RuleViolation, match=r"^Unknown term type Trimester\.$"):
		school_terms.term_name("2021/2022", "Trimester")


def test_short_names_fit_a_charts_axis():
	assert school_terms.short_name("2026/2027", SEMESTER_1) == "26/27 S1"
	assert school_terms.short_name("1999/2000", HOLIDAY) == "99/00 H"
	with pytest.raises(RuleViolation, match="Unknown term type Winter"):
		school_terms.short_name("2026/2027", "Winter")


def test_dates_must_lie_in_the_school_year():
	school_terms.check_dates("2021/2022", date(2021, 9, 1), date(2021, 12, 31))
	school_terms.check_dates("2021/2022", date(2022, 6, 1), date(2022, 8, 31))
	with pytest.raises(RuleViolation, match="ends before"):
		school_terms.check_dates("2021/2022", date(2021, 12, 1), date(2021, 11, 1))
	with pytest.raises(RuleViolation, match="outside"):
		school_terms.check_dates("2021/2022", date(2022, 9, 1), date(2022, 12, 31))


def test_overlap_only_between_terms_of_the_same_type():
	clash = Term("x", "2021/2022", SEMESTER_1, date(2021, 12, 1), date(2022, 1, 15))
	assert [t.name for t in school_terms.overlapping(clash, CALENDAR)] == ["2021/2022 S1"]
	# a holiday term may overlap the end of a semester: different types
	holiday = Term("y", "2021/2022", HOLIDAY, date(2022, 5, 20), date(2022, 8, 31))
	assert [t.name for t in school_terms.overlapping(holiday, CALENDAR)] == ["2021/2022 H"]
	# a term does not overlap itself (editing)
	assert school_terms.overlapping(CALENDAR[0], CALENDAR) == []


def test_current_term_prefers_semester_and_looks_ahead_between_terms():
	assert school_terms.current_term(CALENDAR, date(2021, 10, 1)).name == "2021/2022 S1"
	overlapping_holiday = CALENDAR + [Term("z", "2021/2022", HOLIDAY, date(2022, 5, 1), date(2022, 5, 31))]
	assert school_terms.current_term(overlapping_holiday, date(2022, 5, 15)).name == "2021/2022 S2"
	gap = [t for t in CALENDAR if t.name != "2021/2022 H"]
	assert school_terms.current_term(gap, date(2022, 7, 1)).name == "2022/2023 S1"
	assert school_terms.current_term(CALENDAR, date(2030, 1, 1)) is None


def test_next_term_skips_holiday_unless_asked():
	s2 = CALENDAR[1]
	assert school_terms.next_term(CALENDAR, s2).name == "2022/2023 S1"
	assert school_terms.next_term(CALENDAR, s2, include_holiday=True).name == "2021/2022 H"
	assert school_terms.next_term(CALENDAR, CALENDAR[-1]) is None


def test_school_year_of_a_date():
	assert school_terms.school_year_of(date(2021, 9, 1)) == "2021/2022"
	assert school_terms.school_year_of(date(2022, 8, 31)) == "2021/2022"
