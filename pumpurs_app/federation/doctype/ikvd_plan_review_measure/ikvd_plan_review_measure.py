from frappe.model.document import Document


class IKVDPlanReviewMeasure(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		compensation_type: DF.Data | None
		frequency: DF.Data | None
		measure_kind: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		planned_amount: DF.Currency
		planned_hours: DF.Float
		risk_factor: DF.Data | None
		specialist_role: DF.Data | None
	# end: auto-generated types
	pass
