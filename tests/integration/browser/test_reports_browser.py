"""The programme's reports, the PuMPuRS workspace and the two Excel flows (the learner import and the IKVD
workbook) in the desk, as the users who open them: a partner's coordinator, a school's director or accountant and
IKVD staff.

Each report must load without script errors, with the shared filter script (public/js/pumpurs.js) loaded, show
exactly the rows the report gives that user when run here as the same user (another process, another
database connection), name every institution (or specialist) in the user's scope that has data and none
outside it, draw its chart and export to Excel what the table shows. The data: plans, consultations, claims
and a bank statement at both schools of the municipality and at the state vocational school, made through the
real workflow by the real users and committed for the browser, deleted again after the module."""

import io
import json
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs

import frappe
import pytest
from openpyxl import load_workbook

from pumpurs_app.compensations.doctype.compensation.compensation import refresh_measure_amounts
from pumpurs_app.rules import learner_import, school_terms
from tests.integration import world as world_module
from tests.integration.browser.conftest import purge
from tests.integration.browser.desk import CUT_LABELS, Desk, expect
from tests.integration.learner_files import learner_row, workbook
from tests.integration.money import COMPENSATION, approve_claim, make_claim, october, step
from tests.integration.payments import STATEMENT, camt053, upload
from tests.integration.plans import PLAN, act, confirm_consultation, make_plan, transition
from tests.integration.reports.plan_reports import approve, evaluate

pytestmark = pytest.mark.browser

CONSULTATION = "Support Consultation"
SCHOOLS = (world_module.SCHOOL_A, world_module.SCHOOL_B, world_module.VOCATIONAL_SCHOOL)
PARTNER_OF = {
	world_module.SCHOOL_A: world_module.MUNICIPALITY,
	world_module.SCHOOL_B: world_module.MUNICIPALITY,
	world_module.VOCATIONAL_SCHOOL: world_module.VOCATIONAL_PARTNER,
}
# the institutions each user's scope holds (IKVD: all of them)
SCOPES = {
	"muni_coord": {world_module.SCHOOL_A, world_module.SCHOOL_B},
	"a_director": {world_module.SCHOOL_A},
	"a_accountant": {world_module.SCHOOL_A},
	"b_director": {world_module.SCHOOL_B},
	"vet_coord": {world_module.VOCATIONAL_SCHOOL},
	"regional": set(SCHOOLS),
	"auditor": set(SCHOOLS),
	"ikvd_admin": set(SCHOOLS),
}
SPECIALIST_OF = {  # who logs the story's consultations at each school
	world_module.SCHOOL_A: "a_specialist",
	world_module.SCHOOL_B: "b_specialist",
	world_module.VOCATIONAL_SCHOOL: "vet_specialist",
}
LEARNERS_OF = {
	school: [key for key, institution, *_rest in world_module.LEARNERS if institution == school]
	for school in SCHOOLS
}


# --- the story ----------------------------------------------------------------------------------------------


def measures(role: str, hours: int, amount: int) -> list[dict]:
	return [
		{
			"measure_kind": "Consultation",
			"risk_factor": "Unexcused absences",
			"specialist_role": role,
			"planned_hours": hours,
		},
		{
			"measure_kind": "Compensation",
			"risk_factor": "Hard to get to school",
			"compensation_type": "Public transport tickets",
			"planned_amount": amount,
		},
	]


def consult(world, plan: str, specialist: str, days_in: int, minutes: int) -> str:
	"""A consultation the learner confirmed, logged by the school's specialist on the plan's consultation measure."""
	doc = frappe.get_doc(PLAN, plan)
	measure = next(m.name for m in doc.measures if m.measure_kind == "Consultation")
	day = frappe.db.get_value("School Term", doc.school_term, "start_date") + timedelta(days=days_in)
	consultation = frappe.get_doc(
		{
			"doctype": CONSULTATION,
			"support_plan": plan,
			"measure": measure,
			"specialist": world.user(specialist),
			"consultation_date": day,
			"start_time": "10:00:00",
			"duration_minutes": minutes,
			"mode": "In person",
			"topic": "Mācību motivācija",
		}
	)
	act(world.user(specialist), consultation.insert)
	confirm_consultation(
		world, consultation.name, datetime.combine(day, datetime.min.time()) + timedelta(hours=12)
	)
	return consultation.name


