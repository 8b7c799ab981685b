from pumpurs_app.documents import ScopedRow


class YouthNGOProjectParticipant(ScopedRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		institution: DF.Link | None
		learner: DF.Link
		learner_name: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
	# end: auto-generated types
	pass
