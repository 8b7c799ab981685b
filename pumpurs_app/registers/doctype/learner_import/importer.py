"""The database side of the learner import: facts for the rules, the error workbook, and writing the learners.

``rules.learner_import`` reads and checks the workbook; this module asks the database what the rules need
(the user's institutions, personal codes already active, today's term) and writes the checked learners in the
caller's transaction, all or nothing.

Two ways of writing, the same result:

* **bulk** (the default): the values the rules computed — exactly what ``Learner.validate`` derives — go in
  with a few multi-row INSERTs, with names from the Learner naming series, a Version per learner ("created via
  Learner Import", as frappe's Data Import leaves) and global-search entries once the transaction commits.
  ``tests/integration/test_learner_import.py`` proves that the controller, run again on every learner written
  this way, changes nothing and that both ways store the same rows.
* **controller**: ``doc.insert()`` for every learner. Used whenever something on the site reacts to new
  learners that the bulk path would skip (see :func:`reasons_for_controller`): a Notification, Webhook,
  Server Script, Assignment Rule or other automation on Learner, another app's document hooks, a custom or
  changed field, or new event methods on the Learner controller.
"""

from collections.abc import Callable
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.model.base_document import get_controller
from frappe.model.naming import parse_naming_series
from frappe.utils import EMAIL_MATCH_PATTERN, getdate, now_datetime, strip_html, today
from frappe.utils.global_search import update_global_search

from pumpurs_app import access, automations
from pumpurs_app.registers.doctype.learner.learner import Learner, report_refused_registrations
from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules import learner_import as rules
from pumpurs_app.rules.spreadsheets import FORMULA_PREFIXES
from pumpurs_app.utils import STANDARD_FIELDS, hash_names, insert_rows

LEARNER = "Learner"
GUARDIAN = "Learner Guardian"
IMPORT_DOCTYPE = "Learner Import"
CHUNK = 2000  # rows per INSERT statement and per progress message

LEARNER_FIELDS = (
	"first_name",
	"last_name",
	"full_name",
	"personal_code",
	"personal_code_masked",
	"active_personal_code",
	"date_of_birth",
	"is_adult",
	"status",
	"institution",
	"partner",
	"education_type",
	"grade",
	"class_label",
	"consent_date",
	"consent_given_by",
)
GUARDIAN_FIELDS = ("guardian_name", "relation", "phone", "email")
# what a row gives the controller; it derives the rest (full name, masked and active code, partner, ...)
ENTERED_FIELDS = (
	"first_name",
	"last_name",
	"personal_code",
	"date_of_birth",
	"status",
	"institution",
	"education_type",
	"grade",
	"class_label",
	"consent_date",
	"consent_given_by",
)
# document events: a Learner controller that grows one of these must be run for every row
DOCUMENT_EVENTS = (
	"before_insert",
	"after_insert",
	"before_naming",
	"autoname",
	"before_validate",
	"before_save",
	"on_update",
	"on_change",
	"after_save",
	"db_insert",
)
# property changes that alter what saving a learner accepts or stores
SIGNIFICANT_PROPERTIES = (
	"reqd",
	"options",
	"default",
	"fetch_from",
	"length",
	"unique",
	"fieldtype",
	"autoname",
	"set_only_once",
)


# --- who may import, and what the database knows --------------------------------------------------------


def check_permission() -> None:
	"""Only users who may create learners and set their personal codes may import them."""
	if not frappe.has_permission(LEARNER, "create") or 1 not in frappe.get_meta(LEARNER).get_permlevel_access(
		"write"
	):
		frappe.throw(_("You are not allowed to register learners."), frappe.PermissionError)


def allowed_institutions() -> list[str]:
	"""Active institutions where the user may register learners: the template's drop-down list."""
	scope = access.get_scope()
	filters = {"status": "Active"}
	if not scope.national:
		filters["name"] = ("in", sorted(scope.institutions) or [""])
	return frappe.get_all(access.INSTITUTION, filters=filters, pluck="name", order_by="name")


