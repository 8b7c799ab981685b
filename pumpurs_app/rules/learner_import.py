"""Learner import from an Excel workbook: the template's columns, reading a workbook and checking it whole.

A file is read and every row checked before anything is written. Each problem becomes a :class:`CellError`
(row, column, reason), every one of them is collected, and a file with any error imports nothing. The checks
are the Learner controller's own rules (:func:`learners.identify`, :func:`target_group.check_education_type`,
:func:`target_group.check_target_group`, :func:`learners.check_consent`) plus what frappe checks on every save
(required values, choices, lengths, e-mail and phone formats) and what only a whole file shows (the same
personal code twice). What the database knows — which institutions exist and are the user's, which personal
codes are already active — comes in as :class:`Facts`, so nothing here needs frappe.

Formulas are never evaluated: a cell holding one is refused. Values this app writes into a workbook pass
through :func:`pumpurs_app.rules.spreadsheets.safe_cell`.
"""

import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from pumpurs_app.rules import learners, personal_code, target_group
from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.spreadsheets import (
	MB,
	WorkbookLimits,
	formula_start,
	open_workbook,
	safe_cell,
	sheet_rows,
)

DATA_SHEET = "Izglītojamie"
LISTS_SHEET = "Saraksti"
MAX_ROWS = 50_000  # learners in one file; larger registers are imported in several files
# The template filled with 50,000 learners is 2.3 MB and unpacks to 36 MB (the 10,000 of
# benchmarks/learner_import.py: 0.6 MB). It has 15 columns; cells in further columns are reported one by one
# as outside the template, up to column BL.
LIMITS = WorkbookLimits(max_bytes=10 * MB, max_unzipped_bytes=64 * MB, max_rows=MAX_ROWS + 1, max_columns=64)
MAX_TEXT = 140  # frappe's Data fields are varchar(140)
ACTIVE = "Active"


@dataclass(frozen=True)
class Column:
	key: str  # a Learner field, or guardian_* for the one guardian a row may carry
	latvian: str  # the heading in the template
	english: str  # the heading's English name: accepted in a file, shown to English-speaking users
	hint: str  # English help shown as the heading's comment (with its Latvian translation)
	required: bool = False  # the column must exist and every row needs a value
	kind: str = "text"  # text, code, date, int, choice


