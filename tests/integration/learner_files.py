"""Workbooks for the learner import tests: filled-in templates, good and bad."""

import io
from datetime import date

from openpyxl import Workbook

from pumpurs_app.rules import learner_import, personal_code

HEADINGS = [column.latvian for column in learner_import.COLUMNS]


def learner_row(institution: str, serial: int, **values) -> dict:
	"""A valid row for a general-education learner in grade 7 with a mother as guardian; ``serial`` (0..99_999)
	makes the personal code unique (old-format codes, births spread over 2013)."""
	born = date.fromordinal(date(2013, 1, 1).toordinal() + serial % 365)
	row = {
		"first_name": f"Imports{serial}",
		"last_name": "Kalniņa",
		"personal_code": personal_code.make_old_format(born, 500 + serial // 365),
		"institution": institution,
		"education_type": "Vispārējā",
		"grade": 7,
		"class_label": "7.a",
		"consent_date": date(2025, 9, 1),
		"consent_given_by": "Vecāks vai aizbildnis",
		"guardian_name": "Inese Kalniņa",
		"guardian_relation": "Māte",
		"guardian_phone": "+371 26000000",
		"guardian_email": "inese.kalnina@example.lv",
	}
	row.update(values)
	return {key: value for key, value in row.items() if value is not None}


def new_format_row(institution: str, serial: int, **values) -> dict:
	"""A learner born in 2018 with a new-format (32…) personal code, in grade 2, no guardian."""
	row = learner_row(
		institution,
		serial,
		personal_code=personal_code.make_new_format(60_000_000 + serial),
		date_of_birth=date(2018, 3, 1),
		grade=2,
		class_label="2.b",
		guardian_name=None,
		guardian_relation=None,
		guardian_phone=None,
		guardian_email=None,
	)
	row.update(values)
	return {key: value for key, value in row.items() if value is not None}


def workbook(rows: list[dict], headings: list[str] | None = None, formulas: dict | None = None) -> bytes:
	"""An .xlsx with ``headings`` in row 1 and ``rows`` below; ``formulas`` maps (row index, key) to a formula."""
	book = Workbook()
	sheet = book.active
	sheet.title = learner_import.DATA_SHEET
	headings = HEADINGS if headings is None else headings
	sheet.append(headings)
	keys = [learner_import.HEADINGS.get(learner_import.header_key(h)) for h in headings]
	for index, values in enumerate(rows):
		cells = [values.get(key) if key else None for key in keys]
		for (at, key), formula in (formulas or {}).items():
			if at == index:
				cells[keys.index(key)] = formula
		sheet.append(cells)
	out = io.BytesIO()
	book.save(out)
	return out.getvalue()
