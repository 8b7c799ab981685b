"""The approval workflows of Individual Support Plans and Compensations, installed once.

An administrator may change it afterwards (another approver role, a different state colour); migrations never
overwrite it. A later version that must change it does so in a patch that edits only what it needs and leaves
the administrator's changes alone. The state and action *names* are fixtures (see hooks.py): nobody edits those.
"""

import frappe

from pumpurs_app import access
from pumpurs_app.rules import compensations as comp
from pumpurs_app.rules import support_plans as plans

PLAN_WORKFLOW = "Individual Support Plan Approval"
SEND = "Send for Approval"
APPROVE = "Approve"
RETURN = "Return to Author"
REJECT = "Reject"
EVALUATE = "Evaluate"
CANCEL = "Cancel Plan"

# state, docstatus, roles that may edit the plan in that state
PLAN_STATES = [
	(plans.DRAFT, 0, [access.PLAN_AUTHOR, access.INSTITUTION_COORDINATOR]),
	(plans.PENDING_DIRECTOR, 0, [access.DIRECTOR]),
	(plans.PENDING_PARTNER, 0, [access.PARTNER_COORDINATOR]),
	(plans.PENDING_IKVD, 0, [access.REGIONAL_COORDINATOR, access.ADMINISTRATOR]),
	(plans.RETURNED, 0, [access.PLAN_AUTHOR, access.INSTITUTION_COORDINATOR]),
	(plans.REJECTED, 0, [access.ADMINISTRATOR]),
	(plans.APPROVED, 1, [access.PLAN_AUTHOR, access.DIRECTOR]),
	(plans.EVALUATED, 1, [access.PLAN_AUTHOR, access.DIRECTOR]),
	(plans.CANCELLED, 2, [access.ADMINISTRATOR]),
]
MUNICIPAL = 'doc.partner_type == "Municipality"'
NOT_MUNICIPAL = 'doc.partner_type != "Municipality"'
# from, action, to, role, self-approval allowed (frappe compares with the owner), condition
PLAN_TRANSITIONS = [
	(plans.DRAFT, SEND, plans.PENDING_DIRECTOR, access.PLAN_AUTHOR, 1, None),
	(plans.DRAFT, SEND, plans.PENDING_DIRECTOR, access.INSTITUTION_COORDINATOR, 1, None),
	(plans.RETURNED, SEND, plans.PENDING_DIRECTOR, access.PLAN_AUTHOR, 1, None),
	(plans.RETURNED, SEND, plans.PENDING_DIRECTOR, access.INSTITUTION_COORDINATOR, 1, None),
	(plans.PENDING_DIRECTOR, APPROVE, plans.PENDING_PARTNER, access.DIRECTOR, 0, MUNICIPAL),
	(plans.PENDING_DIRECTOR, APPROVE, plans.PENDING_IKVD, access.DIRECTOR, 0, NOT_MUNICIPAL),
	(plans.PENDING_DIRECTOR, RETURN, plans.RETURNED, access.DIRECTOR, 0, None),
	(plans.PENDING_DIRECTOR, REJECT, plans.REJECTED, access.DIRECTOR, 0, None),
	(plans.PENDING_PARTNER, APPROVE, plans.PENDING_IKVD, access.PARTNER_COORDINATOR, 0, None),
	(plans.PENDING_PARTNER, RETURN, plans.RETURNED, access.PARTNER_COORDINATOR, 0, None),
	(plans.PENDING_PARTNER, REJECT, plans.REJECTED, access.PARTNER_COORDINATOR, 0, None),
	(plans.PENDING_IKVD, APPROVE, plans.APPROVED, access.REGIONAL_COORDINATOR, 0, None),
	(plans.PENDING_IKVD, RETURN, plans.RETURNED, access.REGIONAL_COORDINATOR, 0, None),
	(plans.PENDING_IKVD, REJECT, plans.REJECTED, access.REGIONAL_COORDINATOR, 0, None),
	(plans.APPROVED, EVALUATE, plans.EVALUATED, access.PLAN_AUTHOR, 1, None),
	(plans.APPROVED, EVALUATE, plans.EVALUATED, access.DIRECTOR, 1, None),
	(plans.APPROVED, CANCEL, plans.CANCELLED, access.DIRECTOR, 1, None),
	(plans.APPROVED, CANCEL, plans.CANCELLED, access.ADMINISTRATOR, 1, None),
]
# styles of the states frappe does not ship (the fixtures carry them too)
STATE_STYLES = {
	plans.DRAFT: "",
	plans.PENDING_DIRECTOR: "Warning",
	plans.PENDING_PARTNER: "Warning",
	plans.PENDING_IKVD: "Warning",
	plans.RETURNED: "Warning",
	plans.REJECTED: "Danger",
	plans.APPROVED: "Success",
	plans.EVALUATED: "Primary",
	plans.CANCELLED: "Inverse",
}

