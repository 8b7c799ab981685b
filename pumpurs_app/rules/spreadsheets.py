"""Spreadsheets: values written into those the app hands out (payment lists, reports, error workbooks), and
uploaded workbooks opened within limits (bank statements, learner imports)."""

import io
import math
import xml.parsers.expat as expat
import zipfile
import zlib
from dataclasses import dataclass

from pumpurs_app.rules.errors import RuleViolation

# formula starters, also in their full-width forms, which spreadsheets accept too
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


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
# Spreadsheet programs pack a sheet 5-20 times (the learner template of 50,000 rows: 16 times); a zip bomb
# packs thousands of times. Parts smaller than RATIO_FLOOR cannot hurt whatever their ratio.
MAX_RATIO = 100
RATIO_FLOOR = 1 * MB
_SHEET_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _CELL, _DIMENSION = (f"{_SHEET_MAIN} {name}" for name in ("row", "c", "dimension"))
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
		return load_workbook(io.BytesIO(content), read_only=True, data_only=data_only)
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


def sheet_rows(worksheet, limits: WorkbookLimits, values_only: bool = False):
	"""The rows of a sheet of :func:`open_workbook`, up to the last row that is read. The sheet's declared
	size is not used: programs write wrong ones, and openpyxl would pad every row up to it."""
	worksheet.reset_dimensions()
	return worksheet.iter_rows(max_row=limits.max_rows, values_only=values_only)


def _check_archive(archive: zipfile.ZipFile, limits: WorkbookLimits) -> None:
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
	for part in parts:
		with archive.open(part) as stream:
			head = stream.read(_CHUNK)
			if head.lstrip(b" \t\r\n").startswith(_XML_STARTS):  # worksheets need not be named so
				_PartScan(limits).scan(head, stream)


class _PartScan:
	"""Streams one XML part through expat, keeping nothing: refuses a DTD (as defusedxml's ``forbid_dtd``:
	no entity expansion, no external entities) and, in a worksheet, a declared size, a row or a cell beyond
	the limits. Plain expat, because defusedxml's SAX layer triples the time of this pass."""

	def __init__(self, limits: WorkbookLimits) -> None:
		from openpyxl.utils import get_column_letter

		self.limits = limits
		self.columns = {get_column_letter(n): n for n in range(1, limits.max_columns + 1)}
		self.row = self.rows = self.column = 0
		self.parser = expat.ParserCreate(namespace_separator=" ")
		self.parser.StartDoctypeDeclHandler = self.doctype
		self.parser.StartElementHandler = self.start

	def scan(self, head: bytes, stream) -> None:
		chunk = head
		while chunk:
			self.parser.Parse(chunk, False)
			chunk = stream.read(_CHUNK)
		self.parser.Parse(b"", True)

	def doctype(self, *_declaration) -> None:
		raise RuleViolation("The workbook declares a DTD, which Excel never writes: it was not opened.")

	def start(self, name: str, attributes: dict) -> None:
		if name == _CELL:
			reference = attributes.get("r")
			self.column = (
				self.columns.get(reference.rstrip("0123456789"), 0) if reference else self.column + 1
			)
			if not self.column or self.column > self.limits.max_columns:
				raise self.too_wide(self.row)
		elif name == _ROW:
			self.rows += 1
			self.row = _row_number(attributes["r"]) if "r" in attributes else self.row + 1
			self.column = 0
			if max(self.row, self.rows) > self.limits.max_rows:
				raise too_many_rows(self.limits.max_rows)
		elif name == _DIMENSION and attributes.get("ref"):
			last = attributes["ref"].split(":")[-1].replace("$", "")
			letters = last.rstrip("0123456789")
			rows = int(last[len(letters) :] or 0)
			if letters not in self.columns or rows > self.limits.max_rows:
				raise RuleViolation(
					"A sheet of the workbook declares its size as {size}, larger than is read (at most {rows} rows and {columns} columns). Delete the rows and columns after the data, also empty formatted ones, or split the file, and upload it again.",
					size=attributes["ref"][:40],
					rows=self.limits.max_rows,
					columns=self.limits.max_columns,
				)

	def too_wide(self, row: int) -> RuleViolation:
		return RuleViolation(
			"Row {row} of a sheet has cells after column {column}, the last one that is read. Delete the cells after the data and upload the file again.",
			row=row,
			column=next(reversed(self.columns)),
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
