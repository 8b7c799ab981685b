"""The approval workflow of Individual Support Plans, installed once.

An administrator may change it afterwards (another approver role, a different state colour); migrations never
overwrite it. A later version that must change it does so in a patch that edits only what it needs and leaves
the administrator's changes alone. The state and action *names* are fixtures (see hooks.py): nobody edits those.
"""

import frappe

from pumpurs_app import access
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
ACTIONS = (SEND, APPROVE, RETURN, REJECT, EVALUATE, CANCEL)


def create_missing_states_and_actions() -> None:
	"""Fixtures bring our own names; frappe's common ones (Approved, Rejected, Approve, Reject) may be missing on
	an old site, so make sure every name the workflow uses exists."""
	for state, style in STATE_STYLES.items():
		if not frappe.db.exists("Workflow State", state):
			frappe.get_doc(doctype="Workflow State", workflow_state_name=state, style=style).insert(ignore_permissions=True)
	for action in ACTIONS:
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc(doctype="Workflow Action Master", workflow_action_name=action).insert(ignore_permissions=True)


def create_plan_workflow() -> None:
	if frappe.db.exists("Workflow", PLAN_WORKFLOW):
		return
	create_missing_states_and_actions()
	frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": PLAN_WORKFLOW,
			"document_type": "Individual Support Plan",
			"workflow_state_field": "workflow_state",
			"is_active": 1,
			"send_email_alert": 1,
			"override_status": 1,
			"states": [
				{"state": state, "doc_status": str(docstatus), "allow_edit": role}
				for state, docstatus, roles in PLAN_STATES
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
				for state, action, next_state, role, self_approval, condition in PLAN_TRANSITIONS
			],
		}
	).insert(ignore_permissions=True)
