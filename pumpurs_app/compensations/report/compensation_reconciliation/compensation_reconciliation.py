"""Per partner and per payment batch: approved vs paid vs reconciled money, and every bank exception with its
reason. Read through ``frappe.get_list``, so each user sees only their own partner's batches (frappe#31063)."""

from collections import defaultdict
from decimal import Decimal

import frappe
from frappe import _

from pumpurs_app.reporting.report_utils import as_number
from pumpurs_app.rules import compensations as comp_rules
from pumpurs_app.rules import matching
from pumpurs_app.rules.money import money_sum

AMOUNTS = ("approved", "paid", "reconciled", "open", "mismatched", "returned")


def execute(filters: dict | None = None) -> tuple[list, list, None, dict]:
	filters = frappe._dict(filters or {})
	batch = "`tabCompensation Payment Batch`"
	line = "`tabCompensation Payment Line`"
	# each batch with its lines summed per status in SQL (DECIMAL sums are exact): a national user's report
	# reads no single payment of the programme
	sums = frappe.get_list(
		"Compensation Payment Batch",
		filters=batch_filters(filters),
		fields=[
			f"{batch}.name as name",
			f"{batch}.partner as partner",
			f"{batch}.execution_date as execution_date",
			f"{batch}.status as status",
			f"{batch}.docstatus as docstatus",
			f"{line}.status as line_status",
			f"sum({line}.amount) as amount",
			f"count({line}.amount) as compensations",
		],
		group_by=f"{batch}.name, {line}.status",
		order_by=f"{batch}.partner, {batch}.execution_date, {batch}.name",
		limit=0,
	)
	of_partner = defaultdict(dict)  # partner -> batch -> its sums per line status
	for row in sums:
		of_partner[row.partner].setdefault(row.name, []).append(row)
	statuses = {}  # each batch status translated once
	approved = approved_by_partner(filters)
	rows = []
	for partner in sorted(set(of_partner) | set(approved)):
		batch_rows = [batch_row(mine[0], mine, statuses) for mine in of_partner[partner].values()]
		rows.append(
			{
				"kind": "partner",
				"row_type": _("Partner", context="Compensation Reconciliation"),
				"partner": partner,
				"indent": 0,
				"approved": approved.get(partner, Decimal(0)),
				**{
					k: money_sum(r[k] for r in batch_rows)
					for k in ("paid", "reconciled", "mismatched", "returned")
				},
				"compensations": sum(r["compensations"] for r in batch_rows),
			}
		)
		rows += batch_rows
	for row in rows:
		row["open"] = row["paid"] - row["reconciled"]  # paid, not yet confirmed by the bank
		for key in AMOUNTS:
			row[key] = as_number(row[key])  # added exactly as Decimals; shown (and exported) as numbers
	rows += exceptions(filters)
	return columns(), rows, None, chart(rows)


def batch_filters(filters) -> dict:
	conditions = {}
	if filters.get("partner"):
		conditions["partner"] = filters.partner
	if filters.get("payment_batch"):
		conditions["name"] = filters.payment_batch
	if filters.get("from_date"):
		conditions["execution_date"] = (">=", filters.from_date)
	if filters.get("to_date"):
		conditions.setdefault("execution_date", ("<=", filters.to_date))
		if filters.get("from_date"):
			conditions["execution_date"] = ("between", [filters.from_date, filters.to_date])
	return conditions


def batch_row(batch, sums, statuses: dict) -> dict:
	"""``sums``: the batch's lines summed per line status."""
	confirmed = batch.docstatus == 1
	if batch.status not in statuses:
		statuses[batch.status] = _(batch.status, context="Compensation Payment Batch")

	def total(status=None):
		return money_sum(
			Decimal(str(row.amount))
			for row in sums
			if row.amount is not None and (status is None or row.line_status == status)
		)

	return {
		"kind": "batch",
		"row_type": _("Payment Batch", context="Compensation Reconciliation"),
		"partner": batch.partner,
		"payment_batch": batch.name,
		"execution_date": batch.execution_date,
		"status": statuses[batch.status],
		"indent": 1,
		"compensations": sum(row.compensations for row in sums),
		"approved": total(),
		"paid": total() - total("Returned") if confirmed else Decimal(0),  # returned money was not paid
		"reconciled": total("Matched"),
		"mismatched": total("Amount mismatch"),
		"returned": total("Returned"),
	}


def approved_by_partner(filters) -> dict[str, Decimal]:
	"""All approved money of each partner the user may see, batched or not."""
	conditions = {"docstatus": 1, "workflow_state": ("in", comp_rules.APPROVED_OR_LATER)}
	if filters.get("partner"):
		conditions["partner"] = filters.partner
	rows = frappe.get_list(
		"Compensation",
		filters=conditions,
		fields=["partner", "sum(total_amount) as total"],
		group_by="partner",
		limit=0,
	)
	return {row.partner: money_sum([Decimal(str(row.total))]) for row in rows}


