"""The learners' personal data over time: the retention period's dry run and anonymisation (every report's
figures unchanged), an access request's workbook, an erasure request — as the users who make them."""

import io
from datetime import date

import frappe
import pytest
from frappe.utils import add_days, getdate, today
from frappe.utils.background_jobs import get_queues
from frappe.utils.global_search import sync_global_search, update_global_search
from openpyxl import load_workbook
from rq.job import Job

from pumpurs_app.compensations.report.compensation_reconciliation import compensation_reconciliation
from pumpurs_app.registers import data_protection
from pumpurs_app.registers.report.learner_register import learner_register
from pumpurs_app.registers.report.learners_due_for_anonymisation import (
	learners_due_for_anonymisation as due_report,
)
from pumpurs_app.reporting.report.approval_queue_and_ageing import approval_queue_and_ageing
from pumpurs_app.reporting.report.compensations import compensations
from pumpurs_app.reporting.report.outcomes_and_retention import outcomes_and_retention
from pumpurs_app.reporting.report.plans_by_institution_and_term import plans_by_institution_and_term
from pumpurs_app.reporting.report.programme_indicators import programme_indicators
from pumpurs_app.reporting.report.risk_profile import risk_profile
from pumpurs_app.reporting.report.support_delivered import support_delivered
from pumpurs_app.support_plans import reminders
from tests.integration import records
from tests.integration.learner_files import learner_row, workbook
from tests.integration.money import approve_claim, make_claim
from tests.integration.plans import DEFAULT_RISKS, act, approve_all, make_plan

LEARNER = "Learner"
PLAN = "Individual Support Plan"
FAR_AHEAD = date(2100, 1, 1)
REPORTS = (
	plans_by_institution_and_term,
	programme_indicators,
	risk_profile,
	support_delivered,
	outcomes_and_retention,
	compensations,
	compensation_reconciliation,
	learner_register,
	approval_queue_and_ageing,
)
WORDS = {"Data", "Small Text", "Text", "Long Text"}  # columns that may name a person


def figures(world) -> dict:
	"""Every report as IKVD's regional coordinator sees it by default, without the columns that may name a
	person: what anonymising must leave as it was."""
	out = {}
	for report in REPORTS:
		columns, rows = act(world.user("regional"), report.execute, {})[:2]
		kept = [
			c["fieldname"]
			for c in columns
			if c.get("fieldtype") not in WORDS and "name" not in c["fieldname"]
		]
		out[report.__name__] = [{field: row.get(field) for field in kept} for row in rows]
	return out


def trail(learner: str, plans: list[str]) -> dict:
	docs = {LEARNER: [learner], PLAN: plans}
	return {
		"versions": sum(
			frappe.db.count("Version", {"ref_doctype": d, "docname": ("in", n)}) for d, n in docs.items()
		),
		"comments": sum(
			frappe.db.count(
				"Comment",
				{
					"reference_doctype": d,
					"reference_name": ("in", n),
					"comment_type": ("not in", ("Workflow", "Info")),
				},
			)
			for d, n in docs.items()
		),
		"files": frappe.db.count("File", {"attached_to_doctype": LEARNER, "attached_to_name": learner}),
		"guardians": frappe.db.count("Learner Guardian", {"parent": learner}),
	}


def test_the_retention_period_runs_from_the_last_activity(world):
	a7 = world.learners["a8money"]  # the learner with an approved plan
	due_now = [name for name, _last, _until in data_protection.due_learners(getdate(today()))]
	assert not set(world.learners.values()) & set(due_now)  # this year's learners are kept
	_columns, rows = act(world.user("ikvd_admin"), due_report.execute, {"on": str(FAR_AHEAD)})
	row = next(r for r in rows if r["learner"] == a7)
	last_plan_end = max(
		frappe.db.get_value("School Term", term, "end_date")
		for term in frappe.get_all(PLAN, {"learner": a7}, pluck="school_term")
	)
	assert row["last_activity"] >= last_plan_end
	assert row["kept_until"] == row["last_activity"].replace(year=row["last_activity"].year + 10)
	frappe.db.set_single_value("PuMPuRS Settings", "retention_years", 3)
	assert dict((n, u) for n, _l, u in data_protection.due_learners(FAR_AHEAD))[a7] == row[
		"last_activity"
	].replace(year=row["last_activity"].year + 3)


@pytest.mark.parametrize("who", ["a_director", "muni_coord", "regional", "auditor"])
def test_only_ikvds_administrators_see_who_is_due(world, who):
	with pytest.raises(frappe.PermissionError):
		act(world.user(who), due_report.execute, {"on": str(FAR_AHEAD)})


