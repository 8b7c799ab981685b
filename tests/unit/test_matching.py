from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules.matching import (
	ALREADY_MATCHED,
	AMOUNT_MISMATCH,
	BY_END_TO_END_ID,
	BY_IBAN_AND_AMOUNT,
	INCOMING,
	MATCHED,
	NO_END_TO_END_ID,
	NO_IBAN,
	NO_IBAN_AND_AMOUNT,
	NO_RETURNED_LINE,
	RETURN_OF_LINE,
	RETURN_WITH_REASON,
	RETURNED,
	UNMATCHED,
	WRONG_AMOUNT,
	WRONG_PAYEE,
	BatchLine,
	match,
)
from pumpurs_app.rules.statements import CRDT, DBIT, Transaction, parse_statement

D = Decimal
EXECUTED = date(2026, 10, 5)
JANIS = "LV44HABA0551000000001"
ANNA = "LV31UNLA0050000000002"
PETERIS = "LV08RIKO0002930000003"


def tx(
	line: int,
	amount: str,
	e2e: str | None = None,
	iban: str | None = ANNA,
	booked: date = EXECUTED,
	direction: str = DBIT,
	returned: bool = False,
	reason: str | None = None,
) -> Transaction:
	return Transaction(
		line, booked, D(amount), direction, e2e, iban, None, None, returned, reason, f"A{line}"
	)


def bl(key: str, amount: str, iban: str = ANNA, executed: date = EXECUTED) -> BatchLine:
	return BatchLine(key, key, iban, D(amount), executed)


def summary(results) -> list[tuple]:
	return [(m.transaction.line, m.line_key, m.status, m.reason) for m in results]


def test_the_sample_statement_against_its_batch():
	statement = parse_statement((Path(__file__).parent / "samples" / "camt053_v02.xml").read_bytes(), "x.xml")
	lines = [
		bl("KPB-2026-00003-0001", "12.50", JANIS),
		bl("KPB-2026-00003-0002", "35.00", ANNA),
		bl("KPB-2026-00003-0003", "15.00", PETERIS),
		bl("KPB-2026-00003-0004", "25.00", ANNA),
		bl("KPB-2026-00003-0005", "7.20", JANIS),  # still pending at the bank: not on the statement
	]
	results = match(statement.transactions, lines)
	assert summary(results) == [
		(1, "KPB-2026-00003-0001", MATCHED, BY_END_TO_END_ID),
		(2, "KPB-2026-00003-0002", AMOUNT_MISMATCH, WRONG_AMOUNT),
		(3, "KPB-2026-00003-0003", MATCHED, BY_END_TO_END_ID),
		(4, "KPB-2026-00003-0004", MATCHED, BY_IBAN_AND_AMOUNT),
		(5, None, UNMATCHED, NO_IBAN_AND_AMOUNT),
		(6, "KPB-2026-00003-0001", RETURNED, RETURN_WITH_REASON),
		(7, None, UNMATCHED, INCOMING),
	]
	assert results[1].message == "Batch line KPB-2026-00003-0002 is for 35.00 EUR, but 30.00 EUR was booked."
	assert results[3].params == {"days": 1}
	assert results[4].message == (
		"No batch line pays 99.99 EUR to LV97HABA0012345678910 within 5 days of 2026-10-06."
	)
	assert results[5].message == "The payment of batch line KPB-2026-00003-0001 was returned; reason: AC04."


def test_end_to_end_id_is_exact_and_case_sensitive_after_strip():
	lines = [bl("KPB-1", "5.00")]
	assert summary(match([tx(1, "5.00", " KPB-1 ")], lines)) == [(1, "KPB-1", MATCHED, BY_END_TO_END_ID)]
	# "kpb-1" is another ID; the IBAN and amount still find the line
	assert summary(match([tx(1, "5.00", "kpb-1")], lines)) == [(1, "KPB-1", MATCHED, BY_IBAN_AND_AMOUNT)]
	result = match([tx(1, "5.00", "kpb-1", iban=JANIS)], lines)
	assert summary(result) == [(1, None, UNMATCHED, NO_END_TO_END_ID)]
	assert result[0].params == {"end_to_end_id": "kpb-1"}


