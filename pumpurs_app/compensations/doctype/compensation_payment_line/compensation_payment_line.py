from frappe.model.document import Document


class CompensationPaymentLine(Document):
	pass
