import frappe
from frappe import _

from pumpurs_app.documents import ScopedRecord
from pumpurs_app.rules import registration
from pumpurs_app.utils import check_unique_rows, rules_enforced


class YouthNGOProject(ScopedRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.support_plans.doctype.youth_ngo_project_participant.youth_ngo_project_participant import (
			YouthNGOProjectParticipant,
		)

		amount: DF.Currency
		description: DF.TextEditor | None
		organisation_name: DF.Data
		organisation_registration_number: DF.Data
		participants: DF.Table[YouthNGOProjectParticipant]
		partner: DF.Link
		period_from: DF.Date
		period_to: DF.Date
		status: DF.Literal["Planned", "Running", "Completed", "Cancelled"]
		title: DF.Data
	# end: auto-generated types

	def validate(self) -> None:
		if frappe.db.get_value("Partner", self.partner, "partner_type") != "Municipality":
			frappe.throw(_("Youth NGO projects are organised by municipalities."))
		with rules_enforced(self.doctype):
			self.organisation_registration_number = registration.normalize_registration_number(
				self.organisation_registration_number
			)
		if self.amount is None or self.amount <= 0:
			frappe.throw(_("The project's amount must be more than zero."))
		if self.period_to < self.period_from:
			frappe.throw(_("The project cannot end before it starts."))
		check_unique_rows(self.participants, ("learner",), _("{0} is listed twice."))
		for row in self.participants:
			if frappe.db.get_value("Learner", row.learner, "partner") != self.partner:
				# the learner as sent: the name frappe fetched is another partner's to see
				frappe.throw(
					_("Row {0}: {1} is not a learner of this municipality.").format(row.idx, row.learner)
				)