OUTCOMES = {"Unexcused absences": "Reduced", "Hard to get to school": "Unchanged"}


def make_story(world, made: dict[str, list[str]]) -> None:
	"""In the current school year (besides the world's money plan of a8money, Approved in semester 1):

	school A: a7's plan approved, one consultation, evaluated; a3's plan waiting for the municipality's
	coordinator; claims on the money plan: meals approved, transport waiting for verification;
	school B: b2voc's plan approved, one consultation, evaluated; its semester-2 plan waiting for the director;
	the vocational school: v1's plan approved, one consultation, evaluated; v4adult's plan waiting for the
	director; and a bank statement of the municipality's account with one transfer it cannot match."""

	def plan(learner, author, term="current_s1", **values) -> str:
		name = make_plan(world, learner=learner, author=author, term=term, **values).name
		made[PLAN].append(name)
		return name

	for learner, author, director, role, hours, amount, municipal in (
		("a7", "a_author", "a_director", "Psychologist", 6, 120, True),
		("b2voc", "b_author", "b_director", "Social Pedagogue", 4, 90, True),
		("v1", "vet_author", "vet_director", "Teacher", 5, 80, False),
	):
		name = plan(learner, author, measures=measures(role, hours, amount))
		approve(world, name, author, director, municipal=municipal)
		institution = frappe.db.get_value(PLAN, name, "institution")
		made[CONSULTATION].append(consult(world, name, SPECIALIST_OF[institution], 20, 40))
		evaluate(world, name, author, "Yes", OUTCOMES)
	a3 = plan("a3", "a_author")
	transition(world, "a_author", a3, "Send for Approval")
	transition(world, "a_director", a3, "Approve")
	for learner, author in (("b2voc", "b_author"), ("v4adult", "vet_author")):
		transition(world, author, plan(learner, author, term="current_s2"), "Send for Approval")

	meals = make_claim(
		world,
		kind="Meals",
		payee_kind="Supplier",
		payee_name="SIA Skolas ēdnīca",
		payee_iban="LV31UNLA0050000000002",
		lines=[
			{"line_date": october(world, day), "quantity": 2, "description": "Pusdienas"} for day in (6, 7)
		],
	)
	approve_claim(world, meals.name)
	transport = make_claim(world)
	step(world, "a_coord", transport.name, "Submit for Verification")
	made[COMPENSATION] += [meals.name, transport.name]

	account = frappe.db.get_value("Partner", world.municipality, "iban")
	unknown = camt053(
		account, [("12.34", "SVESS-1", "LV44HABA0551000000001", str(october(world, 26)), False, None)]
	)
	made[STATEMENT].append(upload(world, unknown, "izraksts-parlukam.xml").name)


@pytest.fixture(scope="module")
def story(world, desk_site):
	made = {PLAN: [], CONSULTATION: [], COMPENSATION: [], STATEMENT: []}
	frappe.set_user("Administrator")
	try:
		make_story(world, made)
		frappe.db.commit()
		yield made
	finally:
		frappe.db.rollback()
		files = frappe.get_all(
			STATEMENT, filters={"name": ("in", made[STATEMENT] or [""])}, pluck="statement_file"
		)
		purge(STATEMENT, made[STATEMENT], file_urls=files)
		for doctype in (CONSULTATION, COMPENSATION, PLAN):
			purge(doctype, made[doctype])
		refresh_measure_amounts(world.money_plan)
		frappe.db.commit()


# --- what a user may and may not see ------------------------------------------------------------------------


def full_name(user: str) -> str:
	return frappe.db.get_value("User", user, "full_name")


