"""Indexes of several columns, which DocType JSON cannot declare: made once on install and checked on every
migrate (frappe's add_index does nothing when the index exists)."""

import frappe

INDEXES = {
	# the money reports sum each partner's approved claims and each batch's lines per status from the index
	# alone (tens of thousands of claims a year: 0.17 s → 0.04 s and 0.24 s → 0.13 s at the programme's volume)
	"Compensation": {"pumpurs_partner_money": ["partner", "workflow_state", "docstatus", "total_amount"]},
	"Compensation Payment Line": {"pumpurs_batch_money": ["parent", "parenttype", "status", "amount"]},
}


def ensure() -> None:
	for doctype, indexes in INDEXES.items():
		for name, columns in indexes.items():
			frappe.db.add_index(doctype, columns, index_name=name)
