from frappe.model.document import Document


class PuMPuRSProgrammeTarget(Document):
	pass
