"""The learners' personal data over time: kept for the period PuMPuRS Settings gives after the learner's last
activity and then anonymised by a daily job (the report "Learners Due for Anonymisation" shows who is next);
an access request's workbook of everything held about one learner; an erasure request.

Anonymising keeps every record and figure — plans, risks, measures, hours, consultations, claims, payments,
their states and dates — so every report's totals stay the same, and removes what names the learner or their
family: names (the learner becomes "Anonimizēts IZGL-…"), personal code, birth date, class, guardians with
their contacts, free-text notes and reasons, payees' names and accounts where the payee is a person, the
signed application and other files of the learner, and the trail that holds the old values (Versions,
comments other than workflow steps, notifications, global search entries, deleted copies).
"""

from datetime import date

import frappe
from frappe import _
from frappe.core.doctype.access_log.access_log import make_access_log
from frappe.query_builder import DocType
from frappe.query_builder.functions import Concat, Max
from frappe.utils import get_fullname, getdate, now_datetime, today

from pumpurs_app.rules import retention
from pumpurs_app.rules.spreadsheets import write_sheets
from pumpurs_app.utils import COMMENT_FIELDS, hash_names, insert_rows, rules_enforced

LEARNER = "Learner"
GUARDIAN = "Learner Guardian"
PLAN = "Individual Support Plan"
CONSULTATION = "Support Consultation"
COMPENSATION = "Compensation"
PAYMENT_LINE = "Compensation Payment Line"
PERSON_PAYEES = ("Guardian", "Adult learner")
CHUNK = 500  # learners anonymised per transaction by the daily job


def retention_years() -> int:
	return frappe.db.get_single_value("PuMPuRS Settings", "retention_years") or retention.DEFAULT_YEARS


# --- who is due --------------------------------------------------------------------------------------------


def last_activities() -> dict[str, date]:
	"""Each learner not yet anonymised, with the day of their last activity: registration, the end of the term
	of a plan, a consultation, the end of a claimed period, a payment or its reconciliation."""
	learner = DocType(LEARNER)
	kept = learner.anonymised_on.isnull()
	last = {
		name: getdate(created)
		for name, created in frappe.qb.from_(learner).where(kept).select(learner.name, learner.creation).run()
	}
	plan, term = DocType(PLAN), DocType("School Term")
	consultation, claim = DocType(CONSULTATION), DocType(COMPENSATION)
	activities = [
		(plan, Max(term.end_date), lambda query: query.join(term).on(plan.school_term == term.name)),
		(consultation, Max(consultation.consultation_date), None),
		*((claim, Max(claim[field]), None) for field in ("period_to", "paid_on", "reconciled_on")),
	]
	for table, day, join in activities:
		query = frappe.qb.from_(table)
		query = join(query) if join else query
		query = query.join(learner).on(table.learner == learner.name).where(kept).groupby(table.learner)
		for name, when in query.select(table.learner, day).run():
			if when and getdate(when) > last[name]:
				last[name] = getdate(when)
	return last


def learners_with_money_on_its_way() -> set[str]:
	return set(
		frappe.get_all(
			COMPENSATION,
			filters={"workflow_state": ("in", sorted(retention.OPEN_MONEY_STATES)), "docstatus": ("<", 2)},
			pluck="learner",
			distinct=True,
		)
	)


def due_learners(on: date) -> list[tuple[str, date, date]]:
	"""(learner, last activity, kept until) of every learner whose data is anonymised after ``on``."""
	years, waiting = retention_years(), learners_with_money_on_its_way()
	return sorted(
		(name, last, retention.kept_until(last, years))
		for name, last in last_activities().items()
		if retention.is_due(last, years, on) and name not in waiting
	)


def anonymise_expired() -> None:
	"""Daily: anonymise every learner whose retention period has ended, a chunk per transaction."""
	due = [name for name, _last, _until in due_learners(getdate(today()))]
	for start in range(0, len(due), CHUNK):
		anonymise(due[start : start + CHUNK], _("The retention period has ended."))
		frappe.db.commit()


