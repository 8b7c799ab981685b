"""The demo generator's bulk-inserted rows are what the controllers would have saved: learners (the Learner
controller finds nothing to change), and support plans in every workflow state, their consultations and the
youth NGO projects — every plan re-validated by its controller, every rule checked over all generated rows,
and the workflow continues from generated plans as the real users. Compensations, made through their
controllers and workflow by the demo's staff, are in every state, every partner has one paid batch reconciled
by one bank statement, the history's moments are consistent, and a second load does nothing.

One TINY demo is generated for the module; each test checks one part of it and is rolled back to the demo as it
was generated, so that a part that fails does not hide the others."""

import re
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import frappe
import pytest
from frappe.model.workflow import apply_workflow
from frappe.utils import get_datetime, get_time, getdate, now_datetime
from lxml import etree
from schwifty import IBAN

import pumpurs_app.demo
from pumpurs_app import access
from pumpurs_app.demo import claims_history, registers
from pumpurs_app.demo import compensations as demo_money
from pumpurs_app.demo import plans as demo_plans
from pumpurs_app.rules import bank, registration, school_terms, sepa, target_group
from pumpurs_app.rules import compensations as money_rules
from pumpurs_app.rules import consultations as consultation_rules
from pumpurs_app.rules import support_plans as rules
from pumpurs_app.rules.caps import amount_for
from pumpurs_app.rules.money import money_sum, to_money
from pumpurs_app.setup.workflows import COMPENSATION_STATES, PLAN_STATES
from pumpurs_app.support_plans.doctype.support_consultation.support_consultation import delivered_hours
from tests.integration.conftest import reset_caches
from tests.integration.payments import PAIN, file_content, pain001_schema
from tests.integration.plans import act

TINY = registers.Scale(
	municipalities=["Jelgavas valstspilsētas pašvaldība"],
	vocational_schools=["Rīgas Valsts tehnikums"],
	schools_per_municipality=2,
	learners_per_institution=12,
	staff_can_log_in=False,
	plans_per_term=(4, 6, 10),
)
INSTITUTIONS = ["Jelgavas 4. sākumskola", "Jelgavas 1. pamatskola", "Rīgas Valsts tehnikums"]
PLAN = "Individual Support Plan"
CONSULTATION = "Support Consultation"
# what the controller derives from the learner, the term, the partner and the risks
DERIVED = (
	"institution",
	"partner",
	"partner_type",
	"term_type",
	"consent_on_file",
	"has_learning_risk",
	"has_social_risk",
	"has_economic_risk",
	"has_family_risk",
	"highest_severity",
	"learning_risk_severity",
	"social_risk_severity",
	"economic_risk_severity",
	"family_risk_severity",
	"active_plan_key",
)
MEASURE_CONTENT = (
	"measure_kind",
	"risk_factor",
	"specialist_role",
	"specialist",
	"compensation_type",
	"ngo_project",
	"planned_hours",
	"planned_amount",
)


DEMO = "demo_loaded"
loaded = {}


@pytest.fixture(autouse=True)
def rollback(site):
	"""Instead of conftest's: each test's own changes are rolled back to the demo's savepoint, so that every test
	sees the demo as it was generated; the demo itself is rolled back after the module."""
	frappe.set_user("Administrator")
	frappe.local.lang = "en"
	yield
	if loaded:
		frappe.db.rollback(save_point=DEMO)
	else:
		frappe.db.rollback()
	reset_caches()


@pytest.fixture(scope="module")
def demo(world) -> SimpleNamespace:
	"""One TINY demo for all the tests of the module (generating it costs most of the time): what
	``registers.build`` made, and the counts of everything generated."""
	frappe.set_user("Administrator")
	built = registers.build(TINY, seed=7)
	counts = built.counts | demo_plans.generate(built)
	counts |= claims_history.generate(built)
	counts |= demo_money.generate(built)
	frappe.db.savepoint(DEMO)
	loaded.update(built=built, counts=counts)
	yield SimpleNamespace(built=built, counts=counts)
	loaded.clear()
	frappe.db.rollback()
	reset_caches()


@pytest.fixture
def built(demo):
	return demo.built


@pytest.fixture
def counts(demo):
	return demo.counts


def test_learners_are_what_their_controller_would_save(counts, as_user):
	"""(Checked after the plans were generated: they move consent dates before the first plan.)"""
	assert counts["Educational Institution"] == 3
	assert set(
		frappe.get_all("Educational Institution", filters={"name": ("in", INSTITUTIONS)}, pluck="name")
	) == set(INSTITUTIONS)

	learners = frappe.get_all("Learner", filters={"institution": ("in", INSTITUTIONS)}, pluck="name")
	assert len(learners) == counts["Learner"]
	school_year = school_terms.school_year_of(frappe.utils.getdate())
	statuses = defaultdict(int)
	for name in learners:
		doc = frappe.get_doc("Learner", name)
		stored = doc.as_dict()
		doc.run_method("validate")  # the controller recomputes every derived field...
		for field in (
			"personal_code",
			"personal_code_masked",
			"active_personal_code",
			"date_of_birth",
			"is_adult",
			"full_name",
		):
			assert str(doc.get(field)) == str(stored[field]), (name, field)  # ...and finds nothing to change
		assert target_group.in_target_group(
			doc.education_type, doc.grade, school_year, school_terms.SEMESTER_1
		)
		assert len(doc.guardians) >= (0 if doc.is_adult else 1)
		statuses[doc.status] += 1
	# today's 12 learners of each institution, and former learners of each past school year
	assert (
		statuses["Active"] >= 30
		and sum(statuses.values()) > 36
		and statuses["Graduated"]
		and statuses["Left"]
	)

	teacher = "skolotaja.j4@pumpurs.demo"
	assert access.PLAN_AUTHOR in frappe.get_roles(teacher)
	with as_user(teacher):
		seen = set(frappe.get_list("Learner", pluck="name", limit=0))
	assert seen == set(
		frappe.get_all("Learner", filters={"institution": "Jelgavas 4. sākumskola"}, pluck="name")
	)


def plan_rows(**filters) -> list[frappe._dict]:
	return frappe.get_all(
		PLAN, filters={"institution": ("in", INSTITUTIONS), **filters}, fields=["*"], limit=0
	)