def test_anonymising_keeps_every_reports_figures_and_forgets_the_person(world):
	a7 = world.learners["a7"]
	learner = frappe.get_doc(LEARNER, a7)
	old_name, old_code = learner.full_name, learner.personal_code
	frappe.get_doc(
		doctype="File",
		file_name="iesniegums-a7.pdf",
		content=b"%PDF-1.4 iesniegums",
		is_private=1,
		attached_to_doctype=LEARNER,
		attached_to_name=a7,
	).insert()
	risks = [{**risk, "observation": f"{old_name} bieži kavē"} for risk in DEFAULT_RISKS]
	plans = [approve_all(world, make_plan(world, learner="a7", risks=risks).name).name]
	learner.add_comment("Comment", f"Runāju ar {old_name} mammu")
	learner.guardians[0].phone = "+371 29999999"
	learner.save(ignore_version=False)  # tests skip Versions unless asked
	learner.reload()
	update_global_search(learner)
	sync_global_search()
	assert frappe.db.sql(
		"select name from `__global_search` where name = %s and content like %s", (a7, f"%{old_name}%")
	)
	before = trail(a7, plans)
	assert all(before.values()), before  # there is something to forget
	reports = figures(world)

	due = [name for name, _last, _until in data_protection.due_learners(FAR_AHEAD)]
	assert set(world.learners.values()) <= set(due)
	data_protection.anonymise(due, "pārbaude")

	assert figures(world) == reports
	learner.reload()
	assert (learner.first_name, learner.last_name, learner.full_name) == (
		"Anonimizēts",
		a7,
		f"Anonimizēts {a7}",
	)
	assert not any(
		learner.get(f)
		for f in (
			"personal_code",
			"personal_code_masked",
			"active_personal_code",
			"date_of_birth",
			"class_label",
			"application_file",
		)
	)
	assert learner.anonymised_on == getdate(today())
	assert trail(a7, plans) == {"versions": 0, "comments": 0, "files": 0, "guardians": 0}
	assert set(frappe.get_all(PLAN, {"learner": a7}, pluck="learner_name")) == {f"Anonimizēts {a7}"}
	assert not frappe.get_all("Support Plan Risk", {"parent": ("in", plans), "observation": ("is", "set")})
	for text in (old_name, old_code, "29999999"):
		assert not frappe.db.sql(
			"select name from `__global_search` where name in %s and content like %s",
			([a7, *plans], f"%{text}%"),
		)
		assert not frappe.db.sql("select name from `tabVersion` where data like %s", f"%{text}%")
	assert frappe.get_all(
		"Comment",
		{"reference_doctype": LEARNER, "reference_name": a7, "comment_type": "Info"},
		pluck="content",
	) == ["Personal data anonymised: pārbaude"]
	assert not data_protection.due_learners(FAR_AHEAD)  # done once
	with pytest.raises(frappe.ValidationError, match="has been anonymised and is no longer changed"):
		act(world.user("a_coord"), learner.save)


def test_an_access_request_gives_everything_held_to_those_who_see_full_codes(world, api):
	a7 = world.learners["a8money"]
	method = "pumpurs_app.registers.data_protection.access_request"
	logs = frappe.db.count("Access Log", {"reference_document": a7, "method": "Access Request"})
	change = frappe.get_doc(
		doctype="Version",
		ref_doctype=PLAN,
		docname=world.money_plan,
		data=frappe.as_json({"changed": [["evaluation_notes", None, "Apmeklē regulāri"]]}),
	).insert(ignore_permissions=True)
	frappe.db.commit()  # for the request, served with its own connection
	try:
		response = api(world.user("a_director")).call(method, learner=a7)
	finally:
		frappe.delete_doc("Version", change.name, ignore_permissions=True)
		frappe.db.commit()
	assert response.status == 200, response.text[:300]
	book = load_workbook(io.BytesIO(response.body))
	assert book.sheetnames == [
		"Learner",
		"Learner Guardian",
		"Individual Support Plan",
		"Support Plan Risk",
		"Support Plan Measure",
		"Support Consultation",
		"Compensation",
		"Compensation Line",
		"Files",
		"Change History",
	]
	record = {row[0]: row[1] for row in book["Learner"].iter_rows(values_only=True)}
	learner = frappe.get_doc(LEARNER, a7)
	assert record["Personal Code"] == learner.personal_code and record["First Name"] == learner.first_name
	assert [row[1] for row in book["Learner Guardian"].iter_rows(min_row=2, values_only=True)] == [a7]
	plans = {row[0] for row in book["Individual Support Plan"].iter_rows(min_row=2, values_only=True)}
	assert plans == set(frappe.get_all(PLAN, {"learner": a7}, pluck="name"))
	history = [row[1:] for row in book["Change History"].iter_rows(min_row=2, values_only=True)]
	assert (world.money_plan, change.data) in [(docname, changes) for docname, _on, _by, changes in history]
	frappe.db.rollback()  # the request committed its Access Log
	assert frappe.db.count("Access Log", {"reference_document": a7, "method": "Access Request"}) == logs + 1

	for who in (
		"a_author",
		"a_specialist",
		"b_director",
		"vet_director",
	):  # no full codes, or not their learner
		refused = api(world.user(who)).call(method, learner=a7)
		assert refused.status == 403, (who, refused.status)
		assert b"Personal Code" not in refused.body


