from frappe.model.document import Document


class CompensationCapOverride(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		cap_per_day: DF.Currency
		cap_per_month: DF.Currency
		cap_per_term: DF.Currency
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		partner: DF.Link
		unit_price: DF.Currency
		valid_from: DF.Date
	# end: auto-generated types
	pass
