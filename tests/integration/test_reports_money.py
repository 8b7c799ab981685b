"""The reports on delivered support and money — Support Delivered, Compensations, Approval Queue and Ageing and
Programme Indicators — on data made through the real controllers and workflows by the real users.

Each report runs as the people who read it; its numbers are checked against an independent SQL count of the
same data written here (never the report's own code), and users of another institution or partner see none
of it: not in the rows, not in the totals, not in the chart."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import frappe
import pytest
from frappe.utils import now_datetime, today
from openpyxl import load_workbook

from pumpurs_app.reporting.report.approval_queue_and_ageing import approval_queue_and_ageing as queue_report
from pumpurs_app.reporting.report.compensations import compensations as money_report
from pumpurs_app.reporting.report.programme_indicators import programme_indicators as indicators_report
from pumpurs_app.reporting.report.support_delivered import support_delivered as delivered_report
from tests.integration.money import COMPENSATION, approve_claim, daily_tickets, make_claim, october, step
from tests.integration.payments import BATCH, STATEMENT, SUPPLIER_IBAN, call, camt053, new_batch, upload
from tests.integration.plans import PLAN, act, confirm_consultation, make_plan, transition

CONSULTATION = "Support Consultation"
ABSENCES = [{"risk_factor": "Unexcused absences", "severity": "Medium"}]
TRAVEL = [{"risk_factor": "Hard to get to school", "severity": "Medium"}]
CHAINS = {  # who sends and approves a school's plans before IKVD
	"a": ("a_author", "a_director", "muni_coord"),
	"b": ("b_author", "b_director", "muni_coord"),
	"vet": ("vet_author", "vet_director", None),
}


def approve(world, plan: str, school: str = "a"):
	author, director, partner = CHAINS[school]
	transition(world, author, plan, "Send for Approval")
	transition(world, director, plan, "Approve")
	if partner:
		transition(world, partner, plan, "Approve")
	return transition(world, "regional", plan, "Approve")


def consultation_measure(role: str, hours: float, specialist: str | None = None) -> dict:
	return {
		"measure_kind": "Consultation",
		"risk_factor": "Unexcused absences",
		"specialist_role": role,
		"planned_hours": hours,
		"specialist": specialist,
	}


def transport_measure(amount) -> dict:
	return {
		"measure_kind": "Compensation",
		"risk_factor": "Hard to get to school",
		"compensation_type": "Public transport tickets",
		"planned_amount": amount,
	}


def day(world, month: int, number: int) -> date:
	"""A day of the current school year's first term (September to December)."""
	return date(october(world, 1).year, month, number)


def consult(
	world, plan, who: str, when: date, start: str = "10:00:00", minutes: int = 40, confirmed: bool = True
):
	"""A consultation logged by the specialist; a confirmed one is confirmed by the learner the same evening."""
	measure = next(m.name for m in plan.measures if m.measure_kind == "Consultation")
	doc = frappe.get_doc(
		{
			"doctype": CONSULTATION,
			"support_plan": plan.name,
			"measure": measure,
			"specialist": world.user(who),
			"consultation_date": when,
			"start_time": start,
			"duration_minutes": minutes,
			"mode": "In person",
			"topic": "Mācību motivācija",
		}
	)
	act(world.user(who), doc.insert)
	if confirmed:
		confirm_consultation(
			world, doc.name, datetime.combine(when, datetime.min.time()) + timedelta(hours=18)
		)
	return doc.name


def run(world, who: str, report, filters: dict | None = None, lang: str = "en") -> tuple[list, list, dict]:
	"""The report as the user sees it in the desk (in-process): columns, rows, chart."""
	frappe.local.lang = lang
	try:
		columns, rows, _message, chart = act(world.user(who), report.execute, filters or {})
	finally:
		frappe.local.lang = "en"
	return columns, rows, chart


def total_of(rows: list[dict]) -> dict:
	return next(r for r in rows if r.get("is_total"))


def cents(value) -> Decimal:
	"""An amount as exact cents: a report row's number (a float that is the nearest to its two decimals) or
	MariaDB's own sum cast to text."""
	return Decimal(str(value)).quantize(Decimal("0.01"))