def names_of(world, institutions) -> set[str]:
	"""What identifies the story's and the world's data at these institutions: the institutions (and a partner
	all of whose institutions are among them), their learners, plans, claims and specialists."""
	institutions = set(institutions)
	names = set(institutions)
	names |= {
		partner
		for partner in set(PARTNER_OF.values())
		if {s for s, p in PARTNER_OF.items() if p == partner} <= institutions
	}
	for school in institutions:
		names |= {f"Testa {key} Bērziņš" for key in LEARNERS_OF[school]}
		names.add(full_name(world.user(SPECIALIST_OF[school])))
	for doctype in (PLAN, COMPENSATION):
		names |= set(
			frappe.get_all(doctype, filters={"institution": ("in", list(institutions) or [""])}, pluck="name")
		)
	return names


def texts(rows: list[dict]) -> str:
	return " | ".join(str(value) for row in rows for value in row.values() if isinstance(value, str))


def normalised(rows: list[dict], columns: list[str]) -> list[dict]:
	"""Rows as the desk receives them (JSON: dates as text, Decimals as numbers), on the report's columns."""
	return [{column: row.get(column) for column in columns} for row in json.loads(frappe.as_json(rows))]


# --- the reports ---------------------------------------------------------------------------------------------

# report -> (the school's user, the IKVD user, what its rows name per institution, filters the address gives)
REPORTS = {
	"Approval Queue and Ageing": ("a_director", "auditor", "institution", {"show_documents": 1}),
	"Compensations": ("a_accountant", "regional", "institution", {}),
	"Learner History": ("a_director", "ikvd_admin", "plan", {"learner": "a7"}),
	"Outcomes and Retention": ("a_director", "auditor", "institution", {"group_by": "Institution"}),
	"Plans by Institution and Term": ("a_director", "regional", "institution", {}),
	"Programme Indicators": (None, "ikvd_admin", None, {}),  # not a school's report
	"Risk Profile": ("a_director", "auditor", "institution", {"group_by": "Institution"}),
	"Support Delivered": ("a_director", "regional", "specialist", {}),
}
SHARED_FILTERS = ["school_year", "school_term", "partner", "institution"]


def module_of(report: str):
	doc = frappe.get_doc("Report", report)
	folder = frappe.scrub(report)
	return frappe.get_module(f"pumpurs_app.{frappe.scrub(doc.module)}.report.{folder}.{folder}")


def expected_names(world, story, report: str, shows: str | None, institutions: set[str]) -> set[str]:
	"""What the report must name for a user whose scope holds ``institutions``."""
	if shows == "institution":
		return set(institutions)
	if shows == "specialist":
		return {full_name(world.user(SPECIALIST_OF[school])) for school in institutions}
	if shows == "plan":
		a7_plan = frappe.db.get_value(PLAN, {"name": ("in", story[PLAN]), "learner": world.learners["a7"]})
		return {a7_plan} if world_module.SCHOOL_A in institutions else set()
	return set()


def script_errors(desk: Desk) -> list[str]:
	"""The page's uncaught errors, but for frappe's own way of stopping a report's first run before the filters
	from the address are set (it throws "Filter missing" when a mandatory filter is still empty)."""
	return [error for error in desk.errors if error != ": Filter missing"]


def exported_rows(shown: dict) -> list[int]:
	"""The rows frappe's Excel export writes: those the table shows — or all of them when exactly one is hidden,
	which frappe takes for a hidden total row and adds back (query_report.js, export_report)."""
	visible, count = list(shown["visible"]), len(shown["rows"])
	if len(visible) + 1 == count:
		visible.append(len(visible))
	return list(range(count)) if len(visible) == count or not visible else visible


