import frappe
from frappe import _
from frappe.model.document import Document

from pumpurs_app.rules import federation, school_terms
from pumpurs_app.utils import check_unique_rows, rules_enforced

POSITIVE = (
	"max_consultation_minutes",
	"retention_years",
	"confirmation_days",
	"approval_reminder_days",
	"evaluation_reminder_days",
	"match_window_days",
)


class PuMPuRSSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.support_plans.doctype.pumpurs_programme_target.pumpurs_programme_target import (
			PuMPuRSProgrammeTarget,
		)

		aggregate_per_iban: DF.Check
		approval_reminder_days: DF.Int
		confirmation_days: DF.Int
		evaluation_reminder_days: DF.Int
		federation_mode: DF.Literal["Single Site", "Partner Site", "National Hub"]
		hub_api_key: DF.Data | None
		hub_api_secret: DF.Password | None
		hub_url: DF.Data | None
		match_window_days: DF.Int
		max_consultation_minutes: DF.Int
		programme_targets: DF.Table[PuMPuRSProgrammeTarget]
		retention_years: DF.Int
		site_partner: DF.Link | None
	# end: auto-generated types

	def validate(self) -> None:
		for field in POSITIVE:
			if (self.get(field) or 0) < 1:
				frappe.throw(_("{0} must be at least 1.").format(_(self.meta.get_label(field))))
		with rules_enforced(self.doctype):
			for row in self.programme_targets:
				school_terms.school_year_start(row.school_year)
		check_unique_rows(self.programme_targets, ("school_year",), _("{0} has two rows of targets."))
		if self.federation_mode == federation.PARTNER_SITE:
			with rules_enforced(self.doctype):
				self.hub_url = federation.check_hub_url(self.hub_url)
