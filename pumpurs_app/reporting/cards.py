"""Number cards of the PuMPuRS workspace whose numbers frappe's own card types cannot count: they go through
``frappe.get_list``, so each user counts only what they may see."""

import frappe
from frappe.model.workflow import get_workflow_name

from pumpurs_app.rules import support_plans as plan_rules

PLAN = "Individual Support Plan"


@frappe.whitelist()
@frappe.read_only()  # on the replica when one is configured, as frappe's own counts
def plans_awaiting_my_approval(filters=None) -> int:
	"""Plans waiting at a step whose approval the user's roles may give (and that the user may see)."""
	roles = set(frappe.get_roles())
	workflow = frappe.get_cached_doc("Workflow", get_workflow_name(PLAN))
	states = {t.state for t in workflow.transitions if t.state in plan_rules.PENDING and t.allowed in roles}
	if not states:
		return 0
	waiting = frappe.get_list(
		PLAN,
		filters={"docstatus": 0, "workflow_state": ("in", sorted(states))},
		fields=["count(*) as total"],
		as_list=True,
	)[0][0]
	return waiting - _own_plans(states, frappe.session.user)


def _own_plans(states: set[str], user: str) -> int:
	"""Nobody approves a plan they wrote, so theirs do not wait for them."""
	return frappe.get_list(
		PLAN,
		filters={"docstatus": 0, "workflow_state": ("in", sorted(states)), "plan_author": user},
		fields=["count(*) as total"],
		as_list=True,
	)[0][0]


@frappe.whitelist()
@frappe.read_only()
def unmatched_bank_transactions(filters=None) -> int:
	"""Bank statement lines not matched to a payment (amount mismatches, unknown and returned payments)."""
	return frappe.get_list(
		"Compensation Bank Statement",
		filters=[
			["Compensation Bank Statement", "docstatus", "<", 2],
			["Compensation Bank Statement Line", "match_status", "!=", "Matched"],
		],
		fields=["count(`tabCompensation Bank Statement Line`.name) as total"],
		as_list=True,
	)[0][0]
