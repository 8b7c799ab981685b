"""The reports over HTTP, as the desk runs them on committed data: the roles decide who may open each report,
the scope what it shows."""

import io
from decimal import Decimal

import frappe
from openpyxl import load_workbook

from tests.integration.plans import PLAN, make_plan, transition
from tests.integration.reports.money_reports import (
	cents,
	sql_live_plans,
	sql_planned_money,
	sql_waiting,
	terms_of_year,
	wait,
)
from tests.integration.reports.plan_reports import LIVE, run_http


def test_reports_over_http_are_scoped_and_limited_to_their_roles(world, api):
	term = world.terms["current_s1"]
	# what is committed: all that the HTTP requests see
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
