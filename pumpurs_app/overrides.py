"""Frappe endpoints that would let a user see past their institution's records.

- ``frappe.client.get_count`` counts with ``frappe.db.count`` and the list sidebar's "Assigned To" counts
  query ToDo directly: both would tell a user how many learners another institution has.
- link search takes ``ignore_user_permissions=1`` (meant for link fields marked so) from any caller and then
  skips every permission check, and a ``query`` naming any whitelisted method.

For PuMPuRS documents these go through ``frappe.get_list`` with the user's permissions (roles, User
Permissions and our query conditions); everything else goes to frappe unchanged.
"""

import frappe
from frappe.client import get_count as frappe_get_count
from frappe.desk.listview import get_group_by_count as frappe_get_group_by_count
from frappe.desk.search import search_link as frappe_search_link
from frappe.desk.search import search_widget as frappe_search_widget
from frappe.utils import get_safe_filters

from pumpurs_app import access
from pumpurs_app.access import SCOPED_DOCTYPES


@frappe.whitelist()
def get_count(doctype: str, filters=None, debug=False, cache=False) -> int:
	if doctype not in SCOPED_DOCTYPES:
		return frappe_get_count(doctype, filters, debug, cache)
	return frappe.get_list(
		doctype, filters=get_safe_filters(filters), fields=["count(*) as total"], as_list=True
	)[0][0]


@frappe.whitelist()
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[dict]:
	if doctype not in SCOPED_DOCTYPES or field != "assigned_to":
		return frappe_get_group_by_count(doctype, current_filters, field)
	visible = frappe.get_list(doctype, filters=frappe.parse_json(current_filters), pluck="name", limit=0)
	if not visible:
		return []
	return frappe.get_all(
		"ToDo",
		filters={"reference_type": doctype, "reference_name": ("in", visible), "status": ("!=", "Cancelled")},
		fields=["allocated_to as name", "count(*) as count"],
		group_by="allocated_to",
		order_by="count desc",
		limit=50,
	)


def _safe_search(doctype: str, query: str | None, ignore_user_permissions) -> tuple[str | None, bool]:
	if doctype not in SCOPED_DOCTYPES:
		return query, ignore_user_permissions
	return (query if query and query.startswith("pumpurs_app.") else None), False


@frappe.whitelist()
def search_link(
	doctype: str,
	txt: str,
	query=None,
	filters=None,
	page_length=10,
	searchfield=None,
	reference_doctype=None,
	ignore_user_permissions=False,
):
	query, ignore_user_permissions = _safe_search(doctype, query, ignore_user_permissions)
	return frappe_search_link(
		doctype, txt, query, filters, page_length, searchfield, reference_doctype, ignore_user_permissions
	)


@frappe.whitelist()
def search_widget(
	doctype: str,
	txt: str,
	query=None,
	searchfield=None,
	start=0,
	page_length=10,
	filters=None,
	filter_fields=None,
	as_dict=False,
	reference_doctype=None,
	ignore_user_permissions=False,
):
	query, ignore_user_permissions = _safe_search(doctype, query, ignore_user_permissions)
	return frappe_search_widget(
		doctype,
		txt,
		query,
		searchfield,
		start,
		page_length,
		filters,
		filter_fields,
		as_dict,
		reference_doctype,
		ignore_user_permissions,
	)


# Workflow Actions: frappe lists them by role only, so a director would see every school's waiting plans
# (their names and learners' plan IDs). They are scoped like the documents they point to.
WORKFLOW_DOCUMENTS = ("Individual Support Plan", "Compensation")


def workflow_action_conditions(user: str | None = None, doctype: str | None = None) -> str:
	scope = access.get_scope(user)
	if scope.national:
		return ""
	action = "`tabWorkflow Action`"
	conditions = [
		f"{action}.reference_doctype not in ({', '.join(frappe.db.escape(d) for d in WORKFLOW_DOCUMENTS)})"
	]
	for document in WORKFLOW_DOCUMENTS:
		field, kind = access.SCOPED_DOCTYPES[document]
		visible = access.sql_condition(scope, kind, f"`tab{document}`.`{field}`")
		conditions.append(
			f"({action}.reference_doctype = {frappe.db.escape(document)} and {action}.reference_name in "
			f"(select `tab{document}`.name from `tab{document}` where {visible}))"
		)
	return "(" + " or ".join(conditions) + ")"


def workflow_action_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	if doc.reference_doctype not in WORKFLOW_DOCUMENTS or not doc.reference_name:
		return None
	if not frappe.db.exists(doc.reference_doctype, doc.reference_name):
		return None
	return (
		None if frappe.has_permission(doc.reference_doctype, "read", doc.reference_name, user=user) else False
	)