def check_report(desk: Desk, world, story, report: str, key: str, shows, options: dict) -> dict:
	"""Open the report as the desk's user and check everything the desk shows against the report run here as
	the same user; return what the desk showed."""
	shown = desk.open_report(report, **options)
	assert not script_errors(desk) and not desk.console, (desk.errors, desk.console)

	# the shared filter script is the app's one, loaded with the desk, and gives the report its filters
	assert desk.page.evaluate(
		"""() => typeof pumpurs === "object" && typeof pumpurs.scope_filters === "function"
			&& [...document.scripts].some((script) => script.src.endsWith("/assets/pumpurs_app/js/pumpurs.js"))"""
	)
	filters = desk.page.evaluate("() => frappe.query_report.filters.map((filter) => filter.df.fieldname)")
	if report not in ("Learner History", "Programme Indicators"):  # (one learner; a period from term to term)
		assert filters[:4] == SHARED_FILTERS, filters
	elif report == "Programme Indicators":
		assert filters[0] == "school_year" and filters[-2:] == SHARED_FILTERS[2:], filters

	# the same rows and chart as the report gives this user here
	result = act(world.user(key), module_of(report).execute, frappe._dict(shown["filters"]))
	columns = [c["fieldname"] for c in result[0]]
	if shown["rows"]:  # (with nothing to show, the desk keeps no columns)
		assert shown["columns"] == columns
	assert normalised(shown["rows"], columns) == normalised(result[1], columns)
	server_chart = result[3] if len(result) > 3 else None
	if shown["rows"]:
		assert shown["chart"] == (json.loads(frappe.as_json(server_chart["data"])) if server_chart else None)

	# scope: every institution (specialist, plan) of the user's that has data, and nothing of anyone else's
	institutions = SCOPES[key]
	text = texts(shown["rows"])
	for name in expected_names(world, story, report, shows, institutions):
		assert name in text, f"{report} as {key}: {name} missing"
	for name in names_of(world, set(SCHOOLS) - institutions):
		assert name not in text, f"{report} as {key}: shows {name}"

	# the chart is drawn
	if shown["chart"]:
		heights = desk.chart_bars(shown["chart"])
		values = [v for dataset in shown["chart"]["datasets"] for v in dataset["values"]]
		assert any(height > 0 for height in heights) == any(values), (heights, values)
	desk.shot(f"{key}-{report}")

	# Excel: what the table shows (collapsed tree rows are left out, as frappe's export does)
	if shown["rows"]:
		name, content = desk.export_report()
		assert name == f"{report}.xlsx", name
		sheet = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
		visible = [columns[i] for i, hidden in enumerate(shown["hidden"]) if not hidden]
		exported = exported_rows(shown)
		assert len(sheet) == 1 + len(exported), (len(sheet), shown["visible"])
		first = visible[0]
		assert [str(row[0] or "") for row in sheet[1:]] == [
			str(shown["rows"][i].get(first) or "") for i in exported
		]
		assert not script_errors(desk) and not desk.console, (desk.errors, desk.console)
	return shown


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_report_for_each_role(pooled_login, world, story, report):
	school_user, ikvd_user, shows, options = REPORTS[report]
	if "learner" in options:
		options = {**options, "learner": world.learners[options["learner"]]}
	users = ["muni_coord", *([school_user] if school_user else []), ikvd_user]
	shown = {key: check_report(pooled_login(key), world, story, report, key, shows, options) for key in users}
	assert all(result["rows"] for result in shown.values()), {
		key: len(result["rows"]) for key, result in shown.items()
	}
	if report != "Learner History":  # one learner's history is the same to all who may see it
		# the partner's coordinator sees less than IKVD (the vocational school's figures are not theirs)
		assert shown["muni_coord"]["rows"] != shown[ikvd_user]["rows"]

	if report == "Learner History":  # a learner of another institution is not even found by them
		for outsider in ("b_director", "vet_coord"):
			desk = pooled_login(outsider)
			desk.goto(f"query-report/{report}?learner={options['learner']}")
			desk.page.wait_for_function("() => frappe.query_report && frappe.query_report.report_name")
			desk.idle()
			# the desk checks the link, hears that no such learner exists and clears the filter
			assert not desk.page.evaluate("() => frappe.query_report.get_filter_value('learner')")
			assert not desk.report()["rows"]
			assert not act(world.user(outsider), module_of(report).execute, frappe._dict(options))[1]
	if not school_user:  # a school's director may not open it
		director = pooled_login("a_director")
		director.goto(f"query-report/{report}")
		expect(director.dialog()).to_contain_text(f"You don't have access to Report: {report}")
		director.shot("director-may-not-open-it")


