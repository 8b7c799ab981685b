"""Compensations (the report): planned, approved, paid and reconciled money per type, partner, institution and
month, to the cent, against MariaDB's own sums; users of another institution or partner see none of it."""

from decimal import Decimal

import frappe
import pytest

from pumpurs_app.reporting.report.compensations import compensations as money_report
from tests.integration.money import COMPENSATION, approve_claim, daily_tickets, make_claim, october
from tests.integration.payments import BATCH, STATEMENT, SUPPLIER_IBAN, call, camt053, new_batch, upload
from tests.integration.plans import act, make_plan
from tests.integration.reports.money_reports import (
	TRAVEL,
	approve,
	cents,
	day,
	money_of,
	run,
	sql_planned_money,
	total_of,
	transport_measure,
)


@pytest.fixture
def compensations(world):
	"""Claims of the money learner (school A) through the whole workflow: two paid in a batch, one of them
	reconciled with the bank statement, two approved only, a draft; plus planned money elsewhere."""
	approve(world, make_plan(world, learner="a7", risks=TRAVEL, measures=[transport_measure(120)]).name)
	approve(
		world,
		make_plan(
			world, learner="v1", author="vet_author", risks=TRAVEL, measures=[transport_measure(50)]
		).name,
		"vet",
	)
	first = approve_claim(
		world,
		make_claim(
			world, period=(october(world, 1), october(world, 10)), lines=daily_tickets(world, 1, 4)
		).name,
	)
	second = approve_claim(
		world,
		make_claim(
			world,
			period=(october(world, 11), october(world, 20)),
			lines=daily_tickets(world, 11, 2, price=7.5),
		).name,
	)
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
	)
	books = [
		("Darba burtnīcas", 12.34),
		("Zīmulis", 0.1),
		("Dzēšgumija", 0.2),
	]  # 12.64: cents a float would not keep
	approve_claim(
		world,
		make_claim(
			world,
			kind="Individual learning materials",
			period=(day(world, 11, 1), day(world, 11, 30)),
			lines=[
				{
					"line_date": day(world, 11, 3),
					"quantity": 1,
					"unit_price": price,
					"description": what,
					"evidence": "/private/files/c.pdf",
				}
				for what, price in books
			],
		).name,
	)
	make_claim(
		world, period=(october(world, 21), october(world, 31)), lines=daily_tickets(world, 21, 3)
	)  # a draft
	batch = new_batch(world, lines=[{"compensation": first.name}, {"compensation": second.name}])
	call(world, "muni_accountant", batch.name, "export")
	act(world.user("muni_accountant"), frappe.get_doc(BATCH, batch.name).submit)
	line = next(r for r in frappe.get_doc(BATCH, batch.name).lines if r.compensation == first.name)
	account = frappe.db.get_value("Partner", world.municipality, "iban")
	statement = upload(
		world,
		camt053(
			account,
			[
				(
					f"{line.amount:.2f}",
					line.end_to_end_id,
					line.payee_iban,
					str(october(world, 26)),
					False,
					None,
				)
			],
		),
	)
	act(world.user("muni_accountant"), frappe.get_doc(STATEMENT, statement.name).submit)
	assert frappe.db.get_value(COMPENSATION, first.name, "workflow_state") == "Reconciled"
	assert frappe.db.get_value(COMPENSATION, second.name, "workflow_state") == "Paid"


def sql_claims(term: str, partners: list[str]) -> dict[tuple, tuple]:
	"""(type, partner, institution, month) -> (approved, paid, reconciled, count), summed exactly by MariaDB."""
	rows = frappe.db.sql(
		"""select compensation_type, partner, institution, date_format(period_from, '%%Y-%%m') as month,
			cast(sum(total_amount) as char) as approved,
			cast(sum(case when workflow_state in ('Paid', 'Reconciled') then total_amount else 0 end) as char) as paid,
			cast(sum(case when workflow_state = 'Reconciled' then total_amount else 0 end) as char) as reconciled,
			count(*) as n
		from `tabCompensation`
		where docstatus = 1 and workflow_state in ('Approved', 'Paid', 'Reconciled') and school_term = %s and partner in %s
		group by compensation_type, partner, institution, month""",
		(term, partners),
		as_dict=True,
	)
	return {
		(r.compensation_type, r.partner, r.institution, r.month): (
			cents(r.approved),
			cents(r.paid),
			cents(r.reconciled),
			r.n,
		)
		for r in rows
	}


def month_rows(rows: list[dict]) -> dict[tuple, tuple]:
	return {
		(r["compensation_type"], r["partner"], r["institution"], r["month"]): (
			*money_of(r, "approved", "paid", "reconciled"),
			r["compensations"],
		)
		for r in rows
		if r["indent"] == 3
	}


