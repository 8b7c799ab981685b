"""Four eyes by person: who entered, changed, verified or approved a claim; and nobody changes their own
staff entry."""

import pytest

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules.compensations import APPROVED, VERIFIED, ClaimHands, check_four_eyes
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
	check_four_eyes("verifier", CLAIM, VERIFIED)
	check_four_eyes("director", CLAIM, APPROVED)
	check_four_eyes("anyone", ClaimHands("KOMP-1", entered_by="enterer"), APPROVED)


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
	check_not_own_entries("coord", BEFORE, [*BEFORE, ("new", "Accountant", None)], "Testa skola")
	check_not_own_entries("coord", BEFORE, list(reversed(BEFORE)), "Testa skola")
	check_not_own_entries("coord", BEFORE, [BEFORE[0], ("psy", "Specialist", "Teacher")], "Testa skola")
	check_not_own_entries("coord", [], [("other", "Director", None)], "Jauna skola")