def money_of(row: dict, *fields: str) -> tuple[Decimal, ...]:
	return tuple(cents(row[f]) for f in fields)


# --- Support Delivered --------------------------------------------------------------------------------------


@pytest.fixture
def support(world):
	"""Consultation measures and consultations in both municipal schools and the vocational school."""
	a7 = approve(
		world,
		make_plan(
			world, learner="a7", risks=ABSENCES, measures=[consultation_measure("Psychologist", 6)]
		).name,
	)
	a3 = approve(
		world,
		make_plan(
			world,
			learner="a3",
			risks=ABSENCES,
			measures=[consultation_measure("Psychologist", 4, world.user("a_specialist"))],
		).name,
	)
	b = approve(
		world,
		make_plan(
			world,
			learner="b2voc",
			author="b_author",
			risks=ABSENCES,
			measures=[consultation_measure("Social Pedagogue", 5)],
		).name,
		"b",
	)
	v = approve(
		world,
		make_plan(
			world,
			learner="v1",
			author="vet_author",
			risks=ABSENCES,
			measures=[consultation_measure("Teacher", 3)],
		).name,
		"vet",
	)
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


# --- Compensations ------------------------------------------------------------------------------------------


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


def sql_planned_money(term: str, partners: list[str]) -> dict[tuple, Decimal]:
	rows = frappe.db.sql(
		"""select m.compensation_type, p.partner, p.institution, cast(sum(m.planned_amount) as char) as amount
		from `tabSupport Plan Measure` m
		join `tabIndividual Support Plan` p on p.name = m.parent and m.parenttype = 'Individual Support Plan'
		where m.measure_kind = 'Compensation' and p.docstatus = 1 and p.workflow_state in ('Approved', 'Evaluated')
			and p.school_term = %s and p.partner in %s
		group by m.compensation_type, p.partner, p.institution""",
		(term, partners),
		as_dict=True,
	)
	return {(r.compensation_type, r.partner, r.institution): cents(r.amount) for r in rows}


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


# --- Approval Queue and Ageing ------------------------------------------------------------------------------


