"""What a request can make a stored PuMPuRS record do, beyond saving it through its controller.

Frappe whitelists four methods of every Document — ``submit``, ``cancel``, ``rename`` and ``add_comment`` —
and lets anyone who may *read* a record call them through ``run_doc_method`` and the REST API, on the stored
record or on one sent whole as JSON: ``rename`` with ``validate_rename=0`` skips the DocType's own "no
renaming", ``add_comment`` writes "Workflow" entries into the audit trail, and ``cancel`` (like the desk's
cancel with a ``workflow_state``) saves whatever the request sent without ``validate``. The desk itself never
calls these through a request (it saves, submits and cancels through ``savedocs`` and ``cancel``, and renames
through ``rename_doc``), so PuMPuRS records keep them for their own server code only, and a cancelled record
keeps its stored content.
"""

import frappe
from frappe import _
from frappe.model.document import Document


class ScopedRecord(Document):
	"""Base of the records scoped by institution or partner: frappe's whitelisted Document methods, without
	the whitelisting (``frappe.is_whitelisted`` looks at the function the record's class has)."""

	def submit(self):
		return super().submit()

	def cancel(self):
		return super().cancel()

	def rename(self, name: str, merge=False, force=False, validate_rename=True):
		return super().rename(name, merge=merge, force=force, validate_rename=validate_rename)

	def add_comment(self, comment_type="Comment", text=None, comment_email=None, comment_by=None):
		return super().add_comment(comment_type, text, comment_email, comment_by)


def keep_stored_on_cancel(doc, method=None) -> None:
	"""`before_cancel`: cancelling changes the state and nothing else, whatever the request sent with it (frappe
	saves a cancelled document without validating it); the state is one the workflow cancels into."""
	before = doc.get_doc_before_save()
	if not before:
		return
	from frappe.model.workflow import get_workflow_name

	workflow = get_workflow_name(doc.doctype)
	state_field = frappe.get_cached_value("Workflow", workflow, "workflow_state_field") if workflow else None
	for df in doc.meta.fields:
		if (
			df.fieldname != state_field
			and not df.is_virtual
			and df.fieldtype not in ("Section Break", "Column Break", "Tab Break")
		):
			doc.set(df.fieldname, before.get(df.fieldname))
	if state_field:
		cancelled = {
			row.state
			for row in frappe.get_cached_doc("Workflow", workflow).states
			if str(row.doc_status) == "2"
		}
		if doc.get(state_field) not in cancelled:
			frappe.throw(
				_("A cancelled {0} can only be in the state {1}.").format(
					_(doc.doctype), " / ".join(_(state) for state in sorted(cancelled))
				)
			)
