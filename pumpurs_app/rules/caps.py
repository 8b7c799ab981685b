"""Caps on compensations per day, month and term, and their unit prices.

No public per-type caps exist, so caps are settings: a national set per compensation type, overridden by a
partner from a date. A cap limits what one learner receives of one type in a period, whichever documents
the money was claimed on, so every check adds the learner's earlier lines to the new ones.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.money import CENT, money_sum, to_money

DAY = "day"
MONTH = "month"
TERM = "term"
PERIOD_KINDS = (DAY, MONTH, TERM)


@dataclass(frozen=True)
class CapSet:
	"""Caps in EUR (``None`` = no cap) and the unit price of one ticket, night or meal, if fixed."""

	per_day: Decimal | None = None
	per_month: Decimal | None = None
	per_term: Decimal | None = None
	unit_price: Decimal | None = None


@dataclass(frozen=True)
class CapOverride:
	"""A partner's own caps from ``valid_from``; a ``None`` field keeps the national value."""

	valid_from: date
	caps: CapSet


@dataclass(frozen=True)
class Line:
	day: date
	amount: Decimal
	document: str  # the compensation the line belongs to


@dataclass(frozen=True)
class Breach:
	kind: str  # DAY, MONTH or TERM
	label: str  # "2026-10-05", "2026-10" or the term's name
	cap: Decimal
	total: Decimal
	excess: Decimal


class CapExceeded(RuleViolation):
	"""Raised by :func:`raise_for_breaches`; the message names the first breach, ``breaches`` holds all."""

	def __init__(self, message: str, breaches: list[Breach], **params: object) -> None:
		super().__init__(message, **params)
		self.breaches = breaches


def effective_caps(national: CapSet, overrides: list[CapOverride], on: date) -> CapSet:
	"""The caps in force on ``on``: the latest override already valid (the later in the list on a tie),
	field by field over the national caps."""
	valid = [override for override in overrides if override.valid_from <= on]
	if not valid:
		return national
	newest = max(override.valid_from for override in valid)
	latest = [override.caps for override in valid if override.valid_from == newest][-1]
	return CapSet(
		per_day=_first(latest.per_day, national.per_day),
		per_month=_first(latest.per_month, national.per_month),
		per_term=_first(latest.per_term, national.per_term),
		unit_price=_first(latest.unit_price, national.unit_price),
	)


def _first(value: Decimal | None, fallback: Decimal | None) -> Decimal | None:
	return fallback if value is None else value


def amount_for(quantity: int | Decimal, unit_price: Decimal) -> Decimal:
	"""``quantity`` units at ``unit_price``, rounded half up to the cent (e.g. 3 tickets at 1.15 = 3.45)."""
	return (Decimal(quantity) * to_money(unit_price)).quantize(CENT, rounding=ROUND_HALF_UP)


def check_caps(
	caps: CapSet,
	existing: list[Line],
	new: list[Line],
	term: tuple[date, date],
	term_label: str | None = None,
) -> list[Breach]:
	"""Periods whose cap the new lines would exceed, added to the learner's existing lines of the same type.

	Only periods that a new line falls in are reported: an old excess is not the new document's fault.
	Existing lines of the documents being checked are ignored, as the new lines replace them.
	"""
	replaced = {line.document for line in new}
	lines = [line for line in existing if line.document not in replaced] + list(new)
	start, end = term
	breaches = []
	if caps.per_day is not None:
		breaches += _breaches(DAY, caps.per_day, lines, new, lambda day: day.isoformat())
	if caps.per_month is not None:
		breaches += _breaches(MONTH, caps.per_month, lines, new, lambda day: f"{day:%Y-%m}")
	if caps.per_term is not None:
		label = term_label or f"{start.isoformat()} – {end.isoformat()}"
		in_term = [line for line in lines if start <= line.day <= end]
		new_in_term = [line for line in new if start <= line.day <= end]
		breaches += _breaches(TERM, caps.per_term, in_term, new_in_term, lambda day: label)
	return breaches


def _breaches(kind, cap, lines: list[Line], new: list[Line], period_of) -> list[Breach]:
	cap = to_money(cap)
	totals: dict[str, list[Decimal]] = defaultdict(list)
	for line in lines:
		totals[period_of(line.day)].append(line.amount)
	touched = sorted({period_of(line.day) for line in new})
	found = []
	for label in touched:
		total = money_sum(totals[label])
		if total > cap:
			found.append(Breach(kind=kind, label=label, cap=cap, total=total, excess=total - cap))
	return found


def raise_for_breaches(breaches: list[Breach]) -> None:
	"""Refuse the document if any cap is exceeded, naming the first breach."""
	if not breaches:
		return
	first = breaches[0]
	params = dict(cap=str(first.cap), label=first.label, total=str(first.total), excess=str(first.excess))
	if first.kind == DAY:
		raise CapExceeded(
			"The daily cap of {cap} EUR for {label} would be exceeded: {total} EUR in total, {excess} EUR too much.",
			breaches,
			**params,
		)
	if first.kind == MONTH:
		raise CapExceeded(
			"The monthly cap of {cap} EUR for {label} would be exceeded: {total} EUR in total, {excess} EUR too much.",
			breaches,
			**params,
		)
	raise CapExceeded(
		"The term cap of {cap} EUR for {label} would be exceeded: {total} EUR in total, {excess} EUR too much.",
		breaches,
		**params,
	)


def check_period(start: date, end: date) -> None:
	if end < start:
		raise RuleViolation("The period ends before it starts.")


def check_within_period(lines: Iterable[Line], start: date, end: date) -> None:
	"""Every line must fall in the claim's period (or the support plan's term)."""
	check_period(start, end)
	for line in lines:
		if not start <= line.day <= end:
			raise RuleViolation(
				"The date {date} is outside the period {start} – {end}.",
				date=line.day.isoformat(),
				start=start.isoformat(),
				end=end.isoformat(),
			)


def overlapping_claims(new_start: date, new_end: date, others: list[tuple[str, date, date]]) -> list[str]:
	"""Names of the learner's other claims of the same type whose period shares a day with the new one."""
	check_period(new_start, new_end)
	return [name for name, start, end in others if start <= new_end and new_start <= end]