def wait(doctype: str, name: str, days: int) -> None:
	frappe.get_doc(doctype, name).db_set(
		"pending_since", now_datetime() - timedelta(days=days), update_modified=False
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


def sql_waiting(column: str, values: list[str], term: str | None = None) -> list[tuple[str, str, str, int]]:
	"""(doctype, state, name, days waiting) of every plan and compensation waiting at an approval step."""
	term_condition = "and school_term = %(term)s" if term else ""
	rows = []
	for doctype, states in (
		(PLAN, ("Pending Director", "Pending Partner Coordinator", "Pending IKVD")),
		(COMPENSATION, ("Submitted", "Verified")),
	):
		rows += frappe.db.sql(
			f"""select %(doctype)s, workflow_state, name, datediff(%(today)s, pending_since)
			from `tab{doctype}` where docstatus = 0 and workflow_state in %(states)s and {column} in %(values)s {term_condition}""",
			{"doctype": doctype, "states": states, "values": values, "today": today(), "term": term},
		)
	return [tuple(r) for r in rows]


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


def test_reports_over_http_with_their_roles(world, api):
	"""Committed data, as the desk fetches reports: the roles decide who may open each, the scope what it shows."""
	plan = make_plan(world, learner="a7", term="current_s2")
	transition(world, "a_author", plan.name, "Send for Approval")
	wait(PLAN, plan.name, 9)
	frappe.db.commit()  # HTTP requests run on their own connection
	try:

		def report(user: str, name: str, filters: dict):
			return api(world.user(user)).call(
				"frappe.desk.query_report.run", report_name=name, filters=filters
			)

		response = report("a_director", "Approval Queue and Ageing", {"show_documents": 1})
		assert response.status == 200, response.text[:500]
		result = response.message["result"]
		assert [(r["document"], r["days"]) for r in result if r.get("indent") == 1] == [(plan.name, 9)]
		assert result[-1]["documents"] == len(sql_waiting("institution", [world.school_a])) == 1
		other = report("b_director", "Approval Queue and Ageing", {"show_documents": 1}).message["result"]
		assert [r for r in other if r.get("indent") == 1] == [] and other[-1]["documents"] == 0
		assert report("a_author", "Approval Queue and Ageing", {}).status == 403  # not a role of the report
		# Compensations: the money learner's plan (committed with the test world) as the municipality's accountant
		term = world.terms["current_s1"]
		response = report("muni_accountant", "Compensations", {"school_term": term})
		assert response.status == 200, response.text[:500]
		rows = response.message["result"]
		planned = sql_planned_money(term, [world.municipality])
		assert cents(rows[-1]["planned"]) == sum(planned.values()) == Decimal("360.00")
		assert report("vet_accountant", "Compensations", {"school_term": term}).message["result"] == []
		# frappe's Excel export of the report: the money as numbers a spreadsheet adds up
		export = api(world.user("muni_accountant")).post(
			"/api/method/frappe.desk.query_report.export_query",
			{
				"report_name": "Compensations",
				"file_format_type": "Excel",
				"filters": {"school_term": term},
				"visible_idx": [],
			},
		)
		assert export.status == 200, export.text[:500]
		sheet = list(load_workbook(io.BytesIO(export.body)).active.iter_rows(values_only=True))
		header, total = sheet[0], next(r for r in sheet if r[0] == "Total")
		assert total[header.index("Planned")] == 360.0 and len(sheet) == len(rows) + 1
		assert report("a_specialist", "Compensations", {}).status == 403
		# Support Delivered is the specialists' own report, not the accountants'
		assert report("a_specialist", "Support Delivered", {"school_term": term}).status == 200
		assert report("a_accountant", "Support Delivered", {}).status == 403
		# Programme Indicators: IKVD and partners' coordinators only
		response = report(
			"regional",
			"Programme Indicators",
			{"school_year": frappe.db.get_value("School Term", term, "school_year")},
		)
		assert response.status == 200, response.text[:500]
		values = {r["key"]: r["value"] for r in response.message["result"]}
		assert (
			values["plans"]
			== sql_live_plans(
				terms_of_year(world, "current"), "partner", [world.municipality, world.vocational_partner]
			)[0]
		)
		vocational = {r["key"]: r for r in report("vet_coord", "Programme Indicators", {}).message["result"]}
		assert vocational["plans"]["value"] == 0 and vocational["plans"]["target"] is None
		assert report("a_director", "Programme Indicators", {}).status == 403
	finally:
		frappe.db.rollback()
		frappe.delete_doc(PLAN, plan.name, force=True, ignore_permissions=True)
		frappe.db.commit()


# --- Programme Indicators -----------------------------------------------------------------------------------


def terms_of_year(world, which: str) -> list[str]:
	return [world.terms[f"{which}_{suffix}"] for suffix in ("s1", "s2", "h")]


def sql_live_plans(terms: list[str], column: str, values: list[str]) -> tuple[int, int, int, int]:
	"""(plans, learners, institutions, partners) of live plans in the terms."""
	return frappe.db.sql(
		f"""select count(*), count(distinct learner), count(distinct institution), count(distinct partner)
		from `tabIndividual Support Plan`
		where docstatus = 1 and workflow_state in ('Approved', 'Evaluated') and school_term in %(terms)s and {column} in %(values)s""",
		{"terms": terms, "values": values},
	)[0]


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
	a7 = approve(
		world,
		make_plan(
			world, learner="a7", risks=ABSENCES, measures=[consultation_measure("Psychologist", 6), ngo]
		).name,
	)
	approve(
		world,
		make_plan(
			world,
			learner="a7",
			term="current_s2",
			risks=ABSENCES,
			measures=[consultation_measure("Psychologist", 2)],
		).name,
	)
	approve(
		world,
		make_plan(
			world,
			learner="a3",
			term="previous_s2",
			risks=ABSENCES,
			measures=[consultation_measure("Psychologist", 2)],
		).name,
	)
	approve(
		world,
		make_plan(
			world,
			learner="b2voc",
			author="b_author",
			risks=ABSENCES,
			measures=[consultation_measure("Social Pedagogue", 5)],
		).name,
		"b",
	)
	approve(
		world,
		make_plan(
			world,
			learner="v1",
			author="vet_author",
			risks=ABSENCES,
			measures=[consultation_measure("Teacher", 3)],
		).name,
		"vet",
	)
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
