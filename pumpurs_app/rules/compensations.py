"""Compensations paid for a learner against an approved plan: who may be paid, what a claim adds up to,
who checks it, and the states money goes through.

Draft → Submitted (the school's coordinator) → Verified (evidence checked) → Approved → Paid (only by a
payment batch) → Reconciled (only by the bank statement). A claim may be rejected before approval; an
approved one that is not yet paid may be cancelled.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pumpurs_app.rules.caps import amount_for
from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.money import check_positive, money_sum, to_money

DRAFT = "Draft"
SUBMITTED = "Submitted"
VERIFIED = "Verified"
APPROVED = "Approved"
PAID = "Paid"
RECONCILED = "Reconciled"
REJECTED = "Rejected"
CANCELLED = "Cancelled"
# claims that count towards caps, the plan's amount and overlaps
LIVE = (DRAFT, SUBMITTED, VERIFIED, APPROVED, PAID, RECONCILED)
# approved money: what the plan shows as approved
APPROVED_OR_LATER = (APPROVED, PAID, RECONCILED)
PAID_OR_LATER = (PAID, RECONCILED)

GUARDIAN = "Guardian"
ADULT_LEARNER = "Adult learner"
INSTITUTION = "Institution"
SUPPLIER = "Supplier"
PAYEE_KINDS = (GUARDIAN, ADULT_LEARNER, INSTITUTION, SUPPLIER)


@dataclass(frozen=True)
class ClaimLine:
	idx: int
	day: date
	quantity: Decimal
	unit_price: Decimal
	has_evidence: bool


def line_amount(line: ClaimLine) -> Decimal:
	"""Quantity × unit price, to the cent (half up), refusing anything that is not a positive amount."""
	if line.quantity <= 0:
		raise RuleViolation("Line {row}: the quantity must be more than zero.", row=line.idx)
	price = check_positive(to_money(line.unit_price), f"#{line.idx}")
	return check_positive(amount_for(line.quantity, price), f"#{line.idx}")


def check_evidence(lines: Iterable[ClaimLine], mandatory: bool) -> None:
	if not mandatory:
		return
	for line in lines:
		if not line.has_evidence:
			raise RuleViolation(
				"Line {row}: attach the evidence (ticket, receipt or invoice); this compensation type requires it.",
				row=line.idx,
			)


def check_payee(kind: str, allowed: set[str], learner_is_adult: bool) -> None:
	if kind not in allowed:
		raise RuleViolation("This compensation type cannot be paid to: {kind}.", kind=kind)
	if kind == ADULT_LEARNER and not learner_is_adult:
		raise RuleViolation(
			"The learner is not an adult; pay a guardian, the institution or a supplier instead."
		)


@dataclass(frozen=True)
class ClaimHands:
	"""Who has had a hand in a claim: its enterer, whoever changed its content (payee, account, period, lines)
	while it was a draft, its verifier and its approver."""

	claim: str
	entered_by: str
	changed_by: frozenset[str] = frozenset()
	verified_by: str | None = None
	approved_by: str | None = None


def check_four_eyes(actor: str, hands: ClaimHands, step: str) -> None:
	"""Whoever entered a claim or changed its content does not verify or approve it, and whoever verified it
	does not approve it."""
	if actor == hands.entered_by:
		raise RuleViolation("You entered this compensation, so someone else must verify or approve it.")
	if actor in hands.changed_by:
		raise RuleViolation(
			"You changed this compensation's payee, account, period or lines, so someone else must verify or approve it."
		)
	if step == APPROVED and actor == hands.verified_by:
		raise RuleViolation("You verified this compensation, so someone else must approve it.")


def payment_conflict(actor: str, hands: ClaimHands) -> RuleViolation | None:
	"""Why ``actor`` takes no part in paying the claim (putting it into a batch, exporting, confirming or
	withdrawing its batch), or None: nobody pays a claim they entered, changed, verified or approved."""
	claim = hands.claim
	if actor == hands.entered_by:
		return RuleViolation(
			"You entered compensation {claim}, so someone else must pay it (put it into a payment batch, export, confirm or withdraw the batch).",
			claim=claim,
		)
	if actor in hands.changed_by:
		return RuleViolation(
			"You changed compensation {claim}, so someone else must pay it (put it into a payment batch, export, confirm or withdraw the batch).",
			claim=claim,
		)
	if actor == hands.verified_by:
		return RuleViolation(
			"You verified compensation {claim}, so someone else must pay it (put it into a payment batch, export, confirm or withdraw the batch).",
			claim=claim,
		)
	if actor == hands.approved_by:
		return RuleViolation(
			"You approved compensation {claim}, so someone else must pay it (put it into a payment batch, export, confirm or withdraw the batch).",
			claim=claim,
		)
	return None


def check_payment_duties(actor: str, claims: Iterable[ClaimHands]) -> None:
	"""Refuse the first claim of a batch that ``actor`` had a hand in."""
	for hands in claims:
		if conflict := payment_conflict(actor, hands):
			raise conflict


def check_books_return(
	actor: str, batch: str, paid_by: Iterable[str | None], claims: Iterable[ClaimHands]
) -> None:
	"""A bank return makes a paid claim payable again, and a statement is a file anyone can make: whoever
	exported or confirmed the batch (``paid_by``), or had a hand in its claims, does not book the return."""
	if actor in set(paid_by):
		raise RuleViolation(
			"You exported or confirmed batch {batch}, so someone else must submit the bank statement that returns its payments.",
			batch=batch,
		)
	check_payment_duties(actor, claims)


def exceeds_plan(planned: Decimal | None, claimed_before: Iterable[Decimal], this_claim: Decimal) -> Decimal:
	"""How much the measure's claims (earlier live ones and this one) exceed its planned amount (0 if not)."""
	total = money_sum([*claimed_before, this_claim])
	planned = to_money(planned or 0)
	return max(total - planned, Decimal("0.00"))
