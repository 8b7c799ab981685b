"""The learner import's rules: reading the template, checking every row, refusing formulas, neutralising them
on the way out."""

import csv
import io
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from pumpurs_app.rules import RuleViolation, learner_import, personal_code
from pumpurs_app.rules.learner_import import COLUMNS, Facts, Institution, institution_key
from pumpurs_app.rules.spreadsheets import safe_cell
from tests.unit.hostile_files import padded_sheet, peak_while, rewritten, zip_bomb

TODAY = date(2026, 11, 28)
SCHOOL = "Testa 1. vidusskola"
VET = "Testa Valsts tehnikums"
OTHER = "Citas pašvaldības skola"
HEADINGS = [column.latvian for column in COLUMNS]
OLD_CODE = personal_code.make_old_format(date(2013, 5, 17), 101)
NEW_CODE = personal_code.make_new_format(12_345)


def facts(active_codes: dict | None = None) -> Facts:
	institutions = {}
	for name, code, kind, in_scope in (
		(SCHOOL, "4112900001", "General", True),
		(VET, "4112900003", "Vocational", True),
		(OTHER, "4112900009", "Both", False),
	):
		found = Institution(name, kind, "Partneris", in_scope)
		institutions[institution_key(name)] = institutions[code] = found
	return Facts(TODAY, "2026/2027", "Semester 1", institutions, active_codes or {})


def row(**values) -> dict:
	base = {
		"first_name": "Anna",
		"last_name": "Bērziņa",
		"personal_code": OLD_CODE,
		"institution": SCHOOL,
		"education_type": "Vispārējā",
		"grade": 7,
		"class_label": "7.b",
		"consent_date": date(2026, 9, 2),
		"consent_given_by": "Vecāks vai aizbildnis",
		"guardian_name": "Ilze Bērziņa",
		"guardian_relation": "Māte",
		"guardian_phone": "+371 20000000",
		"guardian_email": "ilze@example.lv",
	}
	base.update(values)
	return {k: v for k, v in base.items() if v is not None}


def workbook(rows: list[dict], headings: list[str] | None = None) -> bytes:
	book = Workbook()
	sheet = book.active
	sheet.title = learner_import.DATA_SHEET
	headings = HEADINGS if headings is None else headings
	sheet.append(headings)
	keys = [learner_import.HEADINGS.get(learner_import.header_key(h)) for h in headings]
	for values in rows:
		sheet.append([values.get(key) if key else None for key in keys])
	out = io.BytesIO()
	book.save(out)
	return out.getvalue()


def check(rows: list[dict], active_codes: dict | None = None, **kwargs) -> learner_import.Result:
	return learner_import.check(learner_import.read(workbook(rows, **kwargs)), facts(active_codes))


def errors_of(result) -> list[tuple]:
	return [(e.row, e.column, e.violation.message) for e in result.errors]


def test_a_good_file_gives_what_the_controller_would_store():
	result = check(
		[
			row(),
			row(
				first_name=" Jānis ",
				last_name="Ozols",
				personal_code=NEW_CODE,
				date_of_birth="01.02.2018",
				grade="3.",
				class_label=None,
				consent_date=None,
				consent_given_by=None,
				guardian_name=None,
				guardian_relation=None,
				guardian_phone=None,
				guardian_email=None,
				status="Left",
			),
			row(
				first_name="Pēteris",
				personal_code=personal_code.make_old_format(date(2005, 10, 10), 5),
				institution="4112900003",
				education_type="Vocational",
				grade=4,
				consent_given_by="Pilngadīgs izglītojamais",
				guardian_name=None,
				guardian_relation=None,
				guardian_phone=None,
				guardian_email=None,
			),
		]
	)
	assert result.ok and result.row_count == 3, errors_of(result)
	anna, janis, peteris = result.records
	assert anna.row == 2 and anna.values == {
		"first_name": "Anna",
		"last_name": "Bērziņa",
		"full_name": "Anna Bērziņa",
		"personal_code": OLD_CODE,
		"personal_code_masked": personal_code.mask(OLD_CODE),
		"active_personal_code": OLD_CODE,
		"date_of_birth": date(2013, 5, 17),
		"is_adult": 0,
		"status": "Active",
		"institution": SCHOOL,
		"partner": "Partneris",
		"education_type": "General",
		"grade": 7,
		"class_label": "7.b",
		"consent_date": date(2026, 9, 2),
		"consent_given_by": "Parent or Guardian",
	}
	assert anna.guardians == [
		{
			"guardian_name": "Ilze Bērziņa",
			"relation": "Mother",
			"phone": "+371 20000000",
			"email": "ilze@example.lv",
		}
	]
	assert janis.values["first_name"] == "Jānis" and janis.values["full_name"] == "Jānis Ozols"
	assert janis.values["date_of_birth"] == date(2018, 2, 1) and janis.values["grade"] == 3
	assert (
		janis.values["status"] == "Left"
		and janis.values["active_personal_code"] is None
		and janis.guardians == []
	)
	assert peteris.values["institution"] == VET and peteris.values["is_adult"] == 1
	assert peteris.values["consent_given_by"] == "Adult Learner"


