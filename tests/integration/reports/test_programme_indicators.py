"""Programme Indicators: the programme's figures of a school year or a span of terms against its targets, each
against an independent SQL count; a partner sees its own figures, without the targets."""

from datetime import date
from decimal import Decimal

import frappe
import pytest

from pumpurs_app.reporting.report.programme_indicators import programme_indicators as indicators_report
from tests.integration.money import approve_claim, daily_tickets, make_claim, october
from tests.integration.payments import BATCH, SUPPLIER_IBAN, call, new_batch
from tests.integration.plans import act, make_plan
from tests.integration.reports.money_reports import (
	ABSENCES,
	approved_plan,
	cents,
	consult,
	consultation_measure,
	day,
	run,
	sql_live_plans,
	terms_of_year,
)


@pytest.fixture
def programme(world):
	"""Plans of both partners in the current year (a learner twice, in two terms), one last year, a draft;
	a confirmed and an unconfirmed consultation; approved and paid money; youth NGO projects; yearly targets."""
	settings = frappe.get_single("PuMPuRS Settings")
	current = frappe.db.get_value("School Term", world.terms["current_s1"], "school_year")
	previous = frappe.db.get_value("School Term", world.terms["previous_s1"], "school_year")
	settings.programme_targets = []
	settings.append(
		"programme_targets",
		{
			"school_year": current,
			"target_plans": 40,
			"target_learners": 32,
			"target_institutions": 6,
			"target_amount": 1000,
		},
	)
	settings.append(
		"programme_targets",
		{
			"school_year": previous,
			"target_plans": 20,
			"target_learners": 16,
			"target_institutions": 3,
			"target_amount": 500,
		},
	)
	settings.save()
	ngo = {
		"measure_kind": "Youth NGO project",
		"risk_factor": "Unexcused absences",
		"ngo_project": world.ngo_project,
	}
	a7 = approved_plan(world, "a7", [consultation_measure("Psychologist", 6), ngo])
	approved_plan(world, "a7", [consultation_measure("Psychologist", 2)], term="current_s2")
	approved_plan(world, "a3", [consultation_measure("Psychologist", 2)], term="previous_s2")
	approved_plan(world, "b2voc", [consultation_measure("Social Pedagogue", 5)], school="b")
	approved_plan(world, "v1", [consultation_measure("Teacher", 3)], school="vet")
	make_plan(
		world,
		learner="b9",
		author="b_author",
		risks=ABSENCES,
		measures=[consultation_measure("Social Pedagogue", 1)],
	)  # a draft
	consult(world, a7, "a_specialist", day(world, 9, 4), minutes=40)
	consult(world, a7, "a_specialist", day(world, 9, 5), minutes=20, confirmed=False)
	paid = approve_claim(
		world,
		make_claim(
			world, period=(october(world, 1), october(world, 10)), lines=daily_tickets(world, 1, 4)
		).name,
	)  # 36
	approve_claim(
		world,
		make_claim(
			world,
			kind="Meals",
			payee_kind="Supplier",
			payee_name="SIA Skolas ēdnīca",
			payee_iban=SUPPLIER_IBAN,
			lines=[{"line_date": october(world, 6), "quantity": 2, "description": "Pusdienas"}],
		).name,
	)  # 5
	batch = new_batch(world, lines=[{"compensation": paid.name}])
	call(world, "muni_accountant", batch.name, "export")
	act(world.user("muni_accountant"), frappe.get_doc(BATCH, batch.name).submit)
	for title, status, start, end in (
		("Atcelts projekts", "Cancelled", day(world, 9, 1), day(world, 12, 31)),
		("Sens projekts", "Completed", date(2019, 1, 1), date(2019, 12, 31)),
	):
		frappe.get_doc(
			doctype="Youth NGO Project",
			title=title,
			partner=world.municipality,
			organisation_name="Biedrība Testa jaunieši",
			organisation_registration_number="40003032949",
			period_from=start,
			period_to=end,
			status=status,
		).insert()
	return {"current": current, "previous": previous}


def values_of(rows: list[dict]) -> dict[str, object]:
	return {r["key"]: r["value"] for r in rows}


