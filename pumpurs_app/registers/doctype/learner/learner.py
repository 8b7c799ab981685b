import json

import frappe
from frappe import _
from frappe.utils import getdate, today

from pumpurs_app import access
from pumpurs_app.documents import ScopedRecord
from pumpurs_app.registers.doctype.school_term.school_term import current_term
from pumpurs_app.rules import learners, personal_code, school_terms, target_group
from pumpurs_app.utils import rules_enforced


class Learner(ScopedRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.registers.doctype.learner_guardian.learner_guardian import LearnerGuardian

		active_personal_code: DF.Data | None
		application_file: DF.Attach | None
		class_label: DF.Data | None
		consent_date: DF.Date | None
		consent_given_by: DF.Literal["", "Parent or Guardian", "Adult Learner"]
		date_of_birth: DF.Date | None
		education_type: DF.Literal["General", "Vocational"]
		first_name: DF.Data
		full_name: DF.Data | None
		grade: DF.Int
		guardians: DF.Table[LearnerGuardian]
		institution: DF.Link
		is_adult: DF.Check
		last_name: DF.Data
		partner: DF.Link | None
		personal_code: DF.Data
		personal_code_masked: DF.Data | None
		status: DF.Literal["Active", "Left", "Graduated", "Transferred"]
	# end: auto-generated types

	def validate(self) -> None:
		now = getdate(today())
		with rules_enforced(self.doctype):
			identity = learners.identify(
				self.personal_code, getdate(self.date_of_birth) if self.date_of_birth else None, now
			)
			target_group.check_education_type(self.institution_education_type(), self.education_type)
			school_year, term_type = self.term_now()
			target_group.check_target_group(self.education_type, self.grade, school_year, term_type)
			learners.check_consent(
				getdate(self.consent_date) if self.consent_date else None,
				self.consent_given_by,
				identity.date_of_birth,
				now,
			)
		self.update(learners.derived_fields(identity, self.first_name, self.last_name, self.status))
		self.validate_unique_active_code()

	def institution_education_type(self) -> str:
		return frappe.db.get_value("Educational Institution", self.institution, "education_type")

	@staticmethod
	def term_now() -> tuple[str, str]:
		"""School year and term type of today's term, or of today's date when no term is registered."""
		if term := current_term():
			return frappe.db.get_value("School Term", term, ["school_year", "term_type"])
		day = getdate(today())
		return school_terms.school_year_of(day), (
			school_terms.SEMESTER_2 if 1 <= day.month <= 8 else school_terms.SEMESTER_1
		)

	def validate_unique_active_code(self) -> None:
		"""A clear message before the database's unique key on ``active_personal_code`` would refuse it."""
		if not self.active_personal_code:
			return
		other = frappe.db.get_value(
			"Learner",
			{"active_personal_code": self.active_personal_code, "name": ("!=", self.name)},
			["name", "institution"],
			as_dict=True,
		)
		if not other:
			return
		if access.get_scope().allows(access.INSTITUTION, other.institution):
			message = _(
				"An active learner with personal code {0} is already registered at {1}. Mark that record Left or Transferred first."
			).format(self.personal_code, frappe.bold(other.institution))
		else:
			# where a child studies is not told to staff of other institutions
			message = _(
				"An active learner with personal code {code} is already registered at another institution."
			).format(code=self.personal_code)
		frappe.throw(message, frappe.DuplicateEntryError, title=_("Learner already registered"))


def mask_version(version, method=None) -> None:
	"""`before_insert` of Version: everyone who may read a learner reads its change history, so the history
	never holds a full personal code (the form shows it only to the roles with permlevel 1)."""
	if version.ref_doctype != "Learner" or not version.data:
		return
	data = json.loads(version.data)
	for change in data.get("changed") or []:
		if change[0] in ("personal_code", "active_personal_code"):
			change[1], change[2] = personal_code.mask(change[1]), personal_code.mask(change[2])
	version.data = frappe.as_json(data)
