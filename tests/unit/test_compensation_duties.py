"""Four eyes by person: who entered, changed, verified or approved a claim."""

import pytest

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules.compensations import APPROVED, VERIFIED, ClaimHands, check_four_eyes

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