def exceptions(filters) -> list[dict]:
	"""Bank transactions that did not simply match, with the reason."""
	conditions = [
		["Compensation Bank Statement", "docstatus", "<", 2],
		# "in" the exceptions (not "!= Matched", which frappe wraps in ifnull()): the status's index finds them
		[
			"Compensation Bank Statement Line",
			"match_status",
			"in",
			[matching.AMOUNT_MISMATCH, matching.UNMATCHED, matching.RETURNED],
		],
	]
	if filters.get("partner"):
		conditions.append(["Compensation Bank Statement", "partner", "=", filters.partner])
	rows = frappe.get_list(
		"Compensation Bank Statement",
		filters=conditions,
		fields=[
			"name",
			"partner",
			"`tabCompensation Bank Statement Line`.booking_date",
			"`tabCompensation Bank Statement Line`.amount",
			"`tabCompensation Bank Statement Line`.match_status",
			"`tabCompensation Bank Statement Line`.counterparty_name",
			"`tabCompensation Bank Statement Line`.payment_batch",
			"`tabCompensation Bank Statement Line`.reason",
		],
		order_by="partner, `tabCompensation Bank Statement Line`.booking_date",
		limit=0,
	)
	return [
		{
			"kind": "exception",
			"row_type": _("Exception", context="Compensation Reconciliation"),
			"partner": r.partner,
			"payment_batch": r.payment_batch,
			"bank_statement": r.name,
			"execution_date": r.booking_date,
			"status": _(r.match_status, context="Compensation Bank Statement Line"),
			"amount": r.amount,
			"counterparty": r.counterparty_name,
			"reason": r.reason,
			"indent": 0,
		}
		for r in rows
		if r.match_status
	]


def columns() -> list[dict]:
	money = {"fieldtype": "Currency", "options": "EUR", "width": 120}
	return [
		{
			"fieldname": "row_type",
			"label": _("Row", context="Compensation Reconciliation"),
			"fieldtype": "Data",
			"width": 120,
		},
		{
			"fieldname": "partner",
			"label": _("Partner", context="Compensation Reconciliation"),
			"fieldtype": "Link",
			"options": "Partner",
			"width": 220,
		},
		{
			"fieldname": "payment_batch",
			"label": _("Payment Batch", context="Compensation Reconciliation"),
			"fieldtype": "Link",
			"options": "Compensation Payment Batch",
			"width": 150,
		},
		{
			"fieldname": "execution_date",
			"label": _("Date", context="Compensation Reconciliation"),
			"fieldtype": "Date",
			"width": 100,
		},
		{
			"fieldname": "status",
			"label": _("Status", context="Compensation Reconciliation"),
			"fieldtype": "Data",
			"width": 110,
		},
		{
			"fieldname": "compensations",
			"label": _("Compensations", context="Compensation Reconciliation"),
			"fieldtype": "Int",
			"width": 100,
		},
		{"fieldname": "approved", "label": _("Approved", context="Compensation Reconciliation"), **money},
		{"fieldname": "paid", "label": _("Paid", context="Compensation Reconciliation"), **money},
		{"fieldname": "reconciled", "label": _("Reconciled", context="Compensation Reconciliation"), **money},
		{
			"fieldname": "open",
			"label": _("Paid, not Reconciled", context="Compensation Reconciliation"),
			**money,
		},
		{
			"fieldname": "mismatched",
			"label": _("Amount Mismatch", context="Compensation Reconciliation"),
			**money,
		},
		{"fieldname": "returned", "label": _("Returned", context="Compensation Reconciliation"), **money},
		{
			"fieldname": "bank_statement",
			"label": _("Bank Statement", context="Compensation Reconciliation"),
			"fieldtype": "Link",
			"options": "Compensation Bank Statement",
			"width": 140,
		},
		{
			"fieldname": "amount",
			"label": _("Transaction Amount", context="Compensation Reconciliation"),
			**money,
		},
		{
			"fieldname": "counterparty",
			"label": _("Counterparty", context="Compensation Reconciliation"),
			"fieldtype": "Data",
			"width": 160,
		},
		{
			"fieldname": "reason",
			"label": _("Reason", context="Compensation Reconciliation"),
			"fieldtype": "Data",
			"width": 320,
		},
	]


def chart(rows) -> dict:
	partners = [
		r
		for r in rows
		if r.get("indent") == 0 and r.get("row_type") == _("Partner", context="Compensation Reconciliation")
	]
	labels = [r["partner"] for r in partners]
	return {
		"data": {
			"labels": labels,
			"datasets": [
				{
					"name": _("Approved", context="Compensation Reconciliation"),
					"values": [float(r["approved"]) for r in partners],
				},
				{
					"name": _("Paid", context="Compensation Reconciliation"),
					"values": [float(r["paid"]) for r in partners],
				},
				{
					"name": _("Reconciled", context="Compensation Reconciliation"),
					"values": [float(r["reconciled"]) for r in partners],
				},
			],
		},
		"type": "bar",
		"fieldtype": "Currency",
	}
