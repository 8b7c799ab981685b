"""Files of PuMPuRS records: signed applications, holiday orders, evidence, SEPA files, bank statements and the
learner import's workbooks (full personal codes).

Frappe lets any desk user list the File records of every DocType they may read, and serves a private file to
anyone who holds *some* File record of its URL — which they get by putting the URL into an attachment field of
their own document (frappe then attaches a copy) or by uploading a File that names the URL. So:

- a File attached to a PuMPuRS record is seen only by those who see the record (list and download), and the
  learner import's files only by those who may see full personal codes;
- a File may point at an existing private file only for someone who may already read that file;
- an attachment field of a PuMPuRS record takes only a file attached to that record, or one its user has just
  uploaded (and frappe then attaches it to the record);
- files of PuMPuRS records are private.
"""

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime

from pumpurs_app import access

FILE = "File"
LEARNER_IMPORT = "Learner Import"
# frappe relinks files uploaded to an unsaved form within this many minutes of the upload
UPLOAD_WINDOW_MINUTES = 60


def may_see_full_personal_codes(user: str) -> bool:
	return 1 in frappe.get_meta("Learner").get_permlevel_access("read", user=user)


def file_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""Files of PuMPuRS records are listed with the records' scope (ANDed with frappe's own condition)."""
	user = user or frappe.session.user
	scope = access.get_scope(user)
	if scope.national and may_see_full_personal_codes(user):
		return ""
	column = "`tabFile`.`attached_to_doctype`"
	app_doctypes = [*access.SCOPED_DOCTYPES, LEARNER_IMPORT]
	allowed = [f"{column} is null", f"{column} not in ({', '.join(map(frappe.db.escape, app_doctypes))})"]
	for doctype_ in access.SCOPED_DOCTYPES:
		allowed.append(
			f"({column} = {frappe.db.escape(doctype_)} and `tabFile`.`attached_to_name` in "
			f"(select `tab{doctype_}`.`name` from `tab{doctype_}` where {access.scoped_rows(scope, doctype_)}))"
		)
	if may_see_full_personal_codes(user):
		imports = "" if scope.national else f" where `tabLearner Import`.`owner` = {frappe.db.escape(user)}"
		allowed.append(
			f"({column} = {frappe.db.escape(LEARNER_IMPORT)} and `tabFile`.`attached_to_name` in "
			f"(select `tabLearner Import`.`name` from `tabLearner Import`{imports}))"
		)
	return "(" + " or ".join(allowed) + ")"


def file_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""A File of a PuMPuRS record follows the record (frappe would also let its uploader read it wherever it
	is attached); the learner import's files need the right to see full personal codes."""
	user = user or frappe.session.user
	if user == "Administrator" or not doc.attached_to_doctype or not doc.attached_to_name:
		return None
	if doc.attached_to_doctype == LEARNER_IMPORT:
		return None if may_see_full_personal_codes(user) else False
	if doc.attached_to_doctype not in access.SCOPED_DOCTYPES:
		return None
	if not frappe.db.exists(doc.attached_to_doctype, doc.attached_to_name):
		return None  # an upload to a form not saved yet: frappe's owner rule decides
	ptype = "write" if ptype in ("write", "delete") else "read"
	return None if access.may(doc.attached_to_doctype, doc.attached_to_name, ptype, user) else False


def check_file(doc, method=None) -> None:
	"""`before_validate` of File (before frappe moves or checks anything on disk), new or changed: a File
	names an existing private file only for someone who may already read that file — whoever owns a File
	record of a URL is served its file — and a folder names none; files of PuMPuRS records are private."""
	if not doc.is_new() and not any(
		doc.has_value_changed(f) for f in ("file_url", "is_private", "is_folder", "attached_to_doctype")
	):
		return
	if doc.is_folder:
		if doc.file_url:
			frappe.throw(_("A folder has no file URL."), frappe.PermissionError)
		return
	if doc.attached_to_doctype in (*access.SCOPED_DOCTYPES, LEARNER_IMPORT) and not doc.is_private:
		frappe.throw(_("Files of PuMPuRS records are private; upload the file as private."))
	user = frappe.session.user
	if user == "Administrator" or not (doc.file_url or "").startswith("/private/files/"):
		return
	others = frappe.get_all(
		FILE, filters={"file_url": doc.file_url, "name": ("!=", doc.name or "")}, pluck="name"
	)
	if not others or uploaded_now(doc):
		return
	if not any(frappe.has_permission(FILE, "read", doc=name, user=user) for name in others):
		frappe.throw(
			_("You cannot attach {0}: it is not one of your files.").format(frappe.bold(doc.file_name or "")),
			frappe.PermissionError,
		)


