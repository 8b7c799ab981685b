from pumpurs_app.documents import ScopedRow


class CompensationBankStatementLine(ScopedRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		bank_reference: DF.Data | None
		booking_date: DF.Date | None
		counterparty_iban: DF.Data | None
		counterparty_name: DF.Data | None
		direction: DF.Literal["DBIT", "CRDT"]
		end_to_end_id: DF.Data | None
		end_to_end_of_line: DF.Data | None
		match_status: DF.Literal["Matched", "Amount mismatch", "Unmatched", "Returned"]
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		payment_batch: DF.Link | None
		reason: DF.SmallText | None
		reference: DF.SmallText | None
		return_reason: DF.Data | None
	# end: auto-generated types
	pass