def test_english_headings_and_stored_option_values_are_accepted():
	headings = [column.english for column in COLUMNS]
	result = check(
		[row(education_type="General", consent_given_by="Parent or Guardian", guardian_relation="mother")],
		headings=headings,
	)
	assert result.ok, errors_of(result)
	assert result.records[0].guardians[0]["relation"] == "Mother"


def test_every_kind_of_bad_row_is_reported_with_row_column_and_reason():
	rows = [
		row(personal_code="123456-12345"),  # 2: invalid code
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 1), 7), grade=13
		),  # 3: grade impossible
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 2), 7),
			education_type="Profesionālā",
			grade=2,
		),  # 4: school is General only
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 3), 7), institution="Nav tādas skolas"
		),  # 5
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 4), 7), institution=OTHER
		),  # 6: out of scope
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 5), 7), first_name=None
		),  # 7: missing value
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 6), 7), consent_date="31.02.2026"
		),  # 8: bad date
		row(personal_code=personal_code.make_new_format(1)),  # 9: new code without a birth date
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 8), 7), date_of_birth=date(2013, 1, 9)
		),  # 10
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 10), 7), grade="7.b"
		),  # 11: not a number
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 11), 7), education_type="Augstākā"
		),  # 12
		row(personal_code=personal_code.make_old_format(date(2013, 1, 12), 7), consent_given_by=None),  # 13
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 13), 7),
			consent_given_by="Pilngadīgs izglītojamais",
		),  # 14
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 14), 7), consent_date=date(2027, 1, 1)
		),  # 15
		row(personal_code=personal_code.make_old_format(date(2013, 1, 15), 7), guardian_relation=None),  # 16
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 16), 7), guardian_phone="zvanīt vakarā"
		),  # 17
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 17), 7),
			guardian_email="ilze(at)example.lv",
		),  # 18
		row(personal_code=personal_code.make_old_format(date(2013, 1, 18), 7), last_name="x" * 141),  # 19
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 19), 7), first_name="<b>Anna</b>"
		),  # 20
		row(personal_code=personal_code.make_old_format(date(2013, 1, 20), 7), status="Izslēgts"),  # 21
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 21), 7),
			class_label=datetime(2026, 3, 5),
		),  # 22
		row(
			personal_code=personal_code.make_old_format(date(2013, 1, 22), 7), grade=3
		),  # 23: a good row among the bad ones
		row(personal_code="400035-21600"),  # 24: a company number
	]
	result = check(rows)
	assert result.records == []
	found = errors_of(result)
	expected = [
		(2, "personal_code", "{code} is not a valid Latvian personal code."),
		(3, "grade", "Grade {grade} is not possible in {education_type} education (allowed {low}–{high})."),
		(
			4,
			"education_type",
			"The institution provides {institution_type} education only; the learner's education type is {learner_type}.",
		),
		(5, "institution", "There is no educational institution {value}."),
		(
			6,
			"institution",
			"{institution} is not one of your institutions, so you cannot register learners there.",
		),
		(7, "first_name", "A value is required."),
		(8, "consent_date", "{value} is not a valid date; write it as DD.MM.YYYY."),
		(9, "date_of_birth", "Enter the date of birth: a new-format personal code does not contain it."),
		(10, "date_of_birth", "Date of birth {entered} does not match personal code {code} ({from_code})."),
		(11, "grade", "{value} is not a whole number."),
		(12, "education_type", "{value} is not one of the choices: {options}."),
		(
			13,
			"consent_given_by",
			"Say who signed the application: a parent or guardian, or the adult learner.",
		),
		(
			14,
			"consent_given_by",
			"The learner was not yet 18 on {date}: a parent or guardian must sign the application.",
		),
		(15, "consent_date", "The application cannot be signed in the future ({date})."),
		(16, "guardian_relation", "Give the parent's or guardian's name and relation together."),
		(17, "guardian_phone", "{value} is not a valid phone number."),
		(18, "guardian_email", "{value} is not a valid e-mail address."),
		(19, "last_name", "The value is longer than {limit} characters."),
		(20, "first_name", "The value cannot contain < or >."),
		(21, "status", "{value} is not one of the choices: {options}."),
		(
			22,
			"class_label",
			"The spreadsheet turned this value into a date; format the column as text and type it again.",
		),
		(24, "personal_code", "{code} is a company registration number, not a personal code."),
	]
	assert found == expected
	by_row = {e.row: e for e in result.errors}
	assert by_row[2].letter == "C" and by_row[2].value == "123456-12345"
	assert by_row[12].violation.params["options"] == ("General", "Vocational")


