from frappe.model.document import Document


class CompensationLine(Document):
	pass
