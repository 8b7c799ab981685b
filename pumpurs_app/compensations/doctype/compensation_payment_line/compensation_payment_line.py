from pumpurs_app.documents import ScopedRow


class CompensationPaymentLine(ScopedRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		active_compensation: DF.Data | None
		amount: DF.Currency
		compensation: DF.Link
		compensation_type: DF.Link | None
		end_to_end_id: DF.Data | None
		learner_name: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		payee_bic: DF.Data | None
		payee_iban: DF.Data | None
		payee_name: DF.Data | None
		status: DF.Literal["", "Matched", "Amount mismatch", "Returned"]
	# end: auto-generated types
	pass
