from pumpurs_app.documents import ScopedRow


class SupportPlanMeasure(ScopedRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		approved_amount: DF.Currency
		compensation_type: DF.Link | None
		delivered_hours: DF.Float
		frequency: DF.Data | None
		measure_kind: DF.Literal["Consultation", "Compensation", "Youth NGO project"]
		ngo_project: DF.Link | None
		paid_amount: DF.Currency
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		planned_amount: DF.Currency
		planned_hours: DF.Float
		risk_factor: DF.Link
		specialist: DF.Link | None
		specialist_role: DF.Literal[
			"",
			"Teacher",
			"Psychologist",
			"Social Pedagogue",
			"Teacher's Assistant",
			"Special Education Teacher",
			"Sign Language Interpreter",
			"Assistant",
			"Occupational Therapist",
		]
	# end: auto-generated types
	pass
