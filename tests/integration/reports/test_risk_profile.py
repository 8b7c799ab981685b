"""Risk Profile: learners by risk group and highest severity, on the plan reports' story; every figure against
the raw rows counted in Python, and nothing of other institutions or partners."""

from collections import defaultdict

import frappe
import pytest

from pumpurs_app.patches.v0_5 import plan_group_severities
from pumpurs_app.reporting.report.risk_profile import risk_profile
from pumpurs_app.rules.support_plans import RISK_GROUP_SHORT
from pumpurs_app.support_plans.doctype.individual_support_plan.individual_support_plan import (
	GROUP_SEVERITY_FIELDS,
)
from tests.integration.reports.plan_reports import LIVE, SEVERITIES, chart_values, run, sql_rows

PLAN = "Individual Support Plan"


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
		assert dict(values[severity]) == {  # the chart names each group short: its axis is narrow
			RISK_GROUP_SHORT[g]: expected["groups"][g][severity.lower()] for g in expected["groups"]
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
	assert chart_values(chart)["Medium"] == [("Learning", 1), ("Family", 0)]
	assert chart_values(chart)["High"] == [("Learning", 0), ("Family", 1)]


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
		assert dict(values) == {
			RISK_GROUP_SHORT[g]: expected["groups"][g][severity.lower()] for g in expected["groups"]
		}
	_c, rows, _chart = run(world, user, risk_profile, group_by="Institution")
	assert {r["institution"] for r in rows} == {world.vocational_school}


def test_the_patch_fills_each_groups_severity_as_the_controller_does(world, story):
	"""Plans saved before the plan kept its groups' severities get them from their risk rows; the report's
	figures are those of the plans the controller saved."""
	fields = ["name", *GROUP_SEVERITY_FIELDS.values()]
	saved = frappe.get_all(PLAN, fields=fields, order_by="name")
	assert any(row.learning_risk_severity for row in saved) and any(
		not row.family_risk_severity for row in saved
	)
	term = world.terms["current_s1"]
	before = run(world, "ikvd_admin", risk_profile, school_term=term)
	frappe.db.sql(
		f"update `tab{PLAN}` set {', '.join(f'{f} = null' for f in GROUP_SEVERITY_FIELDS.values())}"
	)

	plan_group_severities.execute()

	assert frappe.get_all(PLAN, fields=fields, order_by="name") == saved
	assert run(world, "ikvd_admin", risk_profile, school_term=term) == before
