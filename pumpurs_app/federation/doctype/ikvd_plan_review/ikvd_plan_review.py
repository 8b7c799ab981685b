from pumpurs_app.documents import ServerOnlyMethods


class IKVDPlanReview(ServerOnlyMethods):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.federation.doctype.ikvd_plan_review_measure.ikvd_plan_review_measure import (
			IKVDPlanReviewMeasure,
		)
		from pumpurs_app.federation.doctype.ikvd_plan_review_risk.ikvd_plan_review_risk import (
			IKVDPlanReviewRisk,
		)

		approved_before: DF.SmallText | None
		decided_by: DF.Link | None
		decided_on: DF.Datetime | None
		decision_reason: DF.SmallText | None
		education_type: DF.Data | None
		grade: DF.Int
		institution_code: DF.Data | None
		institution_name: DF.Data | None
		learner_name: DF.Data | None
		learner_personal_code: DF.Data | None
		measures: DF.Table[IKVDPlanReviewMeasure]
		other_partners: DF.SmallText | None
		partner: DF.Link
		plan_author_name: DF.Data | None
		plan_date: DF.Date | None
		received_on: DF.Datetime | None
		risks: DF.Table[IKVDPlanReviewRisk]
		school_term: DF.Data | None
		school_year: DF.Data | None
		sequence: DF.Int
		source_plan: DF.Data
		status: DF.Literal["Pending IKVD", "Approved", "Returned", "Rejected"]
		term_type: DF.Data | None
	# end: auto-generated types
	pass