def refuse_rename(doc, method: str, old: str, new: str, merge: bool = False) -> None:
	"""`before_rename` of File: a file of a PuMPuRS record is neither renamed nor merged, nor another file
	merged into one (frappe lets whoever may change a File merge it, with ``force``, into any other)."""
	app_doctypes = (*access.SCOPED_DOCTYPES, LEARNER_IMPORT)
	attached = frappe.get_all(FILE, {"name": ("in", [old, new])}, pluck="attached_to_doctype")
	if frappe.session.user != "Administrator" and set(attached) & set(app_doctypes):
		frappe.throw(_("Files of PuMPuRS records are neither renamed nor merged."), frappe.PermissionError)


def uploaded_now(doc) -> bool:
	"""This request uploaded the file's bytes (frappe keeps one copy of equal contents, so an upload can
	land on another record's URL): whoever holds the content may attach it."""
	content = getattr(frappe.local, "uploaded_file", None)
	if not content:
		return False
	from frappe.core.doctype.file.utils import get_content_hash

	return get_content_hash(content) == doc.content_hash


def check_attachments(doc, method=None) -> None:
	"""`validate` of PuMPuRS records: an attachment field (of the record or of its rows) takes only a file
	attached to this record or one the user has just uploaded, which is then attached to the record (frappe
	attaches only the record's own fields, not its rows'), so that "application on file" or mandatory evidence
	cannot be met with another record's file, no one reaches another record's file through it, and everyone
	who may read the record may read its files."""
	if doc.flags.ignore_permissions or frappe.session.user == "Administrator":
		return
	before = doc.get_doc_before_save()
	if not before and not doc.is_new() and frappe.db.exists(doc.doctype, doc.name):
		before = frappe.get_doc(doc.doctype, doc.name)  # validated outside a save
	stored = {url for _row, _df, url in attachment_urls(before)} if before else set()
	for row, df, url in attachment_urls(doc):
		if not url or url in stored:
			continue
		file = attachable(doc, url)
		if not file:
			frappe.throw(
				_("{0}: the file {1} is not attached to this {2}; upload it here.").format(
					_(df.label, context=row.doctype), frappe.bold(url.rsplit("/", 1)[-1]), _(doc.doctype)
				),
				frappe.PermissionError,
				title=_("Attach your own file"),
			)
		if (file.attached_to_doctype, file.attached_to_name) != (doc.doctype, doc.name):
			frappe.db.set_value(
				FILE,
				file.name,
				{
					"attached_to_doctype": doc.doctype,
					"attached_to_name": doc.name,
					"attached_to_field": df.fieldname,
				},
			)


def attachment_urls(doc):
	"""(row, field, URL) of every attachment field of the document and of its rows."""
	for row in [doc, *doc.get_all_children()]:
		for df in row.meta.get("fields", {"fieldtype": ["in", ["Attach", "Attach Image"]]}):
			yield row, df, row.get(df.fieldname)


def attachable(doc, url: str) -> dict | None:
	"""The File of ``url`` attached to this record already, or one the user uploaded within the hour that is
	not attached elsewhere (an upload to an unsaved form is attached to its temporary name, "new-…", until
	frappe relinks it)."""
	file = frappe.qb.DocType(FILE)
	attached_here = (file.attached_to_doctype == doc.doctype) & (file.attached_to_name == (doc.name or ""))
	just_uploaded = (
		(file.owner == frappe.session.user)
		& (file.creation >= add_to_date(now_datetime(), minutes=-UPLOAD_WINDOW_MINUTES))
		& (
			file.attached_to_doctype.isnull()
			| ((file.attached_to_doctype == doc.doctype) & file.attached_to_name.like("new-%"))
		)
	)
	rows = (
		frappe.qb.from_(file)
		.select(file.name, file.attached_to_doctype, file.attached_to_name)
		.where((file.file_url == url) & (attached_here | just_uploaded))
		.run(as_dict=True)
	)
	here = [r for r in rows if r.attached_to_doctype == doc.doctype and r.attached_to_name == doc.name]
	return (here or rows or [None])[0]