def current_term() -> school_terms.Term:
	"""Today's term (a stand-in after the demo's last term, when all its terms have ended)."""
	from pumpurs_app.registers.doctype.school_term.school_term import all_terms

	term = school_terms.current_term(all_terms(), getdate())
	return term or school_terms.Term("-", "2000/2001", school_terms.HOLIDAY, getdate(), getdate())


def test_every_plan_passes_its_controller(counts, as_user):
	plans = plan_rows()
	assert len(plans) == counts["Individual Support Plan"] > 100
	states = {p.workflow_state for p in plans}
	expected = {state for state, _docstatus, _roles in PLAN_STATES}
	if (
		current_term().term_type != school_terms.HOLIDAY
	):  # in summer today's term has only a few holiday plans
		assert states == expected
	else:
		assert {rules.EVALUATED, rules.APPROVED} <= states

	for row in plans:
		doc = frappe.get_doc(PLAN, row.name)
		stored = doc.as_dict()
		learner = frappe.get_doc("Learner", doc.learner)
		# the demo's staff work in Latvian, so their saves store the Latvian risk group names
		with as_user(doc.plan_author, lang="lv"):
			if learner.status == "Active":
				doc.run_method("validate")
			else:
				# a former learner: the plan was made while they studied here, so everything but the learner's
				# status today is checked as the controller does
				doc.sync_learner_details()
				access.check_in_scope(doc)
				school_year = frappe.db.get_value("School Term", doc.school_term, "school_year")
				target_group.check_target_group(doc.education_type, doc.grade, school_year, doc.term_type)
				rules.check_plan(doc.risk_list(), doc.measure_list())
				doc.validate_plan_author()
				doc.validate_measure_links()
				doc.validate_holiday_order()
				doc.summarise_risks()
				doc.set_active_plan_key()
				doc.validate_one_plan_per_term()
		for field in DERIVED:
			assert doc.get(field) == stored[field], (doc.name, doc.workflow_state, field)
		for before, after in zip(stored["measures"], doc.measures, strict=True):
			for field in MEASURE_CONTENT:
				# (the controller blanks the fields a kind of measure does not use; the database stores 0 for a number)
				assert (before[field] or None) == (after.get(field) or None), (doc.name, field)
		for before, after in zip(stored["risks"], doc.risks, strict=True):
			assert before["risk_group"] == after.risk_group, doc.name
		# fetched from the linked records when the plan was saved
		assert doc.learner_name == learner.full_name
		assert doc.plan_author_name == frappe.db.get_value("User", doc.plan_author, "full_name")
		assert doc.education_type == learner.education_type
		if doc.school_term == current_term().name:
			assert doc.grade == learner.grade
		# the name as autoname makes it
		term = frappe.get_doc("School Term", doc.school_term)
		code = f"{school_terms.school_year_start(term.school_year)}{school_terms.TERM_SUFFIX[term.term_type]}"
		assert re.fullmatch(rf"IAP-{code}-\d{{5}}", doc.name), doc.name
		if doc.workflow_state in (rules.APPROVED, rules.EVALUATED):
			# delivered hours are the confirmed consultation minutes, as the consultation controller sums them
			hours = delivered_hours(doc.name)
			for measure in doc.measures:
				expected_hours = (
					round(hours.get(measure.name, 0), 2) if measure.measure_kind == rules.CONSULTATION else 0
				)
				assert measure.delivered_hours == pytest.approx(expected_hours, abs=0.001), (
					doc.name,
					measure.idx,
				)