def gather_facts(sheet: rules.Sheet) -> rules.Facts:
	"""Look up, for the whole file at once, the institutions it names and the active learners with its codes."""
	now = getdate(today())
	scope = access.get_scope()
	wanted = {value for value in rules.wanted_institutions(sheet) if value}
	institutions: dict[str, rules.Institution] = {}
	if wanted:
		names = [_unneutralised(value) for value in wanted]
		rows = frappe.get_all(
			access.INSTITUTION,
			or_filters={"name": ("in", names), "registration_code": ("in", names)},
			fields=["name", "registration_code", "education_type", "partner"],
		)
		for row in rows:
			found = rules.Institution(
				row.name, row.education_type, row.partner, scope.allows(access.INSTITUTION, row.name)
			)
			institutions[rules.institution_key(row.name)] = found
			if row.registration_code:
				institutions[rules.institution_key(row.registration_code)] = found
		for value in wanted:  # what the list offered: a neutralised name names the institution too
			found = institutions.get(rules.institution_key(_unneutralised(value)))
			if found:
				institutions.setdefault(rules.institution_key(value), found)
	active: dict[str, str] = {}
	codes = sorted(rules.wanted_codes(sheet, now))
	for start in range(0, len(codes), 1000):
		for row in frappe.get_all(
			LEARNER,
			filters={"active_personal_code": ("in", codes[start : start + 1000])},
			fields=["active_personal_code", "institution"],
		):
			active[row.active_personal_code] = row.institution
	for where in set(active.values()) - {i.name for i in institutions.values()}:
		# only to tell whether the user may hear where the learner is: see rules.checks._Row.already_active
		institutions[rules.institution_key(where)] = rules.Institution(
			where, "", None, scope.allows(access.INSTITUTION, where)
		)
	school_year, term_type = Learner.term_now()
	return rules.Facts(now, school_year, term_type, institutions, active)


def _unneutralised(value: str) -> str:
	"""The template's list neutralises names that look like formulas; a picked name matches the original."""
	if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
		return value[1:]
	return value


def _is_email(value: str) -> bool:
	# one plain address that frappe's own pattern matches whole is one it takes, without the trip through
	# email.utils.parseaddr that makes its check slow (test_learner_import: the same answers)
	if EMAIL_MATCH_PATTERN.fullmatch(value) and "undisclosed-recipient" not in value:
		return True
	return bool(frappe.utils.validate_email_address(value)) and "," not in value


def _is_phone(value: str) -> bool:
	return frappe.utils.validate_phone_number(value)


def check_content(content: bytes | str, progress: Callable[[int, int], None] | None = None) -> rules.Result:
	"""Read and check a whole workbook; every error found, or the learners to write."""
	if isinstance(content, str):  # frappe hands over the content of text files (a CSV, say) decoded
		content = content.encode()
	try:
		sheet = rules.read(content)
	except RuleViolation as exc:
		return rules.Result([], [rules.CellError(None, None, None, exc)], 0)
	if any(e.row == 1 or e.row is None for e in sheet.errors) and not sheet.letters:
		return rules.Result([], list(sheet.errors), len(sheet.rows))
	facts = gather_facts(sheet)
	result = rules.check(sheet, facts, is_email=_is_email, is_phone=_is_phone, progress=progress)
	report_active_elsewhere(sheet, facts, result.errors)
	return result


def report_active_elsewhere(sheet: rules.Sheet, facts: rules.Facts, errors: list[rules.CellError]) -> None:
	"""Rows refused because their learner is active at an institution the user cannot see reach the people who
	see both, as the Learner form's refusal does (``learners.active_elsewhere``)."""
	tried_at = {row.number: row.values.get("institution") for row in sheet.rows}
	codes = {}
	for error in errors:
		if code := error.violation.params.get("active_code"):
			institution = facts.institutions.get(rules.institution_key(str(tried_at.get(error.row))))
			codes[code] = institution.name if institution else str(tried_at.get(error.row))
	if not codes:
		return
	learners = frappe.get_all(
		LEARNER,
		filters={"active_personal_code": ("in", list(codes))},
		fields=["name", "active_personal_code"],
	)
	report_refused_registrations({row.name: codes[row.active_personal_code] for row in learners})


# --- messages and the error workbook ---------------------------------------------------------------------

# parameters that carry option values or column names: shown in the user's language
_TRANSLATED_PARAMS = {"education_type", "institution_type", "learner_type", "term_type", "column"}


def reason(error: rules.CellError) -> str:
	violation = error.violation
	params = {}
	for key, value in violation.params.items():
		if key in _TRANSLATED_PARAMS and isinstance(value, str):
			value = _(value, context=LEARNER)
		elif key == "options":
			value = ", ".join(_(option, context=_option_context(error.column)) for option in value)
		params[key] = value
	return _(violation.message).format(**params)


def _option_context(column: str | None) -> str:
	return GUARDIAN if column == "guardian_relation" else LEARNER


def column_title(error: rules.CellError) -> str:
	if error.column:
		title = _(rules.COLUMN_BY_KEY[error.column].english, context=LEARNER)
		return f"{error.letter} — {title}" if error.letter else title
	return error.letter or ""


