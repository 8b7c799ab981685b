"""Learner History: every plan of a learner with its measures, consultations and compensations, in order, on
the plan reports' story; never the personal code, and nothing of another institution's learner."""

import json

import frappe
import pytest

from pumpurs_app.reporting.report.learner_history import learner_history
from pumpurs_app.support_plans.doctype.individual_support_plan.individual_support_plan import (
	make_next_term_plan,
)
from tests.integration.money import approve_claim, daily_tickets, make_claim, october
from tests.integration.plans import PLAN, act
from tests.integration.reports.plan_reports import history, run_http


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


def test_specialist_opens_learner_history_over_http(world, api):
	response = run_http(api, world, "a_specialist", "Learner History", learner=world.learners["a8money"])
	assert response.status == 200, response.text[:300]
