from frappe.model.document import Document


class PuMPuRSProgrammeTarget(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		school_year: DF.Data
		target_amount: DF.Currency
		target_institutions: DF.Int
		target_learners: DF.Int
		target_plans: DF.Int
	# end: auto-generated types
	pass
