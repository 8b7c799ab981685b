from frappe.model.document import Document


class CompensationCapOverride(Document):
	pass
