"""Helpers of the plan reports' tests (Plans by Institution and Term, Risk Profile, Outcomes and Retention,
Learner History): the story their tests share — plans made, approved, evaluated and served through the real
workflow by the real users (built once per test module by the ``story`` fixture, conftest.py) — and how a
report is run and read."""

from datetime import datetime, timedelta

import frappe

from pumpurs_app.reporting.report.learner_history import learner_history
from tests.integration.plans import PLAN, act, confirm_consultation, make_plan, transition

LIVE = ("Approved", "Evaluated")
SEVERITIES = ("Low", "Medium", "High")


def approve(world, plan: str, author: str, director: str, municipal: bool = True):
	transition(world, author, plan, "Send for Approval")
	transition(world, director, plan, "Approve")
	if municipal:
		transition(world, "muni_coord", plan, "Approve")
	return transition(world, "regional", plan, "Approve")


def evaluate(world, plan: str, who: str, continues: str, outcomes: dict[str, str]):
	doc = frappe.get_doc(PLAN, plan)
	doc.continues_next_term = continues
	for row in doc.risks:
		row.outcome = outcomes[row.risk_factor]
	act(world.user(who), doc.save)
	return transition(world, who, plan, "Evaluate")


def consultation(world, plan: str, day_offset: int, minutes: int, confirmed: bool, start="10:00:00") -> str:
	doc = frappe.get_doc(PLAN, plan)
	measure = next(m.name for m in doc.measures if m.measure_kind == "Consultation")
	day = frappe.db.get_value("School Term", doc.school_term, "start_date") + timedelta(days=day_offset)
	consult = frappe.get_doc(
		{
			"doctype": "Support Consultation",
			"support_plan": plan,
			"measure": measure,
			"specialist": world.user("a_specialist"),
			"consultation_date": day,
			"start_time": start,
			"duration_minutes": minutes,
			"mode": "In person",
			"topic": "Mācību motivācija",
		}
	)
	act(world.user("a_specialist"), consult.insert)
	if confirmed:
		confirm_consultation(
			world, consult.name, datetime.combine(day, datetime.min.time()) + timedelta(hours=12)
		)
	return consult.name


TWO_LEARNING_ONE_FAMILY = dict(
	risks=[
		{"risk_factor": "Learning difficulties", "severity": "Low"},
		{"risk_factor": "Unexcused absences", "severity": "Medium"},
		{"risk_factor": "Family crisis", "severity": "High"},
	],
	measures=[
		{
			"measure_kind": "Consultation",
			"risk_factor": "Unexcused absences",
			"specialist_role": "Psychologist",
			"planned_hours": 4,
		},
		{
			"measure_kind": "Consultation",
			"risk_factor": "Family crisis",
			"specialist_role": "Psychologist",
			"planned_hours": 2,
		},
	],
)


SOCIAL_ONLY = dict(
	risks=[{"risk_factor": "Long illness", "severity": "Low"}],
	measures=[
		{
			"measure_kind": "Consultation",
			"risk_factor": "Long illness",
			"specialist_role": "Psychologist",
			"planned_hours": 3,
		}
	],
)


def make_story(world) -> dict[str, str]:
	"""Plans of the shared world's learners (besides its committed money plan of a8money, Approved in current_s1):

	a7  (school A, grade 7): previous_s1 Evaluated (Yes), previous_s2 Evaluated (No), current_s1 Approved with
	    two consultations (one confirmed);
	a3  (school A, grade 3): current_s1 Approved, current_s2 Draft, previous_s2 Rejected, previous_s1 Pending;
	b2voc (school B, vocational year 2): current_s1 Approved;
	v1  (the state vocational school, year 1): current_s1 Evaluated (Unknown).
	"""
	plans = {}
	plans["a7_prev1"] = approve(
		world, make_plan(world, learner="a7", term="previous_s1").name, "a_author", "a_director"
	).name
	evaluate(
		world,
		plans["a7_prev1"],
		"a_author",
		"Yes",
		{"Unexcused absences": "Reduced", "Hard to get to school": "Unchanged"},
	)
	plans["a7_prev2"] = approve(
		world,
		make_plan(world, learner="a7", term="previous_s2", **TWO_LEARNING_ONE_FAMILY).name,
		"a_author",
		"a_director",
	).name
	evaluate(
		world,
		plans["a7_prev2"],
		"a_director",
		"No",
		{"Learning difficulties": "Reduced", "Unexcused absences": "Increased", "Family crisis": "Unchanged"},
	)
	plans["a7_cur1"] = approve(
		world, make_plan(world, learner="a7", term="current_s1").name, "a_author", "a_director"
	).name
	plans["a7_cur1_confirmed"] = consultation(world, plans["a7_cur1"], 3, 40, confirmed=True)
	plans["a7_cur1_open"] = consultation(world, plans["a7_cur1"], 10, 30, confirmed=False)

	plans["a3_cur1"] = approve(
		world, make_plan(world, learner="a3", term="current_s1", **SOCIAL_ONLY).name, "a_author", "a_director"
	).name
	plans["a3_cur2_draft"] = make_plan(world, learner="a3", term="current_s2").name
	rejected = make_plan(world, learner="a3", term="previous_s2").name
	transition(world, "a_author", rejected, "Send for Approval")
	plans["a3_prev2_rejected"] = transition(
		world, "a_director", rejected, "Reject", reason="Nav pamatojuma"
	).name
	pending = make_plan(world, learner="a3", term="previous_s1").name
	plans["a3_prev1_pending"] = transition(world, "a_author", pending, "Send for Approval").name

	plans["b2voc_cur1"] = approve(
		world,
		make_plan(world, learner="b2voc", term="current_s1", author="b_author").name,
		"b_author",
		"b_director",
	).name
	plans["v1_cur1"] = approve(
		world,
		make_plan(world, learner="v1", term="current_s1", author="vet_author").name,
		"vet_author",
		"vet_director",
		municipal=False,
	).name
	evaluate(
		world,
		plans["v1_cur1"],
		"vet_author",
		"Unknown",
		{"Unexcused absences": "Increased", "Hard to get to school": "Reduced"},
	)
	return plans


def run(world, user: str, module, **filters):
	"""The report as ``user`` in this process: (columns, rows, chart)."""
	result = act(world.user(user), module.execute, filters)
	return result[0], result[1], (result[3] if len(result) > 3 else None)


def chart_values(chart) -> dict[str, list]:
	if not chart:
		return {}
	return {
		d["name"]: list(zip(chart["data"]["labels"], d["values"], strict=True))
		for d in chart["data"]["datasets"]
	}


def sql_rows(query: str, *values) -> list[dict]:
	return frappe.db.sql(query, values, as_dict=True)


def institutions_of(world, user: str) -> set[str]:
	from pumpurs_app import access

	access.clear_scope_cache()
	return set(access.get_scope(world.user(user)).institutions)


def outcome_groups(rows, label: str) -> dict:
	groups = {}
	current = None
	for row in rows:
		if row["indent"] == 0:
			current = groups[row.get(label)] = {"head": row, "risk_groups": {}}
		else:
			assert row.get(label) == current["head"].get(label)
			current["risk_groups"][row["risk_group"]] = row
	return groups


def history(world, user: str, learner: str) -> list[dict]:
	return run(world, user, learner_history, learner=world.learners[learner])[1]


def run_http(api, world, user: str, report: str, **filters):
	return api(world.user(user)).call("frappe.desk.query_report.run", report_name=report, filters=filters)
