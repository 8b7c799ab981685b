"""Outcomes and Retention: evaluated plans, whether the learner goes on, and the risks' outcomes per partner,
institution or grade band, on the plan reports' story; every figure against a count in SQL."""

from collections import Counter, defaultdict

import frappe
import pytest

from pumpurs_app.reporting.report.outcomes_and_retention import outcomes_and_retention
from tests.integration.reports.plan_reports import chart_values, outcome_groups, run, sql_rows


def independent_outcomes(key: str) -> dict:
	"""key -> evaluated plans by continues_next_term, and risks by (group, outcome) — from SQL."""
	plans = sql_rows(
		f"""select {key} as k, continues_next_term, count(*) as n from `tabIndividual Support Plan`
		where docstatus = 1 and workflow_state = 'Evaluated' group by k, continues_next_term"""
	)
	risks = sql_rows(
		f"""select p.{key} as k, r.risk_group, r.outcome, count(*) as n from `tabIndividual Support Plan` p
		join `tabSupport Plan Risk` r on r.parent = p.name and r.parenttype = 'Individual Support Plan'
		where p.docstatus = 1 and p.workflow_state = 'Evaluated' group by k, r.risk_group, r.outcome"""
	)
	result = defaultdict(lambda: {"continues": Counter(), "outcomes": defaultdict(Counter)})
	for r in plans:
		result[r.k]["continues"][r.continues_next_term] += r.n
	for r in risks:
		result[r.k]["outcomes"][r.risk_group][r.outcome] += r.n
	return result


def test_outcomes_and_retention_per_partner(world, story):
	columns, rows, chart = run(world, "regional", outcomes_and_retention, group_by="Partner")
	assert [c["fieldname"] for c in columns] == [
		"partner",
		"risk_group",
		"plans",
		"continues",
		"stopped",
		"unknown",
		"retention",
		"reduced",
		"unchanged",
		"increased",
		"reduced_share",
	]
	groups = outcome_groups(rows, "partner")
	expected = independent_outcomes("partner")
	total = groups.pop("Total")["head"]
	assert set(groups) == set(expected)
	for partner, group in groups.items():
		head, want = group["head"], expected[partner]
		assert (head["continues"], head["stopped"], head["unknown"]) == (
			want["continues"]["Yes"],
			want["continues"]["No"],
			want["continues"]["Unknown"],
		)
		assert head["plans"] == sum(want["continues"].values())
		assert head["retention"] == round(100 * want["continues"]["Yes"] / head["plans"], 1)
		for risk_group, outcomes in want["outcomes"].items():
			row = group["risk_groups"][risk_group]
			assert (row["reduced"], row["unchanged"], row["increased"]) == (
				outcomes["Reduced"],
				outcomes["Unchanged"],
				outcomes["Increased"],
			)
		assert head["reduced"] == sum(o["Reduced"] for o in want["outcomes"].values())
	# the story: the municipality's a7 went on after one term and left after the next; v1 is not known
	municipality = groups[world.municipality]["head"]
	assert (
		municipality["plans"],
		municipality["continues"],
		municipality["stopped"],
		municipality["retention"],
	) == (2, 1, 1, 50.0)
	learning = groups[world.municipality]["risk_groups"]["Learning and school environment"]
	assert (learning["reduced"], learning["unchanged"], learning["increased"], learning["reduced_share"]) == (
		2,
		0,
		1,
		66.7,
	)
	assert groups[world.vocational_partner]["head"]["unknown"] == 1
	assert (total["plans"], total["continues"], total["retention"]) == (3, 1, 33.3)
	assert dict(chart_values(chart)["Retention (%)"]) == {
		world.municipality: 50.0,
		world.vocational_partner: 0.0,
	}


def test_outcomes_and_retention_per_institution_and_grade_band(world, story):
	_c, rows, _chart = run(world, "auditor", outcomes_and_retention, group_by="Institution")
	groups = outcome_groups(rows, "institution")
	expected = independent_outcomes("institution")
	assert {i for i in groups if i} == set(expected)
	assert groups[world.school_a]["head"]["partner"] == world.municipality

	_c, rows, chart = run(world, "auditor", outcomes_and_retention, group_by="Grade Band")
	groups = outcome_groups(rows, "grade_band")
	assert groups["Grades 5–9"]["head"]["plans"] == 2  # a7, two terms
	assert groups.pop("Total")["head"]["plans"] == 3
	assert sum(g["head"]["plans"] for g in groups.values()) == 3
	bands = ("Grades 1–4", "Grades 5–9", "Grades 10–12", "Vocational years 1–4")
	assert [label for label, _v in chart_values(chart)["Retention (%)"]] == [b for b in bands if b in groups]

	_c, rows, chart = run(
		world,
		"auditor",
		outcomes_and_retention,
		group_by="None",
		school_year=frappe.db.get_value("School Term", world.terms["previous_s1"], "school_year"),
	)
	head = rows[0]
	assert (head["plans"], head["continues"], head["stopped"]) == (2, 1, 1)
	assert all(r["is_total"] for r in rows)
	assert chart_values(chart)["Retention (%)"] == [("Total", 50.0)]


@pytest.mark.parametrize("user", ["vet_coord", "vet_director"])
def test_outcomes_and_retention_is_scoped(world, story, user):
	_c, rows, chart = run(world, user, outcomes_and_retention, group_by="Institution")
	groups = outcome_groups(rows, "institution")
	total = groups.pop(None)["head"]  # the total row names no institution
	assert total["is_total"] and set(groups) == {world.vocational_school}
	assert (total["plans"], total["unknown"], total["retention"]) == (1, 1, 0.0)
	assert dict(chart_values(chart)["Retention (%)"]) == {world.vocational_school: 0.0}
