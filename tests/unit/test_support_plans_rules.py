"""Support plan rules: four eyes on plans by person (who shaped a plan, and who may decide on it), and the
risk groups' severities a plan keeps."""

import pytest

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules import support_plans as rules

AUTHOR, COORDINATOR, DIRECTOR, PARTNER, IKVD = "author", "coordinator", "director", "partner", "ikvd"


def test_the_creator_is_recorded():
	assert rules.shaped_by_after_save([], COORDINATOR, None, content_changed=False, sent=False) == [
		COORDINATOR
	]


@pytest.mark.parametrize("state", [rules.DRAFT, rules.RETURNED])
def test_who_changes_or_sends_a_plan_while_it_is_theirs_to_change_is_recorded(state):
	recorded = [AUTHOR]
	assert rules.shaped_by_after_save(recorded, DIRECTOR, state, content_changed=True, sent=False) == [
		AUTHOR,
		DIRECTOR,
	]
	assert rules.shaped_by_after_save(recorded, COORDINATOR, state, content_changed=False, sent=True) == [
		AUTHOR,
		COORDINATOR,
	]
	# saving without changing anything shapes nothing, and nobody is listed twice
	assert rules.shaped_by_after_save(recorded, DIRECTOR, state, content_changed=False, sent=False) == [
		AUTHOR
	]
	assert rules.shaped_by_after_save(recorded, AUTHOR, state, content_changed=True, sent=True) == [AUTHOR]


def test_a_replaced_author_stays_recorded():
	assert rules.shaped_by_after_save(
		[COORDINATOR], COORDINATOR, rules.DRAFT, content_changed=True, sent=False, replaced_author=DIRECTOR
	) == [COORDINATOR, DIRECTOR]


@pytest.mark.parametrize("state", [*rules.PENDING, rules.APPROVED, rules.EVALUATED])
def test_what_happens_after_sending_shapes_nothing(state):
	"""Deciding, returning, evaluating: not writing (and content cannot change in these states anyway)."""
	assert rules.shaped_by_after_save([AUTHOR], IKVD, state, content_changed=True, sent=False) == [AUTHOR]


def test_earlier_approvers():
	approved_by = {rules.PENDING_DIRECTOR: DIRECTOR, rules.PENDING_PARTNER: PARTNER, rules.PENDING_IKVD: None}
	assert rules.earlier_approvers(approved_by, rules.PENDING_DIRECTOR) == set()
	assert rules.earlier_approvers(approved_by, rules.PENDING_PARTNER) == {DIRECTOR}
	assert rules.earlier_approvers(approved_by, rules.PENDING_IKVD) == {DIRECTOR, PARTNER}
	assert rules.earlier_approvers(approved_by, rules.APPROVED) == set()


@pytest.mark.parametrize(
	"actor, message",
	[
		(AUTHOR, "You wrote this plan"),
		("owner", "You wrote this plan"),
		(COORDINATOR, "You changed or sent this plan"),
	],
)
def test_nobody_on_the_plans_side_decides(actor, message):
	with pytest.raises(RuleViolation, match=message):
		rules.check_independent_decision(actor, AUTHOR, "owner", [AUTHOR, COORDINATOR])


def test_someone_independent_decides():
	# the check returns nothing when the decider may decide (it raises RuleViolation when not)
	assert rules.check_independent_decision(DIRECTOR, AUTHOR, "owner", [AUTHOR, COORDINATOR]) is None


def test_people_are_read_one_a_line():
	assert rules.people(" a@x \n\nb@x\n") == ["a@x", "b@x"]
	assert rules.people(None) == []


def test_each_risk_group_keeps_its_highest_severity():
	risks = [
		rules.Risk("absences", rules.LEARNING, "Low"),
		rules.Risk("grades", rules.LEARNING, "Medium"),
		rules.Risk("debts", rules.ECONOMIC, "Low"),
		rules.Risk("conflict", rules.FAMILY, "High"),
	]
	assert rules.group_severities(risks) == {
		rules.LEARNING: "Medium",
		rules.SOCIAL: None,
		rules.ECONOMIC: "Low",
		rules.FAMILY: "High",
	}
	assert rules.highest_severity(risks) == "High"
	assert set(rules.group_severities([]).values()) == {None}
