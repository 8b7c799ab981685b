"""Frappe endpoints that would let a user see past their institution's records.

- ``frappe.client.get_count`` counts with ``frappe.db.count``, without any permission check, for every
  DocType (learners, but also Version, Comment and Email Queue, whose filters reach their contents), and the
  list sidebar's "Assigned To" counts query ToDo directly.
- the print view takes a whole document as JSON and renders it, with the titles of what it links to: a
  PuMPuRS document is printed as it is stored, and one that is not stored is not printed.
- link search takes ``ignore_user_permissions=1`` (meant for link fields marked so) from any caller and then
  skips every permission check, and a ``query`` naming any whitelisted method.

For PuMPuRS documents these go through ``frappe.get_list`` with the user's permissions (roles, User
Permissions and our query conditions); everything else goes to frappe unchanged.
"""

import frappe
from frappe import _
from frappe.desk.listview import get_group_by_count as frappe_get_group_by_count
from frappe.desk.search import search_link as frappe_search_link
from frappe.desk.search import search_widget as frappe_search_widget
from frappe.utils import get_safe_filters
from frappe.www.printview import get_html_and_style as frappe_get_html_and_style
from frappe.www.printview import get_rendered_raw_commands as frappe_get_rendered_raw_commands

from pumpurs_app import access
from pumpurs_app.access import SCOPED_DOCTYPES


@frappe.whitelist()
def get_count(doctype: str, filters=None, debug=False, cache=False) -> int:
	"""Counts what the user may list (frappe's own get_list checks the read right and applies the scope)."""
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


def stored_document(doc: str, name: str | None) -> tuple[str, str | None]:
	"""The print view's (doc, name) arguments, with a PuMPuRS document sent as JSON replaced by its name."""
	if isinstance(name, str):
		return doc, name
	sent = frappe.parse_json(doc)
	if sent.get("doctype") not in SCOPED_DOCTYPES:
		return doc, name
	if sent.get("__islocal") or not frappe.db.exists(sent.doctype, sent.get("name")):
		frappe.throw(_("Save the document before printing it."))
	return sent.doctype, sent.name


@frappe.whitelist()
def get_html_and_style(
	doc: str,
	name: str | None = None,
	print_format: str | None = None,
	no_letterhead: bool | None = None,
	letterhead: str | None = None,
	trigger_print: bool = False,
	style: str | None = None,
	settings: str | None = None,
) -> dict:
	return frappe_get_html_and_style(
		*stored_document(doc, name),
		print_format=print_format,
		no_letterhead=no_letterhead,
		letterhead=letterhead,
		trigger_print=trigger_print,
		style=style,
		settings=settings,
	)


@frappe.whitelist()
def get_rendered_raw_commands(doc: str, name: str | None = None, print_format: str | None = None) -> dict:
	return frappe_get_rendered_raw_commands(*stored_document(doc, name), print_format=print_format)
