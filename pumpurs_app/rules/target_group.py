"""Who the programme may support: the target group (mērķgrupa).

General-education learners in grades 5–12, and grades 1–4 from the 1st semester of 2021/2022; vocational
learners in years 1–4 (also in vocational programmes run by general schools).
"""

from datetime import date

from pumpurs_app.rules import school_terms
from pumpurs_app.rules.errors import RuleViolation

GENERAL = "General"
VOCATIONAL = "Vocational"
BOTH = "Both"
EDUCATION_TYPES = (GENERAL, VOCATIONAL)

GRADES = {GENERAL: range(1, 13), VOCATIONAL: range(1, 5)}
ALWAYS_ELIGIBLE_GENERAL = range(5, 13)
EARLY_GRADES = range(1, 5)
# (school year start, term order) from which grades 1–4 of general education joined the target group
EARLY_GRADES_FROM = (2021, school_terms.TERM_ORDER[school_terms.SEMESTER_1])

ADULT_AGE = 18


def check_grade(education_type: str, grade: int) -> None:
	if education_type not in GRADES:
		raise RuleViolation("Unknown education type {value}.", value=education_type or "")
	if grade not in GRADES[education_type]:
		allowed = GRADES[education_type]
		raise RuleViolation(
			"Grade {grade} is not possible in {education_type} education (allowed {low}–{high}).",
			grade=grade,
			education_type=education_type,
			low=allowed.start,
			high=allowed.stop - 1,
		)


def check_education_type(institution_type: str, learner_type: str) -> None:
	"""A learner's education type must be one that the institution provides."""
	if institution_type != BOTH and institution_type != learner_type:
		raise RuleViolation(
			"The institution provides {institution_type} education only; the learner's education type is {learner_type}.",
			institution_type=institution_type,
			learner_type=learner_type,
		)


def in_target_group(education_type: str, grade: int, school_year: str, term_type: str) -> bool:
	if education_type == VOCATIONAL:
		return grade in GRADES[VOCATIONAL]
	if grade in ALWAYS_ELIGIBLE_GENERAL:
		return True
	when = (school_terms.school_year_start(school_year), school_terms.TERM_ORDER[term_type])
	return grade in EARLY_GRADES and when >= EARLY_GRADES_FROM


def check_target_group(education_type: str, grade: int, school_year: str, term_type: str) -> None:
	check_grade(education_type, grade)
	if not in_target_group(education_type, grade, school_year, term_type):
		raise RuleViolation(
			"Grade {grade} of {education_type} education is not in the programme's target group in {school_year} {term_type}: grades 1–4 take part from the 1st semester of 2021/2022.",
			grade=grade,
			education_type=education_type,
			school_year=school_year,
			term_type=term_type,
		)


def age_on(born: date, day: date) -> int:
	return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_adult(born: date | None, day: date) -> bool:
	return bool(born) and age_on(born, day) >= ADULT_AGE


def grade_band(education_type: str, grade: int) -> str:
	"""The bands the programme reports by: grades 1–4 (joined in 2021/2022), 5–9, 10–12; vocational years."""
	if education_type == VOCATIONAL:
		return "Vocational years 1–4"
	if grade in EARLY_GRADES:
		return "Grades 1–4"
	return "Grades 5–9" if grade <= 9 else "Grades 10–12"