# The template's columns, in order. Choices are the Learner's stored option values (see CHOICES).
COLUMNS: tuple[Column, ...] = (
	Column("first_name", "Vārds", "First Name", "Required.", required=True),
	Column("last_name", "Uzvārds", "Last Name", "Required.", required=True),
	Column(
		"personal_code",
		"Personas kods",
		"Personal Code",
		"Required. DDMMYY-CNNNN or a new code starting with 32.",
		required=True,
		kind="code",
	),
	Column(
		"date_of_birth",
		"Dzimšanas datums",
		"Date of Birth",
		"DD.MM.YYYY. Required for new-format personal codes (starting with 32); otherwise taken from the code.",
		kind="date",
	),
	Column(
		"institution",
		"Izglītības iestāde",
		"Educational Institution",
		"Required. One of your institutions, as in the list.",
		required=True,
	),
	Column(
		"education_type",
		"Izglītības veids",
		"Education Type",
		"Required. Choose from the list.",
		required=True,
		kind="choice",
	),
	Column(
		"grade",
		"Klase / kurss",
		"Grade / Vocational Year",
		"Required. A number: grade 1–12 of general education, year 1–4 of vocational education.",
		required=True,
		kind="int",
	),
	Column("class_label", "Klase / grupa", "Class / Group", "For example 7.b or MT-21."),
	Column("status", "Statuss", "Status", "Choose from the list; empty means Active.", kind="choice"),
	Column(
		"consent_date", "Iesnieguma parakstīšanas datums", "Application Signed On", "DD.MM.YYYY.", kind="date"
	),
	Column(
		"consent_given_by",
		"Parakstīja",
		"Signed By",
		"Choose from the list. Required when the application is signed.",
		kind="choice",
	),
	Column(
		"guardian_name",
		"Vecāka vai aizbildņa vārds, uzvārds",
		"Guardian Name",
		"One parent or guardian; name and relation go together.",
	),
	Column("guardian_relation", "Radniecība", "Guardian Relation", "Choose from the list.", kind="choice"),
	Column("guardian_phone", "Vecāka vai aizbildņa tālrunis", "Guardian Phone", "For example +371 20000000."),
	Column("guardian_email", "Vecāka vai aizbildņa e-pasts", "Guardian Email", ""),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
GUARDIAN_KEYS = ("guardian_name", "guardian_relation", "guardian_phone", "guardian_email")

# stored option value -> its Latvian label (the same words as translations/lv.csv; a unit test keeps them so)
CHOICES: dict[str, dict[str, str]] = {
	"education_type": {target_group.GENERAL: "Vispārējā", target_group.VOCATIONAL: "Profesionālā"},
	"status": {
		ACTIVE: "Aktīvs",
		"Left": "Pārtraucis mācības",
		"Graduated": "Absolvējis",
		"Transferred": "Pārcelts",
	},
	"consent_given_by": {
		learners.PARENT: "Vecāks vai aizbildnis",
		learners.ADULT_LEARNER: "Pilngadīgs izglītojamais",
	},
	"guardian_relation": {
		"Mother": "Māte",
		"Father": "Tēvs",
		"Guardian": "Aizbildnis",
		"Foster Parent": "Audžuvecāks",
		"Other": "Cits",
	},
}

# the characters that make a spreadsheet treat a text as a formula (OWASP "CSV injection"), with the
# full-width forms some spreadsheet locales accept too
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\.?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WHOLE = re.compile(r"^\d{1,3}\.?$")  # "7" or "7." as Latvians write grades
_PHONE = re.compile(r"^[0-9 +_\-,.*#()]{1,20}$")  # the same pattern as frappe.utils.validate_phone_number
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_OLE2 = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


def write_workbook(title: str, rows: list[list], widths: Iterable[int] = ()) -> bytes:
	"""A one-sheet workbook of ``rows`` (the first one bold: the headings) in which no cell is a formula: text
	is neutralised and characters a workbook cannot hold are dropped."""
	from openpyxl import Workbook
	from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
	from openpyxl.styles import Font
	from openpyxl.utils import get_column_letter

	workbook = Workbook()
	sheet = workbook.active
	sheet.title = title[:31]
	for row in rows:
		sheet.append(
			[
				safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value)
				for value in row
			]
		)
	for cell in sheet[1]:
		cell.font = Font(bold=True)
	for index, width in enumerate(widths, start=1):
		sheet.column_dimensions[get_column_letter(index)].width = width
	sheet.freeze_panes = "A2"
	out = io.BytesIO()
	workbook.save(out)
	return out.getvalue()


def header_key(text) -> str:
	"""How a heading is compared: case, spaces and a trailing required-marker ``*`` do not matter."""
	return " ".join(str(text).replace("*", " ").casefold().split())


# what a heading may say: the Latvian heading, its English name or the Learner field name
HEADINGS: dict[str, str] = {}
for _column in COLUMNS:
	for _alias in (_column.latvian, _column.english, _column.key):
		HEADINGS[header_key(_alias)] = _column.key


# --- results ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
	"""One problem: the Excel row (1 is the heading row; ``None`` for the file as a whole), the column (a key
	of COLUMN_BY_KEY, ``None`` when no single column is at fault), its letter in the file, the reason and the
	value found."""

	row: int | None
	column: str | None
	letter: str | None
	violation: RuleViolation
	value: object = None

	@property
	def reason(self) -> str:
		return str(self.violation)


@dataclass
class SheetRow:
	number: int  # the Excel row number
	values: dict[str, object]  # column key -> raw cell value
	broken: set[str] = field(default_factory=set)  # columns whose cell was refused while reading (a formula)


@dataclass
class Sheet:
	"""A workbook's data sheet: which column is where, and the filled rows."""

	letters: dict[str, str] = field(default_factory=dict)  # column key -> column letter
	rows: list[SheetRow] = field(default_factory=list)
	errors: list[CellError] = field(default_factory=list)  # what reading found: the template, formulas


