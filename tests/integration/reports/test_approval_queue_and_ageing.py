"""Approval Queue and Ageing: plans and compensations waiting at each approval step and for how long, against
an independent SQL count; users of another institution or partner see none of it."""

import frappe
import pytest

from pumpurs_app.reporting.report.approval_queue_and_ageing import approval_queue_and_ageing as queue_report
from tests.integration.money import COMPENSATION, daily_tickets, make_claim, october, step
from tests.integration.payments import SUPPLIER_IBAN
from tests.integration.plans import PLAN, make_plan, transition
from tests.integration.reports.money_reports import (
	ABSENCES,
	consultation_measure,
	run,
	sql_waiting,
	total_of,
	wait,
)


@pytest.fixture
def queue(world):
	"""A plan waiting at each step (two at the director), claims waiting for verification and for approval,
	and a vocational plan waiting at its director; each moved back in time by a known number of days, on the
	edges of the ageing buckets."""
	docs = {}
	docs["director_3"] = make_plan(world, learner="a7", term="current_s2").name
	docs["director_4"] = make_plan(
		world,
		learner="a3",
		term="current_s2",
		risks=ABSENCES,
		measures=[consultation_measure("Psychologist", 2)],
	).name
	docs["partner_8"] = make_plan(world, learner="a7", term="previous_s1").name
	docs["ikvd_15"] = make_plan(
		world,
		learner="a3",
		term="previous_s1",
		risks=ABSENCES,
		measures=[consultation_measure("Psychologist", 2)],
	).name
	docs["vet_30"] = make_plan(world, learner="v1", author="vet_author", term="current_s2").name
	for key in ("director_3", "director_4", "partner_8", "ikvd_15"):
		transition(world, "a_author", docs[key], "Send for Approval")
	transition(world, "a_director", docs["partner_8"], "Approve")
	transition(world, "a_director", docs["ikvd_15"], "Approve")
	transition(world, "muni_coord", docs["ikvd_15"], "Approve")
	transition(world, "vet_author", docs["vet_30"], "Send for Approval")
	docs["submitted_14"] = make_claim(
		world, period=(october(world, 21), october(world, 31)), lines=daily_tickets(world, 21, 2)
	).name
	step(world, "a_coord", docs["submitted_14"], "Submit for Verification")
	docs["verified_7"] = make_claim(
		world,
		kind="Meals",
		payee_kind="Supplier",
		payee_name="SIA Skolas ēdnīca",
		payee_iban=SUPPLIER_IBAN,
		lines=[{"line_date": october(world, 6), "quantity": 2, "description": "Pusdienas"}],
	).name
	step(world, "a_coord", docs["verified_7"], "Submit for Verification")
	step(world, "a_accountant", docs["verified_7"], "Verify")
	for key, name in docs.items():
		wait(
			COMPENSATION if key.startswith(("submitted", "verified")) else PLAN,
			name,
			int(key.rsplit("_", 1)[1]),
		)
	return docs


STEP_OF = {
	(PLAN, "Pending Director"): "Plans waiting for the director",
	(PLAN, "Pending Partner Coordinator"): "Plans waiting for the partner's coordinator",
	(PLAN, "Pending IKVD"): "Plans waiting for IKVD",
	(COMPENSATION, "Submitted"): "Compensations waiting for verification",
	(COMPENSATION, "Verified"): "Compensations waiting for approval",
}


def expected_steps(waiting: list[tuple]) -> dict[str, tuple]:
	"""Step -> (documents, oldest, average, 0–3, 4–7, 8–14, over 14), counted here from the SQL rows."""
	result = {}
	for step_key, label in STEP_OF.items():
		days = [d for doctype, state, _name, d in waiting if (doctype, state) == step_key]
		result[label] = (
			len(days),
			max(days, default=0),
			round(sum(days) / len(days), 1) if days else 0.0,
			sum(0 <= d <= 3 for d in days),
			sum(4 <= d <= 7 for d in days),
			sum(8 <= d <= 14 for d in days),
			sum(d > 14 for d in days),
		)
	return result


