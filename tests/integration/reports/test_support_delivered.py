"""Support Delivered: planned, delivered (confirmed) and logged consultation hours per role, specialist and
month, against an independent SQL count; users of another institution or partner see none of it."""

from datetime import timedelta

import frappe
import pytest

from pumpurs_app.reporting.report.support_delivered import support_delivered as delivered_report
from tests.integration.plans import make_plan
from tests.integration.reports.money_reports import (
	ABSENCES,
	approved_plan,
	consult,
	consultation_measure,
	day,
	run,
	total_of,
)


@pytest.fixture
def support(world):
	"""Consultation measures and consultations in both municipal schools and the vocational school."""
	a7 = approved_plan(world, "a7", [consultation_measure("Psychologist", 6)])
	a3 = approved_plan(world, "a3", [consultation_measure("Psychologist", 4, world.user("a_specialist"))])
	b = approved_plan(world, "b2voc", [consultation_measure("Social Pedagogue", 5)], school="b")
	v = approved_plan(world, "v1", [consultation_measure("Teacher", 3)], school="vet")
	# a draft plan plans nothing yet
	make_plan(
		world,
		learner="b9",
		author="b_author",
		risks=ABSENCES,
		measures=[consultation_measure("Social Pedagogue", 10)],
	)
	consult(world, a7, "a_specialist", day(world, 9, 4), minutes=40)
	consult(world, a7, "a_specialist", day(world, 10, 5), minutes=30)
	consult(world, a7, "a_specialist", day(world, 10, 6), minutes=20, confirmed=False)
	consult(world, a3, "a_specialist", day(world, 10, 5), start="11:00:00", minutes=40)
	consult(world, b, "b_specialist", day(world, 10, 7), minutes=40)
	consult(world, v, "vet_specialist", day(world, 9, 10), minutes=25)
	return {"a7": a7, "a3": a3, "b": b, "v": v}


def sql_consultations(term: str, institutions: list[str]) -> dict[tuple, tuple]:
	"""(role, specialist, month) -> (confirmed minutes, all minutes, consultations, confirmed ones)."""
	rows = frappe.db.sql(
		"""select specialist_role, specialist, date_format(consultation_date, '%%Y-%%m') as month,
			sum(case when learner_confirmed = 1 then duration_minutes else 0 end) as confirmed,
			sum(duration_minutes) as logged, count(*) as n, sum(learner_confirmed) as n_confirmed
		from `tabSupport Consultation` where school_term = %s and institution in %s
		group by specialist_role, specialist, month""",
		(term, institutions),
		as_dict=True,
	)
	return {
		(r.specialist_role, r.specialist, r.month): (
			int(r.confirmed),
			int(r.logged),
			int(r.n),
			int(r.n_confirmed),
		)
		for r in rows
	}


def sql_planned_hours(term: str, institutions: list[str]) -> dict[tuple, float]:
	"""(role, specialist or None) -> planned hours of live plans' consultation measures."""
	rows = frappe.db.sql(
		"""select m.specialist_role, nullif(m.specialist, '') as specialist, sum(m.planned_hours) as hours
		from `tabSupport Plan Measure` m
		join `tabIndividual Support Plan` p on p.name = m.parent and m.parenttype = 'Individual Support Plan'
		where m.measure_kind = 'Consultation' and p.docstatus = 1 and p.workflow_state in ('Approved', 'Evaluated')
			and p.school_term = %s and p.institution in %s
		group by m.specialist_role, nullif(m.specialist, '')""",
		(term, institutions),
		as_dict=True,
	)
	return {(r.specialist_role, r.specialist): float(r.hours) for r in rows}


def delivered_by_month(rows: list[dict]) -> dict[tuple, tuple]:
	return {
		(r["specialist_role"], r["specialist"], r["month"]): (
			r["delivered_hours"],
			r["logged_hours"],
			r["consultations"],
			r["confirmed_consultations"],
		)
		for r in rows
		if r["indent"] == 2
	}


def as_hours(expected: dict[tuple, tuple]) -> dict[tuple, tuple]:
	return {key: (round(c / 60, 2), round(a / 60, 2), n, k) for key, (c, a, n, k) in expected.items()}


def test_support_delivered_matches_the_consultations_and_plans(world, support):
	term = world.terms["current_s1"]
	municipal = [world.school_a, world.school_b]
	_columns, rows, chart = run(world, "muni_coord", delivered_report, {"school_term": term})
	assert delivered_by_month(rows) == as_hours(sql_consultations(term, municipal))
	planned = sql_planned_hours(term, municipal)
	assert {
		(r["specialist_role"], r["specialist"]): r["planned_hours"]
		for r in rows
		if r["indent"] == 1 and r["planned_hours"]
	} == planned
	assert planned == {
		("Psychologist", None): 6.0,
		("Psychologist", world.user("a_specialist")): 4.0,
		("Social Pedagogue", None): 5.0,
	}
	# the tree: role, then its specialists, then their months
	assert [(r["indent"], r["label"]) for r in rows if r["indent"] == 0] == [
		(0, "Psychologist"),
		(0, "Social Pedagogue"),
		(0, "Total"),
	]
	psychologist = rows[0]
	assert (psychologist["planned_hours"], psychologist["delivered_hours"], psychologist["logged_hours"]) == (
		10.0,
		round(110 / 60, 2),
		round(130 / 60, 2),
	)
	assert psychologist["consultations"] == 4 and psychologist["confirmed_consultations"] == 3
	assert psychologist["delivered_share"] == round(100 * round(110 / 60, 2) / 10, 1)
	months = [r["month"] for r in rows if r["indent"] == 2 and r["specialist"] == world.user("a_specialist")]
	assert months == [f"{day(world, 9, 1):%Y-%m}", f"{day(world, 10, 1):%Y-%m}"]
	total = total_of(rows)
	all_minutes = sql_consultations(term, municipal).values()
	assert total["planned_hours"] == sum(planned.values())
	assert total["delivered_hours"] == round(sum(c for c, _a, _n, _k in all_minutes) / 60, 2)
	assert total["logged_hours"] == round(sum(a for _c, a, _n, _k in all_minutes) / 60, 2)
	# the chart: confirmed hours per month, one series per role
	assert chart["data"]["labels"] == months
	series = {d["name"]: d["values"] for d in chart["data"]["datasets"]}
	assert series == {
		"Psychologist": [round(40 / 60, 2), round(70 / 60, 2)],
		"Social Pedagogue": [0.0, round(40 / 60, 2)],
	}


