from decimal import Decimal

import frappe
from frappe import _, _lt
from frappe.model.document import Document
from frappe.utils import getdate, now_datetime

from pumpurs_app import access, approvals
from pumpurs_app.approvals import Approval, ApprovedRecord, Step
from pumpurs_app.rules import bank, caps
from pumpurs_app.rules import compensations as rules
from pumpurs_app.rules import support_plans as plan_rules
from pumpurs_app.rules.money import money_sum, to_money
from pumpurs_app.utils import content_signature, keep_stored, rules_enforced

PLAN = "Individual Support Plan"
# the claim itself: none of it may change once it has been sent for verification
CONTENT_FIELDS = (
	"support_plan",
	"measure",
	"period_from",
	"period_to",
	"payee_kind",
	"payee_name",
	"payee_iban",
	"payee_bic",
)
LINE_FIELDS = ("line_date", "description", "quantity", "unit_price", "evidence")
APPROVAL = Approval(
	steps=(
		Step(rules.SUBMITTED, "verified_by", "verified_on"),
		Step(rules.VERIFIED, "approved_by", "approved_on"),
	),
	drafts=(rules.DRAFT,),
	returned=rules.DRAFT,
	rejected=rules.REJECTED,
	author="owner",
)
# written by the workflow, payment batches and bank statements, never by a form or an API call
KEPT_FIELDS = (
	"content_changed_by",
	*APPROVAL.stamp_fields,
	"payment_batch",
	"paid_on",
	"payment_reference",
	"bank_statement",
	"reconciled_on",
)


