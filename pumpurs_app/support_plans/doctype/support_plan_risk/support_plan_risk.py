from frappe.model.document import Document


class SupportPlanRisk(Document):
	pass
