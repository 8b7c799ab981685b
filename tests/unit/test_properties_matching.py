"""Properties of statement matching (rules/matching.py): batch lines of a few payees, amounts and dates, and
statements that pay, repeat, return, mistype or miss them.

Above all a batch line is paid once: at most one transaction is matched to it, each transaction to at most
one line, and a statement made of exactly the batch's payments reconciles every line.
"""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pumpurs_app.rules.matching import (
	ALREADY_MATCHED,
	AMOUNT_MISMATCH,
	BY_END_TO_END_ID,
	BY_IBAN_AND_AMOUNT,
	INCOMING,
	MATCHED,
	NO_IBAN_AND_AMOUNT,
	RETURNED,
	STATUSES,
	UNMATCHED,
	BatchLine,
	match,
)
from pumpurs_app.rules.statements import CRDT, DBIT, Transaction

D = Decimal
WINDOW = 5
EXECUTED = date(2026, 10, 5)
IBANS = ["LV44HABA0551000000001", "LV31UNLA0050000000002", "LV08RIKO0002930000003"]
AMOUNTS = [D("10.00"), D("12.50"), D("7.35")]
PAYING = (MATCHED, AMOUNT_MISMATCH)  # statuses that count a transaction as the line's payment

execution_dates = st.integers(min_value=-3, max_value=3).map(lambda n: EXECUTED + timedelta(days=n))
booking_dates = st.integers(min_value=-9, max_value=9).map(lambda n: EXECUTED + timedelta(days=n))
# an IBAN as a bank may print it: compact, in groups of four, or in lower case; or none at all
written_ibans = st.one_of(
	st.none(),
	st.sampled_from(
		[
			form
			for iban in IBANS
			for form in (iban, " ".join(iban[n : n + 4] for n in range(0, len(iban), 4)), iban.lower())
		]
	),
)
# what a bank reports as the end-to-end ID: nothing, "NOTPROVIDED", or one of ours (n), maybe padded
e2e_choices = st.tuples(
	st.sampled_from([None, "", "NOTPROVIDED", "unknown", 1, 2, 3, 4, 5, 6, 7, 8]), st.booleans()
)
directions = st.sampled_from([DBIT, DBIT, DBIT, CRDT])
return_reasons = st.sampled_from([None, "AC04"])


def key(n: int) -> str:
	return f"KPB-1-{n:04d}"


@st.composite
def batch_lines(draw) -> list[BatchLine]:
	count = draw(st.integers(min_value=0, max_value=8))
	return [
		BatchLine(
			key=key(n),
			end_to_end_id=key(n),
			iban=draw(st.sampled_from(IBANS)),
			amount=draw(st.sampled_from(AMOUNTS)),
			execution_date=draw(execution_dates),
		)
		for n in range(1, count + 1)
	]


@st.composite
def statements(draw) -> list[Transaction]:
	"""Transactions that mostly concern the batch: its IDs (or none, or an unknown one, padded with spaces),
	its payees and amounts, booked around the execution date, outgoing, incoming or returned."""
	result = []
	for n in range(1, draw(st.integers(min_value=0, max_value=10)) + 1):
		e2e, padded = draw(e2e_choices)
		if isinstance(e2e, int):
			e2e = key(e2e)
		if e2e and padded:
			e2e = f" {e2e} "
		returned = draw(st.booleans()) and draw(st.booleans())
		direction = CRDT if returned else draw(directions)
		reason = draw(return_reasons) if returned else None
		result.append(
			Transaction(
				n,
				draw(booking_dates),
				draw(st.sampled_from(AMOUNTS)),
				direction,
				e2e,
				draw(written_ibans),
				None,
				None,
				returned,
				reason,
				f"A{n}",
			)
		)
	return result


@st.composite
def cases(draw):
	lines = draw(batch_lines())
	return lines, draw(statements())


def compact(iban: str | None) -> str:
	return "".join((iban or "").split()).upper()


def candidates(transaction: Transaction, lines: list[BatchLine]) -> list[tuple[int, BatchLine]]:
	"""Lines of the transaction's IBAN and amount within the window, with their distance in days."""
	found = []
	for line in lines:
		days = abs((transaction.booking_date - line.execution_date).days)
		if (
			compact(transaction.counterparty_iban)
			and compact(transaction.counterparty_iban) == compact(line.iban)
			and transaction.amount == line.amount
			and days <= WINDOW
		):
			found.append((days, line))
	return found