def error_rows(errors: list[rules.CellError]) -> list[dict]:
	return [
		{
			"row": error.row,
			"column": column_title(error),
			"value": _shown(error.value),
			"reason": reason(error),
		}
		for error in errors
	]


def _shown(value) -> str:
	if value is None:
		return ""
	if hasattr(value, "strftime"):
		return value.strftime("%d.%m.%Y")
	return str(value)


def error_workbook(errors: list[rules.CellError]) -> bytes:
	"""The errors as a workbook: row, column, the value found, the reason. The values come from the uploaded
	file, so every cell is neutralised (``rules.write_workbook``); frappe's ``make_xlsx`` would also turn a
	value with angle brackets into plain text, hiding what the error is about."""
	data = [[_("Row in File"), _("Column in File"), _("Value in File"), _("Error Found")]]
	data += [[row["row"] or "", row["column"], row["value"], row["reason"]] for row in error_rows(errors)]
	return rules.write_workbook(_("Import Errors"), data, widths=(10, 34, 30, 100))


# --- writing ---------------------------------------------------------------------------------------------


def reasons_for_controller() -> list[str]:
	"""Why learners must be written one by one through ``doc.insert()`` on this site; empty when the bulk
	writer gives the same result."""
	reasons = []
	controller = get_controller(LEARNER)
	if controller is not Learner:
		reasons.append(f"the Learner controller is overridden by {controller.__module__}")
	reasons += [f"Learner.{name}" for name in DOCUMENT_EVENTS if name in vars(Learner)]
	reasons += automations.reactions_to(LEARNER, GUARDIAN)
	for doctype in (LEARNER, GUARDIAN):
		if frappe.get_all("Custom Field", filters={"dt": doctype}, limit=1):
			reasons.append(f"custom fields on {doctype}")
		if frappe.get_all(
			"Property Setter",
			filters={"doc_type": doctype, "property": ("in", SIGNIFICANT_PROPERTIES)},
			limit=1,
		):
			reasons.append(f"changed field properties of {doctype}")
	return reasons


@dataclass
class Written:
	names: list[str]
	method: str  # "bulk" or "controller"
	errors: list[rules.CellError]  # what the controller refused (then nothing stays written)


def write(
	records: list[rules.LearnerRecord],
	import_name: str,
	progress: Callable[[int, int], None] | None = None,
	method: str | None = None,
) -> Written:
	"""Write the checked learners in the current transaction: all of them, or none (then with the errors)."""
	method = method or ("controller" if reasons_for_controller() else "bulk")
	frappe.db.savepoint("learner_import")
	try:
		if method == "bulk":
			written = Written(_write_bulk(records, import_name, progress), method, [])
		else:
			written = _write_through_controller(records, import_name, progress)
	except Exception:
		frappe.db.rollback(save_point="learner_import")
		raise
	if written.errors:
		frappe.db.rollback(save_point="learner_import")
		written.names = []
	return written


def updater_reference(import_name: str) -> dict:
	return {"doctype": IMPORT_DOCTYPE, "docname": import_name, "label": _("via Learner Import")}


def _write_through_controller(records, import_name, progress) -> Written:
	"""``doc.insert()`` for every learner. Two things are left out per row and done once for all: the
	realtime "document changed" pings (frappe keeps them in a list it searches before adding each one, which
	makes thousands of inserts in one transaction quadratic) and the Version naming the import."""
	names, created, errors = [], [], []
	for index, record in enumerate(records, start=1):
		doc = frappe.get_doc(
			{
				"doctype": LEARNER,
				**{field: record.values[field] for field in ENTERED_FIELDS},
				"guardians": [dict(guardian) for guardian in record.guardians],
			}
		)
		doc.flags.notify_update = False
		frappe.db.savepoint("learner_import_row")
		try:
			doc.insert()
			names.append(doc.name)
			created.append((doc.name, doc.owner, doc.creation))
		except (frappe.ValidationError, frappe.PermissionError) as exc:
			frappe.db.rollback(save_point="learner_import_row")
			message = strip_html(str(exc)) or exc.__class__.__name__
			errors.append(
				rules.CellError(
					record.row,
					None,
					None,
					RuleViolation("The learner could not be saved: {message}", message=message),
				)
			)
		finally:
			frappe.clear_messages()
		if progress and (index % CHUNK == 0 or index == len(records)):
			progress(index, len(records))
	if not errors:
		_insert_versions(created, import_name)
		_announce(names)
	return Written(names, "controller", errors)