@dataclass(frozen=True)
class Institution:
	name: str
	education_type: str  # General, Vocational or Both
	partner: str | None
	in_scope: bool  # the importing user may register learners there


@dataclass(frozen=True)
class Facts:
	"""What the database says, looked up once for the whole file."""

	today: date
	school_year: str  # the current term's, as the Learner controller takes it
	term_type: str
	institutions: Mapping[str, Institution]  # institution_key(name or registration code) -> institution
	active_codes: Mapping[str, str]  # normalised personal code of an active learner -> their institution


@dataclass
class LearnerRecord:
	"""A checked row: exactly the values the Learner controller would store for it."""

	row: int
	values: dict[str, object]
	guardians: list[dict[str, object]]


@dataclass
class Result:
	records: list[LearnerRecord]
	errors: list[CellError]
	row_count: int

	@property
	def ok(self) -> bool:
		return not self.errors and bool(self.records)


def institution_key(value: str) -> str:
	return " ".join(str(value).casefold().split())


# --- reading ---------------------------------------------------------------------------------------------


def read(content: bytes, limits: WorkbookLimits = LIMITS) -> Sheet:
	"""Read the data sheet of a workbook: headings in row 1, learners below. Formulas are not evaluated. A
	file beyond ``limits`` is refused before it is read."""
	from openpyxl.utils import get_column_letter

	if not content:
		raise RuleViolation("The file is empty.")
	if content.startswith(_OLE2):
		raise RuleViolation(
			"This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) and upload it again."
		)
	unreadable = RuleViolation("The file is not an Excel workbook (.xlsx). Use the template.")
	workbook = open_workbook(content, limits, unreadable, data_only=False)
	try:
		worksheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.worksheets[0]
		sheet = Sheet()
		rows = sheet_rows(worksheet, limits)
		heading_cells = next(rows, ())
		positions = _read_headings(heading_cells, sheet, get_column_letter)
		if sheet.errors and not positions:
			return sheet
		for number, cells in enumerate(rows, start=2):
			values: dict[str, object] = {}
			broken: set[str] = set()
			for index, cell in enumerate(cells):
				value = cell.value
				if value is None or (isinstance(value, str) and not value.strip()):
					continue
				key = positions.get(index)
				if getattr(cell, "data_type", None) == "f" or (
					isinstance(value, str) and formula_start(value.lstrip())
				):
					sheet.errors.append(
						CellError(
							number,
							key,
							get_column_letter(index + 1),
							RuleViolation(
								"The cell holds a formula ({formula}); type the value itself. Formulas are not evaluated.",
								formula=_formula_text(value),
							),
							_formula_text(value),
						)
					)
					broken.add(key or "")
					continue
				if getattr(cell, "data_type", None) == "e":
					sheet.errors.append(
						CellError(
							number,
							key,
							get_column_letter(index + 1),
							RuleViolation("The cell shows a spreadsheet error ({value}).", value=str(value)),
							value,
						)
					)
					broken.add(key or "")
					continue
				if key is None:
					sheet.errors.append(
						CellError(
							number,
							None,
							get_column_letter(index + 1),
							RuleViolation("This cell is outside the template's columns; leave it empty."),
							value,
						)
					)
					continue
				values[key] = value
			if not values and not broken:
				continue  # an empty row (the template formats many)
			sheet.rows.append(SheetRow(number, values, broken))
		if not sheet.rows and not sheet.errors:
			sheet.errors.append(
				CellError(
					None,
					None,
					None,
					RuleViolation("The file has no learners: fill in the rows under the headings."),
				)
			)
		return sheet
	finally:
		workbook.close()


def _formula_text(value) -> str:
	text = getattr(value, "text", value)  # openpyxl's ArrayFormula keeps the formula in .text
	return str(text)