def test_the_workflow_rules_hold_over_all_plans(built):
	plans = plan_rows()
	docstatus_of = {state: docstatus for state, docstatus, _roles in PLAN_STATES}
	institutions = {i["name"]: i for i in built.institutions}
	ikvd = set(
		frappe.get_all(
			"Has Role", filters={"role": access.REGIONAL_COORDINATOR, "parenttype": "User"}, pluck="parent"
		)
	)
	terms = {t.name: t for t in frappe.get_all("School Term", fields=["*"])}
	learners = {
		row.name: row
		for row in frappe.get_all("Learner", filters={"institution": ("in", INSTITUTIONS)}, fields=["*"])
	}
	by_name = {p.name: p for p in plans}
	live = defaultdict(int)
	for plan in plans:
		institution, term, learner = (
			institutions[plan.institution],
			terms[plan.school_term],
			learners[plan.learner],
		)
		assert docstatus_of[plan.workflow_state] == plan.docstatus, plan.name
		assert plan.active_plan_key == (
			None
			if plan.workflow_state in rules.CLOSED_WITHOUT_SUPPORT
			else f"{plan.learner}|{plan.school_term}"
		)
		if plan.active_plan_key:
			live[plan.active_plan_key] += 1
		assert target_group.in_target_group(plan.education_type, plan.grade, term.school_year, term.term_type)
		assert plan.plan_author in institution["authors"]
		assert (plan.pending_since is not None) == (plan.workflow_state in rules.PENDING), plan.name
		assert bool(plan.decision_reason) == (plan.workflow_state in (rules.RETURNED, rules.REJECTED)), (
			plan.name
		)
		if plan.workflow_state == rules.PENDING_PARTNER:
			assert plan.partner_type == rules.MUNICIPALITY
		# consent: only learners with a signed application get beyond Draft, signed before the plan was made
		if plan.workflow_state != rules.DRAFT:
			assert plan.consent_on_file and learner.consent_date <= plan.plan_date, plan.name
		# approvals: the chain of the partner's type, by the right people, in order, never by the plan's author
		if plan.docstatus >= 1:
			assert plan.director_approved_by == institution["director"]
			assert plan.ikvd_approved_by in ikvd
			if plan.partner_type == rules.MUNICIPALITY:
				assert plan.partner_approved_by in institution["partner_coordinators"]
				assert plan.director_approved_on <= plan.partner_approved_on <= plan.ikvd_approved_on
			else:
				assert not plan.partner_approved_by and plan.director_approved_on <= plan.ikvd_approved_on
			assert plan.ikvd_approved_on.date() <= term.end_date
		# who shaped the plan, as the controller records it: its creator first, then whoever sent it
		shaped_by = rules.people(plan.shaped_by)
		assert shaped_by[0] == plan.owner and set(shaped_by) <= {plan.owner, plan.plan_author}, plan.name
		for approver in (plan.director_approved_by, plan.partner_approved_by, plan.ikvd_approved_by):
			assert approver not in (plan.plan_author, plan.owner, *shaped_by)
		assert plan.creation <= plan.modified <= now_datetime()
		assert datetime.combine(term.start_date, datetime.min.time()) <= plan.creation
		if plan.workflow_state == rules.EVALUATED:
			assert (
				plan.continues_next_term in ("Yes", "No", "Unknown")
				and plan.evaluated_by
				and plan.evaluated_on
			)
			assert plan.evaluated_on >= term.end_date
			outcomes = frappe.get_all("Support Plan Risk", filters={"parent": plan.name}, pluck="outcome")
			assert all(outcomes), plan.name
		else:
			assert not plan.continues_next_term and not plan.evaluated_on
		if plan.term_type == school_terms.HOLIDAY:
			assert plan.holiday_order and not plan.previous_plan
		if plan.previous_plan:
			before = by_name[plan.previous_plan]
			assert before.learner == plan.learner and before.continues_next_term != "No"
			assert (
				terms[before.school_term].end_date < term.start_date
				and before.term_type != school_terms.HOLIDAY
			)
	assert max(live.values()) == 1  # one live plan per learner and term
	assert sum(1 for p in plans if p.previous_plan) > len(plans) / 4  # many continue the last semester's plan

	# every risk group present is addressed by a measure, and every measure addresses one of the plan's risks
	unaddressed = frappe.db.sql(
		"""select r.parent, r.risk_group from `tabSupport Plan Risk` r
		join `tabIndividual Support Plan` p on p.name = r.parent and p.institution in %(institutions)s
		where not exists (
			select 1 from `tabSupport Plan Measure` m join `tabSupport Plan Risk` r2
				on r2.parent = m.parent and r2.risk_factor = m.risk_factor
			where m.parent = r.parent and r2.risk_group = r.risk_group)""",
		{"institutions": INSTITUTIONS},
	)
	assert not unaddressed
	stray = frappe.db.sql(
		"""select m.parent, m.risk_factor from `tabSupport Plan Measure` m
		join `tabIndividual Support Plan` p on p.name = m.parent and p.institution in %(institutions)s
		where not exists (select 1 from `tabSupport Plan Risk` r where r.parent = m.parent and r.risk_factor = m.risk_factor)""",
		{"institutions": INSTITUTIONS},
	)
	assert not stray
	# child rows follow their plan's docstatus
	assert not frappe.db.sql(
		"""select c.name from `tabSupport Plan Measure` c join `tabIndividual Support Plan` p on p.name = c.parent
		where c.docstatus != p.docstatus and p.institution in %(institutions)s""",
		{"institutions": INSTITUTIONS},
	)

	# measures: consultations by a role the school has (its specialist, if named), compensations of a known type
	measures = frappe.get_all(
		"Support Plan Measure", filters={"parent": ("in", list(by_name))}, fields=["*"], limit=0
	)
	kinds = {m.measure_kind for m in measures}
	assert kinds == {rules.CONSULTATION, rules.COMPENSATION, rules.NGO_PROJECT}
	compensation_types = frappe.get_all("Compensation Type", pluck="name")
	for m in measures:
		plan, institution = by_name[m.parent], institutions[by_name[m.parent].institution]
		if m.measure_kind == rules.CONSULTATION:
			assert m.planned_hours > 0 and m.specialist_role in {
				role for _u, role in institution["specialists"]
			}
			if m.specialist:
				assert (m.specialist, m.specialist_role) in institution["specialists"]
		else:
			assert (
				not m.specialist_role and not m.specialist and not m.planned_hours and not m.delivered_hours
			)
		if m.measure_kind == rules.COMPENSATION:
			assert m.compensation_type in compensation_types and m.planned_amount > 0
		else:
			assert not m.compensation_type and not m.planned_amount
		if m.measure_kind == rules.NGO_PROJECT:
			project = frappe.get_doc("Youth NGO Project", m.ngo_project)
			term = terms[plan.school_term]
			assert project.partner == plan.partner and project.status != "Cancelled"
			assert project.period_from <= term.end_date and project.period_to >= term.start_date
			if plan.docstatus >= 1:  # approval enrolled the learner
				assert plan.learner in {p.learner for p in project.participants}, m.parent

	# the approvers' open workflow actions: one for each plan that waits for someone, with frappe's roles
	actions = frappe.get_all(
		"Workflow Action",
		filters={"reference_doctype": PLAN, "reference_name": ("in", list(by_name)), "status": "Open"},
		fields=["name", "reference_name", "workflow_state"],
		limit=0,
	)
	assert len(actions) == len({a.reference_name for a in actions})
	open_for = {a.reference_name: a for a in actions}
	roles = demo_plans.workflow_roles()
	for plan in plans:
		wanted = roles[(plan.workflow_state, plan.partner_type)]
		action = open_for.get(plan.name)
		assert bool(action) == bool(wanted), (plan.name, plan.workflow_state)
		if action:
			assert action.workflow_state == plan.workflow_state
			assert (
				sorted(
					frappe.get_all(
						"Workflow Action Permitted Role", filters={"parent": action.name}, pluck="role"
					)
				)
				== wanted
			)
	# returned and rejected plans carry the controller's comment with the reason
	for plan in plans:
		if plan.workflow_state in (rules.RETURNED, rules.REJECTED):
			assert frappe.db.exists(
				"Comment",
				{
					"reference_name": plan.name,
					"comment_type": "Workflow",
					"content": ("like", f"%{plan.decision_reason}"),
				},
			)

	# the name series continue after the generated plans: the next plan the controller makes gets the next number
	# (in the last ended semester, which always has generated plans)
	term = max(
		(
			t
			for t in terms.values()
			if t.end_date < getdate()
			and t.term_type != school_terms.HOLIDAY
			and t.name in {p.school_term for p in plans}
		),
		key=lambda t: t.end_date,
	)
	taken = {p.learner for p in plans if p.school_term == term.name and p.active_plan_key}
	learner = next(
		name
		for name, row in learners.items()
		if row.status == "Active"
		and row.consent_date
		and name not in taken
		and row.institution == "Jelgavas 4. sākumskola"
	)
	author = institutions["Jelgavas 4. sākumskola"]["authors"][0]
	plan = frappe.get_doc(
		{
			"doctype": PLAN,
			"learner": learner,
			"school_term": term.name,
			"plan_author": author,
			"risks": [{"risk_factor": "Unexcused absences", "severity": "Medium"}],
			"measures": [
				{
					"measure_kind": "Consultation",
					"risk_factor": "Unexcused absences",
					"specialist_role": "Psychologist",
					"planned_hours": 2,
				}
			],
		}
	)
	act(author, plan.insert)
	prefix = plan.name.rsplit("-", 1)[0]
	highest = max(int(p.name.rsplit("-", 1)[1]) for p in plans if p.name.startswith(prefix + "-"))
	assert plan.name == f"{prefix}-{highest + 1:05d}"


