"""Plans by Institution and Term: approved plans and their learners per institution, term and grade band, on
the plan reports' story; every figure against a count in SQL, and nothing of other institutions or partners."""

import json
from collections import Counter

import frappe
import pytest

from pumpurs_app.reporting.report.outcomes_and_retention import outcomes_and_retention
from pumpurs_app.reporting.report.plans_by_institution_and_term import plans_by_institution_and_term
from tests.integration.reports.plan_reports import (
	LIVE,
	chart_values,
	institutions_of,
	outcome_groups,
	run,
	sql_rows,
)


def independent_plan_counts(institutions=None, terms=None) -> tuple[dict, dict]:
	"""(institution, term) -> plans, learners and plans per grade band; and the distinct total — from SQL."""
	rows = sql_rows(
		"""select partner, institution, school_term, count(*) as plans, count(distinct learner) as learners,
			sum(education_type = 'General' and grade <= 4) as grades_1_4,
			sum(education_type = 'General' and grade between 5 and 9) as grades_5_9,
			sum(education_type = 'General' and grade >= 10) as grades_10_12,
			sum(education_type = 'Vocational') as vocational
		from `tabIndividual Support Plan` where docstatus = 1 and workflow_state in %s
		group by partner, institution, school_term""",
		LIVE,
	)
	rows = [
		r
		for r in rows
		if (institutions is None or r.institution in institutions)
		and (terms is None or r.school_term in terms)
	]
	by_key = {
		(r.institution, r.school_term): {
			k: int(v) if k not in ("partner", "institution", "school_term") else v for k, v in r.items()
		}
		for r in rows
	}
	learners = set()
	for r in sql_rows(
		"select institution, school_term, learner from `tabIndividual Support Plan` where docstatus = 1 and workflow_state in %s",
		LIVE,
	):
		if (institutions is None or r.institution in institutions) and (
			terms is None or r.school_term in terms
		):
			learners.add(r.learner)
	total = {"plans": sum(r["plans"] for r in by_key.values()), "learners": len(learners)}
	return by_key, total


def split_total(rows) -> tuple[dict, dict | None]:
	body = {(r["institution"], r["school_term"]): r for r in rows if not r.get("is_total")}
	totals = [r for r in rows if r.get("is_total")]
	assert len(totals) <= 1 and (not totals or rows[-1] is totals[0])
	return body, (totals[0] if totals else None)


def test_plans_by_institution_and_term_counts_approved_plans_per_term_and_band(world, story):
	columns, rows, chart = run(world, "auditor", plans_by_institution_and_term)
	assert [c["fieldname"] for c in columns] == [
		"partner",
		"institution",
		"school_term",
		"plans",
		"learners",
		"grades_1_4",
		"grades_5_9",
		"grades_10_12",
		"vocational",
	]
	body, total = split_total(rows)
	expected, expected_total = independent_plan_counts()
	fields = ("partner", "plans", "learners", "grades_1_4", "grades_5_9", "grades_10_12", "vocational")
	assert {k: {f: r[f] for f in fields} for k, r in body.items()} == {
		k: {f: r[f] for f in fields} for k, r in expected.items()
	}
	assert (total["plans"], total["learners"]) == (expected_total["plans"], expected_total["learners"])
	for band in ("grades_1_4", "grades_5_9", "grades_10_12", "vocational"):
		assert total[band] == sum(r[band] for r in expected.values())

	# the story, read directly: drafts, pending and rejected plans are not counted; a learner's three terms are
	# three plans but one learner in the total
	t = world.terms
	assert body[(world.school_a, t["previous_s1"])]["plans"] == 1  # a7's; a3's pending plan is not
	assert body[(world.school_a, t["previous_s2"])]["plans"] == 1  # a7's; a3's rejected plan is not
	assert (world.school_a, t["current_s2"]) not in body  # a3's draft
	assert body[(world.school_b, t["current_s1"])]["plans"] == 1
	assert body[(world.vocational_school, t["current_s1"])]["plans"] == 1
	current_a = body[(world.school_a, t["current_s1"])]
	# a3 in grades 1–4; a7 and the money plan's a8money in grades 5–9
	assert current_a["grades_1_4"] >= 1 and current_a["grades_5_9"] >= 2
	assert current_a["plans"] == current_a["grades_1_4"] + current_a["grades_5_9"] + current_a["grades_10_12"]
	assert total["learners"] < total["plans"]

	# rows in chronological order of terms within an institution; the chart: plans per term
	order = [r["school_term"] for r in rows if r.get("institution") == world.school_a]
	assert order.index(t["previous_s1"]) < order.index(t["previous_s2"]) < order.index(t["current_s1"])
	per_term = Counter()
	for (_institution, term), r in expected.items():
		per_term[term] += r["plans"]
	assert dict(chart_values(chart)["Approved Plans"]) == dict(per_term)
	assert [label for label, _v in chart_values(chart)["Approved Plans"]][:2] == [
		t["previous_s1"],
		t["previous_s2"],
	]


