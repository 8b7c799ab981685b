"""What the app tells its users: a plan waiting for a decision, when it arrives; and the daily reminders —
approvers of plans waiting too long, authors of plans not evaluated in time."""

import frappe
from frappe.utils import add_days, add_to_date, now_datetime, today

from pumpurs_app.support_plans import reminders
from tests.integration.plans import PLAN, approve_all, make_plan, transition


def alerts(user: str, plan: str, saying: str = "") -> int:
	return frappe.db.count(
		"Notification Log", {"for_user": user, "document_name": plan, "subject": ("like", f"%{saying}%")}
	)


def test_whoever_decides_next_is_told_when_a_plan_arrives(world):
	plan = make_plan(world)
	assert alerts(world.user("a_director"), plan.name) == 0  # a draft waits for nobody
	transition(world, "a_author", plan.name, "Send for Approval")
	arrived = f"{plan.name} is waiting for your decision."
	assert alerts(world.user("a_director"), plan.name, arrived) == 1
	for elsewhere in ("b_director", "vet_director", "muni_coord", "a_author"):
		assert alerts(world.user(elsewhere), plan.name) == 0, elsewhere
	transition(world, "a_director", plan.name, "Approve")
	assert alerts(world.user("muni_coord"), plan.name, arrived) == 1
	assert alerts(world.user("a_director"), plan.name) == 1
	# the plan's ID and link only: never the learner (e-mail leaves the system)
	subjects = frappe.get_all("Notification Log", {"document_name": plan.name}, pluck="subject")
	assert subjects and not any(plan.learner_name in subject for subject in subjects)


def test_approvers_are_reminded_once_a_day_after_the_setting(world):
	plan = make_plan(world)
	transition(world, "a_author", plan.name, "Send for Approval")
	assert plan.name not in reminders.remind_approvers()  # not waiting long enough yet

	frappe.db.set_value(PLAN, plan.name, "pending_since", add_to_date(now_datetime(), days=-4))
	assert plan.name in reminders.remind_approvers()
	director = world.user("a_director")
	assert alerts(director, plan.name, "since") == 1
	assert alerts(world.user("b_director"), plan.name) == 0  # only whoever can act on it
	assert frappe.db.exists(
		"Email Queue", {"reference_name": plan.name, "message": ("like", f"%{plan.name}%")}
	)

	assert plan.name not in reminders.remind_approvers()  # not twice the same day
	assert alerts(director, plan.name, "since") == 1


def test_each_recipient_reads_the_reminder_in_their_language(world):
	frappe.db.set_value("User", world.user("a_director"), "language", "lv")
	frappe.db.set_value("User", world.user("muni_coord"), "language", "en")
	for who in ("a_director", "muni_coord"):
		plan = make_plan(world, learner="a7" if who == "a_director" else "a3")
		transition(world, "a_author", plan.name, "Send for Approval")
		if who == "muni_coord":
			transition(world, "a_director", plan.name, "Approve")
		frappe.db.set_value(PLAN, plan.name, "pending_since", add_to_date(now_datetime(), days=-4))
		reminders.remind_approvers()
		subject = frappe.db.get_value(
			"Notification Log",
			{"for_user": world.user(who), "document_name": plan.name, "subject": ("like", "%.__.20__.")},
			"subject",
		)  # the reminder, which ends with the date since when the plan waits
		expected = "gaida jūsu lēmumu kopš" if who == "a_director" else "waiting for your decision since"
		assert expected in subject, subject


def test_authors_are_reminded_to_evaluate_after_the_term(world):
	plan = approve_all(world, make_plan(world, term="previous_s1").name)
	assert frappe.db.get_value("School Term", plan.school_term, "end_date") < frappe.utils.getdate(
		add_days(today(), -7)
	)
	assert plan.name in reminders.remind_evaluations()
	assert alerts(world.user("a_author"), plan.name) == 1
	assert plan.name not in reminders.remind_evaluations()

	current = approve_all(world, make_plan(world, learner="a3").name)
	assert current.name not in reminders.remind_evaluations()  # its term has not ended
