"""Hostile uploads, made on the spot: workbooks that declare or pad huge sheets, and XML that expands entities or
fetches external ones. The importers' tests and the integration tests share them."""

import io
import tracemalloc
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"


def peak_while(fn) -> tuple[Exception | None, float]:
	"""What ``fn`` raised (``None`` when nothing), and the most memory it held meanwhile, in MB."""
	raised = None
	tracemalloc.start()
	try:
		fn()
	except Exception as error:  # handed back for the test to assert on, with the peak
		raised = error
	finally:
		peak = tracemalloc.get_traced_memory()[1] / 2**20
		tracemalloc.stop()
	return raised, peak


def xlsx(rows: list[list], title: str = "Sheet") -> bytes:
	book = Workbook()
	sheet = book.active
	sheet.title = title
	for row in rows:
		sheet.append(row)
	out = io.BytesIO()
	book.save(out)
	return out.getvalue()


def rewritten(content: bytes, parts: dict[str, bytes]) -> bytes:
	"""The .xlsx ``content`` with ``parts`` (path -> bytes) replaced or added, packed as tightly as zip can."""
	replaced = dict(parts)
	out = io.BytesIO()
	with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
		for info in source.infolist():
			data = replaced.pop(info.filename, None) or source.read(info)
			target.writestr(info.filename, data, zipfile.ZIP_DEFLATED, compresslevel=9)
		for path, data in replaced.items():
			target.writestr(path, data, zipfile.ZIP_DEFLATED, compresslevel=9)
	return out.getvalue()


def padded_sheet(content: bytes, dimension: str | None, rows: str) -> bytes:
	"""``content`` with its first sheet declaring the size ``dimension`` (none when ``None``) and the XML of
	``rows`` after its own rows."""
	with zipfile.ZipFile(io.BytesIO(content)) as source:
		sheet = source.read(SHEET).decode()
	start = sheet.index("<dimension")
	end = sheet.index("/>", start) + 2
	declared = f'<dimension ref="{dimension}"/>' if dimension else ""
	sheet = sheet[:start] + declared + sheet[end:]
	sheet = sheet.replace("</sheetData>", rows + "</sheetData>")
	return rewritten(content, {SHEET: sheet.encode()})


def zip_bomb(headings: list[str], padded_rows: int = 1600) -> bytes:
	"""About 5 KB: ``headings`` in row 1, a sheet declared as A1:XFD1048576 (16,384 columns, a million rows) and
	``padded_rows`` rows holding one cell in the last column. openpyxl pads every row to the declared width
	(or, without one, to its last cell): 1,600 rows are 26 million cells, some 200 MB."""
	row = '<row><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
	return padded_sheet(xlsx([headings]), "A1:XFD1048576", row * padded_rows)


def billion_laughs(document: str, levels: int = 5, encoding: str = "utf-16-le") -> bytes:
	"""``document`` (XML with ``&laugh;`` where the expansion goes) behind a DTD whose entity ``laugh`` grows
	tenfold per level: 5 levels are 3 million characters from a few hundred bytes (expat's own guard only
	starts at 8 MB), 9 levels 30 GB. UTF-16 without a byte order mark, which a byte search for "<!DOCTYPE"
	does not see."""
	entities = '<!ENTITY l0 "lollollollollollollollollollol">' + "".join(
		f'<!ENTITY l{level} "{f"&l{level - 1};" * 10}">' for level in range(1, levels + 1)
	)
	entities += f'<!ENTITY laugh "&l{levels};">'
	root = document.split("<", 2)[1].split()[0].rstrip(">")
	return _with_dtd(document, f"<!DOCTYPE {root} [{entities}]>", encoding)


def external_entity(document: str, url: str, encoding: str = "utf-16-le") -> bytes:
	"""``document`` with ``&xxe;`` standing for the content of ``url`` (XXE: a file of the server, say)."""
	root = document.split("<", 2)[1].split()[0].rstrip(">")
	return _with_dtd(document, f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{url}">]>', encoding)


def _with_dtd(document: str, doctype: str, encoding: str) -> bytes:
	declaration = f'<?xml version="1.0" encoding="{"UTF-16" if encoding.startswith("utf-16") else "UTF-8"}"?>'
	return (declaration + doctype + document).encode(encoding)
