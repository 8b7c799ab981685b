"""Properties of the school calendar (rules/school_terms.py).

Calendars are generated as a school sets them up: each school year split into semester 1, semester 2 and
(when the year is extended) a holiday term, at dates that vary from year to year.
"""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pumpurs_app.rules import RuleViolation, school_terms
from pumpurs_app.rules.school_terms import HOLIDAY, SEMESTER_1, SEMESTER_2, TERM_ORDER, TERM_TYPES, Term

YEARS = (2017, 2030)
days = st.dates(min_value=date(YEARS[0], 9, 1), max_value=date(YEARS[1], 8, 31))


def term(year: int, kind: str, start: date, end: date) -> Term:
	school_year = f"{year}/{year + 1}"
	return Term(school_terms.term_name(school_year, kind), school_year, kind, start, end)


@st.composite
def school_year_terms(draw, year: int) -> list[Term]:
	"""The terms of one school year, 1 September .. 31 August, split at generated dates: the first semester
	ends in December or January, the second in May or June; without a holiday term it runs to 31 August."""
	first_end = draw(st.dates(min_value=date(year, 12, 1), max_value=date(year + 1, 1, 31)))
	second_end = draw(st.dates(min_value=date(year + 1, 5, 1), max_value=date(year + 1, 6, 30)))
	extended = draw(st.booleans())
	terms = [
		term(year, SEMESTER_1, date(year, 9, 1), first_end),
		term(
			year, SEMESTER_2, first_end + timedelta(days=1), second_end if extended else date(year + 1, 8, 31)
		),
	]
	if extended:
		terms.append(term(year, HOLIDAY, second_end + timedelta(days=1), date(year + 1, 8, 31)))
	return terms


@st.composite
def calendars(draw) -> list[Term]:
	first = draw(st.integers(min_value=YEARS[0], max_value=YEARS[1] - 3))
	count = draw(st.integers(min_value=1, max_value=3))
	terms = [t for year in range(first, first + count) for t in draw(school_year_terms(year))]
	return draw(st.permutations(terms))


@settings(max_examples=100)
@given(days)
def test_a_day_belongs_to_the_school_year_that_runs_from_september_to_august(day):
	school_year = school_terms.school_year_of(day)
	start = school_terms.school_year_start(school_year)  # a well-formed school year
	assert date(start, 9, 1) <= day <= date(start + 1, 8, 31)


@settings(max_examples=60)
@given(calendars(), st.data())
def test_a_day_of_a_school_year_falls_in_exactly_one_of_its_terms(calendar, data):
	years = sorted({t.school_year for t in calendar})
	first = school_terms.school_year_start(years[0])
	last = school_terms.school_year_start(years[-1])
	day = data.draw(st.dates(min_value=date(first, 9, 1), max_value=date(last + 1, 8, 31)))
	covering = [t for t in calendar if t.covers(day)]
	assert len(covering) == 1
	assert covering[0].school_year == school_terms.school_year_of(day)
	assert school_terms.current_term(calendar, day) == covering[0]


@settings(max_examples=60)
@given(calendars())
def test_the_terms_of_a_calendar_are_valid_distinct_and_do_not_overlap(calendar):
	assert len({t.name for t in calendar}) == len(calendar)
	for t in calendar:
		school_terms.check_dates(t.school_year, t.start_date, t.end_date)
		assert t.name.startswith(t.school_year)
		assert school_terms.overlapping(t, calendar) == []


@settings(max_examples=60)
@given(calendars(), st.booleans())
def test_next_term_walks_the_calendar_in_order(calendar, include_holiday):
	"""From the first term, next_term visits every semester (and holiday term, if asked) once, in date order."""
	wanted = sorted(
		(t for t in calendar if include_holiday or t.term_type != HOLIDAY), key=lambda t: t.start_date
	)
	walk = [wanted[0]]
	while (following := school_terms.next_term(calendar, walk[-1], include_holiday)) is not None:
		walk.append(following)
	assert walk == wanted


random_terms = st.lists(
	st.builds(
		lambda year, kind, start, length: term(year, kind, start, start + timedelta(days=length)),
		st.just(2026),
		st.sampled_from(TERM_TYPES),
		st.dates(min_value=date(2026, 8, 1), max_value=date(2027, 8, 1)),
		st.integers(min_value=0, max_value=150),
	),
	max_size=6,
)


@settings(max_examples=100)
@given(random_terms, st.dates(min_value=date(2026, 7, 1), max_value=date(2027, 9, 30)))
def test_the_current_term_covers_today_or_is_the_next_to_start(terms, today):
	"""Whatever the terms (gaps and overlaps included): the covering term of the lowest order (a semester
	before a holiday term); when none covers today, one that starts soonest; none if nothing is ahead."""
	current = school_terms.current_term(terms, today)
	covering = [t for t in terms if t.covers(today)]
	ahead = [t for t in terms if t.start_date > today]
	if covering:
		assert current in covering
		assert TERM_ORDER[current.term_type] == min(TERM_ORDER[t.term_type] for t in covering)
	elif ahead:
		assert current in ahead
		assert current.start_date == min(t.start_date for t in ahead)
	else:
		assert current is None


@settings(max_examples=100)
@given(random_terms, random_terms)
def test_overlapping_is_symmetric_and_means_a_shared_day_of_the_same_type(first, second):
	terms = [
		Term(f"T{n}", t.school_year, t.term_type, t.start_date, t.end_date)
		for n, t in enumerate(first + second)
	]
	for t in terms:
		found = school_terms.overlapping(t, terms)
		for other in terms:
			shares_a_day = max(t.start_date, other.start_date) <= min(t.end_date, other.end_date)
			expected = other.name != t.name and other.term_type == t.term_type and shares_a_day
			assert (other in found) == expected
			assert (other in found) == (t in school_terms.overlapping(other, terms))


@settings(max_examples=100)
@given(
	st.integers(min_value=2000, max_value=2100),
	st.dates(min_value=date(1999, 1, 1), max_value=date(2102, 12, 31)),
	st.integers(min_value=-30, max_value=400),
)
def test_term_dates_are_accepted_iff_they_are_in_order_inside_the_school_year(year, start, length):
	end = start + timedelta(days=length)
	inside = date(year, 8, 1) <= start and end <= date(year + 1, 8, 31)
	try:
		school_terms.check_dates(f"{year}/{year + 1}", start, end)
		accepted = True
	except RuleViolation:
		accepted = False
	assert accepted == (start <= end and inside)
