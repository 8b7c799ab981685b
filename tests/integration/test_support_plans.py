"""Individual support plans through the real approval chain, as the real users of a municipal school and of
a state vocational school: approve, return with a reason, reject, continue, evaluate — and every refusal."""

import re

import frappe
import pytest
from frappe.model.workflow import WorkflowTransitionError, apply_workflow

from tests.integration.plans import (
	DEFAULT_MEASURES,
	DEFAULT_RISKS,
	PLAN,
	act,
	approve_all,
	make_plan,
	new_plan,
	transition,
)
from tests.integration.refusals import no_permission


def test_municipal_plan_goes_through_director_municipality_and_ikvd(world):
	plan = make_plan(world)
	assert plan.workflow_state == "Draft" and plan.name.startswith("IAP-")
	assert plan.institution == world.school_a and plan.partner == world.municipality
	assert (plan.has_learning_risk, plan.has_economic_risk, plan.has_social_risk, plan.has_family_risk) == (
		1,
		1,
		0,
		0,
	)
	assert plan.highest_severity == "High"

	steps = [
		("a_author", "Send for Approval", "Pending Director"),
		("a_director", "Approve", "Pending Partner Coordinator"),
		("muni_coord", "Approve", "Pending IKVD"),
		("regional", "Approve", "Approved"),
	]
	for who, action, state in steps:
		doc = transition(world, who, plan.name, action)
		assert doc.workflow_state == state, (who, action)
		if state != "Approved":
			# the next approvers get a workflow action (and its email)
			assert frappe.db.exists("Workflow Action", {"reference_name": plan.name, "status": "Open"})
	assert doc.docstatus == 1
	assert doc.director_approved_by == world.user("a_director")
	assert doc.partner_approved_by == world.user("muni_coord")
	assert doc.ikvd_approved_by == world.user("regional")
	assert doc.pending_since is None


def test_vocational_school_plan_skips_the_municipality(world):
	plan = make_plan(world, learner="v1", author="vet_author")
	transition(world, "vet_author", plan.name, "Send for Approval")
	doc = transition(world, "vet_director", plan.name, "Approve")
	assert doc.workflow_state == "Pending IKVD"
	doc = transition(world, "regional", plan.name, "Approve")
	assert doc.workflow_state == "Approved" and not doc.partner_approved_by


def test_return_needs_a_reason_and_goes_back_to_the_author(world):
	plan = make_plan(world)
	transition(world, "a_author", plan.name, "Send for Approval")
	with pytest.raises(frappe.ValidationError, match="reason"):
		transition(world, "a_director", plan.name, "Return to Author")
	doc = transition(world, "a_director", plan.name, "Return to Author", reason="Trūkst novērojumu")
	assert doc.workflow_state == "Returned" and doc.decision_reason == "Trūkst novērojumu"
	assert frappe.db.exists(
		"Comment", {"reference_name": plan.name, "content": ("like", "%Trūkst novērojumu%")}
	)
	# the author corrects the plan and sends it again; the old reason does not linger
	doc.risks[0].observation = "Kavē pirmdienās un piektdienās"
	act(world.user("a_author"), doc.save)
	doc = transition(world, "a_author", plan.name, "Send for Approval")
	assert doc.workflow_state == "Pending Director" and not doc.decision_reason


def test_reject_frees_the_learners_term(world):
	plan = make_plan(world)
	transition(world, "a_author", plan.name, "Send for Approval")
	transition(world, "a_director", plan.name, "Approve")
	doc = transition(world, "muni_coord", plan.name, "Reject", reason="Nav mērķgrupā")
	assert doc.workflow_state == "Rejected" and doc.active_plan_key is None
	assert make_plan(world).workflow_state == "Draft"