class Compensation(ApprovedRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.compensations.doctype.compensation_line.compensation_line import CompensationLine

		amended_from: DF.Link | None
		approved_by: DF.Link | None
		approved_on: DF.Datetime | None
		bank_statement: DF.Link | None
		claimed_for_measure: DF.Currency
		compensation_type: DF.Link | None
		content_changed_by: DF.SmallText | None
		decision_reason: DF.SmallText | None
		institution: DF.Link | None
		learner: DF.Link | None
		learner_name: DF.Data | None
		lines: DF.Table[CompensationLine]
		measure: DF.Literal[None]
		notes: DF.SmallText | None
		over_plan_override: DF.Check
		override_reason: DF.SmallText | None
		paid_on: DF.Date | None
		partner: DF.Link | None
		payee_bic: DF.Data | None
		payee_iban: DF.Data
		payee_kind: DF.Literal["Guardian", "Adult learner", "Institution", "Supplier"]
		payee_name: DF.Data
		payment_batch: DF.Link | None
		payment_reference: DF.Data | None
		pending_since: DF.Datetime | None
		period_from: DF.Date
		period_to: DF.Date
		planned_amount: DF.Currency
		reconciled_on: DF.Date | None
		school_term: DF.Link | None
		support_plan: DF.Link
		total_amount: DF.Currency
		verified_by: DF.Link | None
		verified_on: DF.Datetime | None
		workflow_state: DF.Link | None
	# end: auto-generated types

	approval = APPROVAL
	# the approval engine's messages (lazy: translated when shown, in the user's language)
	draft_not_yours = _lt(
		"Only the claim's author or the institution's coordinator can change a draft claim."
	)
	locked = _lt("A compensation in state {0} cannot be changed; return it for correction first.")
	reason_missing = _lt("Write the reason for returning or rejecting the compensation first.")

	def validate(self) -> None:
		if self.is_new():
			self.pending_since = now_datetime()
		keep_stored(self, KEPT_FIELDS)
		plan = self.load_plan()
		access.check_in_scope(self)
		measure = self.plan_measure(plan)
		compensation_type = frappe.get_cached_doc("Compensation Type", self.compensation_type)
		with rules_enforced(self.doctype):
			self.validate_learner()
			self.compute_lines(compensation_type)
			term = frappe.db.get_value("School Term", plan.school_term, ["start_date", "end_date"])
			self.validate_period(plan.school_term, term)
			self.validate_payee(compensation_type)
			rules.check_evidence(self.claim_lines(), bool(compensation_type.evidence_mandatory))
			self.lock_learner()
			others = self.other_claims()
			self.validate_no_overlap(others)
			self.validate_caps(compensation_type, others, term)
		self.compare_with_plan(measure)
		self.check_edit_rights()
		self.record_who_changed()
		self.handle_transition()

	def before_submit(self) -> None:
		"""Approval happens only through the workflow (frappe would let anyone with submit rights submit)."""
		before = self.get_doc_before_save()
		if self.workflow_state != rules.APPROVED or not before or before.workflow_state != rules.VERIFIED:
			frappe.throw(_("A compensation is approved only through the approval workflow."))

	def on_submit(self) -> None:
		refresh_measure_amounts(self.support_plan)

	def before_cancel(self) -> None:
		access.check_acts_here(self, rules.APPROVED, rules.CANCELLED)
		if self.workflow_state in rules.PAID_OR_LATER or (
			self.payment_batch
			and frappe.db.get_value("Compensation Payment Batch", self.payment_batch, "docstatus") == 1
		):
			frappe.throw(
				_("Compensation {0} has been paid in batch {1} and cannot be cancelled.").format(
					self.name, self.payment_batch
				)
			)

	def on_cancel(self) -> None:
		leave_draft_batches(self.name)
		refresh_measure_amounts(self.support_plan)

	# --- the plan, the learner and the claim --------------------------------------------------------------

	def load_plan(self):
		plan = frappe.get_doc(PLAN, self.support_plan)
		if plan.docstatus != 1 or plan.workflow_state not in (plan_rules.APPROVED, plan_rules.EVALUATED):
			frappe.throw(
				_("Compensations are paid only against approved plans; {0} is {1}.").format(
					plan.name, _(plan.workflow_state)
				)
			)
		self.learner, self.learner_name = plan.learner, plan.learner_name
		self.institution, self.partner, self.school_term = plan.institution, plan.partner, plan.school_term
		return plan

	def plan_measure(self, plan):
		measure = next((m for m in plan.measures if m.name == self.measure), None)
		if not measure or measure.measure_kind != plan_rules.COMPENSATION:
			frappe.throw(_("Choose one of the plan's compensation measures."))
		self.compensation_type = measure.compensation_type
		self.planned_amount = measure.planned_amount
		return measure

	def validate_learner(self) -> None:
		status = frappe.db.get_value("Learner", self.learner, "status")
		if status != "Active":
			frappe.throw(
				_("{0} is not an active learner ({1}); no compensation can be claimed.").format(
					self.learner_name, _(status, context="Learner")
				)
			)

	def claim_lines(self) -> list[rules.ClaimLine]:
		return [
			rules.ClaimLine(
				row.idx,
				getdate(row.line_date),
				Decimal(str(row.quantity or 0)),
				Decimal(str(row.unit_price or 0)),
				bool(row.evidence),
			)
			for row in self.lines
		]

	def compute_lines(self, compensation_type) -> None:
		"""Unit price from the type (or the partner's override) when not entered; amounts and the total exact."""
		if not self.lines:
			frappe.throw(_("Add at least one line."))
		default_price = compensation_type.caps_for(self.partner, getdate(self.period_from)).unit_price
		for row in self.lines:
			if not row.unit_price and default_price:
				row.unit_price = float(default_price)
		amounts = [rules.line_amount(line) for line in self.claim_lines()]
		for row, amount in zip(self.lines, amounts, strict=True):
			row.amount = float(amount)
		self.total_amount = float(money_sum(amounts))

	def validate_period(self, school_term: str, term: tuple) -> None:
		start, end = term
		period_from, period_to = getdate(self.period_from), getdate(self.period_to)
		caps.check_period(period_from, period_to)
		if period_from < start or period_to > end:
			frappe.throw(
				_("The period {0} – {1} is outside the plan's term {2} ({3} – {4}).").format(
					period_from, period_to, school_term, start, end
				)
			)
		caps.check_within_period(self.cap_lines(), period_from, period_to)

	def validate_payee(self, compensation_type) -> None:
		rules.check_payee(
			self.payee_kind,
			compensation_type.allowed_payees(),
			bool(frappe.db.get_value("Learner", self.learner, "is_adult")),
		)
		self.payee_name = " ".join((self.payee_name or "").split())
		self.payee_iban = bank.normalize_iban(self.payee_iban)
		self.payee_bic = bank.normalize_bic(self.payee_bic, self.payee_iban) or None

	def lock_learner(self) -> None:
		"""Claims for one learner are checked one at a time: two drafts saved at once cannot both slip under
		a cap, because the second waits here for the first to commit and then sees its lines."""
		frappe.db.sql("select name from `tabLearner` where name = %s for update", self.learner)

	def other_claims(self) -> list[dict]:
		"""The learner's other live claims of this type, read as committed now (a locking read), not as the
		transaction's snapshot saw them before :meth:`lock_learner` waited for a concurrent claim."""
		claim = frappe.qb.DocType("Compensation")
		return (
			frappe.qb.from_(claim)
			.select(claim.name, claim.period_from, claim.period_to)
			.where(
				(claim.learner == self.learner)
				& (claim.compensation_type == self.compensation_type)
				& claim.workflow_state.isin(rules.LIVE)
				& (claim.docstatus < 2)
				& (claim.name != (self.name or ""))
			)
			.for_update()
			.run(as_dict=True)
		)

	def validate_no_overlap(self, others: list[dict]) -> None:
		periods = [(c.name, getdate(c.period_from), getdate(c.period_to)) for c in others]
		clash = caps.overlapping_claims(getdate(self.period_from), getdate(self.period_to), periods)
		if clash:
			frappe.throw(
				_("{0} already has claim {1} for {2} covering some of these dates.").format(
					self.learner_name, clash[0], self.compensation_type
				),
				frappe.DuplicateEntryError,
			)

	def cap_lines(self) -> list[caps.Line]:
		return [
			caps.Line(getdate(row.line_date), to_money(str(row.amount)), self.name or "new")
			for row in self.lines
		]

	def validate_caps(self, compensation_type, others: list[dict], term: tuple) -> None:
		names = [c.name for c in others]
		existing = []
		if names:
			line = frappe.qb.DocType("Compensation Line")
			rows = (
				frappe.qb.from_(line)
				.select(line.parent, line.line_date, line.amount)
				.where((line.parenttype == "Compensation") & line.parent.isin(names))
				.for_update()
				.run(as_dict=True)
			)
			existing = [caps.Line(getdate(r.line_date), to_money(str(r.amount)), r.parent) for r in rows]
		limits = compensation_type.caps_for(self.partner, getdate(self.period_from))
		caps.raise_for_breaches(caps.check_caps(limits, existing, self.cap_lines(), term, self.school_term))

	def compare_with_plan(self, measure) -> None:
		earlier = frappe.get_all(
			"Compensation",
			filters={
				"support_plan": self.support_plan,
				"measure": self.measure,
				"workflow_state": ("in", rules.LIVE),
				"docstatus": ("<", 2),
				"name": ("!=", self.name or ""),
			},
			pluck="total_amount",
		)
		this = to_money(str(self.total_amount))
		self.claimed_for_measure = float(money_sum([to_money(str(a)) for a in earlier] + [this]))
		self._above_plan = rules.exceeds_plan(
			to_money(str(measure.planned_amount or 0)), [to_money(str(a)) for a in earlier], this
		)

	# --- workflow -----------------------------------------------------------------------------------------

	def record_who_changed(self) -> None:
		"""Whoever enters the claim or changes what it pays, to whom and for what is kept with it (by person:
		four eyes compare every decider and payer with all of them, not with its owner alone)."""
		before = self.get_doc_before_save()
		if before and self.content_signature() == before.content_signature():
			return
		users = self.changed_by()
		if frappe.session.user not in users:
			self.content_changed_by = "\n".join([*users, frappe.session.user])

	def changed_by(self) -> list[str]:
		return (self.content_changed_by or "").split()

	def hands(self) -> rules.ClaimHands:
		return rules.ClaimHands(
			self.name, self.owner, frozenset(self.changed_by()), self.verified_by, self.approved_by
		)

	def content_signature(self) -> str:
		return content_signature(self, CONTENT_FIELDS, {"lines": LINE_FIELDS})

	def check_transition(self, actor: str, before: Document, old: str, new: str) -> None:
		"""Four eyes by person (see ``rules.check_four_eyes``); above the plan's amount only with the approver's
		reason."""
		if new in (rules.VERIFIED, rules.APPROVED):
			with rules_enforced(self.doctype):
				rules.check_four_eyes(actor, self.hands(), new)
		if new == rules.APPROVED and self._above_plan:
			if not (self.over_plan_override and (self.override_reason or "").strip()):
				frappe.throw(
					_(
						"The claims for this measure exceed the plan's planned amount by {0} EUR; tick 'Approve above the Planned Amount' and give the reason to approve."
					).format(self._above_plan)
				)

	def after_transition(self, actor: str, old: str, new: str) -> None:
		if self.approval.sends_back(old, new):
			# a claim sent back is no longer verified: once corrected it is verified again
			self.verified_by = self.verified_on = None
		self.pending_since = now_datetime()


def leave_draft_batches(compensation: str) -> None:
	"""A cancelled compensation leaves any payment batch that has not been confirmed yet."""
	for row in frappe.get_all(
		"Compensation Payment Line",
		filters={"parenttype": "Compensation Payment Batch", "compensation": compensation},
		fields=["name", "parent"],
	):
		batch = frappe.get_doc("Compensation Payment Batch", row.parent)
		if batch.docstatus == 0:
			batch.lines = [line for line in batch.lines if line.compensation != compensation]
			batch.flags.ignore_permissions = True
			batch.save()


def refresh_measure_amounts(*plans: str) -> None:
	"""Approved and paid amounts per compensation measure of the plans (which may be submitted): summed in SQL
	(DECIMAL sums are exact) and written in one statement per 1,000 plans — a batch of 5,000 claims touches
	thousands of measures."""
	plans = sorted(set(plans))
	for start in range(0, len(plans), 1_000):
		frappe.db.sql(
			"""update `tabSupport Plan Measure` measure
			left join (
				select claim.measure, sum(claim.total_amount) as approved,
					sum(if(claim.workflow_state in %(paid)s, claim.total_amount, 0)) as paid
				from `tabCompensation` claim
				where claim.support_plan in %(plans)s and claim.docstatus = 1
					and claim.workflow_state in %(approved)s
				group by claim.measure
			) claimed on claimed.measure = measure.name
			set measure.approved_amount = coalesce(claimed.approved, 0),
				measure.paid_amount = coalesce(claimed.paid, 0)
			where measure.parent in %(plans)s and measure.parenttype = %(plan)s
				and measure.measure_kind = %(kind)s""",
			{
				"plans": plans[start : start + 1_000],
				"plan": PLAN,
				"kind": plan_rules.COMPENSATION,
				"paid": rules.PAID_OR_LATER,
				"approved": rules.APPROVED_OR_LATER,
			},
		)


@frappe.whitelist()
def set_decision_reason(compensation: str, reason: str) -> None:
	"""Verifiers and approvers give their reason before returning or rejecting (the action reloads the claim)."""
	approvals.set_decision_reason(
		frappe.get_doc("Compensation", compensation),
		reason,
		not_decider=_("Only a verifier or an approver can return or reject a compensation."),
		not_waiting=_(
			"Only a compensation waiting for verification or approval can be returned or rejected."
		),
	)


@frappe.whitelist()
def set_override(compensation: str, reason: str) -> None:
	"""The approver allows a claim above the plan's planned amount, with the reason."""
	approvals.write_decision(
		frappe.get_doc("Compensation", compensation),
		{"over_plan_override": 1, "override_reason": (reason or "").strip()},
		field="over_plan_override",
		states=(rules.VERIFIED,),
		not_decider=_("Only an approver can allow a claim above the plan's planned amount."),
		not_waiting=_("Only a verified compensation waits for this decision."),
	)


@frappe.whitelist()
def compensation_measures(support_plan: str) -> list[dict]:
	"""The plan's compensation measures, for the form's measure picker."""
	plan = frappe.get_doc(PLAN, support_plan)
	plan.check_permission("read")
	return [
		{
			"value": m.name,
			"label": f"{m.idx}. {_(m.compensation_type)} — {frappe.format_value(m.planned_amount, {'fieldtype': 'Currency', 'options': 'EUR'})}",
			"compensation_type": m.compensation_type,
		}
		for m in plan.measures
		if m.measure_kind == plan_rules.COMPENSATION
	]
