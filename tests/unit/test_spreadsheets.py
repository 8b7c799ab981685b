import io
import random
import string
import zipfile
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules.spreadsheets import (
	MB,
	WorkbookLimits,
	formula_start,
	open_workbook,
	safe_cell,
	sheet_rows,
)
from tests.unit.hostile_files import billion_laughs, padded_sheet, peak_while, rewritten, xlsx


@pytest.mark.parametrize(
	"value", ["=1+1", "+37120000000", "-5", "@SUM(A1)", "\t=cmd", '=HYPERLINK("http://x")', "\uff1d1+1"]
)
def test_formula_like_text_is_neutralised(value):
	assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
	"value", ["Jānis Bērziņš", "LV80BANK0000435195001", "", None, 12, Decimal("-5.00"), date(2026, 1, 1)]
)
def test_other_values_pass_unchanged(value):
	assert safe_cell(value) == value


@pytest.mark.parametrize(
	"text, start",
	[
		('=HYPERLINK("http://x")', "="),
		("+cmd|' /C calc'!A0", "+"),
		("-2+3+cmd|' /C calc'!A0", "-"),
		("@SUM(A1:A9)", "@"),
		("\t=1+1", "\t"),
		("\uff1d1+1", "\uff1d"),
		("- pārrunājām mājasdarbus", "-"),
	],
)
def test_text_a_spreadsheet_would_run_is_found(text, start):
	assert formula_start(text) == start


@pytest.mark.parametrize("text", ["+371 20000000", "-5", "(8) 123-45", "Jānis", "", None, "a=b", " =1"])
def test_numbers_phones_and_other_text_are_not_formulas(text):
	assert formula_start(text) is None


# --- uploaded workbooks within limits ---

LIMITS = WorkbookLimits(max_bytes=1 * MB, max_unzipped_bytes=2 * MB, max_rows=100, max_columns=10)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_STRINGS_RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
UNREADABLE = RuleViolation("not a workbook")


def opened_rows(content: bytes, limits: WorkbookLimits = LIMITS) -> list[tuple]:
	workbook = open_workbook(content, limits, UNREADABLE, data_only=True)
	try:
		return [tuple(row) for row in sheet_rows(workbook.worksheets[0], limits, values_only=True)]
	finally:
		workbook.close()


def test_a_workbook_within_the_limits_is_read_whole_even_when_it_declares_a_wrong_size():
	content = padded_sheet(xlsx([["a", "b"], [1, 2]]), "A1:A1", '<row r="5"><c r="C5"><v>3</v></c></row>')
	assert opened_rows(content) == [("a", "b"), (1, 2), (), (), (None, None, 3)]


def test_the_upload_and_its_unpacked_size_are_capped():
	with pytest.raises(RuleViolation, match=r"^The file is 2 MB; at most 1 MB can be read\."):
		opened_rows(b"PK\x03\x04" + bytes(int(1.5 * MB)))
	# random text packs hardly at all: 3 MB of it unpack to more than the limit without any high ratio
	noise = "".join(random.Random(1).choices(string.ascii_letters, k=3 * MB))
	content = rewritten(xlsx([["a"]]), {"xl/noise.xml": f"<n>{noise}</n>".encode()})
	with pytest.raises(RuleViolation, match=r"^The workbook unpacks to 4 MB; at most 2 MB can be read\."):
		opened_rows(content, replace(LIMITS, max_bytes=4 * MB))


def test_a_part_packed_like_a_zip_bomb_is_refused_before_it_is_unpacked():
	content = rewritten(xlsx([["a"]]), {"xl/worksheets/sheet1.xml": b" " * (50 * MB)})
	assert len(content) < 100_000
	raised, peak = peak_while(lambda: opened_rows(content, replace(LIMITS, max_unzipped_bytes=64 * MB)))
	assert isinstance(raised, RuleViolation) and raised.message.startswith(
		"A part of the workbook unpacks to {ratio} times its packed size"
	)
	assert raised.params["ratio"] > 1000 and peak < 5


def test_a_huge_declared_size_is_refused():
	content = padded_sheet(xlsx([["a"]]), "A1:XFD1048576", "")
	with pytest.raises(
		RuleViolation,
		match=r"declares its size as A1:XFD1048576, larger than is read \(at most 100 rows and 10 ",
	):
		opened_rows(content)
	with pytest.raises(RuleViolation, match=r"declares its size as A1:K2, larger"):
		opened_rows(padded_sheet(xlsx([["a"]]), "A1:K2", ""))