def test_consultations_keep_their_rules_and_pass_their_controller(built, counts, as_user):
	institutions = {i["name"]: i for i in built.institutions}
	settings = frappe.get_single("PuMPuRS Settings")
	rows = frappe.get_all(CONSULTATION, filters={"institution": ("in", INSTITUTIONS)}, fields=["*"], limit=0)
	assert len(rows) == counts["Support Consultation"] > 50
	plans = {p.name: p for p in plan_rows()}
	measures = {
		m.name: m
		for m in frappe.get_all(
			"Support Plan Measure", filters={"parent": ("in", list(plans))}, fields=["*"], limit=0
		)
	}
	terms = {t.name: t for t in frappe.get_all("School Term", fields=["*"])}
	by_specialist_day = defaultdict(list)
	for row in rows:
		plan, measure, term = plans[row.support_plan], measures[row.measure], terms[row.school_term]
		assert plan.workflow_state in (rules.APPROVED, rules.EVALUATED)
		assert (row.learner, row.learner_name, row.institution, row.partner, row.school_term) == (
			plan.learner,
			plan.learner_name,
			plan.institution,
			plan.partner,
			plan.school_term,
		)
		assert measure.parent == plan.name and measure.measure_kind == rules.CONSULTATION
		assert row.specialist_role == measure.specialist_role
		assert (row.specialist, row.specialist_role) in institutions[row.institution]["specialists"]
		assert not measure.specialist or measure.specialist == row.specialist
		slot = consultation_rules.Slot(
			row.name, row.consultation_date, get_time(row.start_time), row.duration_minutes
		)
		consultation_rules.check_duration(row.duration_minutes, settings.max_consultation_minutes)
		assert get_time(row.end_time) == consultation_rules.end_time(slot)
		consultation_rules.check_in_term(row.consultation_date, term.start_date, term.end_date, term.name)
		# logged while the plan was approved: after the approval, before the evaluation, not in the future
		assert plan.ikvd_approved_on < slot.begins and slot.ends <= now_datetime()
		if plan.evaluated_on:
			assert row.consultation_date < plan.evaluated_on
		if row.learner_confirmed:
			consultation_rules.check_confirmation(
				slot, get_datetime(row.confirmed_at), settings.confirmation_days
			)
		else:
			assert row.confirmed_at is None
		assert (row.mode == "Remote") == bool(row.remote_order_reference)
		assert re.fullmatch(rf"KONS-{row.creation.year}-\d{{5}}", row.name)
		by_specialist_day[(row.specialist, row.consultation_date)].append(slot)
	for slots in by_specialist_day.values():
		for slot in slots:
			assert not consultation_rules.clashes(slot, slots), slot  # nobody is in two consultations at once
	confirmed = sum(r.learner_confirmed for r in rows)
	assert 0.85 * len(rows) <= confirmed < len(rows)
	assert any(r.mode == "Remote" for r in rows)

	# the controller accepts those of plans still approved, as the specialist who logged them
	on_approved = [r for r in rows if plans[r.support_plan].workflow_state == rules.APPROVED]
	assert on_approved
	for row in on_approved:
		doc = frappe.get_doc(CONSULTATION, row.name)
		stored = doc.as_dict()
		with as_user(row.specialist, lang="lv"):
			doc.run_method("validate")
		for field in (
			"learner",
			"institution",
			"partner",
			"school_term",
			"specialist_role",
			"measure_description",
			"confirmed_at",
		):
			assert doc.get(field) == stored[field], (row.name, field)
		assert get_time(doc.end_time) == get_time(stored.end_time)
	# ...and refuses a new one that overlaps a generated one of the same specialist
	row = on_approved[0]
	clash = frappe.get_doc(
		{
			"doctype": CONSULTATION,
			"support_plan": row.support_plan,
			"measure": row.measure,
			"specialist": row.specialist,
			"consultation_date": row.consultation_date,
			"start_time": str(get_time(row.start_time)),
			"duration_minutes": 20,
			"mode": "In person",
			"topic": "Pārklājas",
		}
	)
	with pytest.raises(frappe.ValidationError, match="already has consultation"):
		act(row.specialist, clash.insert)


def test_youth_ngo_projects_pass_their_controller(counts):
	projects = frappe.get_all(
		"Youth NGO Project", filters={"partner": "Jelgavas valstspilsētas pašvaldība"}, fields=["*"]
	)
	assert len(projects) == counts["Youth NGO Project"]
	current_start = school_terms.school_year_start(school_terms.school_year_of(getdate()))
	per_year = defaultdict(int)
	for row in projects:
		doc = frappe.get_doc("Youth NGO Project", row.name)
		doc.run_method(
			"validate"
		)  # municipality, registration number, amount, dates, participants of the town
		assert doc.organisation_registration_number == row.organisation_registration_number
		registration.normalize_registration_number(doc.organisation_registration_number)
		assert doc.amount == 4600
		assert (
			re.fullmatch(rf"NVO-{row.creation.year}-\d{{3}}", row.name)
			and row.creation.date() < row.period_from
		)
		per_year[school_terms.school_year_of(row.period_from)] += 1
		# the participants are the learners whose approved plans have a measure in the project
		enrolled = frappe.db.sql(
			"""select distinct p.learner from `tabSupport Plan Measure` m
			join `tabIndividual Support Plan` p on p.name = m.parent
			where m.ngo_project = %s and p.docstatus >= 1""",
			row.name,
			pluck=True,
		)
		assert sorted(p.learner for p in doc.participants) == sorted(enrolled)
	assert (
		all(1 <= n <= 3 for n in per_year.values())
		and len(per_year) >= current_start - registers.FIRST_SCHOOL_YEAR
	)


