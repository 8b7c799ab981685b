from frappe.model.document import Document


class InstitutionStaffMember(Document):
	pass
