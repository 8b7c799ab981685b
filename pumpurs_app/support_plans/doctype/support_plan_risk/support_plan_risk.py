from pumpurs_app.documents import ScopedRow


class SupportPlanRisk(ScopedRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		observation: DF.SmallText | None
		outcome: DF.Literal["", "Reduced", "Unchanged", "Increased"]
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		risk_factor: DF.Link
		risk_group: DF.Data | None
		severity: DF.Literal["Low", "Medium", "High"]
	# end: auto-generated types
	pass