def test_nobody_approves_a_plan_they_wrote(world):
	school = frappe.get_doc("Educational Institution", world.school_a)
	school.append("staff", {"user": world.user("a_director"), "function": "Plan Author"})
	school.save()
	# written by the director: frappe's own check (the director is the document's owner) refuses
	own = make_plan(world, author="a_director")
	transition(world, "a_director", own.name, "Send for Approval")
	with pytest.raises(frappe.ValidationError, match="Self approval"):
		transition(world, "a_director", own.name, "Approve")
	frappe.delete_doc(PLAN, own.name, force=True)
	# entered by the coordinator with the director as its author: frappe would allow it, the plan does not
	plan = new_plan(world, author="a_director")
	act(world.user("a_coord"), plan.insert)
	transition(world, "a_coord", plan.name, "Send for Approval")
	with pytest.raises(frappe.ValidationError, match="someone else must approve"):
		transition(world, "a_director", plan.name, "Approve")
	with pytest.raises(frappe.ValidationError, match="someone else must approve"):
		transition(world, "a_director", plan.name, "Return to Author", reason="pats")
	assert frappe.db.get_value(PLAN, plan.name, "workflow_state") == "Pending Director"


def test_wrong_roles_cannot_move_the_plan(world, api):
	plan = make_plan(world)
	with pytest.raises(WorkflowTransitionError, match="^Not a valid Workflow Action$"):
		transition(world, "a_author", plan.name, "Approve")
	transition(world, "a_author", plan.name, "Send for Approval")
	with pytest.raises(WorkflowTransitionError, match="^Not a valid Workflow Action$"):
		transition(world, "muni_coord", plan.name, "Approve")  # not yet their step
	with no_permission(PLAN, "read"):
		transition(world, "b_director", plan.name, "Approve")  # another school's director cannot even read it
	with no_permission(PLAN, "read"):
		transition(world, "vet_director", plan.name, "Approve")
	assert frappe.db.get_value(PLAN, plan.name, "workflow_state") == "Pending Director"


def test_setting_the_state_directly_is_refused(world):
	plan = make_plan(world)
	plan.workflow_state = "Pending IKVD"
	with pytest.raises(
		frappe.ValidationError,
		match="^Workflow State transition not allowed from <strong>Draft</strong> to <strong>Pending IKVD</strong>$",
	):
		act(world.user("a_author"), plan.save)
	assert frappe.db.get_value(PLAN, plan.name, "workflow_state") == "Draft"


def test_consent_must_be_on_file_before_sending(world):
	plan = make_plan(world, learner="b9", author="b_author", measures=None)
	assert not plan.consent_on_file
	with pytest.raises(frappe.ValidationError, match="signed application"):
		transition(world, "b_author", plan.name, "Send for Approval")
	assert frappe.db.get_value(PLAN, plan.name, "workflow_state") == "Draft"


def test_one_plan_per_learner_and_term(world):
	first = make_plan(world)
	with pytest.raises(frappe.DuplicateEntryError, match=first.name):
		make_plan(world, author="a_author2")
	# the database key holds even past the controller
	clone = frappe.copy_doc(first)
	clone.name = "IAP-TEST-CLONE"
	clone.active_plan_key = first.active_plan_key
	with pytest.raises(
		frappe.UniqueValidationError,
		match=f"Duplicate entry '{first.active_plan_key}' for key 'active_plan_key'",
	):
		clone.db_insert()
	assert make_plan(world, term="current_s2").name != first.name


def shown(refusal: Exception) -> str:
	"""What the user is shown of a refusal: the exception's message and frappe's message log (where frappe puts
	the reason a permission check gives for refusing, beside its own refusal)."""
	return " ".join([str(refusal), *(message.get("message") or "" for message in frappe.get_message_log())])


@pytest.mark.parametrize(
	"kwargs, message",
	[
		({"learner": "a3", "term": "y2020_s2"}, "target group"),
		({"learner": "a9left"}, "not an active learner"),
		({"term": "current_h"}, "order on the extended school year"),
		(
			{
				"measures": [
					{
						"measure_kind": "Consultation",
						"risk_factor": "Unexcused absences",
						"specialist_role": "Psychologist",
						"planned_hours": 2,
					}
				]
			},
			"No measure addresses the risk group Economic",
		),
		({"risks": []}, "Record at least one risk."),
		(
			{
				"measures": [
					{
						"measure_kind": "Consultation",
						"risk_factor": "Violence",
						"specialist_role": "Psychologist",
						"planned_hours": 2,
					}
				]
			},
			"not one of the plan's risks",
		),
		(
			{
				"measures": [
					{
						"measure_kind": "Consultation",
						"risk_factor": "Unexcused absences",
						"specialist_role": "Psychologist",
						"specialist": "x",
					}
				]
			},
			"Could not find Row #1: Specialist: x",
		),
	],
)
def test_bad_plans_are_refused_and_nothing_is_saved(world, kwargs, message):
	before = frappe.db.count(PLAN)
	with pytest.raises(frappe.ValidationError, match=re.escape(message)):
		make_plan(world, **kwargs)
	assert frappe.db.count(PLAN) == before