def test_the_workflow_continues_from_generated_plans(built):
	institutions = {i["name"]: i for i in built.institutions}
	regional = "regional@pumpurs.demo"

	def step(plan: str, user: str, action: str):
		act(user, apply_workflow, frappe.get_doc(PLAN, plan).as_dict(), action)
		return frappe.get_doc(PLAN, plan)

	# a plan waiting for its director goes on (through the municipality for a municipal school) to approval
	waiting = plan_rows(workflow_state=rules.PENDING_DIRECTOR)
	semester = current_term().term_type != school_terms.HOLIDAY
	assert waiting or not semester  # the deck of today's states deals one of each first
	if waiting:
		plan = waiting[0]
		institution = institutions[plan.institution]
		doc = step(plan.name, institution["director"], "Approve")
		assert doc.director_approved_by == institution["director"]
		assert (
			frappe.db.get_value(
				"Workflow Action",
				{"reference_name": plan.name, "workflow_state": rules.PENDING_DIRECTOR},
				"status",
			)
			== "Completed"
		)
		if plan.partner_type == rules.MUNICIPALITY:
			assert doc.workflow_state == rules.PENDING_PARTNER
			doc = step(plan.name, institution["partner_coordinators"][0], "Approve")
		assert doc.workflow_state == rules.PENDING_IKVD
		doc = step(plan.name, regional, "Approve")
		assert (
			doc.workflow_state == rules.APPROVED and doc.docstatus == 1 and doc.ikvd_approved_by == regional
		)
	# a returned plan goes back to the director when its author sends it again; the old reason goes
	returned = plan_rows(workflow_state=rules.RETURNED)
	assert returned or not semester
	if returned:
		doc = step(returned[0].name, returned[0].plan_author, "Send for Approval")
		assert doc.workflow_state == rules.PENDING_DIRECTOR and not doc.decision_reason
	# an approved plan of an ended term is evaluated by its author; the delivered hours stay as generated
	unevaluated = [
		p for p in plan_rows(workflow_state=rules.APPROVED) if p.school_term != current_term().name
	]
	approved = unevaluated or plan_rows(workflow_state=rules.APPROVED)
	plan = approved[0]
	before = {m.name: m.delivered_hours for m in frappe.get_doc(PLAN, plan.name).measures}
	doc = frappe.get_doc(PLAN, plan.name)
	doc.continues_next_term = "Yes"
	for row in doc.risks:
		row.outcome = "Reduced"
	act(plan.plan_author, doc.save)
	doc = step(plan.name, plan.plan_author, "Evaluate")
	assert doc.workflow_state == rules.EVALUATED and doc.evaluated_by == plan.plan_author
	assert {m.name: m.delivered_hours for m in doc.measures} == before
	# nothing generated happens in the future
	now = now_datetime() + timedelta(seconds=5)
	for doctype in (CONSULTATION, "Youth NGO Project", "Workflow Action", "Comment"):
		latest = frappe.db.sql(f"select max(creation), max(modified) from `tab{doctype}`")[0]
		assert all(value is None or value <= now for value in latest), doctype


# --- compensations and payments --------------------------------------------------------------------------------

COMPENSATION = "Compensation"
BATCH = "Compensation Payment Batch"
STATEMENT = "Compensation Bank Statement"
WAITING_DAYS = demo_money.WAITING_ENTERED_WITHIN + 1
MONEY_DOCSTATUS = {state: docstatus for state, docstatus, _roles in COMPENSATION_STATES}
# what the controller derives from the plan, the measure and the lines
CLAIM_DERIVED = (
	"learner",
	"learner_name",
	"institution",
	"partner",
	"school_term",
	"compensation_type",
	"planned_amount",
	"total_amount",
)


def claim_rows(**filters) -> list[frappe._dict]:
	"""The claims made through the controllers and the workflow (not the history's)."""
	claims = frappe.get_all(
		COMPENSATION, filters={"institution": ("in", INSTITUTIONS), **filters}, fields=["*"], limit=0
	)
	past = history_batches()
	return [c for c in claims if c.payment_batch not in past]


def history_batches() -> set[str]:
	"""The history's batches: written in bulk, they keep no SEPA file (every batch the app exports does)."""
	return set(frappe.get_all(BATCH, filters={"sepa_file": ("is", "not set")}, pluck="name"))


def accountants_of(partner: str) -> set[str]:
	return set(
		frappe.get_all(
			"Partner Staff Member", filters={"parent": partner, "function": "Accountant"}, pluck="user"
		)
	)


