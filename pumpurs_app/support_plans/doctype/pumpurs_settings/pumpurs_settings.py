import frappe
from frappe import _
from frappe.model.document import Document

POSITIVE = ("max_consultation_minutes", "confirmation_days", "approval_reminder_days", "evaluation_reminder_days", "match_window_days")


class PuMPuRSSettings(Document):
	def validate(self) -> None:
		for field in POSITIVE:
			if (self.get(field) or 0) < 1:
				frappe.throw(_("{0} must be at least 1.").format(_(self.meta.get_label(field))))
