"""What the programme's reports share: their common filters and the grade bands they report by.

Every report reads through ``frappe.get_list`` (or adds ``access.sql_condition`` to a query of its own), so a
user sees only their partner's or institution's data — frappe runs Script Reports without permission
filtering of their own (frappe#31063), so a report must never read with ``get_all`` or plain SQL."""

from decimal import Decimal

import frappe
from frappe import _

from pumpurs_app.rules import target_group
from pumpurs_app.rules.money import CENT

LIVE_PLAN_STATES = ("Approved", "Evaluated")


def terms_of(filters: dict) -> list[str] | None:
	"""The school terms a report's ``school_term`` / ``school_year`` filters select; None means all."""
	if filters.get("school_term"):
		return [filters["school_term"]]
	if filters.get("school_year"):
		return frappe.get_all("School Term", filters={"school_year": filters["school_year"]}, pluck="name")
	return None


def plan_filters(filters: dict, states: tuple[str, ...] = LIVE_PLAN_STATES) -> dict:
	"""Filters of ``Individual Support Plan`` for a report's common filters (approved plans by default)."""
	conditions = {"docstatus": ("<", 2)}
	if states:
		conditions["workflow_state"] = ("in", states)
	terms = terms_of(filters)
	if terms is not None:
		conditions["school_term"] = ("in", terms or [""])
	for field in ("partner", "institution"):
		if filters.get(field):
			conditions[field] = filters[field]
	return conditions


def grade_band(education_type: str, grade: int) -> str:
	"""The grade band in the user's language."""
	return _(target_group.grade_band(education_type, grade))


def share(part, whole) -> float:
	"""``part`` as a percentage of ``whole`` (0 when there is no whole)."""
	return round(100.0 * float(part) / float(whole), 1) if whole else 0.0


def current_term() -> str | None:
	from pumpurs_app.registers.doctype.school_term.school_term import current_term

	return current_term()


def term_sort_keys() -> dict[str, tuple[int, int]]:
	"""Every school term's place in time (school year, then semester 1, semester 2, holiday), so that reports
	list terms chronologically rather than by name."""
	from pumpurs_app.registers.doctype.school_term.school_term import all_terms

	return {term.name: term.sort_key for term in all_terms()}


def list_filters(doctype: str, conditions: dict) -> list[list]:
	"""A dict of filters (``plan_filters``) in frappe's list form, so that conditions on a child table
	(``[child_doctype, field, op, value]``) can be added to it."""
	return [
		[doctype, field, *(value if isinstance(value, tuple | list) else ("=", value))]
		for field, value in conditions.items()
	]


def money(value) -> Decimal:
	"""An amount the database summed, exact to the cent: MariaDB adds DECIMAL columns exactly, frappe hands
	the sum back as a float, and its shortest repr gives the same two decimals back."""
	return Decimal(str(value or 0)).quantize(CENT)


def as_number(amount: Decimal | None) -> float | None:
	"""An exact amount as the number a report row shows: frappe's JSON and its Excel export take floats (an
	Excel cell gets a Decimal as text), and a two-decimal amount survives the conversion unchanged. Add the
	Decimals first, convert the result."""
	return None if amount is None else float(amount)


def monthly_bars(totals: dict[tuple[str, str], object], series: list[str], name, value) -> dict:
	"""A stacked bar chart: one bar per month, one segment per series; ``totals`` is keyed by (series, month
	label) and ``value`` turns a total (None where a series has none that month) into the bar's number."""
	labels = sorted({month for _series, month in totals})
	return {
		"data": {
			"labels": labels,
			"datasets": [
				{"name": name(s), "values": [value(totals.get((s, m))) for m in labels]} for s in series
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
	}


def month_label(year, month) -> str:
	"""``2026-10``: sorts in time order in the table, the chart and the spreadsheet."""
	return f"{int(year):04d}-{int(month):02d}"
