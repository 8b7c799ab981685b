"""How long a learner's personal data is kept, and when an erasure request must wait. No frappe.

The programme keeps its documents for a set period (PuMPuRS Settings: years) after the learner's last activity
— the end of the term of their last plan, their last consultation, the last day of a claimed period, the last
payment or reconciliation — and then anonymises the learner: names, personal code, guardians, contacts,
free-text notes and the signed application go; the records and every figure stay. Money records are kept for
the same period after they were paid, so a request to erase a learner waits while any of their claims is
being paid or was paid within it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pumpurs_app.rules import RuleViolation

DEFAULT_YEARS = 10
ANONYMISED = "Anonimizēts"  # the first name an anonymised learner keeps; the last name is the learner's ID
# a claim in these states is money on its way: its learner is not erased until it is paid or closed
OPEN_MONEY_STATES = frozenset({"Submitted", "Verified", "Approved"})


def kept_until(last_activity: date, years: int) -> date:
	"""The last day personal data is kept: ``years`` after ``last_activity`` (29 February: 28 February)."""
	if years < 1:
		raise RuleViolation("The retention period is at least one year; it is {years}.", years=years)
	try:
		return last_activity.replace(year=last_activity.year + years)
	except ValueError:
		return last_activity.replace(year=last_activity.year + years, day=28)


def is_due(last_activity: date, years: int, today: date) -> bool:
	return today > kept_until(last_activity, years)


def anonymised_names(learner_id: str) -> tuple[str, str, str]:
	"""First name, last name and full name of an anonymised learner: the ID keeps records told apart."""
	return ANONYMISED, learner_id, f"{ANONYMISED} {learner_id}"


@dataclass(frozen=True)
class Claim:
	name: str
	state: str
	paid_on: date | None  # paid_on or reconciled_on, whichever is later


def check_erasure(claims: Iterable[Claim], years: int, today: date) -> None:
	"""An erasure request is refused while money records of the learner must be kept."""
	claims = list(claims)
	open_claims = sorted(c.name for c in claims if c.state in OPEN_MONEY_STATES)
	if open_claims:
		raise RuleViolation(
			"The learner's compensations {claims} are being paid: erase the learner's data once they are paid, rejected or cancelled.",
			claims=", ".join(open_claims),
		)
	paid = [c for c in claims if c.paid_on]
	if paid:
		last = max(paid, key=lambda c: c.paid_on)
		until = kept_until(last.paid_on, years)
		if today <= until:
			raise RuleViolation(
				"Compensation {claim} was paid on {paid_on}: money records are kept until {until}, and the learner's data is anonymised then.",
				claim=last.name,
				paid_on=last.paid_on.strftime("%d.%m.%Y"),
				until=until.strftime("%d.%m.%Y"),
			)