def test_grades_1_to_4_join_only_from_2021():
	old_facts = facts()
	old_facts = Facts(TODAY, "2020/2021", "Semester 2", old_facts.institutions, {})
	sheet = learner_import.read(
		workbook([row(personal_code=NEW_CODE, date_of_birth=date(2018, 2, 1), grade=3)])
	)
	result = learner_import.check(sheet, old_facts)
	assert [e.column for e in result.errors] == ["grade"]
	assert "target group" in result.errors[0].reason


def test_duplicates_within_the_file_and_against_the_database():
	twice = personal_code.make_old_format(date(2012, 3, 3), 1)
	active = personal_code.make_old_format(date(2012, 4, 4), 2)
	elsewhere = personal_code.make_old_format(date(2012, 5, 5), 3)
	history = personal_code.make_old_format(date(2012, 6, 6), 4)
	result = check(
		[
			row(personal_code=twice),
			row(personal_code=twice.replace("-", "")),  # the same code written without the hyphen
			row(personal_code=active),
			row(personal_code=elsewhere),
			row(
				personal_code=history, status="Pārcelts"
			),  # a record that is not active may share an active code
		],
		active_codes={active: SCHOOL, elsewhere: OTHER, history: SCHOOL},
	)
	assert {(e.row, e.reason) for e in result.errors} == {
		(2, f"Personal code {twice} appears more than once in the file (also in row 3)."),
		(3, f"Personal code {twice} appears more than once in the file (also in row 2)."),
		(4, f"An active learner with personal code {active} is already registered at {SCHOOL}."),
		# the other institution is outside the user's scope: neither it nor that the code is known is told
		(
			5,
			"This learner cannot be registered here. The PuMPuRS coordinators have been told and will resolve it with you.",
		),
	}
	refused = next(e for e in result.errors if e.row == 5)
	assert refused.violation.params["active_code"] == elsewhere  # for the importer to report, never shown


def test_formulas_are_refused_never_evaluated():
	book = Workbook()
	sheet = book.active
	sheet.append(HEADINGS)
	sheet.append(["Anna", '=CONCATENATE("Bērz","iņa")', OLD_CODE, None, SCHOOL, "Vispārējā", "=3+4"])
	sheet.append(["Jānis", "Ozols", '=HYPERLINK("http://evil","x")', None, SCHOOL, "Vispārējā", 7])
	out = io.BytesIO()
	book.save(out)
	result = learner_import.check(learner_import.read(out.getvalue()), facts())
	assert result.records == []
	assert [(e.row, e.column, e.letter) for e in result.errors] == [
		(2, "last_name", "B"),
		(2, "grade", "G"),
		(3, "personal_code", "C"),
	]  # and no "A value is required." for the refused cells
	assert result.errors[0].reason.startswith('The cell holds a formula (=CONCATENATE("Bērz","iņa"))')


