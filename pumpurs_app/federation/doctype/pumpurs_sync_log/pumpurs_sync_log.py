from pumpurs_app.documents import ServerOnlyMethods


class PuMPuRSSyncLog(ServerOnlyMethods):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		attempts: DF.Int
		content_hash: DF.Data | None
		delivered_on: DF.Datetime | None
		direction: DF.Literal["Outgoing", "Incoming"]
		idempotency_key: DF.Data
		last_error: DF.SmallText | None
		message_type: DF.Literal["Plan for Decision", "Term Figures", "IKVD Decision", "Cross-Partner Flag"]
		name: DF.Int | None
		next_attempt_on: DF.Datetime | None
		partner: DF.Link | None
		payload: DF.LongText | None
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		result: DF.SmallText | None
		sequence: DF.Int
		status: DF.Literal["Queued", "Sent", "Failed", "Refused", "Applied", "Ignored"]
	# end: auto-generated types
	pass
