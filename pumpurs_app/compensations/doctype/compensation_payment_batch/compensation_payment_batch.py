"""A batch of approved compensations paid from the partner's account by one SEPA credit transfer file.

Draft: one of the partner's accountants picks compensations (a compensation can sit in one live batch only —
a unique database key on the batch line). Export: the pain.001 file and the Excel payment list, once.
Confirm (submit): the bank has executed it, the compensations become Paid.

Paid is final. A confirmed batch is never cancelled (nobody has the right, and the controller refuses it even
for the site's Administrator): money that left the account is undone only by the bank returning it, which a
bank statement records — its returned lines make their compensations payable again, with the bank's evidence.

Withdrawn: an exported batch that the bank rejected, or whose file must not be sent, is neither deleted nor
confirmed: another person than its exporter (who alone knows where the file went) withdraws it with the
reason, taking responsibility that the bank has not executed it. Its compensations are released into new
batches; the batch keeps its lines, its end-to-end IDs and its bank files, and stays as it is, for the audit
trail (should the bank execute the file after all, its payments stand out as unmatched on the statement).

Duties by person: nobody who entered, changed, verified or approved a compensation puts it into a batch,
exports, confirms or withdraws that batch, and only the accountants listed in the partner's own staff (or
IKVD) take these steps.
"""

import io
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import format_date, getdate, now_datetime
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from pumpurs_app import access
from pumpurs_app.documents import ScopedRecord, refuse_formula
from pumpurs_app.rules import compensations as comp_rules
from pumpurs_app.rules import sepa
from pumpurs_app.rules.money import money_sum, to_money
from pumpurs_app.rules.spreadsheets import safe_cell
from pumpurs_app.utils import connection_loss_explained, keep_stored, rules_enforced, set_many_with_audit

COMPENSATION = "Compensation"
DRAFT, EXPORTED, PAID, WITHDRAWN = "Draft", "Exported", "Paid", "Withdrawn"
# written by export() and withdraw() (and the status by confirmation) alone
EXPORT_FIELDS = (
	"exported_on",
	"exported_by",
	"confirmed_by",
	"message_id",
	"sepa_file",
	"payment_list",
	"payment_count",
	"status",
	"withdrawn_on",
	"withdrawn_by",
	"withdrawal_reason",
)