# --- anonymising ---------------------------------------------------------------------------------------------


def anonymise(learners: list[str], reason: str) -> None:
	"""Anonymise ``learners`` in the current transaction (see the module's description); ``reason`` is recorded
	on each learner's timeline."""
	if not learners:
		return
	now, user = now_datetime(), frappe.session.user
	documents = {
		doctype: frappe.get_all(doctype, filters={"learner": ("in", learners)}, pluck="name")
		for doctype in (PLAN, CONSULTATION, COMPENSATION)
	}
	documents[LEARNER] = learners
	person_paid = frappe.get_all(
		COMPENSATION, filters={"learner": ("in", learners), "payee_kind": ("in", PERSON_PAYEES)}, pluck="name"
	)
	cleared = {
		LEARNER: (
			"personal_code",
			"personal_code_masked",
			"active_personal_code",
			"date_of_birth",
			"class_label",
			"application_file",
		),
		PLAN: ("evaluation_notes", "decision_reason"),
		CONSULTATION: ("topic",),
		COMPENSATION: ("notes", "decision_reason"),
	}
	for doctype, fields in cleared.items():
		table = DocType(doctype)
		key = table.name if doctype == LEARNER else table.learner
		name_field = table.full_name if doctype == LEARNER else table.learner_name
		update = (
			frappe.qb.update(table)
			.where(key.isin(learners))
			.set(name_field, Concat(f"{retention.ANONYMISED} ", key))
		)
		for field in fields:
			update = update.set(table[field], None)
		if doctype == LEARNER:  # the records that cite the learner keep their dates: reports age by them
			update = (
				update.set(table.first_name, retention.ANONYMISED)
				.set(table.last_name, table.name)
				.set(table.anonymised_on, now.date())
				.set(table.modified, now)
				.set(table.modified_by, user)
			)
		update.run()
	_clear(GUARDIAN, "parent", learners, delete=True)
	_clear("Support Plan Risk", "parent", documents[PLAN], ("observation",))
	participant = DocType("Youth NGO Project Participant")
	frappe.qb.update(participant).where(participant.learner.isin(learners)).set(
		participant.learner_name, Concat(f"{retention.ANONYMISED} ", participant.learner)
	).run()
	_clear(COMPENSATION, "name", person_paid, ("payee_name", "payee_iban", "payee_bic"))
	payment_line = DocType(PAYMENT_LINE)
	if documents[COMPENSATION]:
		frappe.qb.update(payment_line).where(payment_line.compensation.isin(documents[COMPENSATION])).set(
			payment_line.learner_name, None
		).run()
	transfers = frappe.get_all(
		PAYMENT_LINE, filters={"compensation": ("in", person_paid or [""])}, pluck="end_to_end_id"
	)
	_clear(PAYMENT_LINE, "compensation", person_paid, ("payee_name", "payee_iban", "payee_bic"))
	_clear(
		"Compensation Bank Statement Line",
		"end_to_end_id",
		[t for t in transfers if t],
		("counterparty_name", "counterparty_iban"),
	)
	_forget_trail(documents, learners)
	_record(learners, reason, now, user)


def _clear(
	doctype: str, key: str, values: list[str], fields: tuple[str, ...] = (), delete: bool = False
) -> None:
	if not values:
		return
	table = DocType(doctype)
	if delete:
		frappe.qb.from_(table).delete().where(table[key].isin(values)).run()
		return
	update = frappe.qb.update(table).where(table[key].isin(values))
	for field in fields:
		update = update.set(table[field], None)
	update.run()