def test_end_to_end_id_wins_over_a_closer_iban_match():
	lines = [bl("KPB-1", "5.00", executed=date(2026, 10, 1)), bl("KPB-2", "5.00")]
	results = match([tx(1, "5.00"), tx(2, "5.00", "KPB-2")], lines)
	# KPB-2 belongs to transaction 2 by its ID even though transaction 1 was booked on its execution day
	assert summary(results) == [
		(1, "KPB-1", MATCHED, BY_IBAN_AND_AMOUNT),
		(2, "KPB-2", MATCHED, BY_END_TO_END_ID),
	]


def test_a_line_is_matched_only_once():
	lines = [bl("KPB-1", "5.00")]
	by_id = match([tx(1, "5.00", "KPB-1"), tx(2, "5.00", "KPB-1")], lines)
	assert summary(by_id) == [(1, "KPB-1", MATCHED, BY_END_TO_END_ID), (2, None, UNMATCHED, ALREADY_MATCHED)]
	assert by_id[1].message == "Batch line KPB-1 is already matched to another transaction."
	by_iban = match([tx(1, "5.00"), tx(2, "5.00", booked=date(2026, 10, 6))], lines)
	assert summary(by_iban) == [
		(1, "KPB-1", MATCHED, BY_IBAN_AND_AMOUNT),
		(2, None, UNMATCHED, ALREADY_MATCHED),
	]
	# the closer transaction gets the line even when it comes later in the file
	later_closer = match([tx(1, "5.00", booked=date(2026, 10, 8)), tx(2, "5.00")], lines)
	assert summary(later_closer) == [
		(1, None, UNMATCHED, ALREADY_MATCHED),
		(2, "KPB-1", MATCHED, BY_IBAN_AND_AMOUNT),
	]


def test_amount_mismatch_uses_the_line_up():
	lines = [bl("KPB-1", "5.00")]
	results = match([tx(1, "5.01", "KPB-1"), tx(2, "5.00")], lines)
	assert summary(results) == [
		(1, "KPB-1", AMOUNT_MISMATCH, WRONG_AMOUNT),
		(2, None, UNMATCHED, ALREADY_MATCHED),
	]


def test_our_end_to_end_id_paid_to_another_account_is_never_reconciled():
	lines = [bl("KPB-1", "5.00", iban=ANNA)]
	results = match([tx(1, "5.00", "KPB-1", iban=JANIS)], lines)
	assert summary(results) == [(1, "KPB-1", UNMATCHED, WRONG_PAYEE)]
	assert results[0].message == f"Batch line KPB-1 pays {ANNA}, but the bank paid {JANIS}."
	# a bank that reports no counterparty IBAN still matches by the ID
	assert summary(match([tx(1, "5.00", "KPB-1", iban=None)], lines)) == [
		(1, "KPB-1", MATCHED, BY_END_TO_END_ID)
	]


def test_iban_matching_needs_the_exact_amount_and_ignores_spaces_and_case():
	lines = [bl("KPB-1", "5.00", iban="LV31 UNLA 0050 0000 0000 2")]
	assert summary(match([tx(1, "5.00", iban="lv31unla0050000000002")], lines))[0][2] == MATCHED
	assert summary(match([tx(1, "5.01")], lines))[0][3] == NO_IBAN_AND_AMOUNT
	assert summary(match([tx(1, "5.00", iban=None)], lines))[0][3] == NO_IBAN


@pytest.mark.parametrize(
	"days, status", [(-6, UNMATCHED), (-5, MATCHED), (0, MATCHED), (5, MATCHED), (6, UNMATCHED)]
)
def test_window_edges(days, status):
	booked = date.fromordinal(EXECUTED.toordinal() + days)
	assert match([tx(1, "5.00", booked=booked)], [bl("KPB-1", "5.00")])[0].status == status