def test_compensations_planned_approved_paid_reconciled(world, compensations):
	term = world.terms["current_s1"]
	_columns, rows, chart = run(world, "muni_accountant", money_report, {"school_term": term})
	claims = sql_claims(term, [world.municipality])
	assert month_rows(rows) == claims
	planned = sql_planned_money(term, [world.municipality])
	assert {
		(r["compensation_type"], r["partner"], r["institution"]): cents(r["planned"])
		for r in rows
		if r["indent"] == 2
	} == planned
	october_key = f"{october(world, 1):%Y-%m}"
	november_key = f"{day(world, 11, 1):%Y-%m}"
	transport = claims[("Public transport tickets", world.municipality, world.school_a, october_key)]
	assert transport == (Decimal("51.00"), Decimal("51.00"), Decimal("36.00"), 2)
	assert claims[("Individual learning materials", world.municipality, world.school_a, november_key)][
		0
	] == Decimal("12.64")
	# the type rows add up their partners, institutions and months
	by_type = {r["compensation_type"]: r for r in rows if r["indent"] == 0 and not r["is_total"]}
	assert set(by_type) == {"Public transport tickets", "Meals", "Individual learning materials"}
	assert (
		cents(by_type["Public transport tickets"]["planned"])
		== planned[("Public transport tickets", world.municipality, world.school_a)]
		== Decimal("320.00")
	)
	assert by_type["Public transport tickets"]["approved_share"] == round(100 * 51 / 320, 1)
	# exact money in the total: to the cent MariaDB's own sums, each the number nearest to its two decimals
	# (what adding the rows' floats would not give: 0.1 + 0.2 != 0.3)
	total = total_of(rows)
	for i, field in enumerate(("approved", "paid", "reconciled")):
		exact = sum((v[i] for v in claims.values()), Decimal("0.00"))
		assert (
			isinstance(total[field], float) and total[field] == float(exact) and cents(total[field]) == exact
		)
	assert money_of(total, "planned", "approved", "paid", "reconciled") == (
		sum(planned.values(), Decimal("0.00")),
		Decimal("68.64"),
		Decimal("51.00"),
		Decimal("36.00"),
	)
	# the chart: approved money per month, one series per type
	assert chart["data"]["labels"] == [october_key, november_key]
	series = {d["name"]: d["values"] for d in chart["data"]["datasets"]}
	assert series == {
		"Individual learning materials": [0.0, 12.64],
		"Meals": [5.0, 0.0],
		"Public transport tickets": [51.0, 0.0],
	}


def test_the_whole_programme_shows_school_years(world, compensations):
	"""With no term or school year chosen, the lowest rows are school years (months of every year ran to
	70,000 rows nationally): the same money as the months of the year added up."""
	term = world.terms["current_s1"]
	year = frappe.db.get_value("School Term", term, "school_year")
	columns, rows, chart = run(world, "muni_accountant", money_report, {})
	by_year = {}
	for (kind, partner, institution, _month), values in sql_claims(term, [world.municipality]).items():
		key = (kind, partner, institution, year)
		before = by_year.get(key, (Decimal("0.00"),) * 3 + (0,))
		by_year[key] = tuple(a + b for a, b in zip(before, values, strict=True))
	assert month_rows(rows) == by_year
	assert chart["data"]["labels"] == [year]
	assert [c["label"] for c in columns if c["fieldname"] in ("label", "month")] == [
		"Type / Partner / Institution / School Year",
		"School Year",
	]


def test_compensations_are_scoped(world, compensations):
	term = world.terms["current_s1"]
	_c, school, _chart = run(world, "a_accountant", money_report, {"school_term": term})
	assert month_rows(school) == sql_claims(term, [world.municipality])  # all of it is school A's
	# the vocational partner's accountant: only its own planned money, nothing of the municipality's
	_c, vocational, chart = run(world, "vet_accountant", money_report, {"school_term": term})
	assert {r["partner"] for r in vocational if r["partner"]} == {world.vocational_partner}
	assert (
		cents(total_of(vocational)["planned"])
		== sum(sql_planned_money(term, [world.vocational_partner]).values())
		== Decimal("50.00")
	)
	assert (
		total_of(vocational)["approved"],
		total_of(vocational)["paid"],
		total_of(vocational)["compensations"],
	) == (0, 0, 0)
	assert chart["data"]["labels"] == [] and chart["data"]["datasets"] == []
	# the other school of the same municipality: nothing at all
	_c, other, chart = run(world, "b_director", money_report, {"school_term": term})
	assert other == [] and chart["data"]["datasets"] == []
	# a filter by type narrows plans and claims alike
	_c, meals, _chart = run(
		world, "muni_coord", money_report, {"school_term": term, "compensation_type": "Meals"}
	)
	assert {r["compensation_type"] for r in meals if not r["is_total"]} == {"Meals"}
	assert money_of(total_of(meals), "planned", "approved") == (Decimal("60.00"), Decimal("5.00"))


def test_compensations_in_latvian(world, compensations):
	columns, rows, chart = run(
		world, "muni_accountant", money_report, {"school_term": world.terms["current_s1"]}, lang="lv"
	)
	labels = {c["fieldname"]: c["label"] for c in columns}
	assert (labels["planned"], labels["approved"], labels["paid"]) == ("Plānots", "Apstiprināts", "Izmaksāts")
	assert "Sabiedriskā transporta biļetes" in {r["label"] for r in rows if r["indent"] == 0}
	assert total_of(rows)["label"] == "Kopā"
	assert "Sabiedriskā transporta biļetes" in {d["name"] for d in chart["data"]["datasets"]}