def _forget_trail(documents: dict[str, list[str]], learners: list[str]) -> None:
	"""What holds the old values: change history, comments (a workflow step's stays), notifications, global
	search, deleted copies of the learner's documents, and the learner's files with their contents."""
	# first: removing a file leaves a comment on the learner
	for file in frappe.get_all(
		"File", filters={"attached_to_doctype": LEARNER, "attached_to_name": ("in", learners)}, pluck="name"
	):
		frappe.delete_doc("File", file, ignore_permissions=True, delete_permanently=True)
	for doctype, names in documents.items():
		if not names:
			continue
		frappe.db.delete("Version", {"ref_doctype": doctype, "docname": ("in", names)})
		frappe.db.delete(
			"Comment",
			{
				"reference_doctype": doctype,
				"reference_name": ("in", names),
				"comment_type": ("!=", "Workflow"),
			},
		)
		frappe.db.delete("Notification Log", {"document_type": doctype, "document_name": ("in", names)})
		frappe.db.delete("__global_search", {"doctype": doctype, "name": ("in", names)})
	for name in learners:
		frappe.db.delete(
			"Deleted Document",
			{"deleted_doctype": ("in", list(documents)), "data": ("like", f'%"learner": "{name}"%')},
		)


def _record(learners: list[str], reason: str, now, user: str) -> None:
	content = _("Personal data anonymised: {0}").format(reason)
	by = get_fullname(user)
	insert_rows(
		"Comment",
		COMMENT_FIELDS,
		[
			(name, user, user, now, now, 0, 0, "Info", LEARNER, learner, content, user, by)
			for name, learner in zip(hash_names(len(learners)), learners, strict=True)
		],
	)


# --- requests of one learner ---------------------------------------------------------------------------------


def check_may_see_everything(learner: str, ptype: str = "read") -> None:
	"""Access and erasure requests are for those who may see the learner's full personal code."""
	if not frappe.has_permission(LEARNER, ptype, learner) or 1 not in frappe.get_meta(
		LEARNER
	).get_permlevel_access("read"):
		frappe.throw(
			_("Only those who may see the learner's full personal code handle their data requests."),
			frappe.PermissionError,
		)


@frappe.whitelist()
def access_request(learner: str) -> None:
	"""The workbook of everything held about ``learner``, as a download; the Access Log records who made it."""
	check_may_see_everything(learner)
	frappe.response.update(
		filename=f"{learner}.xlsx",
		filecontent=access_request_workbook(learner),
		type="binary",
	)
	make_access_log(doctype=LEARNER, document=learner, method="Access Request", file_type="xlsx")


def access_request_workbook(learner: str) -> bytes:
	plans, consultations, claims = (
		_readable(doctype, learner) for doctype in (PLAN, CONSULTATION, COMPENSATION)
	)
	readable = {LEARNER: [learner], PLAN: plans, CONSULTATION: consultations, COMPENSATION: claims}
	sheets = [
		_record_sheet(learner),
		_sheet(GUARDIAN, {"parent": learner, "parenttype": LEARNER}, LEARNER),
		_sheet(PLAN, {"name": ("in", plans or [""])}),
		_sheet("Support Plan Risk", {"parent": ("in", plans or [""])}, PLAN),
		_sheet("Support Plan Measure", {"parent": ("in", plans or [""])}, PLAN),
		_sheet(CONSULTATION, {"name": ("in", consultations or [""])}),
		_sheet(COMPENSATION, {"name": ("in", claims or [""])}),
		_sheet("Compensation Line", {"parent": ("in", claims or [""])}, COMPENSATION),
		_files_sheet(readable),
		_history_sheet(readable),
	]
	return write_sheets(sheets)


def _readable(doctype: str, learner: str) -> list[str]:
	"""The learner's records of ``doctype`` that the requester may read (a director reads no consultations)."""
	if not frappe.has_permission(doctype, "read"):
		return []
	return frappe.get_list(doctype, filters={"learner": learner}, pluck="name", order_by="creation")


def _fields(doctype: str) -> list:
	return [f for f in frappe.get_meta(doctype).fields if f.fieldtype not in frappe.model.no_value_fields]