# --- the workspace -------------------------------------------------------------------------------------------

CARDS = (
	"Active Plans This Term",
	"Plans Awaiting My Approval",
	"Compensations Approved Not Paid",
	"Unmatched Bank Transactions",
)


def expected_cards(world, institutions: set[str]) -> dict[str, str]:
	"""The workspace's numbers for a user whose scope holds ``institutions``, counted here in SQL."""
	schools = tuple(institutions)
	partners = tuple({PARTNER_OF[school] for school in institutions})
	coordinator_of = frappe.db.get_value(
		PLAN,
		{"institution": ("in", schools), "workflow_state": "Pending Partner Coordinator", "docstatus": 0},
		"count(*)",
	)
	approved = frappe.db.sql(
		"select sum(total_amount) from tabCompensation where docstatus = 1 and workflow_state = 'Approved' and institution in %s",
		[schools],
	)[0][0]
	unmatched = frappe.db.sql(
		"""select count(*) from `tabCompensation Bank Statement Line` line
		join `tabCompensation Bank Statement` statement on statement.name = line.parent
		where statement.docstatus < 2 and line.match_status != 'Matched' and statement.partner in %s""",
		[partners],
	)[0][0]
	return {
		"Active Plans This Term": str(
			frappe.db.count(
				PLAN,
				{
					"institution": ("in", schools),
					"workflow_state": "Approved",
					"docstatus": 1,
					"school_term": world.terms["current_s1"],
				},
			)
		),
		"Plans Awaiting My Approval": str(coordinator_of),
		"Compensations Approved Not Paid": f"{approved or 0:.2f}",
		"Unmatched Bank Transactions": str(unmatched),
	}


# the workspace's charts, and what each shows: a count of plans, or a report's chart
CHART_SOURCES = {
	"Plans per Term": "Plans per Term",
	"Risk Groups": "Risk Profile",
	"Compensation Spend by Type": "Compensations",
}
PLANS_PER_TERM = "pumpurs_app.reporting.dashboard_chart_source.plans_per_term.plans_per_term.get"
GROWN_BARS = """widget => [...widget.querySelectorAll("svg rect.bar")].some((bar) => parseFloat(bar.getAttribute("height")) > 0)"""


def chart_requests(desk: Desk) -> dict[str, dict]:
	"""What the workspace's charts get from the server, by chart (Report charts run their report)."""
	answers = {}

	def record(response):
		method = response.url.split("/api/method/")[-1].split("?")[0]
		if method not in (PLANS_PER_TERM, "frappe.desk.query_report.run"):
			return
		asked = {
			k: v[0] for k, v in parse_qs(response.request.post_data or response.url.partition("?")[2]).items()
		}
		if response.ok:
			answers[asked.get("chart_name") or asked.get("report_name")] = {
				"asked": asked,
				"message": response.json()["message"],
			}

	desk.page.on("response", record)
	return answers


