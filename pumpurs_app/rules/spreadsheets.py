"""Spreadsheets: values written into those the app hands out (payment lists, reports, error workbooks), and
uploaded workbooks opened within limits (bank statements, learner imports)."""

import io
import math
import posixpath
import re
import xml.parsers.expat as expat
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from defusedxml.ElementTree import fromstring

from pumpurs_app.rules.errors import RuleViolation

# formula starters, also in their full-width forms, which spreadsheets accept too
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


# a number or a phone number as people write them: "+371 20000000", "-5", "(8) 123-45"
NUMBER_LIKE = re.compile(r"[+\-\uff0b\uff0d]?[\d\s().\-/]*\d[\d\s().\-/]*")


def formula_start(text: str | None) -> str | None:
	"""The character a text begins with if a spreadsheet would take the text for a formula (None otherwise):
	such text is refused where people type it, so that every export of it — frappe's list and report exports
	included, which write cells as they are — is safe. Numbers and phone numbers are not formulas."""
	if not isinstance(text, str) or not text.startswith(FORMULA_PREFIXES) or NUMBER_LIKE.fullmatch(text):
		return None
	return text[0]


def safe_cell(value):
	"""A value that is safe to put in a spreadsheet cell or CSV field.

	Text starting with a formula character gets a leading apostrophe, as OWASP recommends. The apostrophe is
	visible, but it survives every consumer — Excel, LibreOffice, a CSV saved from either and opened again —
	whereas Excel's own "quote prefix" cell style is lost the moment the sheet is saved as CSV. Numbers, dates
	and other text are returned unchanged, so a negative number stays a number."""
	if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
		return "'" + value
	return value


# --- reading uploaded workbooks --------------------------------------------------------------------------

MB = 1024 * 1024  # as frappe counts its max_file_size
OLE2 = b"\xd0\xcf\x11\xe0"  # the start of the old binary .xls format, which is not read
# Spreadsheet programs pack a sheet 5-20 times (the learner template of 50,000 rows: 16 times); a zip bomb
# packs thousands of times. Parts smaller than RATIO_FLOOR cannot hurt whatever their ratio.
MAX_RATIO = 100
RATIO_FLOOR = 1 * MB
# openpyxl keeps shared texts, formats and the like whole in memory, some 150 bytes an element. A row of the
# learner template or of a bank export has at most 8 texts of its own, 2 elements each in the shared strings;
# a workbook's theme, styles and properties are a few thousand elements.
KEPT_PER_ROW = 20
KEPT_BASE = 50_000
STRUCTURE_BYTES = 1 * MB  # [Content_Types].xml and a .rels part: a few kilobytes in any real workbook
_SHEET_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _CELL, _DIMENSION, _SHEET_DATA, _FORMULA, _VALUE = (
	f"{_SHEET_MAIN} {name}" for name in ("row", "c", "dimension", "sheetData", "f", "v")
)
_RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKSHEET_RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # "<" after whitespace, or a BOM
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class WorkbookLimits:
	"""What an uploaded workbook may hold; each importer sets its own (``statements.LIMITS``,
	``learner_import.LIMITS``). Anything beyond is refused before openpyxl reads the file."""

	max_bytes: int  # the upload itself
	max_unzipped_bytes: int  # every part of the .xlsx (a zip) unpacked
	max_rows: int  # the last row of a sheet that is read
	max_columns: int  # the last column of a sheet that is read


def check_size(content: bytes, max_bytes: int) -> None:
	if len(content) > max_bytes:
		raise RuleViolation(
			"The file is {size} MB; at most {limit} MB can be read. Split it into several files.",
			size=_megabytes(len(content)),
			limit=_megabytes(max_bytes),
		)


def open_workbook(content: bytes, limits: WorkbookLimits, unreadable: RuleViolation, data_only: bool):
	"""openpyxl's read-only workbook of an upload that passed ``limits``; ``unreadable`` is raised for a file
	that is no workbook. The zip's directory is checked before any part is unpacked, and every XML part is
	scanned (streamed, nothing kept) before openpyxl parses it: openpyxl builds each row whole and pads it
	to its last cell, and keeps every shared string and style, so a small file can otherwise take gigabytes.
	Read its rows with :func:`sheet_rows`."""
	from openpyxl import load_workbook
	from openpyxl.utils.exceptions import InvalidFileException

	check_size(content, limits.max_bytes)
	try:
		with zipfile.ZipFile(io.BytesIO(content)) as archive:
			_check_archive(archive, limits)
		# keep_links=False: openpyxl would load the external links' cached sheets whole
		return load_workbook(io.BytesIO(content), read_only=True, data_only=data_only, keep_links=False)
	except RuleViolation:
		raise
	except (
		zipfile.BadZipFile,
		InvalidFileException,
		expat.ExpatError,
		zlib.error,
		EOFError,
		KeyError,
		OSError,
		OverflowError,
		TypeError,
		ValueError,
		NotImplementedError,  # a compression zipfile does not know
		RuntimeError,  # an encrypted part
	):
		raise unreadable from None


