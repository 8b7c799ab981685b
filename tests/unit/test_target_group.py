from datetime import date

import pytest

from pumpurs_app.rules import RuleViolation, target_group
from pumpurs_app.rules.school_terms import HOLIDAY, SEMESTER_1, SEMESTER_2


@pytest.mark.parametrize("grade", range(5, 13))
def test_general_grades_5_to_12_always_in_target_group(grade):
	assert target_group.in_target_group("General", grade, "2017/2018", SEMESTER_1)


@pytest.mark.parametrize(
	"school_year, term_type, expected",
	[
		("2020/2021", SEMESTER_1, False),
		("2020/2021", SEMESTER_2, False),
		("2020/2021", HOLIDAY, False),  # summer 2021 is still before 2021/2022 semester 1
		("2021/2022", SEMESTER_1, True),
		("2021/2022", SEMESTER_2, True),
		("2025/2026", HOLIDAY, True),
	],
)
def test_grades_1_to_4_from_2021_2022_semester_1(school_year, term_type, expected):
	for grade in range(1, 5):
		assert target_group.in_target_group("General", grade, school_year, term_type) is expected


def test_vocational_years_1_to_4():
	assert all(target_group.in_target_group("Vocational", y, "2017/2018", SEMESTER_2) for y in range(1, 5))
	assert not target_group.in_target_group("Vocational", 5, "2021/2022", SEMESTER_1)


def test_check_target_group_explains_refusal():
	with pytest.raises(RuleViolation, match="2021/2022"):
		target_group.check_target_group("General", 3, "2020/2021", SEMESTER_2)
	with pytest.raises(RuleViolation, match="allowed 1–4"):
		target_group.check_target_group("Vocational", 5, "2021/2022", SEMESTER_1)
	with pytest.raises(RuleViolation, match="allowed 1–12"):
		target_group.check_target_group("General", 13, "2021/2022", SEMESTER_1)
	with pytest.raises(RuleViolation, match="Unknown education type"):
		target_group.check_grade("Evening", 5)


def test_education_type_must_match_institution():
	target_group.check_education_type("Both", "Vocational")
	target_group.check_education_type("General", "General")
	with pytest.raises(
		RuleViolation, match="provides General education only; the learner's education type is Vocational"
	):
		target_group.check_education_type("General", "Vocational")


def test_adulthood_on_a_date():
	born = date(2008, 3, 15)
	assert not target_group.is_adult(born, date(2026, 3, 14))
	assert target_group.is_adult(born, date(2026, 3, 15))
	assert not target_group.is_adult(None, date(2026, 3, 15))


def test_grade_bands():
	assert [target_group.grade_band("General", g) for g in (1, 4, 5, 9, 10, 12)] == [
		"Grades 1–4",
		"Grades 1–4",
		"Grades 5–9",
		"Grades 5–9",
		"Grades 10–12",
		"Grades 10–12",
	]
	assert target_group.grade_band("Vocational", 3) == "Vocational years 1–4"
