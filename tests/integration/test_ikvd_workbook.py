"""The IKVD workbook holds, sheet by sheet, exactly the reports the user may open, scoped like them."""

import io

import frappe
from openpyxl import load_workbook

from pumpurs_app.reporting import ikvd_workbook
from tests.integration.plans import act


def workbook(user: str, **filters):
	return load_workbook(io.BytesIO(act(user, ikvd_workbook.build, filters)))


def all_text(book) -> str:
	return " ".join(
		str(cell)
		for sheet in book
		for row in sheet.iter_rows(values_only=True)
		for cell in row
		if cell is not None
	)


def test_sheets_follow_the_users_reports_and_scope(world):
	national = workbook(world.user("regional"))
	assert "Learner Register" in national.sheetnames
	assert world.vocational_school in all_text(national) and world.school_a in all_text(national)
	school = workbook(world.user("a_coord"))
	assert (
		"Compensation Reconciliation" not in school.sheetnames
	)  # not a report coordinators of a school open
	text = all_text(school)
	assert world.school_a in text and world.vocational_school not in text and world.school_b not in text
	sheet = school["Learner Register"]
	assert sheet.freeze_panes == "A3"
	header = [c.value for c in sheet[2]]
	assert "Learners" in header
	learners_column = header.index("Learners") + 1
	counted = sum(
		c.value
		for c in list(sheet.iter_cols(min_col=learners_column, max_col=learners_column, min_row=3))[0][:-1]
		if isinstance(c.value, int)
	)
	assert counted == frappe.db.count("Learner", {"institution": world.school_a, "status": "Active"})


def test_text_that_looks_like_a_formula_is_written_as_text(world):
	# forms refuse such text now (documents.refuse_formulas); a record saved before that rule still holds it
	school = frappe.get_doc(
		doctype="Educational Institution",
		institution_name='=HYPERLINK("http://x","klik")',
		partner=world.municipality,
		education_type="General",
	)
	school.flags.ignore_validate = True
	school.insert()
	frappe.get_doc(
		doctype="Learner",
		first_name="Formula",
		last_name="Test",
		personal_code="161175-19997",
		institution=school.name,
		education_type="General",
		grade=9,
	).insert()
	sheet = workbook("Administrator")["Learner Register"]
	cells = [
		c.value
		for row in sheet.iter_rows()
		for c in row
		if isinstance(c.value, str) and "HYPERLINK" in c.value
	]
	assert cells and all(value.startswith("'=") for value in cells)