def test_formulas_as_excel_saves_them_with_their_results_and_error_cells_are_refused():
	"""Excel saves a formula with its last result (``<f>`` and ``<v>``), writes a shared formula once and
	refers to it from the other cells, and marks error cells ``t="e"``: the reader sees the results only, so
	the workbook's own XML must tell which cells are formulas or errors. Here a row's cells hold such
	formulas with plausible results, a typed ``#N/A``, and the last row holds a formula alone."""
	content = workbook([row(), row(personal_code=NEW_CODE), row(personal_code=None)])
	sheet_xml = "xl/worksheets/sheet1.xml"
	xml = zipfile.ZipFile(io.BytesIO(content)).read(sheet_xml).decode()
	letters = {c.key: chr(ord("A") + i) for i, c in enumerate(COLUMNS)}
	# row 2: the last name is a formula whose result is a plausible name
	xml = re.sub(
		rf'<c r="{letters["last_name"]}2" t="inlineStr"><is><t>[^<]*</t></is></c>',
		f'<c r="{letters["last_name"]}2" t="str"><f t="shared" ref="{letters["last_name"]}2:{letters["last_name"]}3" si="0">UPPER("Bērziņa")</f><v>BĒRZIŅA</v></c>',
		xml,
	)
	# row 3: the same shared formula, written without its text
	xml = re.sub(
		rf'<c r="{letters["last_name"]}3" t="inlineStr"><is><t>[^<]*</t></is></c>',
		f'<c r="{letters["last_name"]}3" t="str"><f t="shared" si="0"/><v>BĒRZIŅA</v></c>',
		xml,
	)
	# row 4: the personal code shows an error; row 5: a formula alone with a numeric result
	xml = xml.replace(
		'<row r="4">', f'<row r="4"><c r="{letters["personal_code"]}4" t="e"><v>#N/A</v></c>'
	).replace(
		"</sheetData>", f'<row r="5"><c r="{letters["grade"]}5"><f>1+1</f><v>2</v></c></row></sheetData>'
	)
	sheet = learner_import.read(rewritten(content, {sheet_xml: xml.encode()}))
	assert learner_import.check(sheet, facts()).records == []
	assert [(e.row, e.column, e.value) for e in sheet.errors] == [
		(2, "last_name", '=UPPER("Bērziņa")'),
		(3, "last_name", '=UPPER("Bērziņa")'),
		(4, "personal_code", "#N/A"),
		(5, "grade", "=1+1"),
	]
	assert {e.violation.message for e in sheet.errors[:2]} == {
		"The cell holds a formula ({formula}); type the value itself. Formulas are not evaluated."
	}
	assert sheet.errors[2].reason == "The cell shows a spreadsheet error (#N/A)."