def sql_ngo(start: date, end: date, partners: list[str]) -> tuple[int, int]:
	projects = frappe.db.sql(
		"""select count(*) from `tabYouth NGO Project`
		where status != 'Cancelled' and period_from <= %s and period_to >= %s and partner in %s""",
		(end, start, partners),
	)[0][0]
	learners = frappe.db.sql(
		"""select count(distinct pp.learner) from `tabYouth NGO Project Participant` pp
		join `tabYouth NGO Project` p on p.name = pp.parent and pp.parenttype = 'Youth NGO Project'
		where p.status != 'Cancelled' and p.period_from <= %s and p.period_to >= %s and p.partner in %s""",
		(end, start, partners),
	)[0][0]
	return projects, learners


def sql_money(terms: list[str], partners: list[str]) -> dict[tuple[str, str], Decimal]:
	"""(approved | paid, type) -> exact sum."""
	result = {}
	for key, states in (("approved", ("Approved", "Paid", "Reconciled")), ("paid", ("Paid", "Reconciled"))):
		for kind, amount in frappe.db.sql(
			"""select compensation_type, cast(sum(total_amount) as char) from `tabCompensation`
			where docstatus = 1 and workflow_state in %s and school_term in %s and partner in %s group by compensation_type""",
			(states, terms, partners),
		):
			result[(key, kind)] = cents(amount)
	return result


def test_programme_indicators_for_ikvd(world, programme):
	terms = terms_of_year(world, "current")
	both = [world.municipality, world.vocational_partner]
	_columns, rows, chart = run(world, "regional", indicators_report, {"school_year": programme["current"]})
	values = values_of(rows)
	plans, learners, institutions, partners = sql_live_plans(terms, "partner", both)
	assert (values["plans"], values["learners"], values["institutions"], values["partners"]) == (
		plans,
		learners,
		institutions,
		partners,
	)
	# a7 has two plans (two terms) but is one learner; the draft and last year's plan do not count
	assert (plans, learners, institutions, partners) == (5, 4, 3, 2)
	assert (
		values["partners_Municipality"],
		values["partners_State vocational school"],
		values["partners_State general school"],
	) == (1, 1, 0)
	confirmed = frappe.db.sql(
		"select sum(duration_minutes) from `tabSupport Consultation` where learner_confirmed = 1 and school_term in %s",
		[terms],
	)[0][0]
	assert values["consultation_hours"] == round(int(confirmed) / 60, 2) == round(40 / 60, 2)
	money = sql_money(terms, both)
	assert (
		cents(values["approved"])
		== sum((v for (k, _t), v in money.items() if k == "approved"), Decimal("0.00"))
		== Decimal("41.00")
	)
	assert cents(values["paid"]) == Decimal("36.00")
	assert {k.split(":", 1)[1]: cents(v) for k, v in values.items() if k.startswith("approved:")} == {
		t: v for (k, t), v in money.items() if k == "approved"
	}
	assert (cents(values["paid:Meals"]), cents(values["paid:Public transport tickets"])) == (
		Decimal("0.00"),
		Decimal("36.00"),
	)
	start = frappe.db.get_value("School Term", terms[0], "start_date")
	end = frappe.db.get_value("School Term", terms[-1], "end_date")
	assert (values["ngo_projects"], values["ngo_participants"]) == sql_ngo(start, end, both) == (1, 1)
	# against the year's targets
	by_key = {r["key"]: r for r in rows}
	assert (by_key["plans"]["target"], by_key["plans"]["target_share"]) == (40, 12.5)
	assert (by_key["learners"]["target"], by_key["institutions"]["target"]) == (32, 6)
	assert (cents(by_key["approved"]["target"]), by_key["approved"]["target_share"]) == (
		Decimal("1000.00"),
		4.1,
	)
	assert by_key["partners"]["target"] is None and by_key["paid"]["target"] is None
	assert chart["data"]["labels"] == [programme["current"]]
	assert chart["data"]["datasets"] == [
		{"name": "Approved support plans", "values": [5]},
		{"name": "Target", "values": [40]},
	]


