"""Checking a read workbook whole: every row against the Learner controller's rules and frappe's checks on a
save, and the file against itself (the same personal code twice). What the database knows comes in as
:class:`Facts`; a checked row comes out as exactly the values the controller would store."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from pumpurs_app.rules import dates, learners, personal_code, target_group
from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.learner_import.columns import (
	ACTIVE,
	CHOICES,
	COLUMN_BY_KEY,
	GUARDIAN_KEYS,
	MAX_TEXT,
	header_key,
)
from pumpurs_app.rules.learner_import.reading import CellError, Sheet, SheetRow

_WHOLE = re.compile(r"^\d{1,3}\.?$")  # "7" or "7." as Latvians write grades
_PHONE = re.compile(r"^[0-9 +_\-,.*#()]{1,20}$")  # the same pattern as frappe.utils.validate_phone_number
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


# --- facts and results -----------------------------------------------------------------------------------


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
	day = dates.cell_date(raw)
	if day is not None:
		return day
	text = _text_value(raw)
	day = dates.parse_date(text)
	if day is None:
		raise RuleViolation("{value} is not a valid date; write it as DD.MM.YYYY.", value=text)
	return day


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
