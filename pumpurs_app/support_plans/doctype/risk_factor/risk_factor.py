from frappe.model.document import Document

from pumpurs_app.utils import drop_latvian_name, sync_latvian_name


class RiskFactor(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		description: DF.SmallText | None
		disabled: DF.Check
		factor_name: DF.Data
		factor_name_lv: DF.Data
		risk_group: DF.Literal[
			"Learning and school environment", "Social environment and health", "Economic", "Family"
		]
	# end: auto-generated types

	def on_update(self) -> None:
		sync_latvian_name(self.factor_name, self.factor_name_lv)

	def on_trash(self) -> None:
		drop_latvian_name(self.factor_name)
