"""Four eyes and the payment duties, by person: who entered, changed, verified or approved a claim."""

import pytest

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules.compensations import (
	APPROVED,
	VERIFIED,
	ClaimHands,
	check_books_return,
	check_four_eyes,
	check_payment_duties,
	payment_conflict,
)
from pumpurs_app.rules.staff import check_not_own_entries

CLAIM = ClaimHands(
	"KOMP-2026-00007",
	entered_by="enterer",
	changed_by=frozenset({"enterer", "editor"}),
	verified_by="verifier",
	approved_by="approver",
)


@pytest.mark.parametrize(
	"actor, step, message",
	[
		("enterer", VERIFIED, "You entered this compensation"),
		("enterer", APPROVED, "You entered this compensation"),
		("editor", VERIFIED, "You changed this compensation's payee, account, period or lines"),
		("editor", APPROVED, "You changed this compensation's payee, account, period or lines"),
		("verifier", APPROVED, "You verified this compensation, so someone else must approve it"),
	],
)
def test_nobody_decides_on_a_claim_they_shaped(actor, step, message):
	with pytest.raises(RuleViolation, match=message):
		check_four_eyes(actor, CLAIM, step)


def test_others_decide_and_the_verifier_may_verify_again_after_a_return():
	# a check that lets the step through returns nothing (it raises RuleViolation when it refuses)
	assert check_four_eyes("verifier", CLAIM, VERIFIED) is None
	assert check_four_eyes("director", CLAIM, APPROVED) is None
	assert check_four_eyes("anyone", ClaimHands("KOMP-1", entered_by="enterer"), APPROVED) is None


@pytest.mark.parametrize(
	"actor, deed",
	[("enterer", "entered"), ("editor", "changed"), ("verifier", "verified"), ("approver", "approved")],
)
def test_nobody_pays_a_claim_they_had_a_hand_in(actor, deed):
	conflict = payment_conflict(actor, CLAIM)
	assert conflict and conflict.message.startswith(f"You {deed} compensation {{claim}}, so someone else")
	assert conflict.params == {"claim": CLAIM.claim}
	other = ClaimHands("KOMP-2026-00001", entered_by="someone")
	with pytest.raises(
		RuleViolation, match=f"You {deed} compensation KOMP-2026-00007, so someone else must pay"
	):
		check_payment_duties(actor, [other, CLAIM])


def test_the_first_matching_deed_is_named():
	everything = ClaimHands("KOMP-1", "me", frozenset({"me"}), "me", "me")
	assert payment_conflict("me", everything).message.startswith("You entered")


def test_someone_with_no_hand_in_the_claims_pays_them():
	assert payment_conflict("accountant", CLAIM) is None
	assert check_payment_duties("accountant", [CLAIM, ClaimHands("KOMP-2", entered_by="x")]) is None
	assert check_payment_duties("accountant", []) is None


@pytest.mark.parametrize("actor", ["exporter", "confirmer"])
def test_whoever_paid_a_batch_does_not_book_its_return(actor):
	with pytest.raises(
		RuleViolation, match="You exported or confirmed batch KPB-2026-00001, so someone else"
	) as refused:
		check_books_return(actor, "KPB-2026-00001", ["exporter", "confirmer"], [])
	assert refused.value.params == {"batch": "KPB-2026-00001"}


def test_a_hand_in_a_returned_claim_is_a_hand_in_its_payment():
	with pytest.raises(RuleViolation, match="You verified compensation KOMP-2026-00007"):
		check_books_return("verifier", "KPB-1", ["exporter", None], [CLAIM])


def test_a_colleague_with_no_hand_in_the_payment_books_the_return():
	assert check_books_return("colleague", "KPB-1", ["exporter", "confirmer"], [CLAIM]) is None
	assert check_books_return("colleague", "KPB-1", [None, None], []) is None


BEFORE = [
	("coord", "Coordinator", None),
	("author", "Plan Author", None),
	("psy", "Specialist", "Psychologist"),
]


@pytest.mark.parametrize(
	"after",
	[
		[*BEFORE, ("coord", "Accountant", None)],  # adds themself
		[("coord", "Accountant", None), *BEFORE[1:]],  # changes their own function
		BEFORE[1:],  # removes themself
		[*BEFORE, ("coord", "Director", None)],  # becomes the director
	],
	ids=["add", "change", "remove", "director"],
)
def test_nobody_changes_their_own_staff_entry(after):
	with pytest.raises(RuleViolation, match="your own entry in the staff of Testa skola"):
		check_not_own_entries("coord", BEFORE, after, "Testa skola")


def test_nobody_lists_themself_in_a_new_institution():
	with pytest.raises(RuleViolation, match="your own entry in the staff of Jauna skola"):
		check_not_own_entries("coord", [], [("coord", "Director", None)], "Jauna skola")


def test_the_staff_of_others_and_the_order_of_rows_are_free():
	assert (
		check_not_own_entries("coord", BEFORE, [*BEFORE, ("new", "Accountant", None)], "Testa skola") is None
	)
	assert check_not_own_entries("coord", BEFORE, list(reversed(BEFORE)), "Testa skola") is None
	assert (
		check_not_own_entries("coord", BEFORE, [BEFORE[0], ("psy", "Specialist", "Teacher")], "Testa skola")
		is None
	)
	assert check_not_own_entries("coord", [], [("other", "Director", None)], "Jauna skola") is None