@dataclass
class Cells:
	"""A sheet's values as :func:`read_cells` reads them, and the cells that hold a formula or show an error."""

	rows: list[list]  # row 1 first, column A first; "" where a cell is empty, a formula cell's cached value
	formulas: dict[tuple[int, int], str]  # (row, column), both from 1 -> the formula, "=A1+1"
	errors: dict[tuple[int, int], str]  # (row, column) -> the error the cell shows, "#DIV/0!"


def read_cells(content: bytes, limits: WorkbookLimits, unreadable: RuleViolation, sheet: str) -> Cells:
	"""The values of the sheet named ``sheet`` (the first sheet when there is none of that name) of an upload
	that passed ``limits``, read by calamine (Rust: it parses a sheet some ten times faster than openpyxl).
	The same checks as :func:`open_workbook` come first; their scan also finds the formulas and error cells,
	which calamine replaces by their cached values (or nothing)."""
	from python_calamine import CalamineError, CalamineWorkbook

	check_size(content, limits.max_bytes)
	try:
		with zipfile.ZipFile(io.BytesIO(content)) as archive:
			scan = _check_archive(archive, limits)
			parts = _sheet_parts(archive)
		workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
		name = sheet if sheet in workbook.sheet_names else workbook.sheet_names[0]
		rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
		formulas, errors = scan.found[parts[name]]
	except RuleViolation:
		raise
	except (
		CalamineError,
		zipfile.BadZipFile,
		expat.ExpatError,
		zlib.error,
		EOFError,
		KeyError,  # also a sheet that is no scanned worksheet: its formulas would go unseen
		IndexError,
		OSError,
		OverflowError,
		TypeError,
		ValueError,
		NotImplementedError,
		RuntimeError,
	):
		raise unreadable from None
	return Cells(rows, formulas, errors)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
	"""Each sheet's name -> its part, as the workbook and its relations say."""
	targets = {
		relation.get("Id"): relation.get("Target", "")
		for relation in fromstring(_structure(archive, "xl/_rels/workbook.xml.rels"), forbid_dtd=True)
	}
	sheets = fromstring(_structure(archive, "xl/workbook.xml"), forbid_dtd=True).iter(
		f"{{{_SHEET_MAIN}}}sheet"
	)
	parts = {}
	for sheet in sheets:
		target = targets.get(sheet.get(f"{{{_RELATIONS}}}id"), "")
		parts[sheet.get("name")] = (
			target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
		)
	return parts


def sheet_rows(worksheet, limits: WorkbookLimits, values_only: bool = False):
	"""The rows of a sheet of :func:`open_workbook`, up to the last row that is read. The sheet's declared
	size is not used: programs write wrong ones, and openpyxl would pad every row up to it."""
	worksheet.reset_dimensions()
	return worksheet.iter_rows(max_row=limits.max_rows, values_only=values_only)


def _check_archive(archive: zipfile.ZipFile, limits: WorkbookLimits) -> "_Scan":
	"""The sizes the zip's directory declares (zipfile never unpacks more than that), then every XML part."""
	parts = archive.infolist()
	if any(part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for part in parts):
		# bzip2 and lzma unpack a whole read at once, unbounded; no spreadsheet program uses them
		raise zipfile.BadZipFile("not a compression of spreadsheet programs")
	unzipped = sum(part.file_size for part in parts)
	if unzipped > limits.max_unzipped_bytes:
		raise RuleViolation(
			"The workbook unpacks to {size} MB; at most {limit} MB can be read. Split it into several files.",
			size=_megabytes(unzipped),
			limit=_megabytes(limits.max_unzipped_bytes),
		)
	for part in parts:
		if part.file_size > RATIO_FLOOR and part.file_size > MAX_RATIO * max(part.compress_size, 1):
			raise RuleViolation(
				"A part of the workbook unpacks to {ratio} times its packed size, far more than spreadsheet programs write (at most {limit} times): it was not opened. Save it again in Excel or LibreOffice and upload it again.",
				ratio=part.file_size // max(part.compress_size, 1),
				limit=MAX_RATIO,
			)
	scan = _Scan(limits, _streamed_worksheets(archive))
	for part in parts:
		with archive.open(part) as stream:
			head = stream.read(_CHUNK)
			# every XML part whatever its name: openpyxl finds parts by their relations
			if head.lstrip(b" \t\r\n").startswith(_XML_STARTS):
				scan.part(part.filename, head, stream)
	return scan