def test_compensations_are_in_every_state_and_pass_their_controller(built, counts, as_user):
	institutions = {i["name"]: i for i in built.institutions}
	claims = claim_rows()
	assert len(claims) == counts[COMPENSATION] > 10
	assert {c.workflow_state for c in claims} == set(MONEY_DOCSTATUS)  # every state of the workflow
	assert {c.partner for c in claims if c.workflow_state == money_rules.RECONCILED} == {
		i["partner"] for i in built.institutions
	}
	now = now_datetime()
	for row in claims:
		doc = frappe.get_doc(COMPENSATION, row.name)
		stored = doc.as_dict()
		institution = institutions[doc.institution]
		kind = frappe.get_cached_doc("Compensation Type", doc.compensation_type)
		plan = frappe.get_doc(PLAN, doc.support_plan)
		assert plan.workflow_state in (rules.APPROVED, rules.EVALUATED)
		assert doc.docstatus == MONEY_DOCSTATUS[doc.workflow_state], doc.name
		assert re.fullmatch(rf"KOMP-{doc.creation.year}-\d{{5}}", doc.name), doc.name
		# the total is the sum of the lines, each quantity × unit price (the type's price where none was entered)
		price = kind.caps_for(doc.partner, doc.period_from).unit_price
		amounts = [
			amount_for(
				Decimal(str(line.quantity)), to_money(str(line.unit_price)) if line.unit_price else price
			)
			for line in doc.lines
		]
		assert [to_money(str(line.amount)) for line in doc.lines] == amounts, doc.name
		assert to_money(str(doc.total_amount)) == money_sum(amounts) > 0, doc.name
		assert all(doc.period_from <= line.line_date <= doc.period_to for line in doc.lines)
		assert plan.ikvd_approved_on.date() < doc.period_from and doc.period_to < doc.creation.date()
		if kind.evidence_mandatory:
			assert all(
				line.evidence and frappe.db.exists("File", {"file_url": line.evidence}) for line in doc.lines
			), doc.name
		# the payee: a kind the type allows, a valid Latvian IBAN
		assert doc.payee_kind in kind.allowed_payees() and doc.payee_name
		assert IBAN(doc.payee_iban).country_code == "LV"
		if doc.payee_kind == money_rules.INSTITUTION:
			assert doc.payee_name == doc.institution
		# four eyes: entered by the school's coordinator, verified by the partner's coordinator, approved by the
		# director; the partner's accountant, who pays it, had no hand in it
		assert doc.owner == institution["coordinator"] and doc.content_changed_by == doc.owner
		if doc.workflow_state in (
			money_rules.VERIFIED,
			*money_rules.APPROVED_OR_LATER,
			money_rules.CANCELLED,
		):
			assert doc.verified_by in institution["partner_coordinators"] and doc.verified_by != doc.owner
		if doc.workflow_state in (*money_rules.APPROVED_OR_LATER, money_rules.CANCELLED):
			assert doc.approved_by == institution["director"]
			assert doc.approved_by not in (doc.owner, doc.verified_by)
			assert doc.creation < doc.verified_on < doc.approved_on < now
			assert not accountants_of(doc.partner) & {doc.owner, doc.verified_by, doc.approved_by}
		if doc.workflow_state == money_rules.REJECTED:
			assert doc.decision_reason and frappe.db.exists(
				"Comment",
				{
					"reference_name": doc.name,
					"comment_type": "Workflow",
					"content": ("like", f"%{doc.decision_reason}"),
				},
			)
		elif doc.workflow_state != money_rules.DRAFT:
			assert not doc.decision_reason, doc.name  # (a draft may carry the reason it was returned with)
		assert (doc.payment_batch is not None) == (doc.workflow_state in money_rules.PAID_OR_LATER)
		assert (doc.bank_statement is not None) == (doc.workflow_state == money_rules.RECONCILED)
		assert doc.creation <= doc.pending_since <= now and doc.modified <= now
		# a live claim passes its controller again as its enterer (caps, overlaps, period, payee, evidence...)
		if doc.workflow_state in money_rules.LIVE:
			with as_user(doc.owner, lang="lv"):
				doc.run_method("validate")
			for field in CLAIM_DERIVED:
				assert doc.get(field) == stored[field], (doc.name, field)
	# the plans' measures show what was approved and paid of them
	for measure, rows in group_by(claims, "measure").items():
		approved = money_sum(
			to_money(str(c.total_amount)) for c in rows if c.workflow_state in money_rules.APPROVED_OR_LATER
		)
		paid = money_sum(
			to_money(str(c.total_amount)) for c in rows if c.workflow_state in money_rules.PAID_OR_LATER
		)
		stored = frappe.db.get_value(
			"Support Plan Measure", measure, ["approved_amount", "paid_amount"], as_dict=True
		)
		assert (to_money(str(stored.approved_amount)), to_money(str(stored.paid_amount))) == (
			approved,
			paid,
		), measure


def group_by(rows, field) -> dict:
	groups = defaultdict(list)
	for row in rows:
		groups[row[field]].append(row)
	return groups


def test_every_partner_has_a_paid_batch_reconciled_by_a_statement(built, counts):
	partners = {i["partner"] for i in built.institutions}
	past = history_batches()
	batches = [
		b
		for b in frappe.get_all(BATCH, filters={"partner": ("in", list(partners))}, fields=["*"])
		if b.name not in past
	]
	statements = frappe.get_all(
		STATEMENT,
		filters={"partner": ("in", list(partners)), "statement_file": ("!=", history_file())},
		fields=["*"],
	)
	assert len(batches) == len(statements) == counts[BATCH] == counts[STATEMENT] == len(partners)
	waiting = []  # paid, but not on the statement yet
	for partner in partners:
		(batch,) = [frappe.get_doc(BATCH, b.name) for b in batches if b.partner == partner]
		(statement,) = [frappe.get_doc(STATEMENT, s.name) for s in statements if s.partner == partner]
		assert batch.docstatus == 1 and batch.status == "Paid" and statement.docstatus == 1
		claims = {c.name: c for c in claim_rows(payment_batch=batch.name)}
		assert sorted(claims) == sorted(line.compensation for line in batch.lines)
		assert batch.line_count == len(batch.lines) == batch.payment_count > 0
		assert to_money(str(batch.total_amount)) == money_sum(
			to_money(str(line.amount)) for line in batch.lines
		)
		assert all(line.amount == claims[line.compensation].total_amount for line in batch.lines)
		assert batch.creation < batch.exported_on < batch.modified
		assert max(c.approved_on for c in claims.values()) < batch.creation
		# the SEPA file passes the schema and pays exactly the batch
		xml = file_content(batch.sepa_file)
		pain001_schema().validate(xml)
		tree = etree.fromstring(xml)
		assert to_money(tree.findtext(f".//{PAIN}GrpHdr/{PAIN}CtrlSum")) == to_money(str(batch.total_amount))
		assert sorted(e.text for e in tree.iter(f"{PAIN}EndToEndId")) == sorted(
			line.end_to_end_id for line in batch.lines
		)
		assert batch.payment_list
		# the statement reconciles its payments; a payment it does not show is still Paid
		matched = {line.end_to_end_of_line for line in statement.lines if line.match_status == "Matched"}
		assert len(statement.lines) == statement.matched_count == len(matched) > 0
		assert statement.mismatch_count == statement.returned_count == statement.unmatched_count == 0
		for line in batch.lines:
			claim = claims[line.compensation]
			assert claim.paid_on == batch.execution_date
			if line.end_to_end_id in matched:
				assert line.status == "Matched" and claim.workflow_state == money_rules.RECONCILED
				assert claim.bank_statement == statement.name and claim.reconciled_on == batch.execution_date
			else:
				assert not line.status and claim.workflow_state == money_rules.PAID
				waiting.append(claim.name)
		assert batch.execution_date < statement.creation.date() < getdate()
	assert len(waiting) == 1  # one payment of the showcase partner waits for the next statement
	# every claim paid or reconciled is in a batch; the others are in none
	in_batches = set(
		frappe.get_all(
			"Compensation Payment Line",
			filters={"parent": ("in", [b.name for b in batches])},
			pluck="compensation",
		)
	)
	assert in_batches == {c.name for c in claim_rows() if c.workflow_state in money_rules.PAID_OR_LATER}