def test_padded_cells_and_rows_beyond_the_limits_are_refused_without_being_walked():
	far_cell = '<row r="2"><c r="XFD2"><v>1</v></c></row>'
	with pytest.raises(RuleViolation, match=r"^Row 2 of a sheet has cells after column J, the last one"):
		opened_rows(padded_sheet(xlsx([["a"]]), None, far_cell))
	unnumbered_cells = "<row>" + "<c><v>1</v></c>" * 11 + "</row>"
	with pytest.raises(RuleViolation, match=r"^Row 2 of a sheet has cells after column J"):
		opened_rows(padded_sheet(xlsx([["a"]]), None, unnumbered_cells))
	last_row = '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
	with pytest.raises(RuleViolation, match=r"^The file has more than 100 rows; at most 100 are read\."):
		opened_rows(padded_sheet(xlsx([["a"]]), None, last_row))
	# rows that all claim to be row 1: openpyxl would parse every one of them
	with pytest.raises(RuleViolation, match=r"^The file has more than 100 rows"):
		opened_rows(padded_sheet(xlsx([["a"]]), None, '<row r="1"/>' * 101))


def test_a_dtd_in_any_part_is_refused():
	laughs = billion_laughs('<sst xmlns="x"><si><t>&laugh;</t></si></sst>', encoding="utf-8")
	content = rewritten(xlsx([["a"]]), {"xl/sharedStrings.xml": laughs})
	with pytest.raises(RuleViolation, match=r"^The workbook declares a DTD, which Excel never writes"):
		opened_rows(content)


def test_damaged_workbooks_are_unreadable():
	bzip2 = io.BytesIO()
	with zipfile.ZipFile(bzip2, "w", zipfile.ZIP_BZIP2) as archive:
		archive.writestr("[Content_Types].xml", "<Types/>")
	broken = rewritten(xlsx([["a"]]), {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData>"})
	for content in (bzip2.getvalue(), broken, b"PK\x03\x04 not a zip"):
		with pytest.raises(RuleViolation, match="^not a workbook$"):
			opened_rows(content)


def test_what_openpyxl_keeps_in_memory_is_capped_by_the_rows_read():
	# 100 rows may be read: 50,000 + 20 a row kept elements; 30,000 shared strings are 60,000 elements
	strings = "<si><t>ab</t></si>" * 30_000
	sst = f'<sst xmlns="{MAIN}">{strings}</sst>'.encode()
	content = rewritten(
		xlsx([["a"]]), {"xl/sharedStrings.xml": sst, **shared_strings_declared(xlsx([["a"]]))}
	)
	raised, peak = peak_while(lambda: opened_rows(content))
	assert str(raised).startswith("The workbook holds more than 52000 entries besides its rows")
	assert peak < 2
	fewer = f'<sst xmlns="{MAIN}">{"<si><t>ab</t></si>" * 20_000}</sst>'.encode()
	assert opened_rows(rewritten(content, {"xl/sharedStrings.xml": fewer})) == [("a",)]


def test_only_the_worksheets_openpyxl_streams_may_hold_many_rows():
	"""openpyxl streams a worksheet row by row but loads, say, xl/styles.xml whole: the same rows there count."""
	limits = replace(LIMITS, max_bytes=10 * MB, max_unzipped_bytes=64 * MB, max_rows=5000, max_columns=20)
	numbers = random.Random(1)
	rows = "".join(
		f'<row r="{r}">' + "".join(f"<c><v>{numbers.randrange(10**6)}</v></c>" for _ in range(20)) + "</row>"
		for r in range(1, 5001)
	)
	sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()
	assert len(opened_rows(rewritten(xlsx([["a"]]), {"xl/worksheets/sheet1.xml": sheet}), limits)) == 5000
	with pytest.raises(RuleViolation, match=r"^The workbook holds more than 150000 entries besides its rows"):
		opened_rows(rewritten(xlsx([["a"]]), {"xl/styles.xml": sheet}), limits)


def shared_strings_declared(content: bytes) -> dict[str, bytes]:
	"""The parts that make openpyxl read xl/sharedStrings.xml: its content type and its relationship."""
	with zipfile.ZipFile(io.BytesIO(content)) as archive:
		types = archive.read("[Content_Types].xml")
		relations = archive.read("xl/_rels/workbook.xml.rels")
	override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS}"/>'
	relation = f'<Relationship Id="rIdS" Type="{SHARED_STRINGS_RELATION}" Target="sharedStrings.xml"/>'
	return {
		"[Content_Types].xml": types.replace(b"</Types>", override.encode() + b"</Types>"),
		"xl/_rels/workbook.xml.rels": relations.replace(
			b"</Relationships>", relation.encode() + b"</Relationships>"
		),
	}