def test_a_plan_for_another_institutions_learner_is_refused_naming_only_what_was_sent(world):
	before = frappe.db.count(PLAN)
	frappe.clear_messages()
	with no_permission(PLAN, "create") as refused:
		make_plan(world, author="b_author")
	assert "is not a record of your institutions" in shown(refused.value)  # the learner sent, no more
	assert frappe.db.count(PLAN) == before


def test_plan_author_must_be_a_plan_author_of_the_school(world):
	plan = new_plan(world, author="a_specialist")
	with pytest.raises(frappe.ValidationError, match="not a plan author"):
		act(world.user("a_coord"), plan.insert)


def test_submitting_outside_the_workflow_is_refused(world):
	plan = make_plan(world)
	with pytest.raises(frappe.ValidationError, match="approval workflow"):
		act(world.user("a_author"), plan.submit)
	assert frappe.db.get_value(PLAN, plan.name, "docstatus") == 0


def test_grades_1_to_4_join_in_2021_2022(world):
	assert make_plan(world, learner="a3", term="y2021_s1").workflow_state == "Draft"


def test_holiday_plan_with_the_order(world):
	plan = make_plan(world, term="current_h", holiday_order="/private/files/rikojums.pdf")
	assert plan.term_type == "Holiday"


def test_only_the_author_or_coordinator_edits_a_draft_and_nobody_while_pending(world):
	def changed(plan_name: str, severity: str):
		doc = frappe.get_doc(PLAN, plan_name)
		doc.risks[0].severity = severity
		return doc

	plan = make_plan(world)
	with pytest.raises(frappe.PermissionError, match="author"):
		act(world.user("a_author2"), changed(plan.name, "Low").save)
	act(world.user("a_coord"), changed(plan.name, "Low").save)
	transition(world, "a_author", plan.name, "Send for Approval")
	with pytest.raises(frappe.PermissionError, match="returned to its author"):
		act(world.user("a_director"), changed(plan.name, "High").save)


def test_continue_in_next_term_copies_risks_and_measures(world):
	from pumpurs_app.support_plans.doctype.individual_support_plan.individual_support_plan import (
		make_next_term_plan,
	)

	plan = approve_all(world, make_plan(world).name)
	name = act(world.user("a_author"), make_next_term_plan, plan.name)
	following = frappe.get_doc(PLAN, name)
	assert following.school_term == world.terms["current_s2"]
	assert following.workflow_state == "Draft" and following.previous_plan == plan.name
	assert [r.risk_factor for r in following.risks] == [r.risk_factor for r in plan.risks]
	assert [m.measure_kind for m in following.measures] == [m.measure_kind for m in plan.measures]
	assert act(world.user("a_author"), make_next_term_plan, plan.name) == name  # once only


def test_ngo_measure_enrols_the_learner_on_approval(world):
	measures = [
		{
			"measure_kind": "Youth NGO project",
			"risk_factor": "Unexcused absences",
			"ngo_project": world.ngo_project,
		},
		{
			"measure_kind": "Compensation",
			"risk_factor": "Hard to get to school",
			"compensation_type": "Meals",
			"planned_amount": 50,
		},
	]
	plan = approve_all(world, make_plan(world, measures=measures).name)
	participants = frappe.get_all(
		"Youth NGO Project Participant", {"parent": world.ngo_project}, pluck="learner"
	)
	assert plan.learner in participants