def test_wrong_template_and_empty_files():
	def reasons(content):
		sheet = learner_import.read(content)
		return [e.violation.message for e in learner_import.check(sheet, facts()).errors]

	assert reasons(workbook([row()], headings=["Datums", "Summa", "Saņēmējs"])) == [
		"This is not the learner import template: row 1 has none of its column headings. Download the template and fill it in."
	]
	missing = [h for h in HEADINGS if h not in ("Personas kods", "Izglītības iestāde")] + ["Piezīmes"]
	assert reasons(workbook([row()], headings=missing)) == [
		"Column {heading} is not part of the template.",
		"Column {column} is missing from the file.",
		"Column {column} is missing from the file.",
	]
	assert reasons(workbook([], headings=HEADINGS)) == [
		"The file has no learners: fill in the rows under the headings."
	]
	assert reasons(workbook([{}, {}], headings=HEADINGS)) == [
		"The file has no learners: fill in the rows under the headings."
	]
	with pytest.raises(RuleViolation, match="empty"):
		learner_import.read(b"")
	with pytest.raises(RuleViolation, match="not an Excel workbook"):
		learner_import.read(b"Vards;Uzvards\nAnna;Berzina\n")
	with pytest.raises(RuleViolation, match=r"\.xls"):
		learner_import.read(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
	assert (
		reasons(workbook([row()], headings=[*HEADINGS, "Vārds"]))[0]
		== "Column {column} appears twice (also in column {other})."
	)


def test_too_many_rows():
	limits = replace(learner_import.LIMITS, max_rows=4)  # the headings and 3 learners
	assert len(learner_import.read(workbook([row()] * 3), limits).rows) == 3
	with pytest.raises(
		RuleViolation, match=r"declares its size as A1:O5, larger than is read \(at most 4 rows"
	):
		learner_import.read(workbook([row()] * 4), limits)


def test_a_zip_bomb_declaring_a_huge_sheet_is_refused_unread():
	raised, peak = peak_while(lambda: learner_import.read(zip_bomb(HEADINGS, padded_rows=200)))
	assert str(raised).startswith(
		"A sheet of the workbook declares its size as A1:XFD1048576, larger than is read (at most 50001 rows"
	)
	assert peak < 5


def test_cells_far_to_the_right_are_refused_before_the_padding_is_walked():
	# without a declared size openpyxl pads each row to its last cell: 16,384 cells to walk a row
	far_cell = '<row><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>'
	raised, peak = peak_while(
		lambda: learner_import.read(padded_sheet(workbook([row()]), None, far_cell * 200))
	)
	assert str(raised).startswith("Row 3 of a sheet has cells after column BL, the last one that is read.")
	assert peak < 5


def test_rows_beyond_the_last_one_read_are_refused():
	beyond = '<row r="50002"><c r="A50002" t="inlineStr"><is><t>Anna</t></is></c></row>'
	with pytest.raises(RuleViolation, match=r"^The file has more than 50001 rows; at most 50001 are read\."):
		learner_import.read(padded_sheet(workbook([row()]), None, beyond))


def test_personal_code_typed_as_a_number_keeps_its_leading_zero():
	code = personal_code.make_old_format(date(2013, 1, 5), 7)  # 050113-...
	result = check([row(personal_code=int(code.replace("-", "")))])
	assert result.ok and result.records[0].values["personal_code"] == code


def test_neutralise_formula():
	for dangerous in ("=1+1", "+371 20000000", "-2", "@SUM(A1)", "\t=x", "\r=x", "＝1+1"):
		assert safe_cell(dangerous) == "'" + dangerous
	for harmless in ("Anna", "7.b", "", " =not at the start", 5, -3.5, None, date(2026, 1, 1)):
		assert safe_cell(harmless) == harmless
	# a neutralised value stays text in a workbook and in a CSV opened again
	book = Workbook()
	book.active.append([safe_cell('=HYPERLINK("http://evil")')])
	out = io.BytesIO()
	book.save(out)
	cell = load_workbook(io.BytesIO(out.getvalue())).active["A1"]
	assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://evil")'
	text = io.StringIO()
	csv.writer(text).writerow([safe_cell("=1+1")])
	assert not text.getvalue().startswith("=")


def test_template_reads_back_and_offers_the_lists():
	content = learner_import.build_template(
		[SCHOOL, "=Ļaunā skola"], latvian=lambda text: "LV " + text, rows=50
	)
	sheet = learner_import.read(content)
	assert list(sheet.letters) == [column.key for column in COLUMNS]
	assert [e.violation.message for e in sheet.errors] == [
		"The file has no learners: fill in the rows under the headings."
	]
	book = load_workbook(io.BytesIO(content))
	assert book.sheetnames[0] == learner_import.DATA_SHEET and book.active.title == learner_import.DATA_SHEET
	data, lists = book[learner_import.DATA_SHEET], book[learner_import.LISTS_SHEET]
	assert lists.sheet_state == "hidden"
	assert data["A1"].value == "Vārds *" and "First Name" in data["A1"].comment.text
	assert data["A1"].comment.text.startswith("LV Required.")
	listed = {
		lists.cell(1, c).value: [
			lists.cell(r, c).value for r in range(2, lists.max_row + 1) if lists.cell(r, c).value
		]
		for c in range(1, lists.max_column + 1)
	}
	assert listed["Izglītības iestāde"] == ["'=Ļaunā skola", SCHOOL]  # neutralised
	assert listed["Izglītības veids"] == ["Vispārējā", "Profesionālā"]
	validations = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
	assert validations["E2:E51"] == "'Saraksti'!$A$2:$A$3"
	assert validations["G2:G51"] == "1"
	assert data.column_dimensions["C"].number_format == "@"


def test_latvian_choices_and_headings_match_the_translations():
	lv = {}
	with open(
		Path(learner_import.__file__).parents[2] / "translations" / "lv.csv", newline="", encoding="utf-8"
	) as f:
		for source, target, *context in csv.reader(f):
			lv.setdefault(source, {})[context[0] if context else ""] = target
	contexts = {"guardian_relation": "Learner Guardian"}
	for key, labels in learner_import.CHOICES.items():
		for stored, latvian in labels.items():
			translations = lv[stored]
			assert latvian in (translations.get(contexts.get(key, "Learner")), translations.get("")), (
				stored,
				latvian,
			)
	for column in COLUMNS:
		translations = lv[column.english]
		assert column.latvian in (translations.get("Learner"), translations.get("")), column.english
	# the template's help, translated when it is built (not through _(), so checked here)
	texts = {column.hint for column in COLUMNS if column.hint} | set(learner_import.INSTRUCTIONS)
	texts |= {learner_import.LIST_ERROR, learner_import.GRADE_ERROR}
	assert sorted(text for text in texts if text not in lv) == []


def test_written_workbooks_hold_no_formulas():
	content = learner_import.write_workbook(
		"Kļūdas",
		[["Rinda", "Vērtība"], [2, "=1+1"], [3, "<b>Anna</b>"], [4, "a\x0bb"], [5, "+371 20000000"], [6, -3]],
		widths=(8, 30),
	)
	sheet = load_workbook(io.BytesIO(content)).active
	values = [[cell.value for cell in row] for row in sheet.iter_rows()]
	assert values == [
		["Rinda", "Vērtība"],
		[2, "'=1+1"],
		[3, "<b>Anna</b>"],
		[4, "ab"],
		[5, "'+371 20000000"],
		[6, -3],
	]
	assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
	assert sheet.title == "Kļūdas" and sheet["A1"].font.bold
