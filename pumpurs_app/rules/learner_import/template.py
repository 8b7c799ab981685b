"""The workbooks the learner import writes: the template to fill in, and the plain one-sheet workbook of the
error list. No cell of either is a formula."""

import io
from collections.abc import Callable, Iterable

from pumpurs_app.rules.learner_import.columns import CHOICES, COLUMNS, DATA_SHEET, LISTS_SHEET, MAX_ROWS
from pumpurs_app.rules.spreadsheets import safe_cell, write_sheets

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
			listed = (
				f"{quote_sheetname(LISTS_SHEET)}!${list_letter}$2:${list_letter}${max(len(values), 1) + 1}"
			)
			rule = {"type": "list", "formula1": listed, "error": latvian(LIST_ERROR)}
		elif column.kind == "int":
			rule = {
				"type": "whole",
				"operator": "between",
				"formula1": "1",
				"formula2": "12",
				"error": latvian(GRADE_ERROR),
			}
		else:
			continue
		validation = DataValidation(
			allow_blank=True, showErrorMessage=True, errorTitle=column.latvian, **rule
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


def write_workbook(title: str, rows: list[list], widths: Iterable[int] = ()) -> bytes:
	"""A one-sheet workbook of ``rows`` (the first one bold: the headings) in which no cell is a formula."""
	return write_sheets([(title, rows, widths)])
