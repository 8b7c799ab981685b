"""The plan reports — Plans by Institution and Term, Risk Profile, Outcomes and Retention, Learner History —
on plans made, approved, evaluated and served (consultations, compensations) through the real workflow by the
real users. Every figure is checked against a count of the same rows written here in SQL or Python, and a
user of another institution or partner sees none of it: not in the rows, the totals or the chart."""

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import frappe
import pytest

from pumpurs_app.reporting.report.learner_history import learner_history
from pumpurs_app.reporting.report.outcomes_and_retention import outcomes_and_retention
from pumpurs_app.reporting.report.plans_by_institution_and_term import plans_by_institution_and_term
from pumpurs_app.reporting.report.risk_profile import risk_profile
from pumpurs_app.support_plans.doctype.individual_support_plan.individual_support_plan import (
	make_next_term_plan,
)
from tests.integration.conftest import reset_caches
from tests.integration.money import approve_claim, daily_tickets, make_claim, october
from tests.integration.plans import PLAN, act, confirm_consultation, make_plan, transition

LIVE = ("Approved", "Evaluated")
SEVERITIES = ("Low", "Medium", "High")


# --- the story: one learner over three terms, and plans of every state at three institutions ------------------


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


STORY = "reports_plans_story"
built = {}


@pytest.fixture(autouse=True)
def rollback(site):
	"""Instead of conftest's: each test's own changes are rolled back — to the story's savepoint once the story
	is built (building it through the real workflow takes a while), and the story itself after the module."""
	frappe.set_user("Administrator")
	frappe.local.lang = "en"
	yield
	if built:
		frappe.db.rollback(save_point=STORY)
	else:
		frappe.db.rollback()
	reset_caches()


@pytest.fixture(scope="module")
def story(world) -> dict[str, str]:
	frappe.set_user("Administrator")
	built.update(make_story(world))
	frappe.db.savepoint(STORY)
	yield dict(built)
	built.clear()
	frappe.db.rollback()
	reset_caches()


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


# --- 1. Plans by Institution and Term -----------------------------------------------------------------------


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


# --- 2. Risk Profile ------------------------------------------------------------------------------------------


def independent_risk_profile(term: str, institutions=None) -> dict:
	"""Per risk group: each learner once, at the highest severity of their risks of the group; and the term's
	learners by their plan's highest severity — worked out here in Python from the raw rows."""
	risks = sql_rows(
		"""select p.learner, p.institution, r.risk_factor, r.severity, f.risk_group
		from `tabIndividual Support Plan` p
		join `tabSupport Plan Risk` r on r.parent = p.name and r.parenttype = 'Individual Support Plan'
		join `tabRisk Factor` f on f.name = r.risk_factor
		where p.docstatus = 1 and p.workflow_state in %s and p.school_term = %s""",
		LIVE,
		term,
	)
	risks = [r for r in risks if institutions is None or r.institution in institutions]
	highest = defaultdict(dict)  # group -> learner -> severity
	per_learner = defaultdict(set)
	overall = {}
	for r in risks:
		mine = highest[r.risk_group]
		if SEVERITIES.index(r.severity) >= SEVERITIES.index(mine.get(r.learner, "Low")):
			mine[r.learner] = r.severity
		if SEVERITIES.index(r.severity) >= SEVERITIES.index(overall.get(r.learner, "Low")):
			overall[r.learner] = r.severity
		per_learner[r.learner].add(r.risk_group)
	groups = {
		group: {
			"learners": len(learners),
			**{s.lower(): list(learners.values()).count(s) for s in SEVERITIES},
		}
		for group, learners in highest.items()
	}
	everyone = {
		"learners": len(overall),
		**{s.lower(): list(overall.values()).count(s) for s in SEVERITIES},
		"several": sum(1 for g in per_learner.values() if len(g) > 1),
	}
	return {"groups": groups, "all": everyone}


def profile_rows(rows, key=()):
	"""{risk group (English) or 'all': row} of one level key and term."""
	english = {
		"Learning and school environment": "Learning and school environment",
		"Social environment and health": "Social environment and health",
		"Economic": "Economic",
		"Family": "Family",
	}
	found = {}
	for row in rows:
		if row["indent"] == 0:
			found["all"] = row
		else:
			found[english[row["risk_group"]]] = row
	return found


