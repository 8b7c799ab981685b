from frappe.model.document import Document


class PartnerStaffMember(Document):
	pass