def test_window_is_a_parameter():
	booked = date(2026, 10, 7)
	assert match([tx(1, "5.00", booked=booked)], [bl("KPB-1", "5.00")], window_days=1)[0].status == UNMATCHED
	assert match([tx(1, "5.00", booked=booked)], [bl("KPB-1", "5.00")], window_days=2)[0].status == MATCHED


def test_ties_are_broken_deterministically():
	before, after = (
		bl("KPB-9", "5.00", executed=date(2026, 10, 4)),
		bl("KPB-1", "5.00", executed=date(2026, 10, 6)),
	)
	# equally far: the line executed before the booking wins over the lower key
	assert match([tx(1, "5.00")], [after, before])[0].line_key == "KPB-9"
	same_day = [bl("KPB-3", "5.00"), bl("KPB-2", "5.00")]
	assert match([tx(1, "5.00")], same_day)[0].line_key == "KPB-2"  # then the lower key
	# two transactions equally close to one line: the first in the file wins
	results = match(
		[tx(1, "5.00", booked=date(2026, 10, 6)), tx(2, "5.00", booked=date(2026, 10, 6))], [after]
	)
	assert [m.line_key for m in results] == ["KPB-1", None]
	# and the result does not depend on the order of the lines
	many = [bl(f"KPB-{n}", "5.00", executed=date(2026, 10, n)) for n in range(1, 9)]
	transactions = [tx(n, "5.00", booked=date(2026, 10, n)) for n in (3, 4, 5)]
	assert match(transactions, many) == match(transactions, list(reversed(many)))
	assert [m.line_key for m in match(transactions, many)] == ["KPB-3", "KPB-4", "KPB-5"]


def test_returns():
	lines = [bl("KPB-1", "5.00"), bl("KPB-2", "5.00", executed=date(2026, 10, 12))]
	by_id = tx(1, "5.00", "KPB-1", booked=date(2026, 10, 20), direction=CRDT, returned=True, reason="AC04")
	by_iban = tx(2, "5.00", booked=date(2026, 10, 10), direction=CRDT, returned=True)
	reversal = tx(3, "5.00", booked=date(2026, 10, 13), direction=DBIT, returned=True)
	unknown = tx(4, "9.00", direction=CRDT, returned=True)
	paid = tx(5, "5.00", "KPB-1")
	results = match([by_id, by_iban, reversal, unknown, paid], lines)
	assert summary(results) == [
		(1, "KPB-1", RETURNED, RETURN_WITH_REASON),
		(2, "KPB-1", RETURNED, RETURN_OF_LINE),  # KPB-2 was executed after this return was booked
		(3, "KPB-2", RETURNED, RETURN_OF_LINE),  # the latest line paid before the return
		(4, None, UNMATCHED, NO_RETURNED_LINE),
		(5, "KPB-1", MATCHED, BY_END_TO_END_ID),  # a return does not use up the line it returns
	]


def test_incoming_money_is_not_matched():
	results = match([tx(1, "5.00", "KPB-1", direction=CRDT)], [bl("KPB-1", "5.00")])
	assert summary(results) == [(1, None, UNMATCHED, INCOMING)]


def test_results_follow_the_transactions_and_reasons_translate():
	transactions = [tx(n, "5.00", booked=date(2026, 10, n)) for n in (9, 2, 5)]
	results = match(transactions, [bl("KPB-1", "5.00")])
	assert [m.transaction.line for m in results] == [9, 2, 5]
	assert [m.status for m in results] == [UNMATCHED, UNMATCHED, MATCHED]
	for result in results:
		assert result.message == result.reason.format(**result.params)
	assert match([], [bl("KPB-1", "5.00")]) == []


def test_duplicate_end_to_end_ids_in_the_lines_are_refused():
	with pytest.raises(RuleViolation, match="used by more than one batch line"):
		match([], [bl("KPB-1", "5.00"), BatchLine("KPB-2", "KPB-1", ANNA, D("1.00"), EXECUTED)])
