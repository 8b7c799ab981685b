from pumpurs_app.documents import ScopedRow


class CompensationLine(ScopedRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		description: DF.Data | None
		evidence: DF.Attach | None
		line_date: DF.Date
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		quantity: DF.Float
		unit_price: DF.Currency
	# end: auto-generated types
	pass