class CompensationPaymentBatch(ScopedRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.compensations.doctype.compensation_payment_line.compensation_payment_line import (
			CompensationPaymentLine,
		)

		aggregate_per_iban: DF.Check
		amended_from: DF.Link | None
		confirmed_by: DF.Link | None
		debtor_bic: DF.Data | None
		debtor_iban: DF.Data | None
		execution_date: DF.Date
		exported_by: DF.Link | None
		exported_on: DF.Datetime | None
		filter_institution: DF.Link | None
		filter_payee_kind: DF.Literal["", "Guardian", "Adult learner", "Institution", "Supplier"]
		filter_term: DF.Link | None
		filter_type: DF.Link | None
		line_count: DF.Int
		lines: DF.Table[CompensationPaymentLine]
		message_id: DF.Data | None
		partner: DF.Link
		payment_count: DF.Int
		payment_list: DF.Attach | None
		payment_reference: DF.Data | None
		sepa_file: DF.Attach | None
		status: DF.Literal["Draft", "Exported", "Paid", "Withdrawn", "Cancelled"]
		total_amount: DF.Currency
		withdrawal_reason: DF.SmallText | None
		withdrawn_by: DF.Link | None
		withdrawn_on: DF.Datetime | None
	# end: auto-generated types

	def validate(self) -> None:
		access.check_in_scope(self)
		self.check_pays_here()
		self.keep_export()
		if self.status == WITHDRAWN:
			frappe.throw(
				_("Batch {0} was withdrawn; it stays as it is for the audit trail. Make a new batch.").format(
					self.name
				)
			)
		partner = frappe.db.get_value("Partner", self.partner, ["iban", "bic"], as_dict=True)
		if not partner.iban:
			frappe.throw(
				_("Partner {0} has no paying account (IBAN); add it on the partner first.").format(
					self.partner
				)
			)
		self.debtor_iban, self.debtor_bic = partner.iban, partner.bic
		if self.exported_on and self.lines_changed():
			frappe.throw(
				_(
					"Batch {0} has been exported; its payments cannot change. If the bank has not paid it, another accountant withdraws it; then make a new batch."
				).format(self.name)
			)
		self.validate_lines()

	def keep_export(self) -> None:
		"""What export() wrote stays as it wrote it, whatever a form or an API call sends."""
		if self.flags.exporting:
			return
		keep_stored(self, EXPORT_FIELDS)
		before = self.get_doc_before_save()
		if not before:
			self.status = DRAFT
		written = {row.name: row.end_to_end_id for row in before.lines} if before else {}
		for row in self.lines:
			row.end_to_end_id = written.get(row.name)

	def lines_changed(self) -> bool:
		before = self.get_doc_before_save()
		return bool(before) and [(r.compensation, r.amount) for r in before.lines] != [
			(r.compensation, r.amount) for r in self.lines
		]

	def validate_lines(self) -> None:
		seen = set()
		names = [row.compensation for row in self.lines]
		fields = [
			"name",
			"docstatus",
			"workflow_state",
			"partner",
			"learner_name",
			"compensation_type",
			"payee_name",
			"payee_iban",
			"payee_bic",
			"total_amount",
			*HAND_FIELDS,
		]
		claims = {
			c.name: c
			for c in frappe.get_all(COMPENSATION, filters={"name": ("in", names or [""])}, fields=fields)
		}
		elsewhere = dict(
			frappe.get_all(
				"Compensation Payment Line",
				filters={"active_compensation": ("in", names or [""]), "parent": ("!=", self.name or "")},
				fields=["active_compensation", "parent"],
				as_list=True,
			)
		)
		for row in self.lines:
			if row.compensation in seen:
				frappe.throw(_("Compensation {0} is in the batch twice.").format(row.compensation))
			seen.add(row.compensation)
			claim = claims[row.compensation]  # frappe has checked the links
			if claim.partner != self.partner:
				frappe.throw(_("Compensation {0} is paid by another partner.").format(row.compensation))
			if (
				self.docstatus == 0
				and not self.exported_on
				and (claim.docstatus != 1 or claim.workflow_state != comp_rules.APPROVED)
			):
				frappe.throw(
					_("Compensation {0} is {1}; only approved, unpaid compensations can be paid.").format(
						row.compensation, _(claim.workflow_state)
					)
				)
			other = elsewhere.get(row.compensation)
			if other:
				frappe.throw(
					_("Compensation {0} is already in payment batch {1}.").format(row.compensation, other),
					frappe.DuplicateEntryError,
				)
			row.update(
				{
					"learner_name": claim.learner_name,
					"compensation_type": claim.compensation_type,
					"payee_name": claim.payee_name,
					"payee_iban": claim.payee_iban,
					"payee_bic": claim.payee_bic,
					"amount": claim.total_amount,
					"active_compensation": row.compensation,
				}
			)
		self.line_count = len(self.lines)
		self.total_amount = float(money_sum(to_money(str(r.amount)) for r in self.lines))
		if not self.flags.ignore_permissions:
			with rules_enforced(self.doctype):
				comp_rules.check_payment_duties(frappe.session.user, map(hands, claims.values()))

	def submit(self):
		with connection_loss_explained(
			_(
				"The connection to the database was lost while the payment was being confirmed. Nothing was confirmed and no compensation was set Paid; confirm the payment again."
			)
		):
			return super().submit()

	def before_submit(self) -> None:
		if not self.exported_on:
			frappe.throw(_("Export the payment file and send it to the bank before confirming the payment."))

	def on_submit(self) -> None:
		"""The bank has executed the file: the compensations are paid."""
		set_states(
			[row.compensation for row in self.lines],
			comp_rules.PAID,
			_("Paid in batch {0} on {1}.").format(self.name, format_date(self.execution_date)),
			payment_batch=self.name,
			paid_on=self.execution_date,
			payment_reference=self.payment_reference or self.message_id,
		)
		self.db_set({"status": PAID, "confirmed_by": frappe.session.user})
		refresh_plans(self)

	def before_cancel(self) -> None:
		frappe.throw(
			_(
				"Batch {0} has been paid and cannot be cancelled: only the bank returning a payment undoes it, and the bank statement that shows the return makes its compensation payable again."
			).format(self.name)
		)

	def on_trash(self) -> None:
		if frappe.db.get_value(self.doctype, self.name, "exported_on"):
			# the bank may have executed the file: deleting the batch would let its claims be paid again
			frappe.throw(
				_(
					"Batch {0} has been exported and cannot be deleted; if the bank has not paid it, another accountant withdraws it."
				).format(self.name)
			)
		for row in self.lines:
			row.db_set("active_compensation", None)

	def check_pays_here(self) -> None:
		"""Roles are site-wide: whoever takes a batch's steps is an accountant in the partner's own staff (a
		partner coordinator who is also an accountant at one of its schools pays nothing)."""
		user = frappe.session.user
		if self.flags.ignore_permissions or access.is_national(user):
			return
		if access.ACCOUNTANT not in access.roles_here(user, None, self.partner):
			frappe.throw(
				_(
					"Only an accountant of {0} (listed in the partner's staff) makes, exports, confirms or withdraws its payment batches."
				).format(self.partner),
				frappe.PermissionError,
			)

	def check_duties(self) -> None:
		"""Nobody who entered, changed, verified or approved one of the batch's compensations acts on it."""
		self.check_pays_here()
		claims = frappe.get_all(
			COMPENSATION,
			filters={"name": ("in", [row.compensation for row in self.lines] or [""])},
			fields=["name", *HAND_FIELDS],
		)
		with rules_enforced(self.doctype):
			comp_rules.check_payment_duties(frappe.session.user, map(hands, claims))

	# --- choosing compensations -----------------------------------------------------------------------------

	@frappe.whitelist()
	def get_compensations(self) -> int:
		"""Add the approved, unpaid compensations of the partner that match the filters and sit in no other
		live batch; only those the accountant may see."""
		self.check_permission("write")
		if self.exported_on:
			frappe.throw(_("Batch {0} has been exported; its payments cannot change.").format(self.name))
		filters = {"partner": self.partner, "docstatus": 1, "workflow_state": comp_rules.APPROVED}
		for field, value in (
			("institution", self.filter_institution),
			("school_term", self.filter_term),
			("compensation_type", self.filter_type),
			("payee_kind", self.filter_payee_kind),
		):
			if value:
				filters[field] = value
		in_batches = set(
			frappe.get_all(
				"Compensation Payment Line",
				filters={"active_compensation": ("is", "set")},
				pluck="compensation",
			)
		)
		present = {row.compensation for row in self.lines}
		added = left_out = 0
		for claim in frappe.get_list(
			COMPENSATION,
			filters=filters,
			fields=["name", *HAND_FIELDS],
			order_by="payee_name, name",
			limit=0,
		):
			if claim.name in in_batches or claim.name in present:
				continue
			if comp_rules.payment_conflict(frappe.session.user, hands(claim)):
				left_out += 1
				continue
			self.append("lines", {"compensation": claim.name})
			added += 1
		self.save()
		if left_out:
			frappe.msgprint(
				_(
					"{0} approved compensations were left out: you entered, changed, verified or approved them, so another accountant pays them."
				).format(left_out)
			)
		return added

	# --- the bank files -----------------------------------------------------------------------------------

	@frappe.whitelist()
	def export(self) -> dict:
		"""Write the SEPA pain.001 file and the Excel payment list — once, so that the bank gets each payment once."""
		with connection_loss_explained(
			_(
				"The connection to the database was lost while the payment files were being made. Nothing was exported and no file was kept; export the batch again."
			)
		):
			return self.write_bank_files()

	def write_bank_files(self) -> dict:
		self.reload()  # the files are made from the batch as saved, never from what the browser sent
		self.check_permission("write")
		if self.docstatus != 0:
			frappe.throw(_("Only a batch that is not yet confirmed can be exported."))
		if self.exported_on:
			frappe.throw(
				_(
					"Batch {0} was already exported on {1} by {2}. Download the existing file; upload it to the bank only once."
				).format(self.name, frappe.utils.format_datetime(self.exported_on), self.exported_by)
			)
		if not self.lines:
			frappe.throw(_("The batch has no compensations to pay."))
		self.check_duties()
		payments = self.payments()
		with rules_enforced(self.doctype):
			xml = sepa.build_pain001(
				debtor_name=self.partner,
				debtor_iban=self.debtor_iban,
				debtor_bic=self.debtor_bic,
				message_id=self.name,
				execution_date=getdate(self.execution_date),
				payments=[payment for payment, _keys in payments],
				created=now_datetime(),
			)
		by_key = {row.name: row for row in self.lines}
		for payment, keys in payments:
			for key in keys:
				by_key[key].end_to_end_id = sepa.end_to_end_id(payment.key)
		self.payment_count = len(payments)
		self.message_id = self.name
		self.exported_on, self.exported_by = now_datetime(), frappe.session.user
		self.sepa_file = self.attach("sepa_file", f"{self.name}.xml", xml)
		self.payment_list = self.attach(
			"payment_list", f"{self.name}.xlsx", self.payment_list_workbook(payments)
		)
		self.status = EXPORTED
		self.flags.exporting = True
		self.save()
		return {"sepa_file": self.sepa_file, "payment_list": self.payment_list}

	@frappe.whitelist()
	def withdraw(self, reason: str) -> None:
		"""The bank rejected the exported file, or it must not be sent: release the compensations for a new
		batch and keep this one, files and all, as it is (see the module's docstring)."""
		self.reload()
		self.check_permission("write")
		if self.docstatus != 0 or self.status != EXPORTED:
			frappe.throw(
				_(
					"Only an exported batch that has not been confirmed as paid can be withdrawn; batch {0} is {1}."
				).format(self.name, _(self.status, context=self.doctype))
			)
		reason = (reason or "").strip()
		if not reason:
			frappe.throw(
				_("Write why the batch is withdrawn: the bank's rejection, or why the file must not be sent.")
			)
		refuse_formula(reason, _("Reason for Withdrawal", context="Compensation Payment Batch"))
		if frappe.session.user == self.exported_by:
			frappe.throw(
				_(
					"You exported batch {0}, so someone else must withdraw it, confirming that the bank has not paid it."
				).format(self.name)
			)
		self.check_duties()
		line = frappe.qb.DocType("Compensation Payment Line")
		frappe.qb.update(line).set(line.active_compensation, None).where(line.parent == self.name).run()
		self.db_set(
			{
				"status": WITHDRAWN,
				"withdrawn_on": now_datetime(),
				"withdrawn_by": frappe.session.user,
				"withdrawal_reason": reason,
			}
		)
		self.add_comment("Workflow", f"{_(WITHDRAWN, context=self.doctype)}: {reason}")

	def payments(self) -> list[tuple[sepa.PaymentLine, list[str]]]:
		"""One payment per line, or per payee IBAN when the batch says so; keyed by the batch line's row."""
		lines = []
		claims = {
			c.name: c
			for c in frappe.get_all(
				COMPENSATION,
				filters={"name": ("in", [row.compensation for row in self.lines])},
				fields=["name", "compensation_type", "period_from"],
			)
		}
		for row in self.lines:
			claim = claims[row.compensation]
			lines.append(
				sepa.PaymentLine(
					key=row.name,
					payee_name=row.payee_name,
					iban=row.payee_iban,
					bic=row.payee_bic,
					amount=Decimal(str(row.amount)).quantize(Decimal("0.01")),
					remittance=f"PuMPuRS {row.compensation} {_(claim.compensation_type, 'lv')} {format_date(claim.period_from, 'MM.yyyy')}",
				)
			)
		with rules_enforced(self.doctype):
			return sepa.aggregate(lines, per_iban=bool(self.aggregate_per_iban))

	def attach(self, fieldname: str, file_name: str, content: bytes) -> str:
		"""The file, attached to this batch's field (without the field, frappe's on_update would attach a second
		File record of the same file to the field when the batch is saved)."""
		return (
			frappe.get_doc(
				{
					"doctype": "File",
					"file_name": file_name,
					"content": content,
					"is_private": 1,
					"attached_to_doctype": self.doctype,
					"attached_to_name": self.name,
					"attached_to_field": fieldname,
				}
			)
			.insert(ignore_permissions=True)
			.file_url
		)

	def payment_list_workbook(self, payments) -> bytes:
		"""The list an accountant hands to the bank or an auditor: every transfer, its compensations, totals."""
		book = Workbook()
		sheet = book.active
		sheet.title = _("Payments", context="Compensation Payment Batch")
		sheet.append([_("Payment batch {0}").format(self.name)])
		sheet.append(
			[
				_("Payer", context="Compensation Payment Batch"),
				self.partner,
				_("Account", context="Compensation Payment Batch"),
				self.debtor_iban,
			]
		)
		sheet.append(
			[_("Execution Date", context="Compensation Payment Batch"), getdate(self.execution_date)]
		)
		sheet.append([])
		header = [
			_("No.", context="Compensation Payment Batch"),
			_("Payee", context="Compensation Payment Batch"),
			_("IBAN", context="Compensation Payment Batch"),
			_("BIC", context="Compensation Payment Batch"),
			_("Amount (EUR)", context="Compensation Payment Batch"),
			_("End-to-End ID", context="Compensation Payment Batch"),
			_("Compensations", context="Compensation Payment Batch"),
			_("Learners", context="Compensation Payment Batch"),
		]
		sheet.append(header)
		by_key = {row.name: row for row in self.lines}
		for number, (payment, keys) in enumerate(payments, start=1):
			rows = [by_key[key] for key in keys]
			sheet.append(
				[
					safe_cell(v)
					for v in (
						number,
						payment.payee_name,
						payment.iban,
						payment.bic or "",
						float(payment.amount),
						sepa.end_to_end_id(payment.key),
						", ".join(r.compensation for r in rows),
						", ".join(sorted({r.learner_name for r in rows})),
					)
				]
			)
		total_row = sheet.max_row + 1
		sheet.cell(total_row, 4, _("Total", context="Compensation Payment Batch"))
		sheet.cell(total_row, 5, float(money_sum(p.amount for p, _k in payments)))
		for cell in sheet[5]:
			cell.font = Font(bold=True)
		sheet.cell(1, 1).font = Font(bold=True, size=13)
		sheet.cell(total_row, 4).font = sheet.cell(total_row, 5).font = Font(bold=True)
		for row in sheet.iter_rows(min_row=6, min_col=5, max_col=5):
			row[0].number_format = "#,##0.00"
		sheet.cell(3, 2).number_format = "DD.MM.YYYY"
		sheet.freeze_panes = "A6"
		for index, width in enumerate((5, 34, 24, 12, 14, 26, 40, 40), start=1):
			sheet.column_dimensions[get_column_letter(index)].width = width
		for row in sheet.iter_rows(min_row=6):
			for cell in row:
				cell.alignment = Alignment(vertical="top", wrap_text=cell.column in (7, 8))
		buffer = io.BytesIO()
		book.save(buffer)
		return buffer.getvalue()


# who had a hand in a compensation (rules.ClaimHands)
HAND_FIELDS = ("owner", "content_changed_by", "verified_by", "approved_by")


def hands(claim) -> comp_rules.ClaimHands:
	return comp_rules.ClaimHands(
		claim.name,
		claim.owner,
		frozenset((claim.content_changed_by or "").split()),
		claim.verified_by,
		claim.approved_by,
	)


def set_states(compensations: list[str], state: str, comment: str, **values) -> None:
	"""Paid and Reconciled are set by batches and statements, never by a person; a whole batch at once."""
	set_many_with_audit(
		COMPENSATION,
		compensations,
		{"workflow_state": state, "pending_since": now_datetime(), **values},
		f"{_(state)}: {comment}",
	)


def refresh_plans(batch) -> None:
	from pumpurs_app.compensations.doctype.compensation.compensation import refresh_measure_amounts

	compensations = [r.compensation for r in batch.lines]
	refresh_measure_amounts(
		*set(frappe.get_all(COMPENSATION, filters={"name": ("in", compensations)}, pluck="support_plan"))
	)
