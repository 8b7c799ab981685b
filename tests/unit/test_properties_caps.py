"""Properties of caps (rules/caps.py) and of claim amounts (rules/compensations.py).

The main one: claims of one learner and type, entered one after another (and re-entered, which replaces a
document's lines), each accepted only when :func:`check_caps` finds no breach, never add up to more than
a cap in any day, calendar month or the term — however the period is split into claims.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules.caps import (
	DAY,
	MONTH,
	TERM,
	CapOverride,
	CapSet,
	Line,
	amount_for,
	check_caps,
	effective_caps,
	overlapping_claims,
)
from pumpurs_app.rules.compensations import ClaimLine, exceeds_plan, line_amount

D = Decimal
TERM_1 = (date(2026, 9, 1), date(2026, 12, 31))
# lines fall from late August to early January, so some lie outside the term and months are split
FIRST_DAY, LAST_DAY = date(2026, 8, 25), date(2027, 1, 10)


def cents(min_cents: int, max_cents: int) -> st.SearchStrategy[Decimal]:
	return st.integers(min_value=min_cents, max_value=max_cents).map(lambda n: D(n).scaleb(-2))


amounts = cents(1, 2_500)
days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
optional_caps = st.one_of(st.none(), cents(0, 10_000))
cap_sets = st.builds(
	CapSet, per_day=optional_caps, per_month=optional_caps, per_term=optional_caps, unit_price=st.none()
)


documents = st.sampled_from([f"KMP-{n}" for n in range(1, 7)])
dated_amounts = st.lists(st.tuples(days, amounts), min_size=1, max_size=5)


@st.composite
def claims(draw, max_claims: int = 12):
	"""Claims as (document, lines); a document name may come again, as when a claim is edited."""
	result = []
	for _ in range(draw(st.integers(min_value=1, max_value=max_claims))):
		document = draw(documents)
		result.append((document, [Line(day, amount, document) for day, amount in draw(dated_amounts)]))
	return result


def period_totals(lines: list[Line], term: tuple[date, date]) -> dict[tuple[str, str], Decimal]:
	totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
	for line in lines:
		totals[(DAY, line.day.isoformat())] += line.amount
		totals[(MONTH, f"{line.day:%Y-%m}")] += line.amount
		if term[0] <= line.day <= term[1]:
			totals[(TERM, "term")] += line.amount
	return totals


def cap_of(caps: CapSet, kind: str) -> Decimal | None:
	return {DAY: caps.per_day, MONTH: caps.per_month, TERM: caps.per_term}[kind]


@settings(max_examples=80)
@given(cap_sets, claims())
def test_accepted_claims_never_exceed_a_cap(caps, entered):
	accepted: dict[str, list[Line]] = {}
	for document, lines in entered:
		existing = [line for kept in accepted.values() for line in kept]
		if not check_caps(caps, existing, lines, TERM_1, "term"):
			accepted[document] = lines  # a document entered again replaces its lines
	totals = period_totals([line for kept in accepted.values() for line in kept], TERM_1)
	for (kind, _label), total in totals.items():
		cap = cap_of(caps, kind)
		assert cap is None or total <= cap


@settings(max_examples=80)
@given(cap_sets, claims(), claims(max_claims=1))
def test_breaches_are_exactly_the_overfull_periods_of_the_new_lines(caps, earlier, entered):
	"""A breach is reported for a period iff a new line falls in it and the learner's lines there (the
	document's own earlier lines replaced) add up to more than the cap; its total and excess are exact."""
	existing = [line for _document, lines in earlier for line in lines]
	document, new = entered[0]
	breaches = check_caps(caps, existing, new, TERM_1, "term")
	combined = [line for line in existing if line.document != document] + new
	totals = period_totals(combined, TERM_1)
	touched = set(period_totals(new, TERM_1))
	expected = {
		key: totals[key]
		for key in touched
		if cap_of(caps, key[0]) is not None and totals[key] > cap_of(caps, key[0])
	}
	assert {(b.kind, b.label): b.total for b in breaches} == expected
	for breach in breaches:
		assert breach.cap == cap_of(caps, breach.kind)
		assert breach.excess == breach.total - breach.cap > 0


