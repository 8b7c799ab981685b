import frappe
from frappe import _
from frappe.utils import cint, flt, get_datetime, get_time, getdate

from pumpurs_app import access
from pumpurs_app.documents import ScopedRecord
from pumpurs_app.reporting.doctype.pumpurs_consultation_totals import pumpurs_consultation_totals as totals
from pumpurs_app.rules import consultations
from pumpurs_app.rules import support_plans as plan_rules
from pumpurs_app.utils import rules_enforced


class SupportConsultation(ScopedRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		confirmed_at: DF.Datetime | None
		consultation_date: DF.Date
		duration_minutes: DF.Int
		end_time: DF.Time | None
		institution: DF.Link | None
		learner: DF.Link | None
		learner_confirmed: DF.Check
		learner_name: DF.Data | None
		measure: DF.Literal[None]
		measure_description: DF.Data | None
		mode: DF.Literal["In person", "Remote"]
		partner: DF.Link | None
		remote_order_reference: DF.Data | None
		school_term: DF.Link | None
		specialist: DF.Link
		specialist_name: DF.Data | None
		specialist_role: DF.Data | None
		start_time: DF.Time
		support_plan: DF.Link
		topic: DF.SmallText
	# end: auto-generated types

	def validate(self) -> None:
		plan = frappe.get_doc("Individual Support Plan", self.support_plan)
		self.set_plan_details(plan)
		access.check_in_scope(self)  # before anything is said about the plan
		self.check_plan_approved(plan)
		measure = self.validate_measure(plan)
		self.validate_specialist(measure)
		settings = frappe.get_cached_doc("PuMPuRS Settings")
		with rules_enforced(self.doctype):
			slot = self.slot()
			consultations.check_duration(cint(self.duration_minutes), cint(settings.max_consultation_minutes))
			self.end_time = consultations.end_time(slot)
			start, end = frappe.db.get_value("School Term", plan.school_term, ["start_date", "end_date"])
			consultations.check_in_term(
				getdate(self.consultation_date), getdate(start), getdate(end), plan.school_term
			)
			if clash := consultations.clashes(slot, self.specialist_slots()):
				self.refuse_clash(clash[0])
			if self.learner_confirmed:
				consultations.check_confirmation(
					slot, get_datetime(self.confirmed_at), cint(settings.confirmation_days)
				)
		if self.mode == "Remote" and not self.remote_order_reference:
			frappe.throw(_("A remote consultation needs the reference of the director's order."))
		if not self.learner_confirmed:
			self.confirmed_at = None
		self.validate_confirmed_not_changed()
		self.check_confirmation_recorded_by_another()

	def on_update(self) -> None:
		refresh_delivered_hours(self.support_plan)
		totals.update(self)

	def check_logged_by_specialist(self) -> None:
		"""A specialist logs their own consultations; the institution's coordinator may log for any of them."""
		user = frappe.session.user
		before = self.get_doc_before_save()  # none when deleting: then the specialist is the stored one
		specialists = {self.specialist, before.specialist if before else self.specialist}
		if self.flags.ignore_permissions or specialists == {user} or access.is_national(user):
			return
		if access.INSTITUTION_COORDINATOR not in access.roles_here(user, self.institution, self.partner):
			frappe.throw(_("You can log and change only your own consultations."), frappe.PermissionError)

	def on_trash(self) -> None:
		self.check_logged_by_specialist()
		if self.learner_confirmed and not access.get_scope().national:
			frappe.throw(_("A consultation confirmed by the learner cannot be deleted."))

	def after_delete(self) -> None:
		refresh_delivered_hours(self.support_plan)
		totals.remove(self)

	def set_plan_details(self, plan) -> None:
		self.learner, self.learner_name = plan.learner, plan.learner_name
		self.institution, self.partner, self.school_term = plan.institution, plan.partner, plan.school_term

	@staticmethod
	def check_plan_approved(plan) -> None:
		if plan.docstatus != 1 or plan.workflow_state != plan_rules.APPROVED:
			frappe.throw(
				_("Consultations are logged only on approved plans; {0} is {1}.").format(
					plan.name, _(plan.workflow_state)
				),
				title=_("Plan not approved"),
			)

	def validate_measure(self, plan):
		measure = next((m for m in plan.measures if m.name == self.measure), None)
		if not measure or measure.measure_kind != plan_rules.CONSULTATION:
			frappe.throw(_("Choose one of the plan's consultation measures."))
		self.specialist_role = measure.specialist_role
		self.measure_description = f"{measure.idx}. {_(measure.specialist_role, context='Support Plan Measure')} — {measure.risk_factor}"
		return measure

	def validate_specialist(self, measure) -> None:
		"""The specialist works at the learner's institution in the role the measure asks for."""
		self.check_logged_by_specialist()
		works_here = frappe.db.exists(
			"Institution Staff Member",
			{
				"parenttype": "Educational Institution",
				"parent": self.institution,
				"user": self.specialist,
				"function": "Specialist",
				"specialist_role": measure.specialist_role,
			},
		)
		if not works_here:
			frappe.throw(
				_("{0} is not a {1} at {2}, the learner's institution.").format(
					self.specialist,
					_(measure.specialist_role, context="Support Plan Measure"),
					self.institution,
				),
				frappe.PermissionError,
			)
		if measure.specialist and measure.specialist != self.specialist:
			frappe.throw(_("This measure is assigned to {0}.").format(measure.specialist))

	def slot(self) -> consultations.Slot:
		return consultations.Slot(
			self.name or "",
			getdate(self.consultation_date),
			get_time(self.start_time),
			cint(self.duration_minutes),
		)

	def specialist_slots(self) -> list[consultations.Slot]:
		"""The specialist's other consultations that day, wherever they work (they cannot be in two places)."""
		rows = frappe.get_all(
			"Support Consultation",
			filters={
				"specialist": self.specialist,
				"consultation_date": self.consultation_date,
				"name": ("!=", self.name or ""),
			},
			fields=["name", "consultation_date", "start_time", "duration_minutes"],
		)
		return [
			consultations.Slot(
				r.name, getdate(r.consultation_date), get_time(r.start_time), cint(r.duration_minutes)
			)
			for r in rows
		]

	def refuse_clash(self, clash: consultations.Slot) -> None:
		"""Name the other consultation only to those who may open it (a specialist may also work for another
		partner's school)."""
		if frappe.has_permission(self.doctype, "read", clash.name):
			message = _("{0} already has consultation {1} at {2} on {3}.").format(
				self.specialist, clash.name, clash.start.strftime("%H:%M"), clash.day.isoformat()
			)
		else:
			message = _("{0} already has another consultation at that time.").format(self.specialist)
		frappe.throw(message)

	def validate_confirmed_not_changed(self) -> None:
		"""Once the learner has confirmed, the record is evidence and stays as confirmed."""
		before = self.get_doc_before_save()
		if not before or not before.learner_confirmed:
			return
		changed = [
			f
			for f in (
				"support_plan",
				"measure",
				"specialist",
				"consultation_date",
				"start_time",
				"duration_minutes",
				"mode",
				"topic",
				"learner_confirmed",
				"confirmed_at",
			)
			if str(before.get(f) or "") != str(self.get(f) or "")
		]
		if changed:
			frappe.throw(_("A consultation confirmed by the learner cannot be changed."))

	def check_confirmation_recorded_by_another(self) -> None:
		"""The learner's confirmation is the evidence that the consultation took place: the specialist who gave
		it does not record it (the fields' permission level leaves it to the institution's coordinator and
		IKVD)."""
		if not self.learner_confirmed:
			return
		before = self.get_doc_before_save()
		if before.learner_confirmed if before else not self.is_new():
			return  # confirmed earlier (and unchangeable since), or validated outside a save
		if frappe.session.user in (self.specialist, before.specialist if before else None):
			frappe.throw(
				_(
					"The learner's confirmation is recorded by someone other than the specialist who gave the consultation: ask the institution's coordinator."
				),
				frappe.PermissionError,
			)


def delivered_hours(plan: str) -> dict[str, float]:
	"""Confirmed consultation hours per measure row of a plan."""
	rows = frappe.get_all(
		"Support Consultation",
		filters={"support_plan": plan, "learner_confirmed": 1},
		fields=["measure", "sum(duration_minutes) as minutes"],
		group_by="measure",
	)
	return {row.measure: flt(row.minutes) / 60 for row in rows}


def update_delivered_hours(plan_doc) -> None:
	"""Set the delivered hours on a plan document that is being saved."""
	hours = delivered_hours(plan_doc.name)
	for row in plan_doc.measures:
		row.delivered_hours = (
			flt(hours.get(row.name), 2) if row.measure_kind == plan_rules.CONSULTATION else None
		)


def refresh_delivered_hours(plan: str) -> None:
	"""Write the delivered hours straight to the plan's measure rows (the plan itself may be submitted)."""
	hours = delivered_hours(plan)
	for row in frappe.get_all(
		"Support Plan Measure",
		filters={
			"parent": plan,
			"parenttype": "Individual Support Plan",
			"measure_kind": plan_rules.CONSULTATION,
		},
		pluck="name",
	):
		frappe.db.set_value(
			"Support Plan Measure", row, "delivered_hours", flt(hours.get(row), 2), update_modified=False
		)


@frappe.whitelist()
def consultation_measures(support_plan: str) -> list[dict]:
	"""The plan's consultation measures, for the consultation form's measure picker."""
	plan = frappe.get_doc("Individual Support Plan", support_plan)
	plan.check_permission("read")
	return [
		{
			"value": m.name,
			"label": f"{m.idx}. {_(m.specialist_role, context='Support Plan Measure')} — {m.risk_factor} ({flt(m.delivered_hours, 1)}/{flt(m.planned_hours, 1)} h)",
			"specialist": m.specialist,
		}
		for m in plan.measures
		if m.measure_kind == plan_rules.CONSULTATION
	]
