from decimal import Decimal

import frappe
from frappe import _, _lt
from frappe.model.document import Document
from frappe.model.naming import make_autoname
from frappe.utils import flt, getdate, now_datetime, today

from pumpurs_app import access, approvals
from pumpurs_app.approvals import Approval, ApprovedRecord, Step
from pumpurs_app.federation import partner_site
from pumpurs_app.registers.doctype.school_term.school_term import all_terms
from pumpurs_app.rules import school_terms, target_group
from pumpurs_app.rules import support_plans as rules
from pumpurs_app.utils import content_signature, keep_stored, rules_enforced

# what an approver sees and decides on: none of it may change while the plan waits for a decision
CONTENT_FIELDS = ("learner", "school_term", "education_type", "grade", "plan_author", "holiday_order")
CHILD_CONTENT = {
	"risks": ("risk_factor", "severity", "observation"),
	"measures": (
		"measure_kind",
		"risk_factor",
		"specialist_role",
		"specialist",
		"compensation_type",
		"ngo_project",
		"planned_hours",
		"planned_amount",
		"frequency",
	),
}
RISK_GROUP_FIELDS = {
	rules.LEARNING: "has_learning_risk",
	rules.SOCIAL: "has_social_risk",
	rules.ECONOMIC: "has_economic_risk",
	rules.FAMILY: "has_family_risk",
}
# each group's highest severity, so that reports count learners by it without reading the risk rows
GROUP_SEVERITY_FIELDS = {
	rules.LEARNING: "learning_risk_severity",
	rules.SOCIAL: "social_risk_severity",
	rules.ECONOMIC: "economic_risk_severity",
	rules.FAMILY: "family_risk_severity",
}
APPROVAL = Approval(
	steps=(
		Step(rules.PENDING_DIRECTOR, "director_approved_by", "director_approved_on"),
		Step(rules.PENDING_PARTNER, "partner_approved_by", "partner_approved_on"),
		Step(rules.PENDING_IKVD, "ikvd_approved_by", "ikvd_approved_on"),
	),
	drafts=rules.EDITABLE,
	returned=rules.RETURNED,
	rejected=rules.REJECTED,
	author="plan_author",
)
# written by the system alone (the transitions, and who shaped the plan), never by a form or an API call
STAMP_FIELDS = (
	*APPROVAL.stamp_fields,
	"evaluated_by",
	"evaluated_on",
	"shaped_by",
)
# what claims and consultations write on the measure rows (straight to the database: the plan may be approved)
MEASURE_TOTALS = ("approved_amount", "paid_amount", "delivered_hours")


