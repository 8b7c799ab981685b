"""Reconciliation: which batch line each bank statement transaction pays (or returns).

The end-to-end ID that we put in the payment file comes back on the statement, so it decides first. Banks
do not always report it; then a payment to the same IBAN of exactly the same amount booked within a few
days of the execution date is taken, the closest date first. A batch line is paid once: a second
transaction for it is shown as unmatched rather than silently counted twice.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.statements import DBIT, Transaction

MATCHED = "Matched"
AMOUNT_MISMATCH = "Amount mismatch"
UNMATCHED = "Unmatched"
RETURNED = "Returned"
STATUSES = (MATCHED, AMOUNT_MISMATCH, UNMATCHED, RETURNED)

# reasons: English templates, translated by the caller like RuleViolation messages
BY_END_TO_END_ID = "Matched by the end-to-end ID {end_to_end_id}."
BY_IBAN_AND_AMOUNT = "Matched by IBAN and amount; days between execution and booking: {days}."
WRONG_AMOUNT = "Batch line {line} is for {expected} EUR, but {amount} EUR was booked."
WRONG_PAYEE = "Batch line {line} pays {expected}, but the bank paid {iban}."
RETURN_OF_LINE = "The payment of batch line {line} was returned."
RETURN_WITH_REASON = "The payment of batch line {line} was returned; reason: {return_reason}."
ALREADY_MATCHED = "Batch line {line} is already matched to another transaction."
NO_END_TO_END_ID = "No batch line has the end-to-end ID {end_to_end_id}."
NO_IBAN_AND_AMOUNT = "No batch line pays {amount} EUR to {iban} within {days} days of {booking_date}."
NO_IBAN = "The transaction has neither an end-to-end ID nor a counterparty IBAN."
NO_RETURNED_LINE = "A returned payment that no batch line matches."
INCOMING = "An incoming payment: only outgoing payments and returns are matched."
REASONS = (
	BY_END_TO_END_ID,
	BY_IBAN_AND_AMOUNT,
	WRONG_AMOUNT,
	WRONG_PAYEE,
	RETURN_OF_LINE,
	RETURN_WITH_REASON,
	ALREADY_MATCHED,
	NO_END_TO_END_ID,
	NO_IBAN_AND_AMOUNT,
	NO_IBAN,
	NO_RETURNED_LINE,
	INCOMING,
)


@dataclass(frozen=True)
class BatchLine:
	key: str
	end_to_end_id: str
	iban: str
	amount: Decimal
	execution_date: date


@dataclass(frozen=True)
class Match:
	transaction: Transaction
	line_key: str | None
	status: str
	reason: str  # one of REASONS
	params: dict = field(default_factory=dict)

	@property
	def message(self) -> str:
		return self.reason.format(**self.params)


def match(transactions: list[Transaction], lines: list[BatchLine], window_days: int = 5) -> list[Match]:
	"""One :class:`Match` per transaction, in the order given."""
	by_e2e: dict[str, BatchLine] = {}
	by_payee: dict[tuple[str, Decimal], list[BatchLine]] = defaultdict(list)
	for line in sorted(lines, key=lambda line: line.key):
		e2e = line.end_to_end_id.strip()
		if e2e in by_e2e:
			raise RuleViolation(
				"End-to-end ID {end_to_end_id} is used by more than one batch line.", end_to_end_id=e2e
			)
		by_e2e[e2e] = line
		by_payee[(_compact(line.iban), line.amount)].append(line)
	results: dict[int, Match] = {}
	used: set[str] = set()
	fallback: list[int] = []
	for index, transaction in enumerate(transactions):
		e2e = (transaction.end_to_end_id or "").strip()
		line = by_e2e.get(e2e) if e2e else None
		if transaction.returned:
			line = line or _returned_line(transaction, _same_payee(transaction, by_payee))
			results[index] = _returned(transaction, line)
		elif transaction.direction != DBIT:
			results[index] = Match(transaction, None, UNMATCHED, INCOMING)
		elif line is None:
			fallback.append(index)
		elif line.key in used:
			results[index] = Match(transaction, None, UNMATCHED, ALREADY_MATCHED, {"line": line.key})
		else:
			used.add(line.key)
			results[index] = _by_end_to_end_id(transaction, line, e2e)
	results.update(_by_iban_and_amount(transactions, fallback, by_payee, used, window_days))
	return [results[index] for index in range(len(transactions))]


def _same_payee(transaction: Transaction, by_payee) -> list[BatchLine]:
	"""Lines paying the transaction's amount to its counterparty IBAN, by key."""
	iban = _compact(transaction.counterparty_iban)
	return by_payee.get((iban, transaction.amount), []) if iban else []


