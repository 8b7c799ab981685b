"""Learner import from an Excel workbook: the template's columns (:mod:`.columns`), reading a workbook
(:mod:`.reading`), checking it whole (:mod:`.checks`) and the workbooks the import writes (:mod:`.template`).

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

from pumpurs_app.rules.learner_import.checks import (
	Facts,
	Institution,
	LearnerRecord,
	Result,
	check,
	institution_key,
	wanted_codes,
	wanted_institutions,
)
from pumpurs_app.rules.learner_import.columns import (
	ACTIVE,
	CHOICES,
	COLUMN_BY_KEY,
	COLUMNS,
	DATA_SHEET,
	GUARDIAN_KEYS,
	HEADINGS,
	LIMITS,
	LISTS_SHEET,
	MAX_ROWS,
	MAX_TEXT,
	Column,
	header_key,
)
from pumpurs_app.rules.learner_import.reading import CellError, Sheet, SheetRow, read
from pumpurs_app.rules.learner_import.template import (
	GRADE_ERROR,
	INSTRUCTIONS,
	LIST_ERROR,
	build_template,
	write_workbook,
)

__all__ = [
	"ACTIVE",
	"CHOICES",
	"COLUMNS",
	"COLUMN_BY_KEY",
	"DATA_SHEET",
	"GRADE_ERROR",
	"GUARDIAN_KEYS",
	"HEADINGS",
	"INSTRUCTIONS",
	"LIMITS",
	"LISTS_SHEET",
	"LIST_ERROR",
	"MAX_ROWS",
	"MAX_TEXT",
	"CellError",
	"Column",
	"Facts",
	"Institution",
	"LearnerRecord",
	"Result",
	"Sheet",
	"SheetRow",
	"build_template",
	"check",
	"header_key",
	"institution_key",
	"read",
	"wanted_codes",
	"wanted_institutions",
	"write_workbook",
]