def test_programme_indicators_over_terms(world, programme):
	filters = {"from_term": world.terms["previous_s1"], "to_term": world.terms["current_s2"]}
	_c, rows, chart = run(world, "auditor", indicators_report, filters)
	terms = [world.terms[t] for t in ("previous_s1", "previous_s2", "previous_h", "current_s1", "current_s2")]
	both = [world.municipality, world.vocational_partner]
	plans, learners, institutions, _partners = sql_live_plans(terms, "partner", both)
	values = values_of(rows)
	assert (
		(values["plans"], values["learners"], values["institutions"])
		== (plans, learners, institutions)
		== (6, 5, 3)
	)
	by_key = {r["key"]: r for r in rows}
	# the targets of both school years
	assert (by_key["plans"]["target"], cents(by_key["approved"]["target"])) == (60, Decimal("1500.00"))
	assert chart["data"]["labels"] == [programme["previous"], programme["current"]]
	assert chart["data"]["datasets"][0]["values"] == [
		sql_live_plans(terms_of_year(world, "previous"), "partner", both)[0],
		sql_live_plans(terms_of_year(world, "current"), "partner", both)[0],
	]
	assert chart["data"]["datasets"][1]["values"] == [20, 40]
	# one term only
	_c, rows, _chart = run(
		world,
		"auditor",
		indicators_report,
		{"from_term": world.terms["current_s2"], "to_term": world.terms["current_s2"]},
	)
	assert values_of(rows)["plans"] == sql_live_plans([world.terms["current_s2"]], "partner", both)[0] == 1


def test_programme_indicators_for_a_partner_show_its_own_figures_without_targets(world, programme):
	terms = terms_of_year(world, "current")
	_c, rows, chart = run(world, "vet_coord", indicators_report, {"school_year": programme["current"]})
	values = values_of(rows)
	assert (
		(values["plans"], values["learners"], values["institutions"], values["partners"])
		== sql_live_plans(terms, "partner", [world.vocational_partner])
		== (1, 1, 1, 1)
	)
	assert (values["partners_Municipality"], values["partners_State vocational school"]) == (0, 1)
	assert (
		values["consultation_hours"],
		values["approved"],
		values["paid"],
		values["ngo_projects"],
		values["ngo_participants"],
	) == (0, 0, 0, 0, 0)
	assert not [k for k in values if k.startswith(("approved:", "paid:"))]
	assert all(r["target"] is None and r["target_share"] is None for r in rows)
	assert chart["data"]["datasets"] == [{"name": "Approved support plans", "values": [1]}]
	# the municipality's coordinator: the municipality's figures, its NGO projects, no targets
	_c, rows, _chart = run(world, "muni_coord", indicators_report, {"school_year": programme["current"]})
	values = values_of(rows)
	assert values["plans"] == sql_live_plans(terms, "partner", [world.municipality])[0] == 4
	assert (
		values["partners"],
		values["partners_State vocational school"],
		values["ngo_projects"],
		cents(values["approved"]),
	) == (1, 0, 1, Decimal("41.00"))
	assert all(r["target"] is None for r in rows)
	# IKVD narrowed to one institution: that institution's figures, without the programme's targets
	_c, rows, _chart = run(
		world,
		"regional",
		indicators_report,
		{"school_year": programme["current"], "institution": world.school_b},
	)
	values = values_of(rows)
	assert (values["plans"], values["institutions"], values["approved"], values["ngo_participants"]) == (
		1,
		1,
		0,
		0,
	)
	assert all(r["target"] is None for r in rows)


def test_programme_indicators_in_latvian(world, programme):
	columns, rows, chart = run(
		world, "regional", indicators_report, {"school_year": programme["current"]}, lang="lv"
	)
	assert [c["label"] for c in columns] == ["Rādītājs", "Vērtība", "Mērķis", "% no mērķa"]
	assert {r["key"]: r["indicator"] for r in rows}["plans"] == "Apstiprinātie atbalsta plāni"
	assert chart["data"]["datasets"][1]["name"] == "Mērķis"