@settings(max_examples=100)
@given(cap_sets, st.lists(st.tuples(days, amounts), min_size=1, max_size=20), st.data())
def test_one_claim_or_the_same_lines_split_into_claims_get_the_same_verdict(caps, lines, data):
	"""Splitting a set of lines into several documents does not get more money past the caps: if the whole
	set breaches a cap, entering the parts one by one is refused at some part."""
	whole = [Line(day, amount, "KMP-1") for day, amount in lines]
	cuts = sorted(data.draw(st.sets(st.integers(min_value=1, max_value=len(lines)), max_size=4)))
	parts, start = [], 0
	for n, cut in enumerate([*cuts, len(lines)]):
		parts.append([Line(day, amount, f"KMP-P{n}") for day, amount in lines[start:cut]])
		start = cut
	parts = [part for part in parts if part]
	existing: list[Line] = []
	refused = False
	for part in parts:
		if check_caps(caps, existing, part, TERM_1):
			refused = True
			break
		existing += part
	assert refused == bool(check_caps(caps, [], whole, TERM_1))


overrides = st.lists(
	st.builds(CapOverride, valid_from=st.dates(date(2025, 1, 1), date(2027, 12, 31)), caps=cap_sets),
	max_size=5,
)


@settings(max_examples=100)
@given(cap_sets, overrides, st.dates(date(2024, 6, 1), date(2028, 6, 1)))
def test_effective_caps_take_each_field_from_the_latest_valid_override_or_the_national_set(
	national, partner, on
):
	caps = effective_caps(national, partner, on)
	valid = [override for override in partner if override.valid_from <= on]
	if not valid:
		assert caps == national
		return
	newest = max(override.valid_from for override in valid)
	latest = [override for override in valid if override.valid_from == newest][-1].caps
	for field in ("per_day", "per_month", "per_term", "unit_price"):
		own = getattr(latest, field)
		assert getattr(caps, field) == (getattr(national, field) if own is None else own)


@settings(max_examples=100)
@given(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=500), cents(1, 10_000))
def test_amounts_of_whole_units_are_exact_and_add_up(first, second, price):
	assert amount_for(first, price) == first * price
	assert amount_for(first + second, price) == amount_for(first, price) + amount_for(second, price)


@settings(max_examples=100)
@given(
	st.decimals(min_value=D("0.001"), max_value=D("1000"), places=3),
	cents(1, 10_000),
	st.booleans(),
)
@example(quantity=D("0.5"), price=D("0.01"), evidence=False)  # 0.005 rounds half up to one cent
def test_a_claim_line_is_its_quantity_times_the_price_rounded_to_the_cent(quantity, price, evidence):
	exact = quantity * price
	line = ClaimLine(1, date(2026, 10, 5), quantity, price, evidence)
	if exact < D("0.005"):
		with pytest.raises(
			RuleViolation, match=r"^#1 must be greater than zero, not 0\.00 EUR\.$"
		):  # rounds to zero
			line_amount(line)
		return
	amount = line_amount(line)
	assert amount > 0 and amount == amount.quantize(D("0.01"))
	assert exact - D("0.005") < amount <= exact + D("0.005")


@settings(max_examples=100)
@given(st.one_of(st.none(), cents(0, 100_000)), st.lists(cents(1, 20_000), max_size=8), cents(1, 20_000))
def test_a_plan_is_exceeded_by_exactly_what_its_claims_add_beyond_it(planned, before, this_claim):
	excess = exceeds_plan(planned, before, this_claim)
	total = sum(before, this_claim)
	assert excess == max(total - (planned or 0), 0)
	assert excess >= 0


periods = st.tuples(days, days).map(sorted)


@settings(max_examples=100)
@given(periods, st.lists(periods, max_size=6))
def test_overlapping_claims_share_a_day(new, others):
	named = [(f"KMP-{n}", start, end) for n, (start, end) in enumerate(others)]
	found = overlapping_claims(new[0], new[1], named)

	def span(start: date, end: date) -> set[date]:
		return {start + timedelta(days=n) for n in range((end - start).days + 1)}

	assert found == [name for name, start, end in named if span(start, end) & span(*new)]