def test_an_erasure_request_waits_while_money_must_be_kept(world, as_user):
	money_learner = world.learners["a8money"]
	claim = approve_claim(world, make_claim(world).name)
	with as_user(world.user("a_director")):
		answer = data_protection.erasure_request(money_learner, "Māte lūdz dzēst datus")
	assert answer == {
		"erased": False,
		"message": f"The learner's compensations {claim.name} are being paid: erase the learner's data once they are paid, rejected or cancelled.",
	}
	assert frappe.db.get_value(LEARNER, money_learner, "personal_code")
	assert frappe.get_all(
		"Comment",
		{"reference_doctype": LEARNER, "reference_name": money_learner, "comment_type": "Info"},
		pluck="content",
	) == [f"Erasure requested (Māte lūdz dzēst datus) and refused: {answer['message']}"]

	a3 = world.learners["a3"]
	with as_user(world.user("a_author")), pytest.raises(frappe.PermissionError, match="full personal code"):
		data_protection.erasure_request(a3, "Māte lūdz dzēst datus")
	with as_user(world.user("a_director")):
		with pytest.raises(frappe.ValidationError, match="who asked for the erasure"):
			data_protection.erasure_request(a3, "  ")
		assert data_protection.erasure_request(a3, "Māte lūdz dzēst datus")["erased"]
	assert frappe.db.get_value(LEARNER, a3, ["full_name", "personal_code"]) == (f"Anonimizēts {a3}", None)


# --- the job queue ----------------------------------------------------------------------------------------


IMPORT = "pumpurs_app.registers.doctype.learner_import.learner_import"


def site_jobs() -> list[Job]:
	"""The jobs waiting for this site in every queue (no worker runs during the tests)."""
	return [
		job for queue in get_queues() for job in queue.jobs if job.kwargs.get("site") == frappe.local.site
	]


@pytest.fixture
def committed_plan(world):
	"""A draft plan committed for the requests, deleted afterwards with the jobs queued meanwhile."""
	before = {job.id for job in site_jobs()}
	plan = make_plan(world, learner="a3").name
	frappe.db.commit()
	yield plan
	for job in site_jobs():
		if job.id not in before:
			job.delete()
	side = records.PartnerRecords("jobs", world.municipality, world.school_a, {}, {PLAN: plan})
	records.purge(world, {"jobs": side})


def test_background_jobs_carry_no_personal_data(world, api, committed_plan):
	"""The job queue keeps its jobs' arguments in Redis, outside the database's permissions, backups and
	anonymisation: the app's jobs are given record names, never a learner's personal code or name. (Frappe's
	own workflow e-mail would give its job the whole plan: the app's workflows announce by name instead.)"""
	# a plan sent for approval, as the desk sends it: the request commits and queues the announcement
	author = api(world.user("a_author"))
	doc = frappe.get_doc(PLAN, committed_plan).as_json()
	sent = author.post(
		"/api/method/frappe.model.workflow.apply_workflow", {"doc": doc, "action": "Send for Approval"}
	)
	assert sent.status == 200, sent.text[:300]
	# a learner import large enough for the background
	coordinator = api(world.user("a_coord"))
	rows = [learner_row(world.school_a, 9000 + serial, first_name=f"Rinda{serial}") for serial in range(1001)]
	url = coordinator.upload("izglitojamie-rinda.xlsx", workbook(rows))
	name = coordinator.post(f"/api/method/{IMPORT}.check_file", {"file_url": url}).message["name"]
	started = coordinator.post(f"/api/method/{IMPORT}.start_import", {"learner_import": name})
	assert started.message.get("background"), started.text[:300]
	# the daily reminder of the plan waiting too long, run as the scheduler runs it (outside tests frappe queues
	# the desk notifications it makes)
	frappe.db.rollback()
	frappe.db.set_value(PLAN, committed_plan, "pending_since", add_days(today(), -30))
	frappe.flags.in_test = False
	try:
		assert committed_plan in reminders.remind_approvers()
	finally:
		frappe.flags.in_test = True

	# what Redis holds of each job: its arguments pickled (a Document's repr would show its name only)
	jobs = [(str(job.kwargs["method"]), job.data) for job in site_jobs()]
	assert {
		"pumpurs_app.support_plans.reminders.tell_deciders",
		"pumpurs_app.registers.doctype.learner_import.learner_import.run_in_background",
		"frappe.desk.doctype.notification_log.notification_log.make_notification_logs",
	} <= {method for method, _pickled in jobs}, [method for method, _pickled in jobs]
	people = frappe.get_all("Learner", fields=["personal_code", "first_name", "last_name"])
	secrets = {f"{p.first_name} {p.last_name}" for p in people} | {
		code for p in people for code in (p.personal_code, p.personal_code.replace("-", "")) if code
	}
	secrets |= {row["personal_code"] for row in rows} | {
		f"{row['first_name']} {row['last_name']}" for row in rows
	}
	for method, pickled in jobs:  # every job, also others of the same method
		assert not [secret for secret in secrets if secret.encode() in pickled], method