def step_rows(rows: list[dict]) -> dict[str, tuple]:
	fields = ("documents", "oldest_days", "average_days", "days_0_3", "days_4_7", "days_8_14", "days_over_14")
	return {r["label"]: tuple(r[f] for f in fields) for r in rows if r["indent"] == 0 and not r["is_total"]}


def test_approval_queue_counts_and_ages_each_step(world, queue):
	_columns, rows, chart = run(world, "a_director", queue_report, {"show_documents": 1})
	waiting = sql_waiting("institution", [world.school_a])
	assert step_rows(rows) == expected_steps(waiting)
	assert step_rows(rows) == {
		"Plans waiting for the director": (2, 4, 3.5, 1, 1, 0, 0),
		"Plans waiting for the partner's coordinator": (1, 8, 8.0, 0, 0, 1, 0),
		"Plans waiting for IKVD": (1, 15, 15.0, 0, 0, 0, 1),
		"Compensations waiting for verification": (1, 14, 14.0, 0, 0, 1, 0),
		"Compensations waiting for approval": (1, 7, 7.0, 0, 1, 0, 0),
	}
	total = total_of(rows)
	assert (total["documents"], total["oldest_days"], total["average_days"]) == (6, 15, 8.5)
	assert (total["days_0_3"], total["days_4_7"], total["days_8_14"], total["days_over_14"]) == (1, 2, 2, 1)
	# every waiting document under its step, oldest first, with its days
	documents = [(r["reference_doctype"], r["document"], r["days"]) for r in rows if r["indent"] == 1]
	assert sorted(documents) == sorted((doctype, name, days) for doctype, _state, name, days in waiting)
	director = [r["document"] for r in rows if r["indent"] == 1 and r["state"] == "Pending Director"]
	assert director == [queue["director_4"], queue["director_3"]]
	assert rows[1]["label"] == frappe.db.get_value(PLAN, queue["director_4"], "learner_name")
	# the chart: one bar per step, split by age
	assert chart["data"]["labels"] == [
		"Director",
		"Partner's coordinator",
		"IKVD",
		"Verification",
		"Approval",
	]
	series = {d["name"]: d["values"] for d in chart["data"]["datasets"]}
	assert series == {
		"0–3 Days": [1, 0, 0, 0, 0],
		"4–7 Days": [1, 0, 0, 0, 1],
		"8–14 Days": [0, 1, 0, 1, 0],
		"Over 14 Days": [0, 0, 1, 0, 0],
	}


def test_approval_queue_is_scoped_and_filtered(world, queue):
	# without "Show documents" only the steps and the total
	_c, rows, _chart = run(world, "muni_coord", queue_report)
	assert [r["indent"] for r in rows] == [0] * 6
	assert step_rows(rows) == expected_steps(sql_waiting("partner", [world.municipality]))
	# the other school of the municipality and the vocational school see none of school A's documents
	_c, other, chart = run(world, "b_director", queue_report, {"show_documents": 1})
	assert [r for r in other if r["indent"] == 1] == [] and total_of(other)["documents"] == 0
	assert all(v == 0 for d in chart["data"]["datasets"] for v in d["values"])
	_c, vocational, chart = run(world, "vet_coord", queue_report, {"show_documents": 1})
	assert [r["document"] for r in vocational if r["indent"] == 1] == [queue["vet_30"]]
	assert step_rows(vocational) == expected_steps(sql_waiting("partner", [world.vocational_partner]))
	assert total_of(vocational)["documents"] == 1 and total_of(vocational)["oldest_days"] == 30
	# IKVD sees all of it; a term narrows it to that term's documents
	_c, national, _chart = run(
		world, "regional", queue_report, {"school_term": world.terms["current_s2"], "show_documents": 1}
	)
	term_waiting = sql_waiting(
		"partner", [world.municipality, world.vocational_partner], world.terms["current_s2"]
	)
	assert step_rows(national) == expected_steps(term_waiting)
	assert {r["document"] for r in national if r["indent"] == 1} == {
		queue["director_3"],
		queue["director_4"],
		queue["vet_30"],
	}
