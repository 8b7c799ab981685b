from frappe.model.document import Document

from pumpurs_app.utils import drop_latvian_name, sync_latvian_name


class RiskFactor(Document):
	def on_update(self) -> None:
		sync_latvian_name(self.factor_name, self.factor_name_lv)

	def on_trash(self) -> None:
		drop_latvian_name(self.factor_name)