def test_risk_profile_counts_learners_by_group_and_highest_severity(world, story):
	term = world.terms["current_s1"]
	columns, rows, chart = run(world, "ikvd_admin", risk_profile, school_term=term)
	assert [c["fieldname"] for c in columns] == [
		"school_term",
		"risk_group",
		"learners",
		"high",
		"medium",
		"low",
		"share",
		"several",
	]
	expected = independent_risk_profile(term)
	found = profile_rows(rows)
	fields = ("learners", "high", "medium", "low")
	assert {g: {f: found[g][f] for f in fields} for g in expected["groups"]} == expected["groups"]
	assert set(found) == {"all", *expected["groups"]}
	assert {f: found["all"][f] for f in (*fields, "several")} == expected["all"]
	for group in expected["groups"]:
		assert found[group]["high"] + found[group]["medium"] + found[group]["low"] == found[group]["learners"]
		assert found[group]["share"] == round(100 * found[group]["learners"] / found["all"]["learners"], 1)

	# the story's current_s1, read directly: a7, b2voc and v1 have a High learning risk, the money plan's
	# a8money two Medium economic risks — counted once
	learning = found["Learning and school environment"]
	assert learning["high"] >= 3 and learning["medium"] >= 1
	assert found["Economic"]["learners"] == len({world.learners[k] for k in ("a7", "b2voc", "v1", "a8money")})
	assert found["Social environment and health"]["low"] == 1  # a3
	assert "Family" not in found

	# the chart: per group, stacked High / Medium / Low (only this term selected, so the same numbers)
	values = chart_values(chart)
	assert chart["barOptions"]["stacked"]
	assert set(values) == {"High", "Medium", "Low"}
	for severity in ("High", "Medium", "Low"):
		assert dict(values[severity]) == {
			g: expected["groups"][g][severity.lower()] for g in expected["groups"]
		}


def test_risk_profile_takes_the_highest_severity_within_a_group(world, story):
	"""a7's previous_s2 plan: two learning risks (Low and Medium) and a High family risk."""
	term = world.terms["previous_s2"]
	_c, rows, chart = run(world, "ikvd_admin", risk_profile, school_term=term)
	found = profile_rows(rows)
	learning = found["Learning and school environment"]
	assert (learning["learners"], learning["high"], learning["medium"], learning["low"]) == (1, 0, 1, 0)
	assert (found["Family"]["learners"], found["Family"]["high"]) == (1, 1)
	assert (found["all"]["learners"], found["all"]["high"], found["all"]["several"]) == (1, 1, 1)
	assert found["all"]["share"] is None and learning["share"] == 100.0
	assert chart_values(chart)["Medium"] == [("Learning and school environment", 1), ("Family", 0)]
	assert chart_values(chart)["High"] == [("Learning and school environment", 0), ("Family", 1)]


def test_risk_profile_per_partner_and_per_institution(world, story):
	term = world.terms["current_s1"]
	columns, rows, _chart = run(world, "auditor", risk_profile, school_term=term, group_by="Institution")
	assert [c["fieldname"] for c in columns][:3] == ["partner", "institution", "school_term"]
	by_institution = defaultdict(list)
	for row in rows:
		by_institution[(row["partner"], row["institution"])].append(row)
	assert {i for _p, i in by_institution} >= {world.school_a, world.school_b, world.vocational_school}
	for (partner, institution), mine in by_institution.items():
		expected = independent_risk_profile(term, {institution})
		found = profile_rows(mine)
		everyone = {f: found["all"][f] for f in ("learners", "high", "medium", "low", "several")}
		assert everyone == expected["all"], institution
		assert {
			g: {f: found[g][f] for f in ("learners", "high", "medium", "low")} for g in expected["groups"]
		} == expected["groups"]
		assert partner == frappe.db.get_value("Educational Institution", institution, "partner")

	_c, rows, _chart = run(world, "auditor", risk_profile, school_term=term, group_by="Partner")
	partners = {row["partner"] for row in rows}
	assert partners >= {world.municipality, world.vocational_partner}
	municipal = profile_rows([r for r in rows if r["partner"] == world.municipality])
	expected = independent_risk_profile(term, {world.school_a, world.school_b})
	assert municipal["all"]["learners"] == expected["all"]["learners"]
	assert (
		municipal["Learning and school environment"]["high"]
		== expected["groups"]["Learning and school environment"]["high"]
	)


@pytest.mark.parametrize("user", ["vet_coord", "vet_director"])
def test_risk_profile_is_scoped(world, story, user):
	term = world.terms["current_s1"]
	_c, rows, chart = run(world, user, risk_profile, school_term=term)
	expected = independent_risk_profile(term, {world.vocational_school})
	found = profile_rows(rows)
	assert found["all"]["learners"] == expected["all"]["learners"] == 1  # v1 only
	assert {g: found[g]["learners"] for g in expected["groups"]} == {g: 1 for g in expected["groups"]}
	for severity, values in chart_values(chart).items():
		assert dict(values) == {g: expected["groups"][g][severity.lower()] for g in expected["groups"]}
	_c, rows, _chart = run(world, user, risk_profile, group_by="Institution")
	assert {r["institution"] for r in rows} == {world.vocational_school}