def _read_headings(cells, sheet: Sheet, get_column_letter) -> dict[int, str]:
	positions: dict[int, str] = {}
	unknown = []
	for index, cell in enumerate(cells):
		value = cell.value
		if value is None or not str(value).strip():
			continue
		letter = get_column_letter(index + 1)
		key = HEADINGS.get(header_key(value))
		if key is None:
			unknown.append((letter, value))
		elif key in sheet.letters:
			sheet.errors.append(
				CellError(
					1,
					key,
					letter,
					RuleViolation(
						"Column {column} appears twice (also in column {other}).",
						column=COLUMN_BY_KEY[key].english,
						other=sheet.letters[key],
					),
					value,
				)
			)
		else:
			positions[index] = key
			sheet.letters[key] = letter
	if not positions:
		sheet.errors.append(
			CellError(
				1,
				None,
				None,
				RuleViolation(
					"This is not the learner import template: row 1 has none of its column headings. Download the template and fill it in."
				),
			)
		)
		return positions
	for letter, value in unknown:
		sheet.errors.append(
			CellError(
				1,
				None,
				letter,
				RuleViolation("Column {heading} is not part of the template.", heading=str(value)),
				value,
			)
		)
	for column in COLUMNS:
		if column.required and column.key not in sheet.letters:
			sheet.errors.append(
				CellError(
					1,
					column.key,
					None,
					RuleViolation("Column {column} is missing from the file.", column=column.english),
				)
			)
	return positions


# --- what the database must be asked ---------------------------------------------------------------------


def wanted_institutions(sheet: Sheet) -> set[str]:
	return {_text_value(row.values["institution"]) for row in sheet.rows if "institution" in row.values}


def wanted_codes(sheet: Sheet, today: date) -> set[str]:
	"""The valid personal codes in the file, normalised (the invalid ones are reported by :func:`check`)."""
	codes = set()
	for row in sheet.rows:
		try:
			codes.add(personal_code.normalize(_code_text(row.values.get("personal_code")), today))
		except RuleViolation:
			pass
	return codes


# --- checking --------------------------------------------------------------------------------------------


def _default_email(value: str) -> bool:
	return bool(_EMAIL.match(value))


def _default_phone(value: str) -> bool:
	return bool(_PHONE.match(value))


def check(
	sheet: Sheet,
	facts: Facts,
	*,
	is_email: Callable[[str], bool] = _default_email,
	is_phone: Callable[[str], bool] = _default_phone,
	progress: Callable[[int, int], None] | None = None,
) -> Result:
	"""Check every row; return the learners to write, or every error found (then nothing may be written).

	``is_email`` and ``is_phone`` let the caller use frappe's own validators, so that a file passes exactly
	when frappe would accept the values."""
	errors = list(sheet.errors)
	records: list[LearnerRecord] = []
	total = len(sheet.rows)
	for index, sheet_row in enumerate(sheet.rows):
		row = _Row(sheet_row, sheet.letters)
		record = row.check(facts, is_email, is_phone)
		errors.extend(row.errors)
		if record is not None:
			records.append(record)
		if progress and (index + 1) % 1000 == 0:
			progress(index + 1, total)
	errors.extend(_duplicates_in_file(sheet, facts.today))
	errors.sort(key=lambda e: (e.row or 0, _column_order(e.column), e.letter or ""))
	return Result(records=[] if errors else records, errors=errors, row_count=total)


def _column_order(key: str | None) -> int:
	keys = list(COLUMN_BY_KEY)
	return keys.index(key) if key in COLUMN_BY_KEY else -1


def _duplicates_in_file(sheet: Sheet, today: date) -> list[CellError]:
	rows_by_code: dict[str, list[SheetRow]] = {}
	for row in sheet.rows:
		try:
			code = personal_code.normalize(_code_text(row.values.get("personal_code")), today)
		except RuleViolation:
			continue
		rows_by_code.setdefault(code, []).append(row)
	errors = []
	for code, rows in rows_by_code.items():
		if len(rows) < 2:
			continue
		for row in rows:
			others = ", ".join(str(other.number) for other in rows if other is not row)
			errors.append(
				CellError(
					row.number,
					"personal_code",
					sheet.letters.get("personal_code"),
					RuleViolation(
						"Personal code {code} appears more than once in the file (also in row {rows}).",
						code=code,
						rows=others,
					),
					row.values.get("personal_code"),
				)
			)
	return errors