def test_evaluation_by_author_or_director(world):
	plan = approve_all(world, make_plan(world).name)
	with pytest.raises(frappe.ValidationError, match="continues studying"):
		transition(world, "a_author", plan.name, "Evaluate")
	doc = frappe.get_doc(PLAN, plan.name)
	doc.continues_next_term = "Yes"
	act(world.user("a_author"), doc.save)
	with pytest.raises(frappe.ValidationError, match="outcome of every risk"):
		transition(world, "a_author", plan.name, "Evaluate")

	def with_outcomes():
		doc = frappe.get_doc(PLAN, plan.name)
		for row in doc.risks:
			row.outcome = "Reduced"
		return doc

	with pytest.raises(
		frappe.PermissionError,
		match="^Only the plan's author or the institution's director can evaluate this plan\\.$",
	):
		act(world.user("a_author2"), with_outcomes().save)  # another teacher of the school
	act(world.user("a_director"), with_outcomes().save)
	doc = transition(world, "a_author", plan.name, "Evaluate")
	assert (
		doc.workflow_state == "Evaluated" and doc.evaluated_by == world.user("a_author") and doc.evaluated_on
	)


def test_cancelled_plan_gives_its_place_up(world):
	plan = approve_all(world, make_plan(world).name)
	doc = transition(world, "a_director", plan.name, "Cancel Plan")
	assert doc.docstatus == 2 and not frappe.db.get_value(PLAN, plan.name, "active_plan_key")
	assert make_plan(world).name != plan.name


def test_plan_isolation(world, api):
	plan = make_plan(world)
	frappe.db.commit()  # HTTP requests run on their own connection
	try:
		vet = api(world.user("vet_author"))
		assert vet.get(f"/api/resource/{PLAN}/{plan.name}").status == 403
		assert vet.get(f"/api/resource/{PLAN}", {"limit_page_length": 0}).data == []
		count = vet.call("frappe.client.get_count", doctype=PLAN)
		assert count.message == 0
		found = vet.call(
			"frappe.desk.search.search_link", doctype=PLAN, txt="IAP", ignore_user_permissions=1
		).message
		assert found == []
		assert vet.call("frappe.www.printview.get_html_and_style", doc=PLAN, name=plan.name).status == 403
		own = api(world.user("a_author"))
		assert own.get(f"/api/resource/{PLAN}/{plan.name}").status == 200
		html = own.call(
			"frappe.www.printview.get_html_and_style", doc=PLAN, name=plan.name, print_format="IAP latviski"
		)
		assert html.status == 200 and "Individuālais atbalsta plāns" in html.message["html"]
		assert "Neattaisnoti kavējumi" in html.message["html"]  # the Latvian name of the risk factor
	finally:
		frappe.delete_doc(PLAN, plan.name, force=True, ignore_permissions=True)
		frappe.db.commit()


def test_workflow_actions_are_scoped_like_the_plans(world):
	"""frappe lists open workflow actions by role; another school's director must not see ours."""
	plan = make_plan(world)
	transition(world, "a_author", plan.name, "Send for Approval")

	def actions(who):
		return set(
			act(
				world.user(who),
				frappe.get_list,
				"Workflow Action",
				filters={"status": "Open"},
				pluck="reference_name",
			)
		)

	assert plan.name in actions("a_director")
	assert plan.name not in actions("b_director")
	assert plan.name not in actions("vet_director")
	action = frappe.get_all("Workflow Action", {"reference_name": plan.name, "status": "Open"}, pluck="name")[
		0
	]
	assert not act(world.user("b_director"), frappe.has_permission, "Workflow Action", "read", action)


# --- four eyes by person (issue 9, item 5) ----------------------------------------------------------------


def add_staff(world, user_key: str, function: str, institution: str | None = None, **values) -> None:
	school = frappe.get_doc("Educational Institution", institution or world.school_a)
	school.append("staff", {"user": world.user(user_key), "function": function, **values})
	school.save()


