from datetime import datetime, timedelta

import pytest

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules import federation as rules

NOW = datetime(2026, 12, 6, 22, 0)


def test_the_same_message_has_the_same_key_and_each_sending_its_own():
	key = rules.message_key(rules.PLAN_FOR_DECISION, "Partner A", "IAP-20261-00001", 1)
	assert key == rules.message_key(rules.PLAN_FOR_DECISION, "Partner A", "IAP-20261-00001", 1)
	others = {
		rules.message_key(rules.PLAN_FOR_DECISION, "Partner A", "IAP-20261-00001", 2),
		rules.message_key(rules.PLAN_FOR_DECISION, "Partner B", "IAP-20261-00001", 1),
		rules.message_key(rules.IKVD_DECISION, "Partner A", "IAP-20261-00001", 1),
	}
	assert key not in others and len(others) == 3
	with pytest.raises(RuleViolation, match=r"^Unknown message type Gossip\.$"):
		rules.message_key("Gossip", "Partner A", "x", 1)
	with pytest.raises(RuleViolation, match=r"^A message's sequence number starts at 1, not 0\.$"):
		rules.message_key(rules.TERM_FIGURES, "Partner A", "2026/2027 S1", 0)


def test_retries_back_off_from_a_minute_to_at_most_an_hour():
	waits = [rules.next_attempt(n, NOW) - NOW for n in range(1, 10)]
	assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
	assert waits == sorted(waits) and max(waits) == timedelta(hours=1)
	assert rules.next_attempt(500, NOW) - NOW == timedelta(hours=1)


@pytest.mark.parametrize(
	("status", "again"),
	[(None, True), (500, True), (502, True), (503, True), (408, True), (429, True)]
	+ [(400, False), (401, False), (403, False), (404, False), (409, False), (417, False)],
)
def test_passing_troubles_are_retried_and_refusals_are_not(status, again):
	assert rules.retried(status) is again


def test_messages_apply_in_their_own_order_whatever_the_clocks_say():
	assert rules.is_current(1, 0) and rules.is_current(3, 2)
	assert not rules.is_current(2, 2)  # a replay
	assert not rules.is_current(1, 2)  # overtaken by a newer one


def test_a_decision_applies_to_the_sending_it_answers_while_the_plan_waits():
	assert rules.decision_applies(2, 2, waiting_for_ikvd=True)
	assert not rules.decision_applies(1, 2, waiting_for_ikvd=True)  # decided on an earlier sending
	assert not rules.decision_applies(2, 2, waiting_for_ikvd=False)  # decided already


def test_returns_and_rejections_need_a_reason():
	rules.check_decision(rules.APPROVE, None)
	rules.check_decision(rules.RETURN, "Trūkst pamatojuma")
	for decision in (rules.RETURN, rules.REJECT):
		with pytest.raises(
			RuleViolation, match=r"^Write the reason for returning or rejecting the plan first\.$"
		):
			rules.check_decision(decision, "  ")
	with pytest.raises(RuleViolation, match=r"^Unknown decision Maybe\.$"):
		rules.check_decision("Maybe", "x")


def test_content_hash_ignores_key_order():
	assert rules.content_hash({"a": 1, "b": [1, 2]}) == rules.content_hash({"b": [1, 2], "a": 1})
	assert rules.content_hash({"a": 1}) != rules.content_hash({"a": 2})


def test_the_hubs_address_is_a_web_address():
	assert rules.check_hub_url(" https://pumpurs.ikvd.gov.lv/ ") == "https://pumpurs.ikvd.gov.lv"
	for bad in ("pumpurs.ikvd.gov.lv", "ftp://x", "", None, "https://a b"):
		with pytest.raises(RuleViolation, match=r"^The hub's address must start with https://"):
			rules.check_hub_url(bad)
