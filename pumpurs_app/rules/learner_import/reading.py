"""Reading a learner import workbook: headings in row 1 (Latvian, English or field names, in any order),
learners below; formulas, spreadsheet errors and cells outside the template's columns are refused while
reading, never evaluated."""

from dataclasses import dataclass, field

from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.learner_import.columns import (
	COLUMN_BY_KEY,
	COLUMNS,
	DATA_SHEET,
	HEADINGS,
	LIMITS,
	header_key,
)
from pumpurs_app.rules.spreadsheets import OLE2, WorkbookLimits, formula_start, read_cells


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


def read(content: bytes, limits: WorkbookLimits = LIMITS) -> Sheet:
	"""Read the data sheet of a workbook: headings in row 1, learners below. Formulas are not evaluated. A
	file beyond ``limits`` is refused before it is read."""
	from openpyxl.utils import get_column_letter

	if not content:
		raise RuleViolation("The file is empty.")
	if content.startswith(OLE2):
		raise RuleViolation(
			"This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) and upload it again."
		)
	unreadable = RuleViolation("The file is not an Excel workbook (.xlsx). Use the template.")
	cells = read_cells(content, limits, unreadable, DATA_SHEET)
	sheet = Sheet()
	positions = _read_headings(cells.rows[0] if cells.rows else [], sheet, get_column_letter)
	if sheet.errors and not positions:
		return sheet
	# calamine's rows end at the last value: formulas and errors may lie beyond
	width = {}
	for number, column in (*cells.formulas, *cells.errors):
		width[number] = max(width.get(number, 0), column)
	for number in range(2, max([len(cells.rows), *width]) + 1):
		row = cells.rows[number - 1] if number <= len(cells.rows) else []
		values: dict[str, object] = {}
		broken: set[str] = set()
		for index in range(max(len(row), width.get(number, 0))):
			place = (number, index + 1)
			value = _value(row[index]) if index < len(row) else None
			formula = cells.formulas.get(place) or (
				value if isinstance(value, str) and formula_start(value.lstrip()) else None
			)
			if (
				formula is None
				and place not in cells.errors
				and (value is None or (isinstance(value, str) and not value.strip()))
			):
				continue
			key = positions.get(index)
			letter = get_column_letter(index + 1)
			if formula is not None:
				violation = RuleViolation(
					"The cell holds a formula ({formula}); type the value itself. Formulas are not evaluated.",
					formula=formula,
				)
				sheet.errors.append(CellError(number, key, letter, violation, formula))
				broken.add(key or "")
			elif place in cells.errors:
				error = cells.errors[place]
				violation = RuleViolation("The cell shows a spreadsheet error ({value}).", value=error)
				sheet.errors.append(CellError(number, key, letter, violation, error))
				broken.add(key or "")
			elif key is None:
				violation = RuleViolation("This cell is outside the template's columns; leave it empty.")
				sheet.errors.append(CellError(number, None, letter, violation, value))
			else:
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


def _value(value):
	"""A cell's value as openpyxl gives it: None when empty, whole numbers as int (calamine reads every number
	as a float)."""
	if value == "":
		return None
	if isinstance(value, float) and value.is_integer():
		return int(value)
	return value


def _read_headings(cells, sheet: Sheet, get_column_letter) -> dict[int, str]:
	positions: dict[int, str] = {}
	unknown = []
	for index, value in enumerate(cells):
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
