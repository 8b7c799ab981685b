from frappe.model.document import Document


class CompensationBankStatementLine(Document):
	pass