COMPENSATION_WORKFLOW = "Compensation Approval"
SUBMIT_FOR_VERIFICATION = "Submit for Verification"
VERIFY = "Verify"
RETURN_FOR_CORRECTION = "Return for Correction"
CANCEL_COMPENSATION = "Cancel Compensation"
# Paid and Reconciled have no transitions: only a payment batch and the bank statement set them
COMPENSATION_STATES = [
	(comp.DRAFT, 0, [access.INSTITUTION_COORDINATOR]),
	(comp.SUBMITTED, 0, [access.ACCOUNTANT, access.PARTNER_COORDINATOR]),
	(comp.VERIFIED, 0, [access.DIRECTOR, access.PARTNER_COORDINATOR]),
	(comp.REJECTED, 0, [access.ADMINISTRATOR]),
	(comp.APPROVED, 1, [access.ADMINISTRATOR]),
	(comp.PAID, 1, [access.ADMINISTRATOR]),
	(comp.RECONCILED, 1, [access.ADMINISTRATOR]),
	(comp.CANCELLED, 2, [access.ADMINISTRATOR]),
]
COMPENSATION_TRANSITIONS = [
	(comp.DRAFT, SUBMIT_FOR_VERIFICATION, comp.SUBMITTED, access.INSTITUTION_COORDINATOR, 1, None),
	(comp.SUBMITTED, VERIFY, comp.VERIFIED, access.ACCOUNTANT, 0, None),
	(comp.SUBMITTED, VERIFY, comp.VERIFIED, access.PARTNER_COORDINATOR, 0, None),
	(comp.SUBMITTED, RETURN_FOR_CORRECTION, comp.DRAFT, access.ACCOUNTANT, 0, None),
	(comp.SUBMITTED, RETURN_FOR_CORRECTION, comp.DRAFT, access.PARTNER_COORDINATOR, 0, None),
	(comp.SUBMITTED, REJECT, comp.REJECTED, access.ACCOUNTANT, 0, None),
	(comp.SUBMITTED, REJECT, comp.REJECTED, access.PARTNER_COORDINATOR, 0, None),
	(comp.VERIFIED, APPROVE, comp.APPROVED, access.DIRECTOR, 0, None),
	(comp.VERIFIED, APPROVE, comp.APPROVED, access.PARTNER_COORDINATOR, 0, None),
	(comp.VERIFIED, RETURN_FOR_CORRECTION, comp.DRAFT, access.DIRECTOR, 0, None),
	(comp.VERIFIED, RETURN_FOR_CORRECTION, comp.DRAFT, access.PARTNER_COORDINATOR, 0, None),
	(comp.VERIFIED, REJECT, comp.REJECTED, access.DIRECTOR, 0, None),
	(comp.VERIFIED, REJECT, comp.REJECTED, access.PARTNER_COORDINATOR, 0, None),
	(comp.APPROVED, CANCEL_COMPENSATION, comp.CANCELLED, access.DIRECTOR, 1, None),
	(comp.APPROVED, CANCEL_COMPENSATION, comp.CANCELLED, access.PARTNER_COORDINATOR, 1, None),
]
STATE_STYLES.update(
	{comp.SUBMITTED: "Info", comp.VERIFIED: "Primary", comp.PAID: "Success", comp.RECONCILED: "Success"}
)
ACTIONS = (
	SEND,
	APPROVE,
	RETURN,
	REJECT,
	EVALUATE,
	CANCEL,
	SUBMIT_FOR_VERIFICATION,
	VERIFY,
	RETURN_FOR_CORRECTION,
	CANCEL_COMPENSATION,
)


def create_missing_states_and_actions() -> None:
	"""Fixtures bring our own names; frappe's common ones (Approved, Rejected, Approve, Reject) may be missing on
	an old site, and patches run before fixtures are synced, so make sure every name a workflow uses exists."""
	for state, style in STATE_STYLES.items():
		if not frappe.db.exists("Workflow State", state):
			frappe.get_doc(doctype="Workflow State", workflow_state_name=state, style=style).insert(
				ignore_permissions=True
			)
	for action in ACTIONS:
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc(doctype="Workflow Action Master", workflow_action_name=action).insert(
				ignore_permissions=True
			)


def create_plan_workflow() -> None:
	_create_workflow(PLAN_WORKFLOW, "Individual Support Plan", PLAN_STATES, PLAN_TRANSITIONS)


def create_compensation_workflow() -> None:
	_create_workflow(COMPENSATION_WORKFLOW, "Compensation", COMPENSATION_STATES, COMPENSATION_TRANSITIONS)


def _create_workflow(name: str, doctype: str, states: list, transitions: list) -> None:
	if frappe.db.exists("Workflow", name):
		return
	create_missing_states_and_actions()
	frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": name,
			"document_type": doctype,
			"workflow_state_field": "workflow_state",
			"is_active": 1,
			# the app announces a waiting record itself, by name only (support_plans/reminders.py)
			"send_email_alert": 0,
			"states": [
				{"state": state, "doc_status": str(docstatus), "allow_edit": role}
				for state, docstatus, roles in states
				for role in roles
			],
			"transitions": [
				{
					"state": state,
					"action": action,
					"next_state": next_state,
					"allowed": role,
					"allow_self_approval": self_approval,
					"condition": condition,
				}
				for state, action, next_state, role, self_approval, condition in transitions
			],
		}
	).insert(ignore_permissions=True)
