"""A bank statement of the partner's paying account, matched to the payments of its batches.

Saving parses the whole file (camt.053 or the bank's Excel/CSV export) and matches each transaction: by the
end-to-end ID the payment file gave it, else by IBAN, amount and a date window. Nothing changes until the
statement is submitted: then matched payments reconcile their compensations, returned ones make their
compensations payable again, and every exception stays listed with its reason.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import format_date, getdate

from pumpurs_app import access
from pumpurs_app.compensations.doctype.compensation.compensation import refresh_measure_amounts
from pumpurs_app.compensations.doctype.compensation_payment_batch.compensation_payment_batch import (
	COMPENSATION,
	HAND_FIELDS,
	hands,
	set_states,
)
from pumpurs_app.documents import ScopedRecord
from pumpurs_app.rules import RuleViolation, matching, statements
from pumpurs_app.rules import compensations as comp_rules
from pumpurs_app.rules.money import money_sum
from pumpurs_app.rules.spreadsheets import safe_cell
from pumpurs_app.utils import connection_loss_explained, rules_enforced, translated

SHOWN_ERRORS = 20


class CompensationBankStatement(ScopedRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.compensations.doctype.compensation_bank_statement_line.compensation_bank_statement_line import (
			CompensationBankStatementLine,
		)

		account_iban: DF.Data | None
		amended_from: DF.Link | None
		fingerprint: DF.Data | None
		from_date: DF.Date | None
		lines: DF.Table[CompensationBankStatementLine]
		matched_count: DF.Int
		mismatch_count: DF.Int
		partner: DF.Link
		returned_count: DF.Int
		statement_file: DF.Attach
		statement_id: DF.Data | None
		to_date: DF.Date | None
		unmatched_count: DF.Int
	# end: auto-generated types

	def validate(self) -> None:
		access.check_in_scope(self)
		if self.is_new() or self.has_value_changed("statement_file"):
			self.read_statement()

	def submit(self):
		with connection_loss_explained(
			_(
				"The connection to the database was lost while the statement was being reconciled. Nothing was reconciled; submit the statement again."
			)
		):
			return super().submit()

	def before_submit(self) -> None:
		"""Matched again, under lock, against the payments open now: another statement submitted since this one
		was read must not reconcile (or return) a payment twice."""
		self.read_statement(lock=True)
		self.check_returns_booked_by_another()

	def check_returns_booked_by_another(self) -> None:
		"""Four eyes on the bank's returns (which make claims payable again): nobody books the return of a
		payment they exported, confirmed or had a hand in."""
		returned = {line.payment_batch for line in self.lines if line.match_status == matching.RETURNED}
		for batch in sorted(filter(None, returned)):
			paid_by = frappe.db.get_value(
				"Compensation Payment Batch", batch, ["exported_by", "confirmed_by"]
			)
			claims = frappe.get_all(
				COMPENSATION,
				filters={
					"name": (
						"in",
						frappe.get_all("Compensation Payment Line", {"parent": batch}, pluck="compensation"),
					)
				},
				fields=["name", *HAND_FIELDS],
			)
			with rules_enforced(self.doctype):
				comp_rules.check_books_return(frappe.session.user, batch, paid_by, map(hands, claims))

	def read_statement(self, lock: bool = False) -> None:
		try:
			file = frappe.get_doc("File", {"file_url": self.statement_file})
			with open(file.get_full_path(), "rb") as f:  # bytes: File.get_content() decodes text files
				content = f.read()
		except (OSError, frappe.DoesNotExistError):
			frappe.throw(_("The statement file is empty or cannot be read."))
		try:
			statement = statements.parse_statement(content, file.file_name)
		except statements.StatementErrors as errors:
			self.refuse_rows(errors)
		except RuleViolation as exc:
			frappe.throw(translated(exc), title=_("The statement cannot be read"))
		account = frappe.db.get_value("Partner", self.partner, "iban")
		if statement.account_iban and account and statement.account_iban != account:
			frappe.throw(
				_("This statement is of account {0}, not of {1}'s paying account {2}.").format(
					statement.account_iban, self.partner, account
				)
			)
		self.fingerprint = statements.fingerprint(statement)
		duplicate = frappe.db.get_value(
			self.doctype, {"fingerprint": self.fingerprint, "name": ("!=", self.name or "")}
		)
		if duplicate:
			frappe.throw(
				_("This statement has already been uploaded as {0}.").format(duplicate),
				frappe.DuplicateEntryError,
			)
		self.account_iban = statement.account_iban or account
		self.statement_id = statement.statement_id
		self.from_date, self.to_date = statement.from_date, statement.to_date
		self.match(statement.transactions, lock)

	def refuse_rows(self, errors: statements.StatementErrors) -> None:
		lines = [translated(errors)] + [
			_("Row {0}, column {1}: {2}").format(e.row, _(e.column), _(e.reason_template).format(**e.params))
			for e in errors.errors[:SHOWN_ERRORS]
		]
		if len(errors.errors) > SHOWN_ERRORS:
			lines.append(_("… and {0} more.").format(len(errors.errors) - SHOWN_ERRORS))
		frappe.throw("<br>".join(lines), title=_("The statement cannot be read"))

	def match(self, transactions: list[statements.Transaction], lock: bool = False) -> None:
		payments, batches = open_payments(self.partner, lock)
		window = frappe.get_cached_doc("PuMPuRS Settings").match_window_days
		results = matching.match(transactions, payments, window_days=window)
		self.lines = []
		for result in results:
			t = result.transaction
			self.append(
				"lines",
				{
					"booking_date": t.booking_date,
					"amount": float(t.amount),
					"direction": t.direction,
					# the bank's texts, as the app's own workbooks write them (frappe's exports write cells as
					# they are)
					"counterparty_name": safe_cell(t.counterparty_name),
					"counterparty_iban": t.counterparty_iban,
					"end_to_end_id": safe_cell(t.end_to_end_id),
					"reference": safe_cell(t.reference),
					"bank_reference": safe_cell(t.bank_reference),
					"return_reason": safe_cell(t.return_reason),
					"match_status": result.status,
					"payment_batch": batches.get(result.line_key),
					"end_to_end_of_line": result.line_key,
					"reason": _(result.reason).format(**result.params) if result.reason else None,
				},
			)
		for status, field in (
			(matching.MATCHED, "matched_count"),
			(matching.AMOUNT_MISMATCH, "mismatch_count"),
			(matching.UNMATCHED, "unmatched_count"),
			(matching.RETURNED, "returned_count"),
		):
			self.set(field, sum(1 for line in self.lines if line.match_status == status))

	def on_submit(self) -> None:
		"""The bank's word on each paid line: matched claims are Reconciled, returned ones payable again (in
		bulk: one statement may confirm a batch of thousands)."""
		rows = frappe.get_all(
			"Compensation Payment Line",
			filters={"parent": ("in", {line.payment_batch for line in self.lines if line.payment_batch})},
			fields=["name", "compensation", "parent", "end_to_end_id"],
		)
		by_payment: dict[tuple, list] = {}
		for row in rows:
			by_payment.setdefault((row.parent, row.end_to_end_id), []).append(row)
		line_status: dict[str, list[str]] = {}
		reconciled: dict[object, list[str]] = {}  # booking date -> claims
		returned: dict[str, list[str]] = {}  # return reason -> claims
		for line in self.lines:
			paid = (
				by_payment.get((line.payment_batch, line.end_to_end_of_line), [])
				if line.end_to_end_of_line
				else []
			)
			status = line.match_status  # the payment line takes the statement line's status
			if not paid or status not in (matching.MATCHED, matching.RETURNED, matching.AMOUNT_MISMATCH):
				continue
			line_status.setdefault(status, []).extend(row.name for row in paid)
			claims = [row.compensation for row in paid]
			if status == matching.MATCHED:
				reconciled.setdefault(line.booking_date, []).extend(claims)
			elif status == matching.RETURNED:
				returned.setdefault(line.return_reason or "-", []).extend(claims)
		table = frappe.qb.DocType("Compensation Payment Line")
		for status, names in line_status.items():
			update = frappe.qb.update(table).set(table.status, status).where(table.name.isin(names))
			if status == matching.RETURNED:
				update = update.set(
					table.active_compensation, None
				)  # the money came back: payable in a new batch
			update.run()
		for booked, claims in reconciled.items():
			set_states(
				claims,
				comp_rules.RECONCILED,
				_("Reconciled with bank statement {0} ({1}).").format(self.name, format_date(booked)),
				bank_statement=self.name,
				reconciled_on=booked,
			)
		for reason, claims in returned.items():
			set_states(
				claims,
				comp_rules.APPROVED,
				_("Returned by the bank ({0}), statement {1}; pay it again in a new batch.").format(
					reason, self.name
				),
				payment_batch=None,
				paid_on=None,
				payment_reference=None,
			)
		claims = [row.compensation for names in by_payment.values() for row in names]
		refresh_measure_amounts(
			*set(
				frappe.get_all("Compensation", filters={"name": ("in", claims or [""])}, pluck="support_plan")
			)
		)


def open_payments(partner: str, lock: bool = False) -> tuple[list[matching.BatchLine], dict[str, str]]:
	"""Payments of the partner's confirmed batches that the bank has not yet confirmed, keyed by end-to-end
	ID (lines paid together to one payee share it, and their amounts add up), and the batch of each."""
	batch = frappe.qb.DocType("Compensation Payment Batch")
	line = frappe.qb.DocType("Compensation Payment Line")
	query = (
		frappe.qb.from_(line)
		.join(batch)
		.on(line.parent == batch.name)
		.select(
			batch.name.as_("batch"), batch.execution_date, line.end_to_end_id, line.payee_iban, line.amount
		)
		.where((batch.partner == partner) & (batch.docstatus == 1) & (line.end_to_end_id.isnotnull()))
		.where(line.status.isnull() | (line.status == "") | (line.status == "Amount mismatch"))
	)
	rows = (query.for_update() if lock else query).run(as_dict=True)
	grouped: dict[str, list] = {}
	for row in rows:
		grouped.setdefault(row.end_to_end_id, []).append(row)
	payments = [
		matching.BatchLine(
			key=e2e,
			end_to_end_id=e2e,
			iban=parts[0].payee_iban,
			amount=money_sum(Decimal(str(p.amount)).quantize(Decimal("0.01")) for p in parts),
			execution_date=getdate(parts[0].execution_date),
		)
		for e2e, parts in grouped.items()
	]
	return payments, {e2e: parts[0].batch for e2e, parts in grouped.items()}