class _Row:
	"""One row being checked; collects its errors."""

	def __init__(self, row: SheetRow, letters: dict[str, str]) -> None:
		self.number = row.number
		self.raw = row.values
		self.broken = row.broken
		self.letters = letters
		self.errors: list[CellError] = []

	def fail(self, key: str, violation: RuleViolation) -> None:
		self.errors.append(CellError(self.number, key, self.letters.get(key), violation, self.raw.get(key)))

	def value(self, key: str, convert: Callable[[object], object]):
		raw = self.raw.get(key)
		if raw is None:
			# a missing column or a refused cell is reported once, not again as a missing value
			if COLUMN_BY_KEY[key].required and key in self.letters and key not in self.broken:
				self.fail(key, RuleViolation("A value is required."))
			return None
		try:
			return convert(raw)
		except RuleViolation as exc:
			self.fail(key, exc)
			return None

	def choice(self, key: str):
		return self.value(key, lambda raw: _choice(key, raw))

	def check(self, facts: Facts, is_email, is_phone) -> LearnerRecord | None:
		first_name = self.value("first_name", _text)
		last_name = self.value("last_name", _text)
		code_text = self.value("personal_code", _code_text_checked)
		entered_birth = self.value("date_of_birth", _date)
		institution = self.institution(facts)
		education_type = self.choice("education_type")
		grade = self.value("grade", _whole)
		class_label = self.value("class_label", _text)
		status = self.choice("status") or ACTIVE
		consent_date = self.value("consent_date", _date)
		consent_given_by = self.choice("consent_given_by")
		guardian = self.guardian(is_email, is_phone)

		identity = None
		if code_text is not None:
			try:
				personal_code.normalize(code_text, facts.today)
			except RuleViolation as exc:
				self.fail("personal_code", exc)
			else:
				birth_unreadable = "date_of_birth" in self.broken or (
					"date_of_birth" in self.raw and entered_birth is None
				)
				if not birth_unreadable:
					try:
						identity = learners.identify(code_text, entered_birth, facts.today)
					except RuleViolation as exc:
						self.fail("date_of_birth", exc)
		if institution and education_type:
			try:
				target_group.check_education_type(institution.education_type, education_type)
			except RuleViolation as exc:
				self.fail("education_type", exc)
		if education_type and grade is not None:
			try:
				target_group.check_target_group(education_type, grade, facts.school_year, facts.term_type)
			except RuleViolation as exc:
				self.fail("grade", exc)
		if identity:
			self.consent(consent_date, consent_given_by, identity.date_of_birth, facts.today)
			if status == ACTIVE and identity.personal_code in facts.active_codes:
				self.already_active(identity.personal_code, facts)
		if (
			self.errors
			or self.broken
			or None in (first_name, last_name, identity, institution, education_type, grade)
		):
			return (
				None  # (a value can only be missing without an error here when its column is: a file error)
			)
		values = {
			"first_name": first_name,
			"last_name": last_name,
			**learners.derived_fields(identity, first_name, last_name, status),
			"status": status,
			"institution": institution.name,
			"partner": institution.partner,
			"education_type": education_type,
			"grade": grade,
			"class_label": class_label,
			"consent_date": consent_date,
			"consent_given_by": consent_given_by,
		}
		return LearnerRecord(self.number, values, [guardian] if guardian else [])

	def institution(self, facts: Facts) -> Institution | None:
		name = self.value("institution", _text)
		if name is None:
			return None
		found = facts.institutions.get(institution_key(name))
		if found is None:
			self.fail(
				"institution", RuleViolation("There is no educational institution {value}.", value=name)
			)
			return None
		if not found.in_scope:
			self.fail(
				"institution",
				RuleViolation(
					"{institution} is not one of your institutions, so you cannot register learners there.",
					institution=found.name,
				),
			)
			return None
		return found

	def consent(self, signed_on: date | None, signed_by: str | None, born: date, today: date) -> None:
		try:
			learners.check_consent(signed_on, signed_by, born, today)
		except RuleViolation as exc:
			# a future date is the date's fault; a missing or wrong signer is the signer's
			self.fail("consent_date" if signed_on and signed_on > today else "consent_given_by", exc)

	def already_active(self, code: str, facts: Facts) -> None:
		where = facts.active_codes[code]
		known = facts.institutions.get(institution_key(where))
		if known and known.in_scope:
			violation = RuleViolation(
				"An active learner with personal code {code} is already registered at {institution}.",
				code=code,
				institution=where,
			)
		else:  # neither where someone studies outside the user's institutions, nor that the code is known
			violation = learners.active_elsewhere(code)
		self.fail("personal_code", violation)

	def guardian(self, is_email, is_phone) -> dict | None:
		if not any(key in self.raw for key in GUARDIAN_KEYS):
			return None
		name = self.value("guardian_name", _text)
		relation = self.choice("guardian_relation")
		phone = self.value("guardian_phone", _text)
		email = self.value("guardian_email", _text)
		for key, value in (("guardian_name", name), ("guardian_relation", relation)):
			if value is None and key not in self.raw and key not in self.broken:
				self.fail(key, RuleViolation("Give the parent's or guardian's name and relation together."))
		if phone is not None and not is_phone(phone):
			self.fail("guardian_phone", RuleViolation("{value} is not a valid phone number.", value=phone))
		if email is not None and not is_email(email):
			self.fail("guardian_email", RuleViolation("{value} is not a valid e-mail address.", value=email))
		return {"guardian_name": name, "relation": relation, "phone": phone, "email": email}