@pytest.mark.parametrize("key", ["muni_coord", "vet_coord"])
def test_workspace_shows_the_coordinators_numbers(pooled_login, world, story, key):
	coordinator = pooled_login(key)
	answers = chart_requests(coordinator)
	coordinator.goto("pumpurs")
	institutions = SCOPES[key]
	expected = expected_cards(world, institutions)
	# a partner's coordinator leaves the bank's exceptions to the accountants (desk.CARD_AUDIENCE)
	expected.pop("Unmatched Bank Transactions")
	expect(coordinator.main.locator(".number-widget-box")).to_have_count(len(expected))
	for card, number in expected.items():
		widget = coordinator.main.locator(".number-widget-box").filter(
			has_text=re.compile(re.escape(card), re.I)
		)
		shown = widget.locator(".number")
		expect(shown).to_have_text(re.compile(r"\d"))
		assert re.sub(r"[^\d]", "", shown.inner_text()) == number.replace(".", ""), (
			card,
			shown.inner_text(),
			number,
		)

	charts = coordinator.main.locator(".dashboard-widget-box")
	expect(charts).to_have_count(3)
	for chart in CHART_SOURCES:
		expect(charts.filter(has_text=chart)).to_have_count(1)
	coordinator.idle()
	for chart, source in CHART_SOURCES.items():  # each chart with something to show draws it
		data = answers[source]["message"]
		data = data["chart"]["data"] if "chart" in data else data
		if any(value for dataset in data["datasets"] for value in dataset["values"]):
			widget = charts.filter(has_text=chart).element_handle()
			coordinator.page.wait_for_function(GROWN_BARS, arg=widget)
	coordinator.shot(f"{key}-workspace")
	assert not coordinator.errors and not coordinator.console, (coordinator.errors, coordinator.console)

	# Plans per Term: the coordinator's submitted plans in each of the last terms, counted here
	per_term = dict(
		frappe.db.sql(
			"""select concat(t.school_year, '|', t.term_type), count(p.name)
			from `tabSchool Term` t left join `tabIndividual Support Plan` p
				on p.school_term = t.name and p.docstatus = 1 and p.institution in %s
			group by t.name""",
			[tuple(institutions)],
		)
	)
	per_term = {school_terms.short_name(*key.split("|")): count for key, count in per_term.items()}
	plans = answers["Plans per Term"]["message"]
	shown = dict(zip(plans["labels"], plans["datasets"][0]["values"], strict=True))
	assert shown and shown == {label: per_term[label] for label in shown}
	assert coordinator.page.evaluate(CUT_LABELS) == []  # the labels are whole at the default width
	# the report charts: what the report gives the coordinator here, with the workspace's filters
	for chart, report in list(CHART_SOURCES.items())[1:]:
		answer = answers[report]
		filters = json.loads(answer["asked"]["filters"])
		assert filters.get("school_year") == frappe.db.get_value(
			"School Term", world.terms["current_s1"], "school_year"
		)
		expected = act(world.user(key), module_of(report).execute, frappe._dict(filters))
		assert json.loads(frappe.as_json(answer["message"]["chart"])) == json.loads(
			frappe.as_json(expected[3])
		), chart


# --- the IKVD workbook ---------------------------------------------------------------------------------------


def test_ikvd_workbook_for_a_term_and_a_partner(pooled_login, world, story):
	term = world.terms["current_s1"]
	ikvd = pooled_login("regional")
	ikvd.goto("pumpurs-workbook")
	ikvd.fill_link("school_term", term)
	ikvd.fill_link("partner", world.municipality)
	download = ikvd.button("Download Workbook")
	expect(download.locator("svg use")).to_have_attribute("href", "#es-line-download")  # an icon frappe has
	ikvd.shot("workbook-page")
	name, content = ikvd.download(download.click)
	assert name == f"PuMPuRS {term.replace('/', '-')}.xlsx", name
	book = load_workbook(io.BytesIO(content))
	assert {"Plans by Institution and Term", "Compensations", "Learner Register"} <= set(book.sheetnames), (
		book.sheetnames
	)
	text = " ".join(
		str(cell)
		for sheet in book
		for row in sheet.iter_rows(values_only=True)
		for cell in row
		if cell is not None
	)
	assert world.school_a in text and world.school_b in text
	assert world.vocational_school not in text  # the partner chosen
	plans = {
		row[1]: row[3]
		for row in book["Plans by Institution and Term"].iter_rows(min_row=3, values_only=True)
		if row[2] == term
	}
	assert plans == {
		school: frappe.db.count(PLAN, {"institution": school, "school_term": term, "docstatus": 1})
		for school in (world.school_a, world.school_b)
	}
	assert not ikvd.errors and not ikvd.console, (ikvd.errors, ikvd.console)