def _streamed_worksheets(archive: zipfile.ZipFile) -> set[str]:
	"""The worksheets openpyxl streams row by row (read-only, ``keep_links=False``): parts related to only as
	a worksheet, typed only as one, at none of the paths it reads by name. openpyxl resolves relationships so
	(``packaging.relationship.get_dependents``) and loads every other part whole."""
	from openpyxl.xml.constants import (
		ARC_CONTENT_TYPES,
		ARC_CORE,
		ARC_CUSTOM,
		ARC_STYLE,
		ARC_WORKBOOK,
		WORKSHEET_TYPE,
	)

	relations: dict[str, set[str | None]] = {}
	for name in archive.namelist():
		if name.endswith(".rels"):
			parent = posixpath.dirname(posixpath.dirname(name))  # xl/_rels/workbook.xml.rels: xl
			for relation in fromstring(_structure(archive, name), forbid_dtd=True):
				target = relation.get("Target", "")
				if relation.get("TargetMode") != "External":
					path = target[1:] if target.startswith("/") else posixpath.normpath(f"{parent}/{target}")
					relations.setdefault(path, set()).add(relation.get("Type"))
	types: dict[str, set[str | None]] = {}
	for override in fromstring(_structure(archive, ARC_CONTENT_TYPES), forbid_dtd=True):
		types.setdefault(override.get("PartName", "")[1:], set()).add(override.get("ContentType"))
	read_by_name = {ARC_CONTENT_TYPES, ARC_CORE, ARC_CUSTOM, ARC_STYLE, ARC_WORKBOOK}
	return {
		path
		for path, kinds in relations.items()
		if kinds == {_WORKSHEET_RELATION} and types.get(path) == {WORKSHEET_TYPE} and path not in read_by_name
	}


def _structure(archive: zipfile.ZipFile, name: str) -> bytes:
	"""A part that says what the others are, refused when bigger than ``STRUCTURE_BYTES``."""
	if archive.getinfo(name).file_size > STRUCTURE_BYTES:
		raise zipfile.BadZipFile(f"{name} is too big")
	return archive.read(name)


