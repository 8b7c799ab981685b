from frappe.model.document import Document


class SupportPlanMeasure(Document):
	pass
