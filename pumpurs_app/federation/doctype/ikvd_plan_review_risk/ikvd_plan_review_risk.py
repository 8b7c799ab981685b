from frappe.model.document import Document


class IKVDPlanReviewRisk(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		observation: DF.SmallText | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		risk_factor: DF.Data | None
		risk_group: DF.Data | None
		severity: DF.Data | None
	# end: auto-generated types
	pass
