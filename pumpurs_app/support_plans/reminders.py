"""What the app tells its users: a record waiting for their decision, when it arrives; and daily (scheduler),
plans waiting too long for an approver and approved plans whose term has ended without an evaluation. Each goes
by e-mail and to the desk's notification bell. They name a record by its ID and link only — never the learner:
e-mail leaves the system, and the job queue that carries them keeps its arguments in Redis."""

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification
from frappe.model.workflow import get_workflow_name
from frappe.utils import add_days, add_to_date, get_url_to_form, now_datetime, today
from frappe.workflow.doctype.workflow_action.workflow_action import get_users_next_action_data

from pumpurs_app.rules import support_plans as rules

PLAN = "Individual Support Plan"


def settings():
	return frappe.get_cached_doc("PuMPuRS Settings")


def remind_approvers() -> list[str]:
	"""Plans waiting at one approval step for longer than the setting: remind whoever can act on them now."""
	waited_since = add_to_date(now_datetime(), days=-settings().approval_reminder_days)
	plans = frappe.get_all(
		PLAN,
		filters={
			"docstatus": 0,
			"workflow_state": ("in", rules.PENDING),
			"pending_since": ("<=", waited_since),
		},
		or_filters=[["approval_reminded_on", "is", "not set"], ["approval_reminded_on", "<", today()]],
		pluck="name",
	)
	for name in plans:
		doc = frappe.get_doc(PLAN, name)
		if users := deciders(doc):
			since = frappe.utils.format_datetime(doc.pending_since, "dd.MM.yyyy")
			notify(
				users,
				doc,
				"Plan {0} has been waiting for your decision since {1}.",
				doc.name,
				since,
			)
		doc.db_set("approval_reminded_on", today(), update_modified=False)
	return plans


def remind_evaluations() -> list[str]:
	"""Approved plans of terms that ended more than the setting's days ago: remind the author to evaluate."""
	ended_before = add_days(today(), -settings().evaluation_reminder_days)
	terms = frappe.get_all("School Term", filters={"end_date": ("<=", ended_before)}, pluck="name")
	if not terms:
		return []
	plans = frappe.get_all(
		PLAN,
		filters={"docstatus": 1, "workflow_state": rules.APPROVED, "school_term": ("in", terms)},
		or_filters=[
			["evaluation_reminded_on", "is", "not set"],
			["evaluation_reminded_on", "<=", add_days(today(), -7)],
		],
		pluck="name",
	)
	for name in plans:
		doc = frappe.get_doc(PLAN, name)
		notify(
			[doc.plan_author],
			doc,
			"The term {0} has ended: evaluate plan {1}.",
			doc.school_term,
			doc.name,
		)
		doc.db_set("evaluation_reminded_on", today(), update_modified=False)
	return plans


def announce_waiting(doc) -> None:
	"""On a change of a record with an approval workflow: one that now waits for a decision is announced
	to those who can take it, in a background job given only its name. (Frappe's own workflow e-mail, switched
	off in the app's workflows, would give the job the whole record and attach its print.)"""
	if frappe.flags.in_import:
		return  # records of the past, loaded (the demo, frappe's Data Import)
	if doc.workflow_state in doc.approval.waiting and doc.has_value_changed("workflow_state"):
		frappe.enqueue(
			"pumpurs_app.support_plans.reminders.tell_deciders",
			queue="short",
			enqueue_after_commit=True,
			now=frappe.flags.in_test,
			doctype=doc.doctype,
			name=doc.name,
			state=doc.workflow_state,
		)


def tell_deciders(doctype: str, name: str, state: str) -> None:
	doc = frappe.get_doc(doctype, name)
	if doc.workflow_state != state:
		return  # decided meanwhile
	if users := deciders(doc):
		notify(users, doc, "{0} is waiting for your decision.", doc.name)


def deciders(doc) -> list[str]:
	"""Whoever can take the record's next step now (frappe's own choice: role, and permission on the record)."""
	workflow = frappe.get_cached_doc("Workflow", get_workflow_name(doc.doctype))
	transitions = [t for t in workflow.transitions if t.state == doc.workflow_state]
	return list(get_users_next_action_data(transitions, doc))


def notify(users: list[str], doc, message: str, *values) -> None:
	"""Each recipient reads the reminder in their own language (the scheduler runs in the site's)."""
	languages = dict(
		frappe.get_all("User", filters={"name": ("in", users)}, fields=["name", "language"], as_list=True)
	)
	by_language: dict[str, list[str]] = {}
	for user in users:
		by_language.setdefault(languages.get(user) or frappe.db.get_default("lang") or "en", []).append(user)
	for lang, recipients in by_language.items():
		subject = _(message, lang).format(*values)
		enqueue_create_notification(
			recipients,
			{
				"type": "Alert",
				"document_type": doc.doctype,
				"document_name": doc.name,
				"subject": subject,
				"from_user": "Administrator",
			},
		)
		if not frappe.db.exists("Email Account", {"enable_outgoing": 1, "default_outgoing": 1}):
			continue  # a site without outgoing e-mail still gets the desk notifications
		frappe.sendmail(
			recipients=recipients,
			subject=subject,
			message=f'<p>{subject}</p><p><a href="{get_url_to_form(doc.doctype, doc.name)}">{doc.name}</a></p>',
			reference_doctype=doc.doctype,
			reference_name=doc.name,
		)