def test_nobody_who_changed_or_sent_a_plan_while_it_was_written_decides_on_it(world):
	# a small school's director is also its coordinator, and so may change and send the author's drafts
	add_staff(world, "a_director", "Coordinator")
	changed = make_plan(world)
	doc = frappe.get_doc(PLAN, changed.name)
	doc.risks[0].severity = "Medium"
	act(world.user("a_director"), doc.save)
	# a request cannot take the name off the record
	doc = frappe.get_doc(PLAN, changed.name)
	doc.shaped_by = ""
	doc.risks[0].observation = "Kavē arī piektdienās"
	act(world.user("a_author"), doc.save)
	assert frappe.get_doc(PLAN, changed.name).shaped_by.split("\n") == [
		world.user("a_author"),
		world.user("a_director"),
	]
	transition(world, "a_author", changed.name, "Send for Approval")
	for action, reason in (("Approve", None), ("Return to Author", "pats"), ("Reject", "pats")):
		with pytest.raises(frappe.ValidationError, match="You changed or sent this plan"):
			transition(world, "a_director", changed.name, action, reason=reason)
	assert frappe.db.get_value(PLAN, changed.name, "workflow_state") == "Pending Director"

	# sending the author's plan without a change is putting it forward too
	other = make_plan(world, learner="a8money", term="current_s2")
	transition(world, "a_director", other.name, "Send for Approval")
	with pytest.raises(frappe.ValidationError, match="You changed or sent this plan"):
		transition(world, "a_director", other.name, "Approve")


def test_ikvd_who_changed_a_returned_plan_does_not_approve_it(world):
	plan = make_plan(world)
	transition(world, "a_author", plan.name, "Send for Approval")
	transition(world, "a_director", plan.name, "Return to Author", reason="Plānojiet vairāk stundu")
	doc = frappe.get_doc(PLAN, plan.name)
	doc.measures[0].planned_hours = 10
	act(world.user("regional"), doc.save)  # IKVD may change a plan while it is with its author
	transition(world, "a_author", plan.name, "Send for Approval")
	transition(world, "a_director", plan.name, "Approve")
	transition(world, "muni_coord", plan.name, "Approve")
	with pytest.raises(frappe.ValidationError, match="You changed or sent this plan"):
		transition(world, "regional", plan.name, "Approve")
	assert frappe.db.get_value(PLAN, plan.name, "workflow_state") == "Pending IKVD"
	# another regional coordinator decides
	colleague = frappe.get_doc(
		doctype="User",
		email="regional.colleague@test.pumpurs.invalid",
		first_name="Regional Colleague",
		send_welcome_email=0,
		roles=[{"role": "PuMPuRS Regional Coordinator"}],
	).insert(ignore_permissions=True)
	act(colleague.name, apply_workflow, frappe.get_doc(PLAN, plan.name).as_dict(), "Approve")
	approved = frappe.get_doc(PLAN, plan.name)
	assert approved.workflow_state == "Approved" and approved.ikvd_approved_by == colleague.name


# --- measure totals are the system's (issue 9, item 11) -------------------------------------------------

TOTALS = ("approved_amount", "paid_amount", "delivered_hours")


def totals(plan: str) -> list[tuple]:
	return [tuple(row.get(f) or 0 for f in TOTALS) for row in frappe.get_doc(PLAN, plan).measures]


def test_measure_totals_are_kept_as_the_system_wrote_them(world):
	"""Approved and paid amounts come from the claims, delivered hours from the confirmed consultations: no
	form or request sets them, before or after approval."""
	forged = {"approved_amount": 500, "paid_amount": 500, "delivered_hours": 9}
	plan = make_plan(world, measures=[{**m, **forged} for m in DEFAULT_MEASURES])
	assert totals(plan.name) == [(0, 0, 0), (0, 0, 0)]
	plan = approve_all(world, plan.name)
	compensation_row = plan.measures[1].name
	frappe.db.set_value("Support Plan Measure", compensation_row, "approved_amount", 42)  # as a claim does
	doc = frappe.get_doc(PLAN, plan.name)
	for row in doc.measures:
		row.update({"approved_amount": 999, "paid_amount": 999, "delivered_hours": 99})
	doc.continues_next_term = "Yes"
	act(world.user("a_author"), doc.save)  # the author may fill the evaluation of an approved plan
	assert totals(plan.name) == [(0, 0, 0), (42, 0, 0)]
	assert frappe.db.get_value(PLAN, plan.name, "continues_next_term") == "Yes"


# --- messages name only what the user may see (issue 9, item 6) ------------------------------------------