def test_the_money_history_is_the_controllers_own(built):
	"""The audit trail is the controllers' own, by the right people, in order, at the moments it happened: the
	workflow's timeline comments (the tests save no Versions, frappe.flags.in_test), the stamps the controller
	sets, and the Versions the payment batch and the statement write."""
	claims = {c.name: c for c in claim_rows()}
	state_of = {frappe._(state, lang="lv"): state for state in MONEY_DOCSTATUS}
	comments = frappe.get_all(
		"Comment",
		filters={
			"reference_doctype": COMPENSATION,
			"reference_name": ("in", list(claims)),
			"comment_type": "Workflow",
		},
		fields=["reference_name", "owner", "creation", "content"],
		order_by="creation",
		limit=0,
	)
	trail = group_by(comments, "reference_name")
	now = now_datetime()
	for name, claim in claims.items():
		assert all(claim.creation < c.creation <= now for c in trail.get(name, [])), name
		steps = [
			(c.owner, c.creation, state_of[c.content]) for c in trail.get(name, []) if c.content in state_of
		]
		if claim.workflow_state != money_rules.DRAFT or claim.decision_reason:
			assert steps and (steps[0][0], steps[0][2]) == (claim.owner, money_rules.SUBMITTED), name
		else:
			assert not steps, name  # never sent
		for who, when, state in (
			(claim.verified_by, claim.verified_on, money_rules.VERIFIED),
			(claim.approved_by, claim.approved_on, money_rules.APPROVED),
		):
			if who:
				done = [at for owner, at, step in steps if step == state and owner == who]
				assert done and abs(done[-1] - when) < timedelta(seconds=5), (name, state)
		if claim.decision_reason:  # returned or rejected: the reason is on the timeline, by whoever decided
			assert any(c.content.endswith(f": {claim.decision_reason}") for c in trail[name]), name
		last = steps[-1][2] if steps else money_rules.DRAFT
		assert last == (
			money_rules.APPROVED
			if claim.workflow_state in money_rules.PAID_OR_LATER
			else claim.workflow_state
		), name
		if claim.payment_batch:  # the batch's and the statement's changes are Versions, by the accountant
			changes = frappe.get_all(
				"Version",
				filters={"ref_doctype": COMPENSATION, "docname": name},
				fields=["owner", "creation", "data"],
				order_by="creation",
			)
			assert [frappe.parse_json(v.data)["changed"][0][2] for v in changes] == (
				[money_rules.PAID, money_rules.RECONCILED] if claim.bank_statement else [money_rules.PAID]
			)
			batch = frappe.get_doc(BATCH, claim.payment_batch)
			assert changes[0].owner == batch.owner and abs(changes[0].creation - batch.modified) < timedelta(
				seconds=5
			)
	# the approvers' open workflow actions are where claims wait, and nothing happened in the future
	money = (COMPENSATION, BATCH, STATEMENT)
	for doctype, column in (
		(COMPENSATION, "doctype"),
		(BATCH, "doctype"),
		(STATEMENT, "doctype"),
		("Version", "ref_doctype"),
		("Comment", "reference_doctype"),
		("Workflow Action", "reference_doctype"),
		("File", "attached_to_doctype"),
	):
		condition = "" if column == "doctype" else f"where `{column}` in %(money)s"
		latest = frappe.db.sql(
			f"select max(creation), max(modified) from `tab{doctype}` {condition}", {"money": money}
		)[0]
		assert all(value is None or value <= now + timedelta(seconds=5) for value in latest), doctype
	waiting = [
		c for c in claims.values() if c.workflow_state in (money_rules.SUBMITTED, money_rules.VERIFIED)
	]
	for claim in waiting:
		assert frappe.db.exists(
			"Workflow Action",
			{"reference_name": claim.name, "status": "Open", "workflow_state": claim.workflow_state},
		)
	# the history spreads over weeks: the paid claims were entered weeks ago, some claims in the last days
	assert max(c.creation for c in claims.values() if c.payment_batch) < now - timedelta(
		days=demo_money.BATCH_DAYS_AGO[0]
	)
	assert max(c.creation for c in claims.values()) > now - timedelta(days=WAITING_DAYS)


def history_file() -> str:
	return frappe.db.get_value("File", {"file_name": claims_history.STATEMENT_FILE}, "file_url")