# --- cell values -----------------------------------------------------------------------------------------


def _text_value(raw) -> str:
	if isinstance(raw, float) and raw.is_integer():
		raw = int(raw)
	return str(raw).strip()


def _text(raw) -> str:
	if isinstance(raw, datetime | date):
		raise RuleViolation(
			"The spreadsheet turned this value into a date; format the column as text and type it again."
		)
	if isinstance(raw, bool):
		raise RuleViolation("Expected text, found {value}.", value=str(raw))
	text = _text_value(raw)
	if len(text) > MAX_TEXT:
		raise RuleViolation("The value is longer than {limit} characters.", limit=MAX_TEXT)
	if "<" in text or ">" in text:
		raise RuleViolation("The value cannot contain < or >.")
	return text


def _code_text(raw) -> str:
	"""A personal code as text; one typed as a number lost its leading zero, which is put back."""
	if raw is None:
		return ""
	if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
		return str(int(raw)).zfill(11)
	return str(raw).strip()


def _code_text_checked(raw) -> str:
	if isinstance(raw, datetime | date | bool):
		raise RuleViolation("{code} is not a valid Latvian personal code.", code=str(raw))
	return _code_text(raw)


def _date(raw) -> date:
	if isinstance(raw, datetime):
		return raw.date()
	if isinstance(raw, date):
		return raw
	text = _text_value(raw)
	match = _DMY.match(text) or _YMD.match(text)
	if match:
		parts = [int(part) for part in match.groups()]
		try:
			return date(*parts) if match.re is _YMD else date(parts[2], parts[1], parts[0])
		except ValueError:
			pass
	raise RuleViolation("{value} is not a valid date; write it as DD.MM.YYYY.", value=text)


def _whole(raw) -> int:
	if isinstance(raw, bool):
		raise RuleViolation("{value} is not a whole number.", value=str(raw))
	if isinstance(raw, int):
		return raw
	if isinstance(raw, float) and raw.is_integer():
		return int(raw)
	text = _text_value(raw)
	if _WHOLE.match(text):
		return int(text.rstrip("."))
	raise RuleViolation("{value} is not a whole number.", value=text)


_CHOICE_LOOKUP: dict[str, dict[str, str]] = {
	key: {header_key(alias): stored for stored, latvian in labels.items() for alias in (stored, latvian)}
	for key, labels in CHOICES.items()
}


def _choice(key: str, raw) -> str:
	text = _text_value(raw)
	stored = _CHOICE_LOOKUP[key].get(header_key(text))
	if stored is None:
		raise RuleViolation(
			"{value} is not one of the choices: {options}.", value=text, options=tuple(CHOICES[key])
		)
	return stored


# --- the template ----------------------------------------------------------------------------------------