def test_plans_by_institution_and_term_filters(world, story):
	t = world.terms
	previous_year = frappe.db.get_value("School Term", t["previous_s1"], "school_year")
	_c, rows, chart = run(world, "regional", plans_by_institution_and_term, school_year=previous_year)
	body, total = split_total(rows)
	assert {term for _i, term in body} == {t["previous_s1"], t["previous_s2"]}
	assert (total["plans"], total["learners"]) == (2, 1)  # a7, twice
	assert chart_values(chart)["Approved Plans"] == [(t["previous_s1"], 1), (t["previous_s2"], 1)]

	_c, rows, _chart = run(
		world,
		"regional",
		plans_by_institution_and_term,
		school_term=t["current_s1"],
		partner=world.municipality,
	)
	body, total = split_total(rows)
	expected, expected_total = independent_plan_counts(
		institutions={world.school_a, world.school_b}, terms={t["current_s1"]}
	)
	assert set(body) == set(expected) and total["plans"] == expected_total["plans"]

	_c, rows, _chart = run(world, "regional", plans_by_institution_and_term, institution=world.school_b)
	assert {i for i, _term in split_total(rows)[0]} == {world.school_b}


@pytest.mark.parametrize("user", ["vet_coord", "b_director"])
def test_plans_by_institution_and_term_is_scoped(world, story, user):
	mine = institutions_of(world, user)
	_c, rows, chart = run(world, user, plans_by_institution_and_term)
	body, total = split_total(rows)
	expected, expected_total = independent_plan_counts(institutions=mine)
	assert {i for i, _term in body} == mine
	assert {k: r["plans"] for k, r in body.items()} == {k: r["plans"] for k, r in expected.items()}
	assert (
		(total["plans"], total["learners"]) == (expected_total["plans"], expected_total["learners"]) == (1, 1)
	)
	assert chart_values(chart)["Approved Plans"] == [(world.terms["current_s1"], 1)]
	assert world.school_a not in json.dumps(rows, default=str)


def test_a_user_outside_any_institution_gets_an_empty_report(world, story):
	_c, rows, chart = run(world, "loner", plans_by_institution_and_term)
	assert rows == [] and chart is None


def test_vocational_learners_plans_count_as_vocational(world, story):
	t = world.terms
	body, _total = split_total(
		run(world, "auditor", plans_by_institution_and_term, school_term=t["current_s1"])[1]
	)
	assert body[(world.school_b, t["current_s1"])]["vocational"] == 1  # b2voc
	assert body[(world.vocational_school, t["current_s1"])]["vocational"] == 1  # v1
	rows = run(world, "auditor", outcomes_and_retention, group_by="Grade Band")[1]
	assert outcome_groups(rows, "grade_band")["Vocational years 1–4"]["head"]["plans"] == 1  # v1