class _Scan:
	"""Streams every XML part of a workbook through expat, keeping nothing. Refuses a DTD (as defusedxml's
	``forbid_dtd``: no entity expansion, no external entities) and, in any part, a declared sheet size, a row
	or a cell beyond the limits; counts what openpyxl will keep in memory (every element but the rows of the
	worksheets it streams) against ``KEPT_BASE`` plus ``KEPT_PER_ROW`` for each row that may be read. Notes
	each sheet's formulas and error cells in ``found`` (part -> (formulas, errors), as :class:`Cells`). Plain
	expat: defusedxml's SAX layer triples the time of this pass."""

	def __init__(self, limits: WorkbookLimits, streamed: set[str]) -> None:
		from openpyxl.utils import get_column_letter

		self.limits, self.streamed = limits, streamed
		self.columns = {get_column_letter(n): n for n in range(1, limits.max_columns + 1)}
		self.kept, self.max_kept = 0, KEPT_BASE + KEPT_PER_ROW * limits.max_rows
		self.found: dict[str, tuple[dict, dict]] = {}

	def part(self, name: str, head: bytes, stream) -> None:
		self.in_streamed_rows, self.is_streamed = False, name in self.streamed
		self.row = self.rows = self.column = 0
		self.formulas, self.errors, self.shared = {}, {}, {}
		self.is_sheet = self.is_error = False
		self.text: list[str] | None = None  # the characters of the formula or error being read
		parser = expat.ParserCreate(namespace_separator=" ")
		parser.StartDoctypeDeclHandler = self.doctype
		parser.StartElementHandler = self.start
		parser.EndElementHandler = self.end
		parser.CharacterDataHandler = self.characters
		chunk = head
		while chunk:
			parser.Parse(chunk, False)
			chunk = stream.read(_CHUNK)
		parser.Parse(b"", True)
		if self.is_sheet:
			self.found[name] = (self.formulas, self.errors)

	def doctype(self, *_declaration) -> None:
		raise RuleViolation("The workbook declares a DTD, which Excel never writes: it was not opened.")

	def start(self, name: str, attributes: dict) -> None:
		if name == _VALUE:
			if self.is_error:
				self.text = []
		elif name == _CELL:
			self.is_error = attributes.get("t") == "e"
			reference = attributes.get("r")
			self.column = (
				self.columns.get(reference.rstrip("0123456789"), 0) if reference else self.column + 1
			)
			if not self.column or self.column > self.limits.max_columns:
				raise RuleViolation(
					"Row {row} of a sheet has cells after column {column}, the last one that is read. Delete the cells after the data and upload the file again.",
					row=self.row,
					column=next(reversed(self.columns)),
				)
		elif name == _ROW:
			self.rows += 1
			self.row = _row_number(attributes["r"]) if "r" in attributes else self.row + 1
			self.column = 0
			if max(self.row, self.rows) > self.limits.max_rows:
				raise too_many_rows(self.limits.max_rows)
		elif name == _FORMULA:
			self.text, self.shared_index = (
				[],
				attributes.get("si") if attributes.get("t") == "shared" else None,
			)
		elif name == _DIMENSION and attributes.get("ref"):
			self.dimension(attributes["ref"])
		elif name == _SHEET_DATA:
			self.in_streamed_rows, self.is_sheet = self.is_streamed, True
		if not self.in_streamed_rows:
			self.kept += 1
			if self.kept > self.max_kept:
				raise RuleViolation(
					"The workbook holds more than {limit} entries besides its rows (texts, formats and the like), far more than {rows} rows need: it was not opened. Copy the data into a new workbook and upload that.",
					limit=self.max_kept,
					rows=self.limits.max_rows,
				)

	def end(self, name: str) -> None:
		if self.text is not None and name in (_FORMULA, _VALUE):
			text, self.text = "".join(self.text), None
			if name == _VALUE:
				self.errors[self.row, self.column] = text
			else:
				# a shared formula is written once, on its first cell (approximately: later cells shift its references)
				if self.shared_index is not None:
					text = (
						self.shared.setdefault(self.shared_index, text)
						if text
						else self.shared.get(self.shared_index, "")
					)
				self.formulas[self.row, self.column] = f"={text}"
		elif name == _SHEET_DATA:
			self.in_streamed_rows = False

	def characters(self, data: str) -> None:
		if self.text is not None:
			self.text.append(data)

	def dimension(self, ref: str) -> None:
		last = ref.split(":")[-1].replace("$", "")
		letters = last.rstrip("0123456789")
		if letters not in self.columns or int(last[len(letters) :] or 0) > self.limits.max_rows:
			raise RuleViolation(
				"A sheet of the workbook declares its size as {size}, larger than is read (at most {rows} rows and {columns} columns). Delete the rows and columns after the data, also empty formatted ones, or split the file, and upload it again.",
				size=ref[:40],
				rows=self.limits.max_rows,
				columns=self.limits.max_columns,
			)


def too_many_rows(limit: int) -> RuleViolation:
	return RuleViolation(
		"The file has more than {limit} rows; at most {limit} are read. Split it into several files, and delete any empty formatted rows below the data.",
		limit=limit,
	)


def _row_number(text: str) -> int:
	try:
		return int(text)
	except ValueError:
		return int(float(text))  # some programs write "2.0"; openpyxl reads it as row 2


def _megabytes(size: int) -> int:
	return math.ceil(size / MB)


def write_sheets(sheets: Iterable[tuple[str, list[list], Iterable[int]]]) -> bytes:
	"""A workbook of (title, rows, column widths) sheets, each with its first row bold (the headings), in which
	no cell is a formula: text is neutralised and characters a workbook cannot hold are dropped."""
	from openpyxl import Workbook
	from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
	from openpyxl.styles import Font
	from openpyxl.utils import get_column_letter

	workbook = Workbook()
	workbook.remove(workbook.active)
	for title, rows, widths in sheets:
		sheet = workbook.create_sheet(title[:31])
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
