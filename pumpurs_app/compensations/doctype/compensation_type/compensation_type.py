from datetime import date
from decimal import Decimal

import frappe
from frappe import _
from frappe.model.document import Document

from pumpurs_app.rules import compensations
from pumpurs_app.rules.caps import CapOverride, CapSet, effective_caps
from pumpurs_app.utils import check_unique_rows, drop_latvian_name, sync_latvian_name

PAYEE_FIELDS = {
	compensations.GUARDIAN: "allow_guardian",
	compensations.ADULT_LEARNER: "allow_adult_learner",
	compensations.INSTITUTION: "allow_institution",
	compensations.SUPPLIER: "allow_supplier",
}
AMOUNT_FIELDS = ("default_unit_price", "cap_per_day", "cap_per_month", "cap_per_term")


class CompensationType(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.compensations.doctype.compensation_cap_override.compensation_cap_override import (
			CompensationCapOverride,
		)

		allow_adult_learner: DF.Check
		allow_guardian: DF.Check
		allow_institution: DF.Check
		allow_supplier: DF.Check
		cap_per_day: DF.Currency
		cap_per_month: DF.Currency
		cap_per_term: DF.Currency
		default_unit_price: DF.Currency
		disabled: DF.Check
		evidence_mandatory: DF.Check
		overrides: DF.Table[CompensationCapOverride]
		type_name: DF.Data
		type_name_lv: DF.Data
		unit: DF.Literal["trip", "day", "month", "item", "amount"]
	# end: auto-generated types

	def validate(self) -> None:
		if not self.allowed_payees():
			frappe.throw(_("Allow at least one kind of payee."))
		for row in [self, *self.overrides]:
			for field in (*AMOUNT_FIELDS, "unit_price"):
				if row.get(field) is not None and row.get(field) < 0:
					frappe.throw(_("Caps and prices cannot be negative."))
		check_unique_rows(self.overrides, ("partner", "valid_from"), _("{0} has two overrides from {1}."))

	def on_update(self) -> None:
		sync_latvian_name(self.type_name, self.type_name_lv)

	def on_trash(self) -> None:
		drop_latvian_name(self.type_name)

	def allowed_payees(self) -> set[str]:
		return {kind for kind, field in PAYEE_FIELDS.items() if self.get(field)}

	def caps_for(self, partner: str, on: date) -> CapSet:
		"""The caps and unit price in force for ``partner`` on ``on``: the partner's latest override already
		valid, field by field over the national values."""
		national = CapSet(
			*(
				money(self.get(f))
				for f in ("cap_per_day", "cap_per_month", "cap_per_term", "default_unit_price")
			)
		)
		overrides = [
			CapOverride(
				row.valid_from,
				CapSet(
					money(row.cap_per_day),
					money(row.cap_per_month),
					money(row.cap_per_term),
					money(row.unit_price),
				),
			)
			for row in self.overrides
			if row.partner == partner
		]
		return effective_caps(national, overrides, on)


def money(value) -> Decimal | None:
	"""Currency fields come as floats and store an empty value as 0: 0 means "not set" (no cap, or in an
	override, the national value)."""
	return Decimal(str(value)).quantize(Decimal("0.01")) if value else None