INSTRUCTIONS = (
	"Fill in one learner per row of the sheet Izglītojamie, from row 2. Keep the headings in row 1.",
	"Type values, not formulas: cells with formulas are refused.",
	"Personal codes: DDMMYY-CNNNN, or a new code starting with 32 (then also give the date of birth).",
	"Dates: DD.MM.YYYY. Choose institutions, education types and other lists from the drop-down lists.",
	"The whole file is checked first. If any row has an error, nothing is imported and you get a list of the errors by row and column.",
)
LIST_ERROR = "Choose a value from the list."
GRADE_ERROR = "Type a whole number from 1 to 12."
_HEADING_FILL = "DDEBF7"
_WIDTHS = {"text": 22, "code": 16, "date": 14, "int": 10, "choice": 20}


def build_template(institutions: Iterable[str], latvian: Callable[[str], str], rows: int = MAX_ROWS) -> bytes:
	"""The import template: Latvian headings (English names and help in their comments), drop-down lists
	for the choices and for ``institutions`` (the user's), text format for personal codes, dates as
	DD.MM.YYYY. ``latvian`` translates the English help texts."""
	from openpyxl import Workbook
	from openpyxl.comments import Comment
	from openpyxl.styles import Alignment, Font, PatternFill
	from openpyxl.utils import get_column_letter, quote_sheetname
	from openpyxl.worksheet.datavalidation import DataValidation

	workbook = Workbook()
	sheet = workbook.active
	sheet.title = DATA_SHEET
	lists = workbook.create_sheet(LISTS_SHEET)
	notes = workbook.create_sheet("Norādījumi")
	last = rows + 1
	list_count = 0
	list_columns = {key: list(labels.values()) for key, labels in CHOICES.items()}
	list_columns["institution"] = sorted({str(name) for name in institutions})
	for position, column in enumerate(COLUMNS, start=1):
		letter = get_column_letter(position)
		cell = sheet.cell(row=1, column=position, value=column.latvian + (" *" if column.required else ""))
		cell.font = Font(bold=True)
		cell.fill = PatternFill("solid", fgColor=_HEADING_FILL)
		cell.alignment = Alignment(wrap_text=True, vertical="top")
		help_lv = latvian(column.hint) if column.hint else ""
		comment = Comment(f"{help_lv}\n\n{column.english}. {column.hint}".strip(), "PuMPuRS")
		comment.width, comment.height = 300, 140
		cell.comment = comment
		dimension = sheet.column_dimensions[letter]
		dimension.width = 34 if column.key in ("institution", "guardian_name") else _WIDTHS[column.kind]
		if column.kind == "code":
			dimension.number_format = "@"
		elif column.kind == "date":
			dimension.number_format = "DD.MM.YYYY"
		if column.key in list_columns:
			list_count += 1
			list_letter = get_column_letter(list_count)
			values = list_columns[column.key]
			lists[f"{list_letter}1"] = column.latvian
			for index, value in enumerate(values, start=2):
				lists[f"{list_letter}{index}"] = safe_cell(value)
			validation = DataValidation(
				type="list",
				formula1=f"{quote_sheetname(LISTS_SHEET)}!${list_letter}$2:${list_letter}${max(len(values), 1) + 1}",
				allow_blank=True,
				showErrorMessage=True,
				errorTitle=column.latvian,
				error=latvian(LIST_ERROR),
			)
			validation.add(f"{letter}2:{letter}{last}")
			sheet.add_data_validation(validation)
		elif column.kind == "int":
			validation = DataValidation(
				type="whole",
				operator="between",
				formula1="1",
				formula2="12",
				allow_blank=True,
				showErrorMessage=True,
				errorTitle=column.latvian,
				error=latvian(GRADE_ERROR),
			)
			validation.add(f"{letter}2:{letter}{last}")
			sheet.add_data_validation(validation)
	sheet.freeze_panes = "A2"
	sheet.row_dimensions[1].height = 32
	lists.sheet_state = "hidden"
	notes.column_dimensions["A"].width = 120
	for index, line in enumerate(INSTRUCTIONS, start=1):
		notes.cell(row=2 * index - 1, column=1, value=latvian(line))
		notes.cell(row=2 * index, column=1, value=line).font = Font(italic=True, color="666666")
	workbook.active = 0
	out = io.BytesIO()
	workbook.save(out)
	return out.getvalue()
