import frappe
from frappe import _

from pumpurs_app import access
from pumpurs_app.documents import ScopedRecord
from pumpurs_app.rules import bank, registration, staff
from pumpurs_app.utils import check_unique_rows, rules_enforced


class Partner(ScopedRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.registers.doctype.partner_staff_member.partner_staff_member import PartnerStaffMember

		active_from: DF.Date | None
		active_to: DF.Date | None
		agreement_date: DF.Date | None
		agreement_number: DF.Data | None
		bank_name: DF.Data | None
		bic: DF.Data | None
		iban: DF.Data | None
		partner_name: DF.Data
		partner_type: DF.Literal[
			"Municipality", "State vocational school", "State general school", "Other state institution"
		]
		registration_number: DF.Data
		staff: DF.Table[PartnerStaffMember]
		status: DF.Literal["Active", "Suspended", "Ended"]
	# end: auto-generated types

	def validate(self) -> None:
		with rules_enforced(self.doctype):
			self.registration_number = registration.normalize_registration_number(self.registration_number)
			self.iban = bank.normalize_iban(self.iban, country="LV") if self.iban else None
			self.bic = bank.normalize_bic(self.bic, self.iban) or None
		self.bank_name = bank.bank_name(self.iban) if self.iban else None
		if self.active_from and self.active_to and self.active_to < self.active_from:
			frappe.throw(_("The agreement cannot end before it starts."))
		check_unique_rows(self.staff, ("user", "function"), _("{0} is listed twice as {1}."))
		if not access.is_national(frappe.session.user):
			before = self.get_doc_before_save()
			with rules_enforced(self.doctype):
				staff.check_not_own_entries(
					frappe.session.user,
					[(row.user, row.function, None) for row in (before.staff if before else [])],
					[(row.user, row.function, None) for row in self.staff],
					self.partner_name or self.name,
				)

	def on_update(self) -> None:
		access.sync_users(access.staff_users(self) | access.staff_users(self.get_doc_before_save()))

	def on_trash(self) -> None:
		# User Permissions point at this partner and would block the deletion
		self.flags.users_to_sync = access.remove_user_permissions_for(
			"Partner", self.name
		) | access.staff_users(self)

	def after_delete(self) -> None:
		access.sync_users(self.flags.users_to_sync or ())