def reserve_names(count: int) -> list[str]:
	"""``count`` consecutive names from the Learner naming series, reserved at once (the series row stays
	locked until the transaction ends, as with every insert)."""
	block = {}

	def reserve(prefix: str, digits: int) -> str:
		series = frappe.qb.DocType("Series")
		current = frappe.qb.from_(series).where(series.name == prefix).for_update().select("current").run()
		if current and current[0][0] is not None:
			first = int(current[0][0]) + 1
			frappe.db.sql(
				"UPDATE `tabSeries` SET `current` = `current` + %s WHERE `name` = %s", (count, prefix)
			)
		else:
			first = 1
			frappe.db.sql("INSERT INTO `tabSeries` (`name`, `current`) VALUES (%s, %s)", (prefix, count))
		block.update(first=first, digits=digits)
		return "\0" * digits  # a placeholder the numbers replace

	pattern = parse_naming_series(frappe.get_meta(LEARNER).autoname, number_generator=reserve)
	placeholder = "\0" * block["digits"]
	return [
		pattern.replace(placeholder, ("%0" + str(block["digits"]) + "d") % number, 1)
		for number in range(block["first"], block["first"] + count)
	]


def _write_bulk(records, import_name, progress) -> list[str]:
	now, user = now_datetime(), frappe.session.user
	names = reserve_names(len(records))
	child_standard = (*STANDARD_FIELDS, "parent", "parenttype", "parentfield")
	hashes = iter(hash_names(sum(len(record.guardians) for record in records)))
	# what doc.insert() fills into empty fields (an empty Select's first option, say), from frappe itself
	defaults = frappe.new_doc(LEARNER, as_dict=True)
	guardian_defaults = frappe.new_doc(GUARDIAN, as_dict=True)

	def filled(values: dict, fields: tuple[str, ...], default: dict) -> tuple:
		return tuple(default.get(f) if values[f] is None else values[f] for f in fields)

	for start in range(0, len(records), CHUNK):
		chunk = list(zip(names[start : start + CHUNK], records[start : start + CHUNK], strict=True))
		learners, guardians = [], []
		for name, record in chunk:
			learners.append(
				(name, user, user, now, now, 0, 0, *filled(record.values, LEARNER_FIELDS, defaults))
			)
			for idx, guardian in enumerate(record.guardians, start=1):
				guardians.append(
					(
						next(hashes),
						user,
						user,
						now,
						now,
						0,
						idx,
						name,
						LEARNER,
						"guardians",
						*filled(guardian, GUARDIAN_FIELDS, guardian_defaults),
					)
				)
		insert_rows(LEARNER, (*STANDARD_FIELDS, *LEARNER_FIELDS), learners)
		insert_rows(GUARDIAN, (*child_standard, *GUARDIAN_FIELDS), guardians)
		if progress:
			progress(start + len(chunk), len(records))
	_insert_versions([(name, user, now) for name in names], import_name)
	searchable = [(name, record.values["full_name"]) for name, record in zip(names, records, strict=True)]
	frappe.db.after_commit.add(lambda: _index_for_search(searchable))
	_announce(names)
	return names


def _insert_versions(created: list[tuple[str, str, object]], import_name: str) -> None:
	"""The Version that ``doc.insert()`` leaves for a document created by an importer (as frappe's Data Import
	does): each learner's timeline says it was created via this Learner Import."""
	reference = updater_reference(import_name)
	rows = []
	for (name, owner, creation), version_name in zip(created, hash_names(len(created)), strict=True):
		data = {"creation": creation, "updater_reference": reference, "created_by": owner}
		rows.append(
			(
				version_name,
				owner,
				owner,
				creation,
				creation,
				0,
				0,
				LEARNER,
				name,
				frappe.as_json(data, indent=None, separators=(",", ":")),
			)
		)
	for start in range(0, len(rows), CHUNK):
		insert_rows(
			"Version", (*STANDARD_FIELDS, "ref_doctype", "docname", "data"), rows[start : start + CHUNK]
		)


def _announce(names: list[str]) -> None:
	"""One "list changed" message for open Learner lists, after the commit."""
	if names:
		frappe.publish_realtime(
			"list_update",
			{"doctype": LEARNER, "name": names[-1], "user": frappe.session.user},
			after_commit=True,
		)


def _index_for_search(learners: list[tuple[str, str]]) -> None:
	"""What ``doc.insert()`` queues for global search, through frappe's own function, after the commit."""
	doc = frappe.new_doc(LEARNER)
	for name, full_name in learners:
		doc.name, doc.full_name = name, full_name
		update_global_search(doc)
