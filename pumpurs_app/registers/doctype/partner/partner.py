import frappe
from frappe import _
from frappe.model.document import Document

from pumpurs_app import access
from pumpurs_app.rules import bank, registration
from pumpurs_app.utils import check_unique_rows, rules_enforced


class Partner(Document):
	def validate(self) -> None:
		with rules_enforced(self.doctype):
			self.registration_number = registration.normalize_registration_number(self.registration_number)
			self.iban = bank.normalize_iban(self.iban, country="LV") if self.iban else None
			self.bic = bank.normalize_bic(self.bic, self.iban) or None
		self.bank_name = bank.bank_name(self.iban) if self.iban else None
		if self.active_from and self.active_to and self.active_to < self.active_from:
			frappe.throw(_("The agreement cannot end before it starts."))
		check_unique_rows(self.staff, ("user", "function"), _("{0} is listed twice as {1}."))

	def on_update(self) -> None:
		access.sync_users(access.staff_users(self) | access.staff_users(self.get_doc_before_save()))

	def on_trash(self) -> None:
		# User Permissions point at this partner and would block the deletion
		self.flags.users_to_sync = access.remove_user_permissions_for("Partner", self.name) | access.staff_users(self)

	def after_delete(self) -> None:
		access.sync_users(self.flags.users_to_sync or ())