# --- 6. Outcomes and Retention -------------------------------------------------------------------------------


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


# --- 8. Learner History ---------------------------------------------------------------------------------------


def history(world, user: str, learner: str) -> list[dict]:
	return run(world, user, learner_history, learner=world.learners[learner])[1]


def test_learner_history_shows_every_plan_with_its_measures_and_consultations_in_order(world, story):
	rows = history(world, "a_coord", "a7")
	plans = [r for r in rows if r["indent"] == 0]
	assert [p["document"] for p in plans] == [story["a7_prev1"], story["a7_prev2"], story["a7_cur1"]]
	assert [p["state"] for p in plans] == ["Evaluated", "Evaluated", "Approved"]
	first = plans[0]
	assert first["person"] == frappe.db.get_value(PLAN, story["a7_prev1"], "plan_author_name")
	for who in ("a_director", "muni_coord", "regional"):
		assert frappe.utils.get_fullname(world.user(who)) in first["approvals"]
	assert first["highest_severity"] == "High"
	assert (
		"Continues studying: Yes" in first["evaluation"] and "Reduced 1, Unchanged 1" in first["evaluation"]
	)
	assert "Continues studying: No" in plans[1]["evaluation"]
	assert plans[2]["evaluation"] == ""

	# under the current plan: its measures in order, the consultations under the consultation measure
	current = rows[rows.index(plans[2]) :]
	assert [(r["indent"], r["row_type"]) for r in current] == [
		(0, "Plan"),
		(1, "Measure"),
		(2, "Consultation"),
		(2, "Consultation"),
		(1, "Measure"),
	]
	measure = current[1]
	assert (measure["kind"], measure["planned_hours"]) == ("Consultation", 6)
	assert measure["delivered_hours"] == pytest.approx(40 / 60, abs=0.01)  # only the confirmed one
	consultations = current[2:4]
	assert [c["document"] for c in consultations] == [story["a7_cur1_confirmed"], story["a7_cur1_open"]]
	assert [(c["minutes"], c["confirmed"]) for c in consultations] == [(40, 1), (30, 0)]
	assert consultations[0]["person"] == frappe.db.get_value(
		"Support Consultation", story["a7_cur1_confirmed"], "specialist_name"
	)
	assert (current[4]["kind"], current[4]["planned_amount"]) == ("Compensation", 120)

	# independent count: every plan of the learner, every measure and consultation
	assert len(plans) == frappe.db.count(PLAN, {"learner": world.learners["a7"]})
	measures = frappe.db.sql(
		"select count(*) from `tabSupport Plan Measure` m join `tabIndividual Support Plan` p on p.name = m.parent where p.learner = %s",
		world.learners["a7"],
	)[0][0]
	assert len([r for r in rows if r["row_type"] == "Measure"]) == measures
	assert len([r for r in rows if r["row_type"] == "Consultation"]) == frappe.db.count(
		"Support Consultation", {"learner": world.learners["a7"]}
	)


def test_learner_history_shows_compensations_and_drafts_across_terms(world):
	claim = approve_claim(
		world,
		make_claim(
			world, period=(october(world, 1), october(world, 10)), lines=daily_tickets(world, 1, 2)
		).name,
	)
	draft = make_claim(
		world,
		kind="Meals",
		payee_kind="Supplier",
		payee_name="SIA Skolas ēdnīca",
		payee_iban="LV31UNLA0050000000002",
		lines=[{"line_date": october(world, 6), "quantity": 2, "description": "Pusdienas"}],
	)
	following = act(world.user("a_author"), make_next_term_plan, world.money_plan)

	rows = history(world, "a_director", "a8money")
	plans = [r for r in rows if r["indent"] == 0]
	assert [(p["document"], p["state"]) for p in plans] == [
		(world.money_plan, "Approved"),
		(following, "Draft"),
	]
	compensations = {r["document"]: r for r in rows if r["row_type"] == "Compensation"}
	assert set(compensations) == {claim.name, draft.name}
	assert compensations[claim.name]["state"] == "Approved" and compensations[claim.name]["amount"] == 18.0
	assert compensations[draft.name]["state"] == "Draft"
	# each claim sits under the measure it was made for
	for name, kind in ((claim.name, "Public transport tickets"), (draft.name, "Meals")):
		at = next(i for i, r in enumerate(rows) if r.get("document") == name)
		parent = next(r for r in reversed(rows[:at]) if r["indent"] == 1)
		assert parent["details"].startswith(kind)
	transport = next(
		r for r in rows if r["row_type"] == "Measure" and r["details"].startswith("Public transport tickets")
	)
	assert (transport["planned_amount"], transport["approved_amount"], transport["paid_amount"]) == (
		200,
		18.0,
		0,
	)

	# the specialist of the school sees the plans but not the money (they may not read compensations)
	seen = history(world, "a_specialist", "a8money")
	assert [r["document"] for r in seen if r["indent"] == 0] == [world.money_plan, following]
	assert not [r for r in seen if r["row_type"] == "Compensation"]