def test_support_delivered_is_scoped_to_the_specialists_institution(world, support):
	term = world.terms["current_s1"]
	_c, everything, _chart = run(world, "muni_coord", delivered_report, {"school_term": term})
	_c, own, chart = run(world, "a_specialist", delivered_report, {"school_term": term})
	assert delivered_by_month(own) == as_hours(sql_consultations(term, [world.school_a]))
	assert {r["specialist_role"] for r in own if not r["is_total"]} == {"Psychologist"}
	assert [r for r in own if r["indent"] < 2 and not r["is_total"]] == [
		r for r in everything if r["specialist_role"] == "Psychologist" and r["indent"] < 2
	]
	assert [d["name"] for d in chart["data"]["datasets"]] == ["Psychologist"]
	# the other school's specialist sees only their school's social pedagogy
	_c, other, chart = run(world, "b_specialist", delivered_report, {"school_term": term})
	assert total_of(other)["delivered_hours"] == round(40 / 60, 2) and total_of(other)["planned_hours"] == 5.0
	assert {r["specialist_role"] for r in other if not r["is_total"]} == {"Social Pedagogue"}
	assert [d["name"] for d in chart["data"]["datasets"]] == ["Social Pedagogue"]
	# the vocational partner sees only its own school: none of the municipality's hours, in total or chart
	_c, vocational, chart = run(world, "vet_coord", delivered_report, {"school_term": term})
	assert delivered_by_month(vocational) == as_hours(sql_consultations(term, [world.vocational_school]))
	assert {r["specialist_role"] for r in vocational if not r["is_total"]} == {"Teacher"}
	assert (total_of(vocational)["planned_hours"], total_of(vocational)["logged_hours"]) == (
		3.0,
		round(25 / 60, 2),
	)
	assert [d["name"] for d in chart["data"]["datasets"]] == ["Teacher"]


def test_support_delivered_filters(world, support):
	term = world.terms["current_s1"]
	_c, rows, _chart = run(
		world, "regional", delivered_report, {"school_term": term, "specialist_role": "Social Pedagogue"}
	)
	assert {r["specialist_role"] for r in rows if not r["is_total"]} == {"Social Pedagogue"}
	_c, rows, _chart = run(
		world, "regional", delivered_report, {"school_term": term, "institution": world.vocational_school}
	)
	assert total_of(rows)["consultations"] == 1
	_c, rows, _chart = run(world, "regional", delivered_report, {"school_term": world.terms["previous_s1"]})
	assert rows == []


def test_the_whole_programme_shows_each_specialists_school_years(world, support):
	"""With no term or school year chosen, a specialist's rows are their school years (months of every year
	would run to tens of thousands of rows nationally), against SQL of the consultations by school year."""
	previous = world.terms["previous_s1"]
	a7_before = approved_plan(world, "a7", [consultation_measure("Psychologist", 2)], term="previous_s1")
	started = frappe.db.get_value("School Term", previous, "start_date")  # a September
	consult(world, a7_before, "a_specialist", started + timedelta(days=30), minutes=35)
	municipal = [world.school_a, world.school_b]
	columns, rows, chart = run(world, "muni_coord", delivered_report, {})
	expected = frappe.db.sql(
		"""select c.specialist_role, c.specialist, t.school_year,
			sum(case when c.learner_confirmed = 1 then c.duration_minutes else 0 end) as confirmed,
			sum(c.duration_minutes) as logged, count(*) as n, sum(c.learner_confirmed) as n_confirmed
		from `tabSupport Consultation` c join `tabSchool Term` t on t.name = c.school_term
		where c.institution in %s group by c.specialist_role, c.specialist, t.school_year""",
		[municipal],
		as_dict=True,
	)
	assert delivered_by_month(rows) == as_hours(
		{
			(r.specialist_role, r.specialist, r.school_year): (
				int(r.confirmed),
				int(r.logged),
				int(r.n),
				int(r.n_confirmed),
			)
			for r in expected
		}
	)
	years = sorted(
		frappe.db.get_value("School Term", t, "school_year") for t in (previous, world.terms["current_s1"])
	)
	assert years[0] != years[1]
	mine = [r["month"] for r in rows if r["indent"] == 2 and r["specialist"] == world.user("a_specialist")]
	assert mine == years and chart["data"]["labels"] == years
	assert [c["label"] for c in columns if c["fieldname"] in ("label", "month")] == [
		"Role / Specialist / School Year",
		"School Year",
	]
