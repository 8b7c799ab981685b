"""Rules of the exchange between partner sites and IKVD's national hub, without frappe.

Every message names what it is about and where it stands in that thing's own sequence (the n-th time a plan
was sent for IKVD's decision, the n-th set of a term's figures), so the receiving side orders and de-duplicates
by those numbers, never by the two sites' clocks.
"""

import hashlib
import json
from datetime import datetime, timedelta

from pumpurs_app.rules import RuleViolation

SINGLE_SITE = "Single Site"
PARTNER_SITE = "Partner Site"
NATIONAL_HUB = "National Hub"
MODES = (SINGLE_SITE, PARTNER_SITE, NATIONAL_HUB)

# what travels
PLAN_FOR_DECISION = "Plan for Decision"  # partner site -> hub
TERM_FIGURES = "Term Figures"  # partner site -> hub
IKVD_DECISION = "IKVD Decision"  # hub -> partner site
CROSS_PARTNER_FLAG = "Cross-Partner Flag"  # hub -> partner site
MESSAGE_TYPES = (PLAN_FOR_DECISION, TERM_FIGURES, IKVD_DECISION, CROSS_PARTNER_FLAG)
TO_HUB = (PLAN_FOR_DECISION, TERM_FIGURES)

# IKVD's decisions and the plan workflow's action that applies each on the partner site
APPROVE, RETURN, REJECT = "Approve", "Return", "Reject"
DECISION_ACTIONS = {APPROVE: "Approve", RETURN: "Return to Author", REJECT: "Reject"}

# an outgoing message's states
QUEUED, SENT, FAILED, REFUSED = "Queued", "Sent", "Failed", "Refused"
# an incoming message's outcome
APPLIED, IGNORED = "Applied", "Ignored"

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)


def message_key(message_type: str, partner: str, reference: str, sequence: int) -> str:
	"""The idempotency key: the same message, sent again, carries the same key."""
	if message_type not in MESSAGE_TYPES:
		raise RuleViolation("Unknown message type {message_type}.", message_type=message_type)
	if sequence < 1:
		raise RuleViolation("A message's sequence number starts at 1, not {sequence}.", sequence=sequence)
	return f"{message_type}|{partner}|{reference}|{sequence}"


def next_attempt(failed_attempts: int, now: datetime) -> datetime:
	"""When to try again after ``failed_attempts`` failures: 1, 2, 4, … minutes, at most an hour apart."""
	wait = FIRST_RETRY * (2 ** min(max(failed_attempts - 1, 0), 10))
	return now + min(wait, LONGEST_WAIT)


def retried(status_code: int | None) -> bool:
	"""Whether a failed delivery is tried again. No answer, a server error, a timeout or "slow down" are
	passing troubles; any other refusal (bad key, another partner's record, a malformed message) stays one
	until an administrator changes something and sends it again."""
	return status_code is None or status_code >= 500 or status_code in (408, 429)


def is_current(sequence: int, latest_applied: int) -> bool:
	"""A message applies only when it is newer than everything applied about the same thing: a replay or a
	message overtaken by a newer one changes nothing."""
	return sequence > latest_applied


def decision_applies(sequence: int, sent_sequence: int, waiting_for_ikvd: bool) -> bool:
	"""IKVD's decision on the n-th sending of a plan applies while the plan still waits for it after that very
	sending (not after a later one, nor once decided)."""
	return waiting_for_ikvd and sequence == sent_sequence


def check_decision(decision: str, reason: str | None) -> None:
	if decision not in DECISION_ACTIONS:
		raise RuleViolation("Unknown decision {decision}.", decision=decision)
	if decision != APPROVE and not (reason or "").strip():
		raise RuleViolation("Write the reason for returning or rejecting the plan first.")


def content_hash(payload: dict) -> str:
	"""The same figures give the same hash, whatever the order of their keys."""
	return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def check_hub_url(url: str | None) -> str:
	url = (url or "").strip().rstrip("/")
	if not url.startswith(("https://", "http://")) or " " in url:
		raise RuleViolation("The hub's address must start with https:// (or http:// on a closed network).")
	return url
