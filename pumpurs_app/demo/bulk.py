"""Helpers for writing high-volume demo records directly: buffered tables on top of the app's bulk writer
(:func:`pumpurs_app.utils.insert_rows`), naming-series counters, unique child-row names and working-hours
timestamps."""

import random
import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import frappe

from pumpurs_app.utils import BULK_CHUNK, insert_rows


class Table:
	"""Rows of one DocType, inserted together whenever enough have gathered."""

	def __init__(self, doctype: str, fields: Sequence[str]):
		self.doctype, self.fields, self.rows, self.count = doctype, list(fields), [], 0

	def add(self, row: Sequence) -> None:
		self.rows.append(row)
		if len(self.rows) >= BULK_CHUNK:
			self.flush()

	def flush(self) -> None:
		if self.rows:
			insert_rows(self.doctype, self.fields, self.rows)
			self.count += len(self.rows)
			self.rows.clear()


def standard(
	owner: str, creation: datetime, modified: datetime | None = None, modified_by: str | None = None
) -> tuple:
	"""owner, creation, modified, modified_by: the standard columns every row has."""
	return (owner, creation, modified or creation, modified_by or owner)


STANDARD = ("owner", "creation", "modified", "modified_by")


class RowNames:
	"""Names for child rows: unique within the run and unlike frappe's own 10-character hashes, which are random
	(a run writes too many rows for random names never to collide)."""

	def __init__(self) -> None:
		self.prefix, self.serial = "d" + secrets.token_hex(2)[:3], 0

	def __call__(self) -> str:
		self.serial += 1
		return f"{self.prefix}{self.serial:06x}"


def series_current(prefix: str) -> int:
	row = frappe.db.sql("select current from `tabSeries` where name = %s", prefix)
	return int(row[0][0] or 0) if row else 0


def set_series(prefix: str, current: int) -> None:
	frappe.db.sql(
		"insert into `tabSeries` (name, current) values (%s, %s) on duplicate key update current = greatest(current, %s)",
		(prefix, current, current),
	)


class Series:
	"""Name series counters (frappe's ``PREFIX.#####``), continued from ``tabSeries`` and written back at the end."""

	def __init__(self, digits: int):
		self.digits, self.counters = digits, {}

	def next(self, prefix: str) -> str:
		if prefix not in self.counters:
			self.counters[prefix] = series_current(prefix)
		self.counters[prefix] += 1
		return f"{prefix}{self.counters[prefix]:0{self.digits}d}"

	def save(self) -> None:
		for prefix, current in self.counters.items():
			set_series(prefix, current)


def weekday_on_or_after(day: date) -> date:
	return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def weekday_on_or_before(day: date) -> date:
	return day - timedelta(days=day.weekday() - 4 if day.weekday() >= 5 else 0)


def office_time(
	rng: random.Random, day: date, after: datetime | None = None, before: datetime | None = None
) -> datetime:
	"""A moment on ``day`` in working hours (8:00–17:00), later than ``after`` and not later than ``before``
	(outside working hours when nothing else fits)."""
	low, high = datetime.combine(day, time(8)), datetime.combine(day, time(17))
	if after:
		low = max(low, after + timedelta(minutes=2))
	if before:
		high = min(high, before)
	if high <= low:
		return min(low, before) if before else low
	return low + timedelta(seconds=rng.randrange(int((high - low).total_seconds())))


def demo_pdf(text: str) -> bytes:
	"""A one-page PDF with ``text`` inside (frappe keeps one copy of equal contents: the text keeps files apart)."""
	return (
		b"%PDF-1.4\n%" + text.encode() + b"\n"
		b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
		b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
	)


def demo_file(file_name: str) -> str:
	"""A small PDF stored once as a private file; bulk-written demo records (signed applications, orders)
	name it."""
	existing = frappe.db.get_value("File", {"file_name": file_name}, "file_url")
	if existing:
		return existing
	return (
		frappe.get_doc(doctype="File", file_name=file_name, content=demo_pdf(file_name), is_private=1)
		.insert()
		.file_url
	)