def test_past_compensations_pass_their_controller_and_reconcile_their_batches(built, counts, as_user):
	"""The history's claims, written in bulk, are what the controllers and the workflow would have saved: each
	passes its controller again as its enterer (caps, overlaps with every other claim of the learner, period,
	payee, evidence), four eyes by person, each step in order; each batch pays exactly its claims and each
	statement reconciles each payment; the measures show what was paid of them."""
	institutions = {i["name"]: i for i in built.institutions}
	past = history_batches()
	claims = frappe.get_all(
		COMPENSATION, filters={"payment_batch": ("in", list(past) or [""])}, fields=["*"], limit=0
	)
	assert len(claims) == counts["Compensation (paid history)"] > len(claim_rows())
	assert len(past) == counts["Compensation Payment Batch (history)"] > len(institutions)
	assert {c.workflow_state for c in claims} == {money_rules.RECONCILED}
	batches = {name: frappe.get_doc(BATCH, name) for name in past}
	statements = {c.bank_statement for c in claims}
	assert len(statements) == len(past) == counts["Compensation Bank Statement (history)"]
	statements = {name: frappe.get_doc(STATEMENT, name) for name in statements}
	# learners who have left since were at school when their claims were entered (rolled back after the test)
	frappe.db.sql("update `tabLearner` set status = 'Active'")
	now = now_datetime()
	for row in claims:
		doc = frappe.get_doc(COMPENSATION, row.name)
		stored = doc.as_dict()
		institution, batch = institutions[doc.institution], batches[doc.payment_batch]
		statement = statements[doc.bank_statement]
		assert re.fullmatch(rf"KOMP-{doc.creation.year}-\d{{5}}", doc.name), doc.name
		assert doc.owner == doc.content_changed_by == institution["coordinator"]
		assert doc.verified_by in institution["partner_coordinators"] and doc.verified_by != doc.owner
		assert doc.approved_by == institution["director"] not in (doc.owner, doc.verified_by)
		assert batch.owner in accountants_of(doc.partner)
		assert not accountants_of(doc.partner) & {doc.owner, doc.verified_by, doc.approved_by}
		approved_plan = frappe.db.get_value(PLAN, doc.support_plan, "ikvd_approved_on")
		assert approved_plan.date() < doc.period_from <= doc.period_to < doc.creation.date()
		assert doc.creation < doc.verified_on < doc.approved_on < batch.creation < batch.exported_on
		assert batch.exported_on < batch.modified < statement.creation == doc.modified < now
		assert (
			doc.paid_on == doc.reconciled_on == batch.execution_date and doc.payment_reference == batch.name
		)
		assert doc.payee_bic == (bank.normalize_bic(None, doc.payee_iban) or None)
		with as_user(doc.owner, lang="lv"):
			doc.run_method("validate")
		for field in (*CLAIM_DERIVED, "payee_name", "payee_iban", "payee_bic"):
			assert doc.get(field) == stored[field], (doc.name, field)
	# each batch pays exactly its claims; its statement reconciles each payment
	for name, mine in group_by(claims, "payment_batch").items():
		batch, by_name = batches[name], {c.name: c for c in mine}
		statement = statements[mine[0].bank_statement]
		assert batch.docstatus == statement.docstatus == 1 and batch.status == "Paid"
		assert {c.partner for c in mine} == {batch.partner} == {statement.partner}
		assert sorted(line.compensation for line in batch.lines) == sorted(by_name)
		assert batch.line_count == batch.payment_count == len(batch.lines)
		assert to_money(str(batch.total_amount)) == money_sum(to_money(str(c.total_amount)) for c in mine)
		assert (
			batch.debtor_iban
			== statement.account_iban
			== frappe.db.get_value("Partner", batch.partner, "iban")
		)
		for line in batch.lines:
			claim = by_name[line.compensation]
			assert (line.amount, line.payee_iban, line.payee_name) == (
				claim.total_amount,
				claim.payee_iban,
				claim.payee_name,
			)
			assert line.end_to_end_id == sepa.end_to_end_id(line.name) and line.status == "Matched"
			assert line.active_compensation == claim.name
		assert statement.matched_count == len(statement.lines) == len(batch.lines)
		assert {
			(t.end_to_end_id, t.end_to_end_of_line, t.amount, t.payment_batch, t.match_status, t.booking_date)
			for t in statement.lines
		} == {
			(p.end_to_end_id, p.end_to_end_id, p.amount, name, "Matched", batch.execution_date)
			for p in batch.lines
		}
	for measure, mine in group_by(claims, "measure").items():
		paid = money_sum(to_money(str(c.total_amount)) for c in mine)
		stored = frappe.db.get_value(
			"Support Plan Measure", measure, ["approved_amount", "paid_amount"], as_dict=True
		)
		assert (to_money(str(stored.approved_amount)), to_money(str(stored.paid_amount))) == (paid, paid)
	# no claim of the history is also a recent one: none of their measures, terms' caps or months meet
	recent = claim_rows()
	assert not {c.measure for c in recent} & {c.measure for c in claims}


def test_the_money_workflow_continues_from_generated_claims(built):
	institutions = {i["name"]: i for i in built.institutions}
	submitted = claim_rows(workflow_state=money_rules.SUBMITTED)[0]
	verifier = institutions[submitted.institution]["partner_coordinators"][0]
	act(verifier, apply_workflow, frappe.get_doc(COMPENSATION, submitted.name).as_dict(), "Verify")
	doc = frappe.get_doc(COMPENSATION, submitted.name)
	assert doc.workflow_state == money_rules.VERIFIED and doc.verified_by == verifier
	accountant = sorted(accountants_of(submitted.partner))[0]
	act(institutions[doc.institution]["director"], apply_workflow, doc.as_dict(), "Approve")
	assert frappe.db.get_value(COMPENSATION, doc.name, "workflow_state") == money_rules.APPROVED
	# the approved, unpaid claims of the partner go into its next batch
	batch = frappe.get_doc({"doctype": BATCH, "partner": doc.partner, "execution_date": getdate()})
	act(accountant, batch.insert)
	act(accountant, frappe.get_doc(BATCH, batch.name).get_compensations)
	expected = {c.name for c in claim_rows(partner=doc.partner, workflow_state=money_rules.APPROVED)}
	assert {line.compensation for line in frappe.get_doc(BATCH, batch.name).lines} == expected
	# the name series go on after the generated claims, batches and statements (named by the year they were made)
	for doctype in (COMPENSATION, BATCH, STATEMENT):
		numbers = defaultdict(list)
		for name in frappe.get_all(doctype, pluck="name"):
			prefix, number = name.rsplit("-", 1)
			numbers[prefix + "-"].append(int(number))
		for prefix, taken in numbers.items():
			assert frappe.db.sql("select current from `tabSeries` where name = %s", prefix)[0][0] == max(
				taken
			), prefix


@pytest.mark.usefixtures("demo")
def test_a_second_load_does_nothing():
	doctypes = ("Partner", "Learner", PLAN, COMPENSATION, BATCH, STATEMENT, "User")
	before = {doctype: frappe.db.count(doctype) for doctype in doctypes}
	assert pumpurs_app.demo.load("small") == {}
	assert {doctype: frappe.db.count(doctype) for doctype in doctypes} == before
