"""The IKVD workbook: every programme report for a chosen period and scope in one formatted Excel file, as a
municipality or IKVD files it — a sheet per report, frozen headers, number formats, column widths.

Each sheet is the report itself run as the user (``frappe.desk.query_report.run``), so the workbook holds
exactly what the user may see, totals included, and reports the user may not open are left out."""

import io
from datetime import date, datetime

import frappe
from frappe import _
from frappe.desk.query_report import run
from frappe.utils import now_datetime
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pumpurs_app.rules.spreadsheets import safe_cell

# in the order an annual programme report reads
SECTIONS = (
	"Programme Indicators",
	"Plans by Institution and Term",
	"Risk Profile",
	"Support Delivered",
	"Compensations",
	"Outcomes and Retention",
	"Approval Queue and Ageing",
	"Learner Register",
	"Compensation Reconciliation",
)
NUMBER_FORMATS = {
	"Currency": "#,##0.00",
	"Float": "#,##0.00",
	"Percent": "0.0",
	"Int": "#,##0",
	"Date": "DD.MM.YYYY",
	"Datetime": "DD.MM.YYYY HH:MM",
}
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
SCOPE_FILTERS = ("school_year", "school_term", "partner", "institution")


@frappe.whitelist()
@frappe.read_only()  # every section from the replica when one is configured
def download(
	school_year: str | None = None,
	school_term: str | None = None,
	partner: str | None = None,
	institution: str | None = None,
) -> None:
	filters = {
		k: v
		for k, v in zip(SCOPE_FILTERS, (school_year, school_term, partner, institution), strict=True)
		if v
	}
	period = school_term or school_year or _("all terms")
	frappe.response.filename = f"PuMPuRS {period}.xlsx".replace("/", "-")
	frappe.response.filecontent = build(filters)
	frappe.response.type = "binary"


def build(filters: dict) -> bytes:
	book = Workbook()
	cover = book.active
	cover.title = _("Contents", context="PuMPuRS Workbook")
	write_cover(cover, filters)
	for name in SECTIONS:
		if not frappe.db.exists("Report", name) or not frappe.get_cached_doc("Report", name).is_permitted():
			continue
		result = run(name, filters=dict(filters), ignore_prepared_report=True)
		sheet = book.create_sheet(sheet_title(_(name)))
		write_report(sheet, _(name), result)
		cover.append([_(name), len(result["result"])])
	buffer = io.BytesIO()
	book.save(buffer)
	return buffer.getvalue()


def write_cover(sheet, filters: dict) -> None:
	sheet.append([_("PuMPuRS programme report")])
	sheet.cell(1, 1).font = Font(bold=True, size=14)
	sheet.append(
		[_("Prepared by", context="PuMPuRS Workbook"), frappe.utils.get_fullname(frappe.session.user)]
	)
	sheet.append([_("Prepared on", context="PuMPuRS Workbook"), now_datetime()])
	sheet.cell(3, 2).number_format = NUMBER_FORMATS["Datetime"]
	for key in SCOPE_FILTERS:
		label = {
			"school_year": _("School Year", context="PuMPuRS Workbook"),
			"school_term": _("School Term", context="PuMPuRS Workbook"),
			"partner": _("Partner", context="PuMPuRS Workbook"),
			"institution": _("Educational Institution", context="PuMPuRS Workbook"),
		}[key]
		sheet.append([label, safe_cell(filters.get(key) or _("all", context="PuMPuRS Workbook"))])
	sheet.append([])
	sheet.append([_("Sheet", context="PuMPuRS Workbook"), _("Rows", context="PuMPuRS Workbook")])
	for cell in sheet[sheet.max_row]:
		cell.font = Font(bold=True)
	sheet.column_dimensions["A"].width = 42
	sheet.column_dimensions["B"].width = 40


def write_report(sheet, title: str, result: dict) -> None:
	columns = [normalise(c) for c in result["columns"]]
	sheet.append([title])
	sheet.cell(1, 1).font = Font(bold=True, size=13)
	sheet.append([c["label"] for c in columns])
	for cell in sheet[2]:
		cell.font = Font(bold=True)
		cell.fill = HEADER_FILL
		cell.alignment = Alignment(wrap_text=True, vertical="top")
	rows = result["result"]
	for index, row in enumerate(rows):
		values = (
			[row.get(c["fieldname"]) for c in columns] if isinstance(row, dict) else list(row)[: len(columns)]
		)
		sheet.append([cell_value(v) for v in values])
		is_total = not isinstance(row, dict) or index == len(rows) - 1 and result.get("add_total_row")
		for position, column in enumerate(columns, start=1):
			cell = sheet.cell(sheet.max_row, position)
			if column["fieldtype"] in NUMBER_FORMATS:
				cell.number_format = NUMBER_FORMATS[column["fieldtype"]]
			if is_total:
				cell.font = Font(bold=True)
	sheet.freeze_panes = "A3"
	for position, column in enumerate(columns, start=1):
		sheet.column_dimensions[get_column_letter(position)].width = max(
			10, min(60, int((column.get("width") or 120) / 7))
		)


def normalise(column) -> dict:
	"""Report columns come as dicts or as frappe's old "Label:Fieldtype/Options:Width" strings."""
	if isinstance(column, dict):
		return {
			"fieldname": column.get("fieldname"),
			"label": column.get("label") or "",
			"fieldtype": column.get("fieldtype") or "Data",
			"width": column.get("width"),
		}
	label, _sep, rest = column.partition(":")
	fieldtype = rest.split("/")[0].split(":")[0] or "Data"
	return {"fieldname": frappe.scrub(label), "label": label, "fieldtype": fieldtype, "width": None}


def cell_value(value):
	"""Numbers stay numbers and dates dates; text is neutralised so that nothing runs as a formula."""
	if isinstance(value, datetime | date | int | float) or value is None:
		return value
	if hasattr(value, "is_finite"):  # Decimal
		return float(value)
	return safe_cell(str(value))


def sheet_title(name: str) -> str:
	"""Excel allows 31 characters and none of []:*?/\\ in a sheet's name."""
	clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in name)
	return clean[:31]
