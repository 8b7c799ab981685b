import frappe
from frappe.model.document import Document


class RiskFactor(Document):
	def on_update(self) -> None:
		"""Links to a factor show its Latvian name to Latvian users (the DocType translates link titles)."""
		name = frappe.db.get_value("Translation", {"language": "lv", "source_text": self.factor_name})
		translation = frappe.get_doc("Translation", name) if name else frappe.new_doc("Translation")
		translation.update({"language": "lv", "source_text": self.factor_name, "translated_text": self.factor_name_lv})
		translation.save(ignore_permissions=True)

	def on_trash(self) -> None:
		for name in frappe.get_all("Translation", filters={"language": "lv", "source_text": self.factor_name}, pluck="name"):
			frappe.delete_doc("Translation", name, ignore_permissions=True)