def _by_end_to_end_id(transaction: Transaction, line: BatchLine, e2e: str) -> Match:
	iban = _compact(transaction.counterparty_iban)
	if iban and iban != _compact(line.iban):
		# our ID on a payment to someone else: never reconcile it, show it as an exception
		return Match(
			transaction,
			line.key,
			UNMATCHED,
			WRONG_PAYEE,
			{"line": line.key, "expected": line.iban, "iban": iban},
		)
	if transaction.amount != line.amount:
		params = {"line": line.key, "expected": str(line.amount), "amount": str(transaction.amount)}
		return Match(transaction, line.key, AMOUNT_MISMATCH, WRONG_AMOUNT, params)
	return Match(transaction, line.key, MATCHED, BY_END_TO_END_ID, {"end_to_end_id": e2e})


def _returned(transaction: Transaction, line: BatchLine | None) -> Match:
	"""A return points at the line it returns but does not use it up: the line was paid, then returned."""
	if line is None:
		return Match(transaction, None, UNMATCHED, NO_RETURNED_LINE)
	if transaction.return_reason:
		params = {"line": line.key, "return_reason": transaction.return_reason}
		return Match(transaction, line.key, RETURNED, RETURN_WITH_REASON, params)
	return Match(transaction, line.key, RETURNED, RETURN_OF_LINE, {"line": line.key})


def _returned_line(transaction: Transaction, candidates: list[BatchLine]) -> BatchLine | None:
	"""Without its end-to-end ID, a return belongs to the latest line of its IBAN and amount executed
	before it (the lowest key on the same day)."""
	paid_before = [line for line in candidates if line.execution_date <= transaction.booking_date]
	return max(paid_before, key=lambda line: line.execution_date, default=None)


def _by_iban_and_amount(transactions, indexes, by_payee, used, window_days) -> dict[int, Match]:
	"""Pair transactions and free lines of the same IBAN and amount, the closest dates first; on equal
	distance a line executed before the booking, then the earlier transaction, then the lower key.
	Each line is used at most once."""
	pairs = []
	for index in indexes:
		transaction = transactions[index]
		for line in _same_payee(transaction, by_payee):
			days = (transaction.booking_date - line.execution_date).days
			if abs(days) <= window_days:
				pairs.append((abs(days), days < 0, index, line.key))
	results: dict[int, Match] = {}
	taken: dict[int, str] = {}
	for distance, _early, index, key in sorted(pairs):
		if index in results:
			continue
		if key in used:
			taken.setdefault(index, key)
			continue
		used.add(key)
		results[index] = Match(transactions[index], key, MATCHED, BY_IBAN_AND_AMOUNT, {"days": distance})
	for index in indexes:
		if index not in results:
			results[index] = _unmatched(transactions[index], taken.get(index), window_days)
	return results


def _unmatched(transaction: Transaction, taken: str | None, window_days: int) -> Match:
	"""Why nothing matched: the closest line was used up, the end-to-end ID is unknown, or nothing fits."""
	if taken:
		return Match(transaction, None, UNMATCHED, ALREADY_MATCHED, {"line": taken})
	if transaction.end_to_end_id:
		params = {"end_to_end_id": transaction.end_to_end_id.strip()}
		return Match(transaction, None, UNMATCHED, NO_END_TO_END_ID, params)
	if not transaction.counterparty_iban:
		return Match(transaction, None, UNMATCHED, NO_IBAN)
	params = {
		"amount": str(transaction.amount),
		"iban": _compact(transaction.counterparty_iban),
		"days": window_days,
		"booking_date": transaction.booking_date.isoformat(),
	}
	return Match(transaction, None, UNMATCHED, NO_IBAN_AND_AMOUNT, params)


def _compact(iban: str | None) -> str:
	return "".join((iban or "").split()).upper()