def test_a_plan_for_another_schools_learner_names_nothing_of_that_school(world, api):
	author = api(world.user("a_author"))
	for key, school in (("b9", world.school_b), ("v1", world.vocational_school)):
		learner = world.learners[key]
		full_name = frappe.db.get_value("Learner", learner, "full_name")
		plan = {
			"learner": learner,
			"school_term": world.terms["current_s1"],
			"plan_author": world.user("a_author"),
			"risks": DEFAULT_RISKS,
			"measures": DEFAULT_MEASURES,
		}
		for sent in (plan, {**plan, "institution": world.school_a}):
			response = author.post(f"/api/resource/{PLAN}", sent)
			assert response.status == 403, response.text[:300]
			assert learner in response.error_text()  # what the user sent, and nothing more
			assert school not in response.text and full_name not in response.text
	assert not frappe.db.exists(PLAN, {"learner": ("in", [world.learners["b9"], world.learners["v1"]])})


def test_changing_a_drafts_learner_to_another_schools_names_nothing_of_that_school(world, api):
	plan = make_plan(world)
	frappe.db.commit()  # HTTP requests run on their own connection
	try:
		author = api(world.user("a_author"))
		learner = world.learners["v1"]
		response = author.put(f"/api/resource/{PLAN}/{plan.name}", {"learner": learner})
		assert response.status == 403, response.text[:300]
		assert world.vocational_school not in response.text
		assert frappe.db.get_value("Learner", learner, "full_name") not in response.text
		assert frappe.db.get_value(PLAN, plan.name, "learner") == world.learners["a7"]
	finally:
		frappe.delete_doc(PLAN, plan.name, force=True, ignore_permissions=True)
		frappe.db.commit()


def test_a_plan_of_another_school_is_not_named(world, api):
	"""A learner moved from school B to school A while B's plan for the term stands: A's author learns that
	the term is taken, not which plan it is."""
	learner = world.learners["b9"]
	elsewhere = make_plan(world, learner="b9", author="b_author")
	moved = frappe.get_doc("Learner", learner)
	moved.institution = world.school_a
	moved.save()
	frappe.db.commit()
	try:
		response = api(world.user("a_author")).post(
			f"/api/resource/{PLAN}",
			{
				"learner": learner,
				"school_term": world.terms["current_s1"],
				"plan_author": world.user("a_author"),
				"risks": DEFAULT_RISKS,
				"measures": DEFAULT_MEASURES,
			},
		)
		assert response.status == 409, response.text[:300]
		assert "already has a plan for" in response.error_text()
		assert elsewhere.name not in response.text and world.school_b not in response.text
	finally:
		frappe.db.rollback()
		frappe.delete_doc(PLAN, elsewhere.name, force=True, ignore_permissions=True)
		back = frappe.get_doc("Learner", learner)
		back.institution = world.school_b
		back.save()
		frappe.db.commit()


def test_continuing_a_plan_does_not_hand_over_another_schools_plan(world):
	"""The learner has moved to school B, whose author has already planned the next term: school A's author
	continuing the old plan gets a refusal naming what they sent, not B's plan."""
	from pumpurs_app.support_plans.doctype.individual_support_plan.individual_support_plan import (
		make_next_term_plan,
	)

	source = approve_all(world, make_plan(world).name)
	moved = frappe.get_doc("Learner", world.learners["a7"])
	moved.institution = world.school_b
	moved.save()
	theirs = make_plan(world, term="current_s2", author="b_author")
	frappe.clear_messages()
	with no_permission(PLAN, "create") as refused:
		act(world.user("a_author"), make_next_term_plan, source.name)
	assert theirs.name not in shown(refused.value) and world.school_b not in shown(refused.value)
	assert world.learners["a7"] in shown(refused.value)  # what the user continued, and nothing more
	# IKVD, who sees both, is taken to the plan that is already there
	assert act(world.user("ikvd_admin"), make_next_term_plan, source.name) == theirs.name


def test_an_ngo_participant_from_elsewhere_is_named_by_what_was_sent(world, api):
	coordinator = api(world.user("muni_coord"))
	path = f"/api/resource/Youth NGO Project/{world.ngo_project}"
	participants = coordinator.get(path).data["participants"]
	outsider = world.learners["v1"]
	response = coordinator.put(path, {"participants": [*participants, {"learner": outsider}]})
	assert response.status == 417, response.text[:300]
	assert (
		f"Row {len(participants) + 1}: {outsider} is not a learner of this municipality."
		in response.error_text()
	)
	assert frappe.db.get_value("Learner", outsider, "full_name") not in response.text
	assert world.vocational_school not in response.text
