from frappe.model.document import Document


class LearnerGuardian(Document):
	pass
