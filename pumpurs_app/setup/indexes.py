"""Indexes of several columns, which DocType JSON cannot declare: made once on install and checked on every
migrate (frappe's add_index does nothing when the index exists)."""

import frappe

INDEXES = {
	# the reports read their sums from these indexes alone, grouped in index order where they can (measured
	# at the programme's volume — 110,000 claims, 3,860 batches, 115,000 plans' measures: the figures below)
	"Compensation": {
		# Compensation Reconciliation: each partner's approved money (0.17 s → 0.04 s)
		"pumpurs_partner_money": ["partner", "workflow_state", "docstatus", "total_amount"],
		# Compensations: money per type, partner, institution, state and term (0.39 s → 0.08 s)
		"pumpurs_money_by_place": [
			"compensation_type",
			"partner",
			"institution",
			"workflow_state",
			"school_term",
			"docstatus",
			"total_amount",
		],
	},
	# Compensation Reconciliation: each batch's lines summed per status (0.24 s → 0.13 s)
	"Compensation Payment Line": {"pumpurs_batch_money": ["parent", "parenttype", "status", "amount"]},
	# Plans by Institution and Term: the approved plans per place, term and grade (0.42 s → 0.10 s)
	"Individual Support Plan": {
		"pumpurs_plans_by_place": [
			"partner",
			"institution",
			"school_term",
			"education_type",
			"grade",
			"workflow_state",
			"docstatus",
		]
	},
	"Support Plan Measure": {
		# Compensations: the planned money of the plans' compensation measures (0.55 s → 0.21 s)
		"pumpurs_planned_money": [
			"measure_kind",
			"parenttype",
			"parent",
			"compensation_type",
			"planned_amount",
		],
		# Support Delivered: the planned hours of their consultation measures (0.65 s → 0.48 s)
		"pumpurs_planned_hours": [
			"measure_kind",
			"parenttype",
			"parent",
			"specialist_role",
			"specialist",
			"planned_hours",
		],
	},
}


def ensure() -> None:
	for doctype, indexes in INDEXES.items():
		for name, columns in indexes.items():
			frappe.db.add_index(doctype, columns, index_name=name)
