"""Dates as people and banks type them into spreadsheets and exports: DD.MM.YYYY, as Latvians write them, or
ISO YYYY-MM-DD; a date cell is taken as it is. Shared by the learner import and the bank-table statements."""

import re
from datetime import date, datetime

# a whole value: "01.09.2024" (also with the closing dot some write: "01.09.2024.") or "2024-9-1"
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\.?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# a bank export's value, which may go on with a time: "01.09.2024 10:15", "2024-09-01T10:15:00"
_DMY_TIME = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T].*)?$")
_YMD_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")


def cell_date(value) -> date | None:
	"""A date or date-and-time cell as its date; ``None`` for any other value."""
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	return None


def _match(text: str, with_time: bool) -> re.Match | None:
	dmy, ymd = (_DMY_TIME, _YMD_TIME) if with_time else (_DMY, _YMD)
	return dmy.match(text) or ymd.match(text)


def looks_like_date(text: str, with_time: bool = False) -> bool:
	"""Is ``text`` written as a date (whether or not there is such a day)?"""
	return _match(text, with_time) is not None


def parse_date(text: str, with_time: bool = False) -> date | None:
	"""The day ``text`` names as DD.MM.YYYY or YYYY-MM-DD (``with_time``: perhaps followed by a time); ``None``
	when it is written otherwise or there is no such day (31.02.2024)."""
	match = _match(text, with_time)
	if match:
		day, month, year = reversed(match.groups()) if match.re in (_YMD, _YMD_TIME) else match.groups()
		try:
			return date(int(year), int(month), int(day))
		except ValueError:
			pass
	return None