@settings(max_examples=120)
@given(cases())
def test_a_line_is_paid_by_at_most_one_transaction_and_each_match_is_justified(case):
	lines, transactions = case
	results = match(transactions, lines, window_days=WINDOW)
	assert [result.transaction for result in results] == transactions  # one result each, in order
	by_key = {line.key: line for line in lines}
	paid = Counter(result.line_key for result in results if result.status in PAYING)
	assert all(count == 1 for count in paid.values())
	for result in results:
		transaction = result.transaction
		assert result.status in STATUSES
		assert result.line_key is None or result.line_key in by_key
		if result.status in PAYING:
			assert transaction.direction == DBIT and not transaction.returned
		if result.status == RETURNED:
			assert transaction.returned
		if transaction.direction == CRDT and not transaction.returned:
			assert (result.status, result.reason) == (UNMATCHED, INCOMING)
		if result.status != MATCHED:
			continue
		line = by_key[result.line_key]
		assert transaction.amount == line.amount
		assert compact(transaction.counterparty_iban) in ("", compact(line.iban))
		if result.reason == BY_END_TO_END_ID:
			assert transaction.end_to_end_id.strip() == line.end_to_end_id
		else:
			assert result.reason == BY_IBAN_AND_AMOUNT
			assert line in [candidate for _days, candidate in candidates(transaction, lines)]
			assert result.params["days"] == abs((transaction.booking_date - line.execution_date).days)


@settings(max_examples=80)
@given(cases(), st.randoms(use_true_random=False))
def test_the_order_of_the_batch_lines_does_not_matter(case, random):
	lines, transactions = case
	shuffled = list(lines)
	random.shuffle(shuffled)
	assert match(transactions, shuffled, WINDOW) == match(transactions, lines, WINDOW)


@settings(max_examples=100)
@given(cases())
def test_matching_by_iban_and_amount_takes_the_closest_free_line_and_explains_a_miss(case):
	lines, transactions = case
	results = match(transactions, lines, window_days=WINDOW)
	taken = {result.line_key for result in results if result.line_key and not result.transaction.returned}
	for result in results:
		near = candidates(result.transaction, lines)
		if result.reason == BY_IBAN_AND_AMOUNT:
			# no line closer than the one taken was left unused
			distance = result.params["days"]
			assert all(line.key in taken for days, line in near if days < distance)
		elif result.reason == NO_IBAN_AND_AMOUNT:
			assert near == []  # "no batch line pays ..." is true of every line, used or not
		elif result.reason == ALREADY_MATCHED and not result.transaction.end_to_end_id:
			assert near and all(line.key in taken for _days, line in near)


@settings(max_examples=80)
@given(batch_lines(), st.booleans(), st.randoms(use_true_random=False))
def test_a_statement_of_exactly_the_batch_reconciles_every_line_once(lines, with_ids, random):
	"""Each line paid once, booked on its execution date, in any order, with or without the IDs: every
	transaction is matched, and to a different line."""
	transactions = [
		Transaction(
			n,
			line.execution_date,
			line.amount,
			DBIT,
			line.end_to_end_id if with_ids else None,
			line.iban,
			None,
			None,
			False,
			None,
			f"A{n}",
		)
		for n, line in enumerate(lines, 1)
	]
	random.shuffle(transactions)
	results = match(transactions, lines, window_days=WINDOW)
	assert all(result.status == MATCHED for result in results)
	assert sorted(result.line_key for result in results) == sorted(line.key for line in lines)
	if with_ids:
		for result in results:
			assert result.line_key == result.transaction.end_to_end_id


@settings(max_examples=60)
@given(batch_lines(), st.randoms(use_true_random=False))
def test_a_payment_booked_twice_is_counted_once(lines, random):
	"""The bank reports every payment twice: each line is still paid once and every copy is unmatched."""
	transactions = [
		Transaction(
			n, line.execution_date, line.amount, DBIT, e2e, line.iban, None, None, False, None, f"A{n}"
		)
		for n, (line, e2e) in enumerate(
			[(line, e2e) for line in lines for e2e in (line.end_to_end_id, None)], 1
		)
	]
	random.shuffle(transactions)
	results = match(transactions, lines, window_days=WINDOW)
	assert sorted(result.line_key for result in results if result.status == MATCHED) == sorted(
		line.key for line in lines
	)
	assert sum(result.status == UNMATCHED for result in results) == len(lines)
