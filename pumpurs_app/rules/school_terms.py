"""The school calendar: school years, semesters and the summer holiday term.

A Latvian school year runs from 1 September to 31 August. Each year has two semesters and, where a school
extends the year, a holiday term (brīvlaiks) with its own support plans.
"""

import re
from dataclasses import dataclass
from datetime import date

from pumpurs_app.rules.errors import RuleViolation

SEMESTER_1 = "Semester 1"
SEMESTER_2 = "Semester 2"
HOLIDAY = "Holiday"
TERM_TYPES = (SEMESTER_1, SEMESTER_2, HOLIDAY)
SEMESTERS = (SEMESTER_1, SEMESTER_2)
# order inside a school year, and the suffix of the term's name
TERM_ORDER = {SEMESTER_1: 1, SEMESTER_2: 2, HOLIDAY: 3}
TERM_SUFFIX = {SEMESTER_1: "S1", SEMESTER_2: "S2", HOLIDAY: "H"}

_SCHOOL_YEAR = re.compile(r"^(\d{4})/(\d{4})$")


@dataclass(frozen=True)
class Term:
	name: str
	school_year: str
	term_type: str
	start_date: date
	end_date: date

	@property
	def sort_key(self) -> tuple[int, int]:
		return (school_year_start(self.school_year), TERM_ORDER[self.term_type])

	def covers(self, day: date) -> bool:
		return self.start_date <= day <= self.end_date


def school_year_start(school_year: str) -> int:
	"""``"2021/2022"`` -> 2021; refuses anything that is not two consecutive years."""
	match = _SCHOOL_YEAR.match((school_year or "").strip())
	if not match or int(match.group(2)) != int(match.group(1)) + 1:
		raise RuleViolation(
			"School year must be two consecutive years written as 2021/2022, not {value}.",
			value=school_year or "",
		)
	return int(match.group(1))


def school_year_of(day: date) -> str:
	start = day.year if day.month >= 9 else day.year - 1
	return f"{start}/{start + 1}"


def term_name(school_year: str, term_type: str) -> str:
	"""The readable name of a term, e.g. ``2021/2022 S1``."""
	school_year_start(school_year)
	if term_type not in TERM_TYPES:
		raise RuleViolation("Unknown term type {value}.", value=term_type or "")
	return f"{school_year} {TERM_SUFFIX[term_type]}"


def short_name(school_year: str, term_type: str) -> str:
	"""A term's name where space is short (a chart's axis), e.g. ``26/27 S1``."""
	first = school_year_start(school_year)
	if term_type not in TERM_TYPES:
		raise RuleViolation("Unknown term type {value}.", value=term_type or "")
	return f"{first % 100:02d}/{(first + 1) % 100:02d} {TERM_SUFFIX[term_type]}"


def check_dates(school_year: str, start: date, end: date) -> None:
	"""A term must end after it starts and lie inside its school year (1 August .. 31 August next year)."""
	first = school_year_start(school_year)
	if end < start:
		raise RuleViolation("The term ends before it starts.")
	if start < date(first, 8, 1) or end > date(first + 1, 8, 31):
		raise RuleViolation(
			"The dates {start} – {end} are outside the school year {school_year}.",
			start=start.isoformat(),
			end=end.isoformat(),
			school_year=school_year,
		)


def overlapping(term: Term, others: list[Term]) -> list[Term]:
	"""Terms of the same type whose dates overlap ``term`` (the term itself excluded)."""
	return [
		other
		for other in others
		if other.name != term.name
		and other.term_type == term.term_type
		and other.start_date <= term.end_date
		and term.start_date <= other.end_date
	]


def current_term(terms: list[Term], today: date) -> Term | None:
	"""The term that covers ``today`` (a semester before a holiday term); between terms, the next one."""
	covering = sorted((t for t in terms if t.covers(today)), key=lambda t: TERM_ORDER[t.term_type])
	if covering:
		return covering[0]
	upcoming = sorted((t for t in terms if t.start_date > today), key=lambda t: t.start_date)
	return upcoming[0] if upcoming else None


def next_term(terms: list[Term], term: Term, include_holiday: bool = False) -> Term | None:
	"""The term after ``term`` in the calendar; holiday terms only when asked for."""
	later = [t for t in terms if t.sort_key > term.sort_key and (include_holiday or t.term_type != HOLIDAY)]
	return min(later, key=lambda t: t.sort_key) if later else None