def test_learner_history_never_shows_the_personal_code(world, story):
	code, masked = frappe.db.get_value(
		"Learner", world.learners["a7"], ["personal_code", "personal_code_masked"]
	)
	for user in ("ikvd_admin", "a_director", "a_author", "a_specialist"):
		columns, rows = act(world.user(user), learner_history.execute, {"learner": world.learners["a7"]})
		text = json.dumps([columns, rows], default=str)
		assert rows and code not in text and masked not in text and code.replace("-", "") not in text


@pytest.mark.parametrize("user", ["b_author", "b_specialist", "vet_author", "vet_coord", "loner"])
def test_learner_history_of_another_institutions_learner_is_empty(world, story, user):
	assert history(world, user, "a7") == []


def test_learner_history_needs_a_learner(world):
	assert act(world.user("a_author"), learner_history.execute, {})[1] == []


# --- over HTTP, as the desk runs them (the shared world's committed money plan) -------------------------------


def run_http(api, world, user: str, report: str, **filters):
	return api(world.user(user)).call("frappe.desk.query_report.run", report_name=report, filters=filters)


def test_reports_over_http_are_scoped_and_limited_to_their_roles(world, api):
	term = world.terms["current_s1"]
	# what is committed (the story of the other tests may be in this connection's open transaction)
	committed = (
		api(world.user("auditor"))
		.call(
			"frappe.client.get_count",
			doctype=PLAN,
			filters={
				"institution": world.school_a,
				"school_term": term,
				"docstatus": 1,
				"workflow_state": ["in", LIVE],
			},
		)
		.message
	)
	assert committed >= 1  # the money plan

	response = run_http(api, world, "a_coord", "Plans by Institution and Term", school_term=term)
	assert response.status == 200, response.text[:500]
	rows = response.message["result"]
	assert [(r["institution"], r["plans"]) for r in rows if not r.get("is_total")] == [
		(world.school_a, committed)
	]
	assert response.message["chart"]["data"]["datasets"][0]["values"] == [committed]
	response = run_http(api, world, "vet_coord", "Plans by Institution and Term", school_term=term)
	assert response.status == 200 and response.message["result"] == [] and not response.message.get("chart")

	response = run_http(api, world, "muni_coord", "Risk Profile", school_term=term, group_by="Institution")
	assert response.status == 200, response.text[:500]
	assert {r["institution"] for r in response.message["result"]} <= {world.school_a, world.school_b}
	assert world.school_a in {r["institution"] for r in response.message["result"]}
	assert run_http(api, world, "vet_director", "Risk Profile", school_term=term).message["result"] == []

	response = run_http(api, world, "a_director", "Outcomes and Retention", group_by="Institution")
	assert response.status == 200, response.text[:500]

	response = run_http(api, world, "a_author", "Learner History", learner=world.learners["a8money"])
	assert response.status == 200, response.text[:500]
	assert [r["document"] for r in response.message["result"] if r["indent"] == 0] == [world.money_plan]
	code = frappe.db.get_value("Learner", world.learners["a8money"], "personal_code")
	assert code not in response.text
	response = run_http(api, world, "b_author", "Learner History", learner=world.learners["a8money"])
	assert response.status == 200 and response.message["result"] == []

	# roles: plan authors do not open the programme figures; accountants do not open a learner's history
	for user, report in (
		("a_author", "Plans by Institution and Term"),
		("a_author", "Risk Profile"),
		("a_specialist", "Outcomes and Retention"),
		("a_accountant", "Learner History"),
	):
		assert run_http(api, world, user, report).status == 403, (user, report)


def test_specialist_opens_learner_history_over_http(world, api):
	response = run_http(api, world, "a_specialist", "Learner History", learner=world.learners["a8money"])
	assert response.status == 200, response.text[:300]