def _sheet(doctype: str, filters: dict, parent_doctype: str | None = None) -> tuple[str, list[list], tuple]:
	fields = _fields(doctype)
	columns = ["name", *(["parent"] if parent_doctype else []), *(f.fieldname for f in fields)]
	rows = []
	if frappe.has_permission(parent_doctype or doctype, "read"):
		rows = frappe.get_list(
			doctype,
			filters=filters,
			fields=columns,
			parent_doctype=parent_doctype,
			order_by="creation",
			as_list=True,
		)
	headings = [
		_("ID"),
		*([_(parent_doctype)] if parent_doctype else []),
		*(_(f.label, context=doctype) for f in fields),
	]
	return _(doctype), [headings, *map(list, rows)], (20,) * len(headings)


def _record_sheet(learner: str) -> tuple[str, list[list], tuple]:
	doc = frappe.get_doc(LEARNER, learner)
	rows = [[_("Field", context="Access request workbook"), _("Value")], [_("ID"), doc.name]]
	rows += [[_(f.label, context=LEARNER), doc.get(f.fieldname)] for f in _fields(LEARNER)]
	rows += [[_("Created"), doc.creation], [_("Last Modified"), doc.modified]]
	return _(LEARNER), rows, (30, 60)


def _files_sheet(readable: dict[str, list[str]]) -> tuple[str, list[list], tuple]:
	rows = [[_("File Name"), _("Attached To"), _("Document"), _("Private"), _("Size (bytes)"), _("Uploaded")]]
	for doctype, names in readable.items():
		rows += frappe.get_list(
			"File",
			filters={"attached_to_doctype": doctype, "attached_to_name": ("in", names or [""])},
			fields=[
				"file_name",
				"attached_to_doctype",
				"attached_to_name",
				"is_private",
				"file_size",
				"creation",
			],
			order_by="creation",
			as_list=True,
		)
	return _("Files", context="Access request workbook"), [list(row) for row in rows], (40, 24, 22, 8, 12, 20)


def _history_sheet(readable: dict[str, list[str]]) -> tuple[str, list[list], tuple]:
	"""Every change of the learner's records, as their forms' timelines show it (frappe reads a document's
	Versions once the document itself may be read, as here)."""
	rows = [
		[
			_("Document Type", context="Access request workbook"),
			_("Document"),
			_("Changed On"),
			_("Changed By"),
			_("Changes"),
		]
	]
	for doctype, names in readable.items():
		rows += frappe.get_all(
			"Version",
			filters={"ref_doctype": doctype, "docname": ("in", names or [""])},
			fields=["ref_doctype", "docname", "creation", "owner", "data"],
			order_by="creation",
			as_list=True,
		)
	return _("Change History"), [list(row) for row in rows], (22, 22, 20, 30, 100)


@frappe.whitelist(methods=["POST"])
def erasure_request(learner: str, reason: str) -> dict:
	"""Anonymise ``learner`` now, on request, unless money records of theirs must still be kept. Either way the
	request is recorded on the learner's timeline."""
	check_may_see_everything(learner, "write")
	if not (reason or "").strip():
		frappe.throw(_("Say who asked for the erasure and on what grounds."))
	if frappe.db.get_value(LEARNER, learner, "anonymised_on"):
		frappe.throw(_("Learner {0} has already been anonymised.").format(learner))
	claims = [
		retention.Claim(
			c.name, c.workflow_state, max(filter(None, (c.paid_on, c.reconciled_on)), default=None)
		)
		for c in frappe.get_all(
			COMPENSATION,
			filters={"learner": learner, "docstatus": ("<", 2)},
			fields=["name", "workflow_state", "paid_on", "reconciled_on"],
		)
	]
	try:
		with rules_enforced(LEARNER):
			retention.check_erasure(claims, retention_years(), getdate(today()))
	except frappe.ValidationError as refused:
		message = str(refused)
		frappe.clear_last_message()
		frappe.get_doc(LEARNER, learner).add_comment(
			"Info", _("Erasure requested ({0}) and refused: {1}").format(reason, message)
		)
		return {"erased": False, "message": message}
	anonymise([learner], _("erasure request ({0})").format(reason))
	return {"erased": True, "message": _("The learner's personal data has been anonymised.")}