class IndividualSupportPlan(ApprovedRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.support_plans.doctype.support_plan_measure.support_plan_measure import (
			SupportPlanMeasure,
		)
		from pumpurs_app.support_plans.doctype.support_plan_risk.support_plan_risk import SupportPlanRisk

		active_plan_key: DF.Data | None
		amended_from: DF.Link | None
		approval_reminded_on: DF.Date | None
		consent_on_file: DF.Check
		continues_next_term: DF.Literal["", "Yes", "No", "Unknown"]
		decision_reason: DF.SmallText | None
		director_approved_by: DF.Link | None
		director_approved_on: DF.Datetime | None
		economic_risk_severity: DF.Literal["", "Low", "Medium", "High"]
		education_type: DF.Literal["General", "Vocational"]
		evaluated_by: DF.Link | None
		evaluated_on: DF.Date | None
		evaluation_notes: DF.Text | None
		evaluation_reminded_on: DF.Date | None
		family_risk_severity: DF.Literal["", "Low", "Medium", "High"]
		grade: DF.Int
		has_economic_risk: DF.Check
		has_family_risk: DF.Check
		has_learning_risk: DF.Check
		has_social_risk: DF.Check
		highest_severity: DF.Literal["", "Low", "Medium", "High"]
		holiday_order: DF.Attach | None
		ikvd_approved_by: DF.Link | None
		ikvd_approved_on: DF.Datetime | None
		institution: DF.Link | None
		learner: DF.Link
		learning_risk_severity: DF.Literal["", "Low", "Medium", "High"]
		learner_name: DF.Data | None
		measures: DF.Table[SupportPlanMeasure]
		partner: DF.Link | None
		partner_approved_by: DF.Link | None
		partner_approved_on: DF.Datetime | None
		partner_type: DF.Data | None
		pending_since: DF.Datetime | None
		plan_author: DF.Link
		plan_author_name: DF.Data | None
		plan_date: DF.Date
		previous_plan: DF.Link | None
		risks: DF.Table[SupportPlanRisk]
		school_term: DF.Link
		shaped_by: DF.SmallText | None
		social_risk_severity: DF.Literal["", "Low", "Medium", "High"]
		term_type: DF.Data | None
		workflow_state: DF.Link | None
	# end: auto-generated types

	approval = APPROVAL
	# the approval engine's messages (lazy: translated when shown, in the user's language)
	draft_not_yours = _lt("Only the plan's author or the institution's coordinator can change a draft plan.")
	locked = _lt("A plan in state {0} cannot be changed; it has to be returned to its author first.")
	reason_missing = _lt("Write the reason for returning or rejecting the plan first.")

	def autoname(self) -> None:
		school_year, term_type = frappe.db.get_value(
			"School Term", self.school_term, ["school_year", "term_type"]
		)
		term_code = f"{school_terms.school_year_start(school_year)}{school_terms.TERM_SUFFIX[term_type]}"
		self.name = make_autoname(f"IAP-{term_code}-.#####", doc=self)

	def validate(self) -> None:
		keep_stored(self, STAMP_FIELDS)
		self.keep_measure_totals()
		self.sync_learner_details()
		access.check_in_scope(self)
		with rules_enforced(self.doctype):
			self.validate_learner_and_term()
			rules.check_plan(self.risk_list(), self.measure_list())
		self.validate_plan_author()
		self.validate_measure_links()
		self.validate_holiday_order()
		self.summarise_risks()
		self.set_active_plan_key()
		self.validate_one_plan_per_term()
		self.check_edit_rights()
		self.record_who_shaped_it()
		self.handle_transition()

	def before_update_after_submit(self) -> None:
		keep_stored(self, STAMP_FIELDS)
		self.keep_measure_totals()
		self.check_evaluation_rights()
		self.handle_transition()
		self.set_active_plan_key()

	def before_submit(self) -> None:
		"""Approval happens only through the workflow's last step: frappe would otherwise let anyone with submit
		rights submit a draft directly and move it to the first submitted state."""
		before = self.get_doc_before_save()
		if self.workflow_state != rules.APPROVED or not before or before.workflow_state != rules.PENDING_IKVD:
			frappe.throw(_("A plan is approved only through the approval workflow."), frappe.ValidationError)

	def on_submit(self) -> None:
		self.enrol_in_ngo_projects()

	def before_cancel(self) -> None:
		access.check_acts_here(self, rules.APPROVED, rules.CANCELLED)

	def on_cancel(self) -> None:
		self.db_set("active_plan_key", None)

	# --- the learner, the term and who writes the plan --------------------------------------------------

	def sync_learner_details(self) -> None:
		"""Institution and partner follow the learner while the plan is a draft; the consent is re-checked."""
		learner = frappe.db.get_value(
			"Learner",
			self.learner,
			[
				"institution",
				"partner",
				"status",
				"consent_date",
				"application_file",
				"education_type",
				"grade",
			],
			as_dict=True,
		)
		# the learner's education type, not the field's default (which would win over fetch_if_empty); the
		# grade stays editable for a plan written before the learner's register is moved up a grade
		self.education_type = learner.education_type
		self.grade = self.grade or learner.grade
		self.institution = learner.institution
		self.partner = learner.partner
		self.partner_type = frappe.db.get_value("Partner", learner.partner, "partner_type")
		self.term_type = frappe.db.get_value("School Term", self.school_term, "term_type")
		self.consent_on_file = int(bool(learner.consent_date and learner.application_file))
		self._learner_status = learner.status

	def validate_learner_and_term(self) -> None:
		if self._learner_status != "Active":
			frappe.throw(
				_("{0} is not an active learner ({1}), so no plan can be made.").format(
					self.learner_name or self.learner, _(self._learner_status, context="Learner")
				)
			)
		school_year = frappe.db.get_value("School Term", self.school_term, "school_year")
		target_group.check_target_group(self.education_type, self.grade, school_year, self.term_type)

	def validate_plan_author(self) -> None:
		if not frappe.db.exists(
			"Institution Staff Member",
			{
				"parenttype": "Educational Institution",
				"parent": self.institution,
				"user": self.plan_author,
				"function": "Plan Author",
			},
		):
			frappe.throw(_("{0} is not a plan author at {1}.").format(self.plan_author, self.institution))

	def validate_holiday_order(self) -> None:
		if self.term_type == school_terms.HOLIDAY and not self.holiday_order:
			frappe.throw(
				_("A holiday-term plan needs the institution's order on the extended school year attached.")
			)

	def validate_one_plan_per_term(self) -> None:
		"""A clear message before the unique key on ``active_plan_key`` would refuse it."""
		if not self.active_plan_key:
			return
		other = frappe.db.get_value(
			self.doctype, {"active_plan_key": self.active_plan_key, "name": ("!=", self.name)}, "name"
		)
		if not other:
			return
		if frappe.has_permission(self.doctype, "read", other):
			message = _("{0} already has plan {1} for {2}.").format(
				self.learner_name or self.learner, other, self.school_term
			)
		else:  # a plan of the learner's former institution: neither its name nor where it is
			message = _(
				"{0} already has a plan for {1} that you cannot open. Ask the PuMPuRS coordinators to resolve it."
			).format(self.learner_name or self.learner, self.school_term)
		frappe.throw(message, frappe.DuplicateEntryError)

	def set_active_plan_key(self) -> None:
		"""One live plan per learner and term, guaranteed by a unique database key; rejected and cancelled
		plans give their place up."""
		live = self.docstatus < 2 and self.workflow_state not in rules.CLOSED_WITHOUT_SUPPORT
		self.active_plan_key = f"{self.learner}|{self.school_term}" if live else None

	# --- risks and measures -----------------------------------------------------------------------------

	def risk_list(self) -> list[rules.Risk]:
		groups = dict(frappe.get_all("Risk Factor", fields=["name", "risk_group"], as_list=True))
		for row in self.risks:
			row.risk_group = groups.get(row.risk_factor)
		return [rules.Risk(row.risk_factor, row.risk_group, row.severity) for row in self.risks]

	def measure_list(self) -> list[rules.Measure]:
		return [
			rules.Measure(
				idx=row.idx,
				kind=row.measure_kind,
				factor=row.risk_factor,
				specialist_role=row.specialist_role,
				planned_hours=flt(row.planned_hours),
				compensation_type=row.compensation_type,
				planned_amount=Decimal(str(flt(row.planned_amount, 2))),
				ngo_project=row.ngo_project,
			)
			for row in self.measures
		]

	def summarise_risks(self) -> None:
		"""Which risk groups the plan has and how severe, stored as values (not words) for lists and reports."""
		risks = self.risk_list()
		present = set(rules.groups_present(risks))
		for group, field in RISK_GROUP_FIELDS.items():
			self.set(field, int(group in present))
		for group, severity in rules.group_severities(risks).items():
			self.set(GROUP_SEVERITY_FIELDS[group], severity)
		self.highest_severity = rules.highest_severity(risks)

	def validate_measure_links(self) -> None:
		disabled = set(frappe.get_all("Risk Factor", filters={"disabled": 1}, pluck="name"))
		if self.is_new():
			for row in self.risks:
				if row.risk_factor in disabled:
					frappe.throw(_("Risk factor {0} is no longer used.").format(row.risk_factor))
		for row in self.measures:
			# fields of other kinds of measure are cleared (numbers to 0, as the database stores them)
			if row.measure_kind != rules.CONSULTATION:
				row.specialist = row.specialist_role = None
				row.planned_hours = 0
			if row.measure_kind != rules.COMPENSATION:
				row.compensation_type = None
				row.planned_amount = 0
			if row.measure_kind != rules.NGO_PROJECT:
				row.ngo_project = None
			if row.specialist and not frappe.db.exists(
				"Institution Staff Member",
				{
					"parenttype": "Educational Institution",
					"parent": self.institution,
					"user": row.specialist,
					"function": "Specialist",
					"specialist_role": row.specialist_role,
				},
			):
				frappe.throw(
					_("Measure {0}: {1} is not a {2} at {3}.").format(
						row.idx,
						row.specialist,
						_(row.specialist_role, context="Support Plan Measure"),
						self.institution,
					)
				)
			if row.ngo_project:
				self.validate_ngo_project(row)

	def validate_ngo_project(self, row) -> None:
		project = frappe.db.get_value(
			"Youth NGO Project",
			row.ngo_project,
			["partner", "status", "period_from", "period_to"],
			as_dict=True,
		)
		start, end = frappe.db.get_value("School Term", self.school_term, ["start_date", "end_date"])
		if project.partner != self.partner:
			frappe.throw(
				_("Measure {0}: project {1} belongs to another municipality.").format(
					row.idx, row.ngo_project
				)
			)
		if (
			project.status == "Cancelled"
			or getdate(project.period_to) < start
			or getdate(project.period_from) > end
		):
			frappe.throw(
				_("Measure {0}: project {1} does not run in this term.").format(row.idx, row.ngo_project)
			)

	def enrol_in_ngo_projects(self) -> None:
		"""An approved plan's NGO measures put the learner among the project's participants."""
		for row in self.measures:
			if not row.ngo_project:
				continue
			project = frappe.get_doc("Youth NGO Project", row.ngo_project)
			if self.learner not in {p.learner for p in project.participants}:
				project.append("participants", {"learner": self.learner})
				project.flags.ignore_permissions = True
				project.save()

	# --- approval -----------------------------------------------------------------------------------------

	def content_signature(self) -> str:
		return content_signature(self, CONTENT_FIELDS, CHILD_CONTENT)

	def record_who_shaped_it(self) -> None:
		"""Who created the plan, changed its content or its author, or sent it for approval while it was theirs
		to change: none of them may decide on it (see ``rules.check_independent_decision``)."""
		before = self.get_doc_before_save()
		if not before and not self.is_new():
			return  # validated outside a save: nothing is written
		self.shaped_by = "\n".join(
			rules.shaped_by_after_save(
				rules.people(self.shaped_by),
				frappe.session.user,
				before.workflow_state if before else None,
				content_changed=bool(before) and self.content_signature() != before.content_signature(),
				sent=bool(before) and self.workflow_state != before.workflow_state,
				replaced_author=before.plan_author
				if before and before.plan_author != self.plan_author
				else None,
			)
		)

	def keep_measure_totals(self) -> None:
		"""Approved and paid amounts and delivered hours stay as the claims and consultations wrote them (a new
		row has none), whatever a form or a request sends; the evaluation recounts the hours itself."""
		before = self.get_doc_before_save()
		if not before and not self.is_new():
			return  # validated outside a save: nothing is written
		stored = {row.name: row for row in before.measures} if before else {}
		for row in self.measures:
			for field in MEASURE_TOTALS:
				row.set(field, stored[row.name].get(field) if row.name in stored else 0)

	def check_transition(self, actor: str, before: Document, old: str, new: str) -> None:
		"""Nobody decides on a plan they shaped (``rules.check_independent_decision``), or at two steps."""
		if old not in rules.PENDING:
			return
		partner_site.check_ikvd_step(old)
		with rules_enforced(self.doctype):
			rules.check_independent_decision(
				actor, before.plan_author, self.owner, rules.people(before.shaped_by)
			)
		approved_by = {step.state: before.get(step.by) for step in self.approval.steps}
		if actor in rules.earlier_approvers(approved_by, old):
			frappe.throw(
				_("You have already approved this plan at an earlier step; another person decides now."),
				frappe.PermissionError,
			)

	def check_ready_to_send(self) -> None:
		if not self.consent_on_file:
			frappe.throw(
				_(
					"The learner's signed application (date and file) must be on file before the plan is sent for approval."
				)
			)

	def after_transition(self, actor: str, old: str, new: str) -> None:
		if new == rules.EVALUATED:
			self.complete_evaluation(actor)
		if new == rules.PENDING_IKVD and partner_site.decided_at_hub():
			partner_site.send_plan(self)
		self.pending_since = now_datetime() if new in rules.PENDING else None
		self.approval_reminded_on = None

	# --- evaluation ---------------------------------------------------------------------------------------

	def check_evaluation_rights(self) -> None:
		"""After approval only the plan's author, the institution's director and IKVD may touch the plan."""
		user = frappe.session.user
		if user in (self.plan_author, "Administrator") or access.get_scope(user).national:
			return
		if frappe.db.get_value("Educational Institution", self.institution, "director") == user:
			return
		frappe.throw(
			_("Only the plan's author or the institution's director can evaluate this plan."),
			frappe.PermissionError,
		)

	def complete_evaluation(self, actor: str) -> None:
		if not self.continues_next_term:
			frappe.throw(_("Say whether the learner continues studying next term."))
		missing = [row.risk_factor for row in self.risks if not row.outcome]
		if missing:
			frappe.throw(_("Give the outcome of every risk; missing: {0}.").format(", ".join(missing)))
		self.evaluated_on = today()
		self.evaluated_by = actor
		from pumpurs_app.support_plans.doctype.support_consultation.support_consultation import (
			update_delivered_hours,
		)

		update_delivered_hours(self)


@frappe.whitelist()
def set_decision_reason(plan: str, reason: str) -> None:
	"""Approvers give their reason before returning or rejecting (the workflow action reloads the plan)."""
	approvals.set_decision_reason(
		frappe.get_doc("Individual Support Plan", plan),
		reason,
		not_decider=_("Only an approver can return or reject a plan."),
		not_waiting=_("Only a plan waiting for approval can be returned or rejected."),
	)


@frappe.whitelist()
def make_next_term_plan(source_name: str) -> str:
	"""Continue in the next term: a draft for the next semester with the risks and measures copied."""
	source = frappe.get_doc("Individual Support Plan", source_name)
	source.check_permission("read")
	frappe.has_permission("Individual Support Plan", "create", throw=True)
	current = next(t for t in all_terms() if t.name == source.school_term)
	following = school_terms.next_term(all_terms(), current)
	if not following:
		frappe.throw(_("The next term after {0} is not registered yet.").format(source.school_term))
	existing = frappe.db.get_value(
		"Individual Support Plan",
		{"learner": source.learner, "school_term": following.name, "active_plan_key": ("is", "set")},
	)
	if existing and frappe.has_permission("Individual Support Plan", "read", existing):
		return existing  # (one the user cannot open is refused below, without its name)
	user = frappe.session.user
	author_here = frappe.db.exists(
		"Institution Staff Member",
		{
			"parenttype": "Educational Institution",
			"parent": source.institution,
			"user": user,
			"function": "Plan Author",
		},
	)
	plan = frappe.get_doc(
		{
			"doctype": "Individual Support Plan",
			"learner": source.learner,
			"school_term": following.name,
			"plan_author": user if author_here else source.plan_author,
			"plan_date": today(),
			"previous_plan": source.name,
			"risks": [
				{"risk_factor": r.risk_factor, "severity": r.severity, "observation": r.observation}
				for r in source.risks
			],
			"measures": [
				{field: m.get(field) for field in CHILD_CONTENT["measures"]} for m in source.measures
			],
		}
	)
	plan.insert()
	return plan.name
