from pumpurs_app.documents import ServerOnlyMethods


class PuMPuRSTermFigures(ServerOnlyMethods):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.federation.doctype.pumpurs_term_compensation.pumpurs_term_compensation import (
			PuMPuRSTermCompensation,
		)

		approved_plans: DF.Int
		compensations: DF.Table[PuMPuRSTermCompensation]
		compensations_paid: DF.Currency
		consultation_hours: DF.Float
		learners: DF.Int
		measures: DF.Int
		partner: DF.Link
		planned_hours: DF.Float
		plans: DF.Int
		received_on: DF.Datetime | None
		school_term: DF.Data
		sequence: DF.Int
	# end: auto-generated types
	pass
