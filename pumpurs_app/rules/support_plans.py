"""Individual support plans: risks, measures and the approval chain.

A plan lists the learner's risks (each a factor of one of four risk groups, with a severity) and the measures
that address them; every risk group present must be addressed by at least one measure. Plans of municipal
schools are approved by the director, the municipality's coordinator and IKVD; plans of state vocational
schools skip the municipality.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from pumpurs_app.rules.errors import RuleViolation

LEARNING = "Learning and school environment"
SOCIAL = "Social environment and health"
ECONOMIC = "Economic"
FAMILY = "Family"
RISK_GROUPS = (LEARNING, SOCIAL, ECONOMIC, FAMILY)
# where space is short (a chart's axis): the groups' names run to 60 characters in Latvian
RISK_GROUP_SHORT = {LEARNING: "Learning", SOCIAL: "Social", ECONOMIC: "Economic", FAMILY: "Family"}
SEVERITIES = ("Low", "Medium", "High")

CONSULTATION = "Consultation"
COMPENSATION = "Compensation"
NGO_PROJECT = "Youth NGO project"

# approval states (Workflow State names)
DRAFT = "Draft"
PENDING_DIRECTOR = "Pending Director"
PENDING_PARTNER = "Pending Partner Coordinator"
PENDING_IKVD = "Pending IKVD"
APPROVED = "Approved"
EVALUATED = "Evaluated"
RETURNED = "Returned"
REJECTED = "Rejected"
CANCELLED = "Cancelled"
PENDING = (PENDING_DIRECTOR, PENDING_PARTNER, PENDING_IKVD)
# a plan in these states does not hold the learner's place for the term
CLOSED_WITHOUT_SUPPORT = (REJECTED, CANCELLED)
MUNICIPALITY = "Municipality"


@dataclass(frozen=True)
class Risk:
	factor: str
	group: str
	severity: str


@dataclass(frozen=True)
class Measure:
	idx: int
	kind: str
	factor: str
	specialist_role: str | None = None
	planned_hours: float = 0
	compensation_type: str | None = None
	planned_amount: Decimal = Decimal(0)
	ngo_project: str | None = None


def groups_present(risks: Iterable[Risk]) -> list[str]:
	present = {r.group for r in risks}
	return [g for g in RISK_GROUPS if g in present]


def highest_severity(risks: Iterable[Risk]) -> str | None:
	levels = [SEVERITIES.index(r.severity) for r in risks if r.severity in SEVERITIES]
	return SEVERITIES[max(levels)] if levels else None


def group_severities(risks: list[Risk]) -> dict[str, str | None]:
	"""Each risk group's highest severity among the plan's risks of that group (None: the group is absent)."""
	return {group: highest_severity(r for r in risks if r.group == group) for group in RISK_GROUPS}


def unaddressed_groups(risks: list[Risk], measures: list[Measure]) -> list[str]:
	"""Risk groups of the plan that no measure addresses (a measure addresses the group of its factor)."""
	group_of = {r.factor: r.group for r in risks}
	addressed = {group_of.get(m.factor) for m in measures}
	return [g for g in groups_present(risks) if g not in addressed]


def check_plan(risks: list[Risk], measures: list[Measure]) -> None:
	"""Everything a plan's risks and measures must satisfy before it is saved."""
	if not risks:
		raise RuleViolation("Record at least one risk.")
	factors = [r.factor for r in risks]
	for factor in factors:
		if factors.count(factor) > 1:
			raise RuleViolation("Risk factor {factor} is listed twice.", factor=factor)
	if not measures:
		raise RuleViolation("Plan at least one support measure.")
	for measure in measures:
		check_measure(measure, set(factors))
	missing = unaddressed_groups(risks, measures)
	if missing:
		raise RuleViolation(
			"No measure addresses the risk group {group}: every risk group present needs at least one measure.",
			group=missing[0],
		)


def check_measure(measure: Measure, factors: set[str]) -> None:
	row = measure.idx
	if measure.factor not in factors:
		raise RuleViolation(
			"Measure {row} addresses {factor}, which is not one of the plan's risks.",
			row=row,
			factor=measure.factor,
		)
	if measure.kind == CONSULTATION:
		if not measure.specialist_role:
			raise RuleViolation("Measure {row}: choose the specialist role of the consultation.", row=row)
		if not measure.planned_hours or measure.planned_hours <= 0:
			raise RuleViolation("Measure {row}: plan the hours of consultation.", row=row)
	elif measure.kind == COMPENSATION:
		if not measure.compensation_type:
			raise RuleViolation("Measure {row}: choose the compensation type.", row=row)
		if not measure.planned_amount or measure.planned_amount <= 0:
			raise RuleViolation("Measure {row}: plan the amount of the compensation.", row=row)
	elif measure.kind == NGO_PROJECT:
		if not measure.ngo_project:
			raise RuleViolation("Measure {row}: choose the youth NGO project.", row=row)
	else:
		raise RuleViolation("Measure {row}: unknown kind of measure {kind}.", row=row, kind=measure.kind)


def approval_chain(partner_type: str) -> list[str]:
	"""The approval steps a plan passes, in order."""
	if partner_type == MUNICIPALITY:
		return [PENDING_DIRECTOR, PENDING_PARTNER, PENDING_IKVD]
	return [PENDING_DIRECTOR, PENDING_IKVD]


# the states in which a plan is its author's (or the institution's coordinator's) to change and to send
EDITABLE = (DRAFT, RETURNED)


def people(text: str | None) -> list[str]:
	"""The users of a stored list of people (one a line), in order."""
	return [line.strip() for line in (text or "").splitlines() if line.strip()]


def shaped_by_after_save(
	recorded: list[str],
	actor: str,
	stored_state: str | None,
	content_changed: bool,
	sent: bool,
	replaced_author: str | None = None,
) -> list[str]:
	"""Everyone who shaped what the approvers decide on, in order: who created the plan, who changed its content
	(learner, term, author, risks, measures, holiday order) or sent it for approval while it was theirs to
	change, and an author replaced meanwhile (the plan was theirs too). ``stored_state`` is None for a new plan.
	"""
	shaped = list(recorded)
	editable = stored_state is None or stored_state in EDITABLE
	newcomers = []
	if editable and (stored_state is None or content_changed or sent):
		newcomers.append(actor)
	if editable and replaced_author:
		newcomers.append(replaced_author)
	for person in newcomers:
		if person and person not in shaped:
			shaped.append(person)
	return shaped


def earlier_approvers(approved_by: dict[str, str | None], step: str) -> set[str]:
	"""Who approved the plan at the steps before ``step`` (``approved_by``: approval step -> approver)."""
	if step not in PENDING:
		return set()
	return {approved_by.get(earlier) for earlier in PENDING[: PENDING.index(step)]} - {None}


def check_independent_decision(actor: str, plan_author: str, owner: str, shaped_by: list[str]) -> None:
	"""Four eyes by person: nobody decides on a plan they wrote, or changed or sent while it was being written
	(frappe's own self-approval check looks at the owner only, and the author's own "send for approval" is a
	transition too). Approving one plan at two steps is refused as well (see :func:`earlier_approvers`)."""
	if actor in (plan_author, owner):
		raise RuleViolation("You wrote this plan, so someone else must approve, return or reject it.")
	if actor in shaped_by:
		raise RuleViolation(
			"You changed or sent this plan while it was being written, so someone else must approve, return or reject it."
		)
