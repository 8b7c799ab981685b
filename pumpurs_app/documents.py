"""The base classes of PuMPuRS records and of their child rows — what a request can make a stored record do
beyond saving it through its controller, and whom a row answers to — and the text no record takes.

Frappe whitelists four methods of every Document — ``submit``, ``cancel``, ``rename`` and ``add_comment`` —
and lets anyone who may *read* a record call them through ``run_doc_method`` and the REST API, on the stored
record or on one sent whole as JSON: ``rename`` with ``validate_rename=0`` skips the DocType's own "no
renaming", ``add_comment`` writes "Workflow" entries into the audit trail, and ``cancel`` (like the desk's
cancel with a ``workflow_state``) saves whatever the request sent without ``validate``. The desk itself never
calls these through a request (it saves, submits and cancels through ``savedocs`` and ``cancel``, and renames
through ``rename_doc``), so PuMPuRS records and their rows keep them for their own server code only, a
cancelled record keeps its stored content, and nothing of the app is renamed or merged.
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import strip_html

from pumpurs_app import access
from pumpurs_app.rules.spreadsheets import formula_start
from pumpurs_app.utils import APP_MODULES


class ServerOnlyMethods(Document):
	"""Frappe's whitelisted Document methods, without the whitelisting (``frappe.is_whitelisted`` looks at the
	function the record's class has); and no renaming or merging, which ``frappe.rename_doc`` allows with
	``force`` whatever the DocType says and, merging, checks only the record merged away: other records,
	files, claims and history point at the app's records by name."""

	def submit(self):
		return super().submit()

	def cancel(self):
		return super().cancel()

	def rename(self, name: str, merge=False, force=False, validate_rename=True):
		return super().rename(name, merge=merge, force=force, validate_rename=validate_rename)

	def add_comment(self, comment_type="Comment", text=None, comment_email=None, comment_by=None):
		return super().add_comment(comment_type, text, comment_email, comment_by)

	def before_rename(self, old: str, new: str, merge: bool = False):
		frappe.throw(
			_("{0} records are neither renamed nor merged.").format(_(self.doctype)), frappe.PermissionError
		)


class ScopedRecord(ServerOnlyMethods):
	"""Base of the records scoped by institution or partner."""

	def _validate_links(self) -> None:
		"""Frappe's check of every link, with each table's rows checked together: frappe asks the database once
		or twice per row and link (does it exist, is it cancelled) — 10,000 queries to save a payment batch of
		5,000 lines. Same errors, same stored spelling of each name; a table whose rows fetch values through a
		link, link dynamically or link to a single or virtual DocType keeps frappe's check of each row. (Frappe
		also counts how often each value is linked, to order its link suggestions; the rows' links are not
		counted.)"""
		if self.flags.ignore_links or self._action == "cancel":
			return
		invalid, cancelled = self.get_invalid_links()
		for table in self.meta.get_table_fields():
			rows = self.get(table.fieldname) or []
			meta = frappe.get_meta(table.options)
			links = meta.get_link_fields()
			if meta.get("fields", {"fieldtype": "Dynamic Link"}) or any(
				meta.get_fields_to_fetch(df.fieldname)
				or frappe.get_meta(df.options).issingle
				or frappe.get_meta(df.options).get("is_virtual")
				for df in links
			):
				for row in rows:
					found = row.get_invalid_links(is_submittable=self.meta.is_submittable)
					invalid.extend(found[0])
					cancelled.extend(found[1])
				continue
			for df in links:
				problems = _check_rows_link(rows, df, self.meta.is_submittable)
				invalid.extend(problems[0])
				cancelled.extend(problems[1])
		if invalid:
			message = ", ".join(each[2] for each in invalid)
			frappe.throw(_("Could not find {0}").format(message), frappe.LinkValidationError)
		if cancelled:
			message = ", ".join(each[2] for each in cancelled)
			frappe.throw(_("Cannot link cancelled document: {0}").format(message), frappe.CancelledLinkError)


def _check_rows_link(rows: list, df, parent_submittable: bool) -> tuple[list, list]:
	"""One link field of a table's rows, as ``BaseDocument.get_invalid_links`` checks it, in one query."""
	linked = frappe.get_meta(df.options)
	values = {row.get(df.fieldname) for row in rows if row.get(df.fieldname)}
	if not values:
		return [], []
	fields = ["name", "docstatus"] if linked.is_submittable else ["name"]
	stored = {
		r.name.casefold(): r for r in frappe.get_all(df.options, {"name": ("in", list(values))}, fields)
	}
	invalid, cancelled = [], []
	for row in rows:
		value = row.get(df.fieldname)
		if not value:
			continue
		# the database's collation matches more than case (accents too): ask it for any other spelling
		record = stored.get(value.casefold()) or frappe.db.get_value(df.options, value, fields, as_dict=True)
		message = "{} #{}: {}: {}".format(_("Row"), row.idx, _(df.label, context=df.parent), value)
		if not record:
			invalid.append((df.fieldname, value, message))
			continue
		row.set(df.fieldname, record.name)
		if (
			parent_submittable
			and linked.is_submittable
			and df.fieldname != "amended_from"
			and record.docstatus == 2
		):
			cancelled.append((df.fieldname, value, message))
	return invalid, cancelled


class ScopedRow(ServerOnlyMethods):
	"""Base of the child rows of scoped records. Frappe checks a row read by its own name (REST, getdoc, a
	row's method) against its parent DocType only, since the row is loaded without its parent: the row asks
	its parent record."""

	def has_permission(self, permtype="read", *, debug=False, user=None) -> bool:
		if self.flags.ignore_permissions or not self.parent or not frappe.db.exists(self.doctype, self.name):
			return super().has_permission(permtype, debug=debug, user=user)
		return access.may(self.doctype, self.name, permtype, user) and super().has_permission(
			permtype, debug=debug, user=user
		)


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


TEXT_FIELDS = ("Data", "Small Text", "Text", "Long Text", "Text Editor")
# users' names are copied into the app's records (specialists, authors, staff), where they are not typed
USER_NAME_FIELDS = ("first_name", "middle_name", "last_name")


def refuse_formulas(doc, method=None) -> None:
	"""`validate` of every record of the app (a "*" hook: the app's modules only): text a spreadsheet would
	run as a formula is refused where people type it — names, class labels, payees, topics, observations —
	so that every export (frappe's list and report exports write cells as they are) is safe."""
	if doc.meta.module not in APP_MODULES:
		return
	for row in [doc, *doc.get_all_children()]:
		for df in row.meta.fields:
			typed = df.fieldtype in TEXT_FIELDS and not (
				df.read_only or df.fetch_from or df.options in ("Email", "URL")
			)
			if typed and row.get(df.fieldname):
				text = row.get(df.fieldname)
				refuse_formula(
					strip_html(text).strip() if df.fieldtype == "Text Editor" else text,
					_(df.label, context=row.doctype)
					if row is doc
					else _("Row {0}, {1}").format(row.idx, _(df.label, context=row.doctype)),
				)


def refuse_formulas_in_user_names(doc, method=None) -> None:
	"""`validate` of User: the names the app copies into its records."""
	for fieldname in USER_NAME_FIELDS:
		if doc.has_value_changed(fieldname):
			refuse_formula(doc.get(fieldname), _(doc.meta.get_label(fieldname)))


def refuse_formula(text: str | None, where: str) -> None:
	if start := formula_start(text):
		frappe.throw(
			_("{0}: text cannot begin with “{1}”, because spreadsheets run such text as a formula.").format(
				where, repr(start)[1:-1]
			),
			title=_("Text that looks like a formula"),
		)
