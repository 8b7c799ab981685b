"""Frappe endpoints that would let a user see past their institution's records.

- ``frappe.client.get_count`` counts with ``frappe.db.count``, without any permission check, for every
  DocType (learners, but also Version, Comment and Email Queue, whose filters reach their contents), and the
  list sidebar's "Assigned To" counts query ToDo directly.
- the print view takes a whole document as JSON and renders it, with the titles of what it links to: a
  PuMPuRS document is printed as it is stored, and one that is not stored is not printed.
- ``frappe.client.has_permission`` and the realtime server's ``can_subscribe_doc`` answer for a child row by
  its parent DocType only; link titles, likes, website comments and the "linked submitted documents" of a
  record are served without checking the record, and ``frappe.client.validate_link`` (the desk's check of a
  link typed into a form) says whether any record exists. For PuMPuRS records all of them check it.
- a child row changed or deleted by its name, and a file downloaded through ``download_file``, are refused
  by frappe with a message naming the record they belong to (the learner of a guardian, the claim of an
  evidence file): for PuMPuRS rows and files the refusal comes first and names nothing.
- ``can_subscribe_doctype`` lets everyone who may read a DocType hear every change of it (the changed
  record's name and who changed it): for the scoped DocTypes only IKVD users, whose scope is all of it.
- link search takes ``ignore_user_permissions=1`` (meant for link fields marked so) from any caller and then
  skips every permission check, and a ``query`` naming any whitelisted method.

For PuMPuRS documents these go through ``frappe.get_list`` with the user's permissions (roles, User
Permissions and our query conditions); everything else goes to frappe unchanged.
"""

import frappe
from frappe import _
from frappe.client import delete as frappe_delete
from frappe.client import has_permission as frappe_has_permission
from frappe.client import set_value as frappe_set_value
from frappe.client import validate_link as frappe_validate_link
from frappe.desk.form.linked_with import get_submitted_linked_docs as frappe_get_submitted_linked_docs
from frappe.desk.like import toggle_like as frappe_toggle_like
from frappe.desk.listview import get_group_by_count as frappe_get_group_by_count
from frappe.desk.search import get_link_title as frappe_get_link_title
from frappe.desk.search import search_link as frappe_search_link
from frappe.desk.search import search_widget as frappe_search_widget
from frappe.handler import download_file as frappe_download_file
from frappe.realtime import can_subscribe_doc as frappe_can_subscribe_doc
from frappe.realtime import can_subscribe_doctype as frappe_can_subscribe_doctype
from frappe.templates.includes.comments.comments import add_comment as frappe_website_add_comment
from frappe.utils import get_safe_filters
from frappe.www.printview import get_html_and_style as frappe_get_html_and_style
from frappe.www.printview import get_rendered_raw_commands as frappe_get_rendered_raw_commands

from pumpurs_app import access, files
from pumpurs_app.access import SCOPED_CHILD_DOCTYPES, SCOPED_DOCTYPES

SCOPED = {*SCOPED_DOCTYPES, *SCOPED_CHILD_DOCTYPES}


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


def check_record(doctype: str, name: str, ptype: str = "read") -> None:
	"""A record of the app, a row of one, or a file of one, out of the user's reach: refused, naming nothing."""
	if doctype in SCOPED and not access.may(doctype, name, ptype):
		raise frappe.PermissionError
	if doctype == "File":
		file = frappe.db.get_value("File", name, ["attached_to_doctype", "attached_to_name"], as_dict=True)
		if file and files.file_permission(file, ptype) is False:
			raise frappe.PermissionError


@frappe.whitelist()
def has_permission(doctype: str, docname: str, perm_type: str = "read") -> dict:
	if doctype in SCOPED_CHILD_DOCTYPES:
		return {"has_permission": access.may(doctype, docname, perm_type.lower())}
	return frappe_has_permission(doctype, docname, perm_type)


@frappe.whitelist(allow_guest=True)
def can_subscribe_doc(doctype: str, docname: str) -> bool:
	check_record(doctype, docname)
	return frappe_can_subscribe_doc(doctype, docname)


@frappe.whitelist(allow_guest=True)
def can_subscribe_doctype(doctype: str) -> bool:
	if doctype in SCOPED and not access.get_scope().national:
		raise frappe.PermissionError
	return frappe_can_subscribe_doctype(doctype)


@frappe.whitelist()
def get_link_title(doctype: str, docname: str):
	if doctype in SCOPED and not access.may(doctype, docname):
		return docname  # as for a DocType without titles: neither the title nor whether the record exists
	return frappe_get_link_title(doctype, docname)


@frappe.whitelist()
def validate_link(doctype: str, docname: str, fields=None):
	if doctype in SCOPED and isinstance(docname, str) and not access.may(doctype, docname):
		return frappe._dict(name=None)  # as for a record that does not exist
	return frappe_validate_link(doctype, docname, fields)


@frappe.whitelist()
def toggle_like(doctype: str, name: str, add=False) -> None:
	check_record(doctype, name)
	return frappe_toggle_like(doctype, name, add)


@frappe.whitelist(allow_guest=True)
def website_add_comment(comment, comment_email, comment_by, reference_doctype, reference_name, route):
	check_record(reference_doctype, reference_name)
	return frappe_website_add_comment(
		comment, comment_email, comment_by, reference_doctype, reference_name, route
	)


@frappe.whitelist()
def get_submitted_linked_docs(doctype: str, name: str) -> dict:
	"""Frappe lists them for the "cancel all" dialog without checking the record (its check's answer is
	ignored) or the records it lists."""
	if doctype not in SCOPED:
		return frappe_get_submitted_linked_docs(doctype, name)
	check_record(doctype, name)
	found = frappe_get_submitted_linked_docs(doctype, name)
	docs = [d for d in found["docs"] if frappe.has_permission(d["doctype"], "read", d["name"])]
	return {**found, "docs": docs, "count": len(docs)}


@frappe.whitelist(methods=["POST", "PUT"])
def set_value(doctype: str, name: str, fieldname, value=None):
	check_record(doctype, name, "write")
	return frappe_set_value(doctype, name, fieldname, value)


@frappe.whitelist(methods=["DELETE", "POST"])
def delete(doctype: str, name: str) -> None:
	check_record(doctype, name, "delete")
	return frappe_delete(doctype, name)


@frappe.whitelist()
def download_file(file_url: str):
	file = frappe.db.get_value("File", {"file_url": file_url}, ["name", "attached_to_doctype"], as_dict=True)
	if (
		file
		and file.attached_to_doctype in SCOPED
		and files.file_permission(frappe.get_doc("File", file.name), "read") is False
	):
		raise frappe.PermissionError
	return frappe_download_file(file_url)
