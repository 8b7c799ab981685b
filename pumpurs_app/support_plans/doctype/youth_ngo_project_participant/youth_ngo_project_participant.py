from frappe.model.document import Document


class YouthNGOProjectParticipant(Document):
	pass