# --- the learner import --------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def imported(world):
	"""Learners and Learner Imports the test's uploads make are deleted (with their files) when it ends."""
	imports = set(frappe.get_all("Learner Import", pluck="name"))
	yield
	frappe.db.rollback()
	purge("Learner", frappe.get_all("Learner", filters={"first_name": ("like", "Imports%")}, pluck="name"))
	made = set(frappe.get_all("Learner Import", pluck="name")) - imports
	uploads = frappe.get_all(
		"Learner Import", filters={"name": ("in", list(made) or [""])}, pluck="import_file"
	)
	purge("Learner Import", made, file_urls=uploads)
	frappe.db.commit()


def import_dialog(desk: Desk):
	desk.goto("learner")
	desk.button("Import from Excel").click()
	dialog = desk.dialog()
	expect(dialog.locator(".modal-title")).to_have_text("Import Learners from Excel")
	return dialog


def test_learner_import_in_the_browser(pooled_login, world, imported):
	coordinator = pooled_login("a_coord")
	dialog = import_dialog(coordinator)

	# the template: the school's own institution to choose from
	name, template = coordinator.download(dialog.get_by_role("button", name="Download Template").click)
	assert name == "izglitojamo-imports.xlsx", name
	book = load_workbook(io.BytesIO(template))
	assert [cell.value for cell in book[learner_import.DATA_SHEET][1]][:2] == ["Vārds *", "Uzvārds *"]
	lists = book[learner_import.LISTS_SHEET]
	column = next(c for c in range(1, lists.max_column + 1) if lists.cell(1, c).value == "Izglītības iestāde")
	assert [
		lists.cell(r, column).value for r in range(2, lists.max_row + 1) if lists.cell(r, column).value
	] == [world.school_a]

	# a good file: checked, then imported
	good = workbook([learner_row(world.school_a, 91_001), learner_row(world.school_a, 91_002)])
	coordinator.attach("file", "izglitojamie.xlsx", good, XLSX, scope=dialog)
	expect(dialog.locator(".alert-success")).to_contain_text("No errors: 2 learners are ready to import.")
	coordinator.shot("good-file-checked")
	assert not frappe.get_all("Learner", filters={"first_name": ("like", "Imports%")})
	dialog.locator(".modal-footer").get_by_role("button", name="Import 2 learners").click()
	expect(dialog.locator(".alert-success")).to_contain_text("Imported 2 learners.")
	coordinator.idle()
	coordinator.shot("good-file-imported")
	frappe.db.rollback()
	learners = frappe.get_all(
		"Learner", filters={"first_name": ("like", "Imports%")}, fields=["first_name", "institution"]
	)
	assert sorted((r.first_name, r.institution) for r in learners) == [
		("Imports91001", world.school_a),
		("Imports91002", world.school_a),
	]

	# a bad file: every error listed, an error workbook offered, nothing imported
	dialog.locator(".btn-modal-close").click()
	dialog = import_dialog(coordinator)
	bad = workbook(
		[
			learner_row(world.school_a, 91_003, personal_code="123456-12345"),
			learner_row(world.school_b, 91_004),  # not the coordinator's school
		]
	)
	coordinator.attach("file", "kludainie.xlsx", bad, XLSX, scope=dialog)
	expect(dialog.locator(".alert-danger")).to_contain_text("Nothing was imported.")
	errors = dialog.locator("table tbody tr")
	expect(errors).to_have_count(2)
	expect(errors.nth(0)).to_contain_text("123456-12345")
	expect(errors.nth(1)).to_contain_text(world.school_b)
	expect(dialog.locator(".modal-footer").get_by_role("button", name=re.compile("Import"))).to_be_hidden()
	coordinator.shot("bad-file-refused")
	name, errors_book = coordinator.download(
		dialog.get_by_role("link", name="Download the error workbook").click
	)
	rows = list(load_workbook(io.BytesIO(errors_book)).active.iter_rows(values_only=True))
	listed = " ".join(str(cell) for row in rows for cell in row if cell is not None)
	assert "123456-12345" in listed and world.school_b in listed
	frappe.db.rollback()
	assert not frappe.get_all("Learner", filters={"first_name": ("in", ["Imports91003", "Imports91004"])})
	assert not coordinator.errors and not coordinator.console, (coordinator.errors, coordinator.console)
