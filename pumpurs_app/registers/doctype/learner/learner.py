import json

import frappe
from frappe import _
from frappe.utils import get_fullname, getdate, today

from pumpurs_app import access
from pumpurs_app.documents import ScopedRecord
from pumpurs_app.registers.doctype.school_term.school_term import current_term
from pumpurs_app.rules import learners, personal_code, school_terms, target_group
from pumpurs_app.utils import rules_enforced, translated


class Learner(ScopedRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.registers.doctype.learner_guardian.learner_guardian import LearnerGuardian

		active_personal_code: DF.Data | None
		anonymised_on: DF.Date | None
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
		if self.anonymised_on:
			frappe.throw(_("Learner {0} has been anonymised and is no longer changed.").format(self.name))
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
			frappe.throw(
				_(
					"An active learner with personal code {0} is already registered at {1}. Mark that record Left or Transferred first."
				).format(self.personal_code, frappe.bold(other.institution)),
				frappe.DuplicateEntryError,
				title=_("Learner already registered"),
			)
		report_refused_registrations({other.name: self.institution})
		# nor does the traceback frappe sends along tell which check refused it
		frappe.local.flags.disable_traceback = True
		frappe.throw(
			translated(learners.active_elsewhere(self.personal_code)), title=_("Learner not registered")
		)


REPORTED_LEARNERS = 10  # learners listed by name in one notification; the rest are counted


def report_refused_registrations(attempts: dict[str, str]) -> None:
	"""Registrations refused because the learner is active at an institution the user cannot see (``attempts``:
	the active learner -> where the user tried to register them). The people who see both records are told:
	the PuMPuRS administrators, and the coordinators of a partner the user works for when the learner is
	active there. The attempt is logged as the user's failed action (the Activity Log), so that probing for
	personal codes shows. Neither text holds the code. Both go through frappe's deferred-insert queue, which
	outlives the refusal's rollback; frappe's scheduler writes them within a quarter of an hour."""
	from frappe.deferred_insert import deferred_insert

	user = frappe.session.user
	scope = access.get_scope(user)
	active = frappe.get_all(
		"Learner",
		filters={"name": ("in", list(attempts))},
		fields=["name", "institution", "partner"],
		order_by="name",
	)
	administrators = frappe.get_all(
		"Has Role", filters={"role": access.ADMINISTRATOR, "parenttype": "User"}, pluck="parent"
	)
	told: dict[str, list] = {}
	for learner in active:
		resolvers = set(administrators)
		if learner.partner in scope.partners:
			resolvers |= set(
				frappe.get_all(
					"Partner Staff Member",
					filters={"parenttype": "Partner", "parent": learner.partner, "function": "Coordinator"},
					pluck="user",
				)
			)
		for person in resolvers - {user}:
			told.setdefault(person, []).append(learner)
	languages = dict(
		frappe.get_all(
			"User",
			filters={"name": ("in", list(told)), "enabled": 1},
			fields=["name", "language"],
			as_list=True,
		)
	)
	default_language = frappe.db.get_default("lang") or "en"
	only = active[0].name if len(active) == 1 else None
	notifications = [
		{
			"for_user": person,
			"type": "Alert",
			"from_user": user,
			"subject": refusal_text(user, learners_told, attempts, languages[person] or default_language),
			"document_type": "Learner" if only else None,
			"document_name": only,
		}
		for person, learners_told in told.items()
		if person in languages
	]
	if notifications:
		deferred_insert("Notification Log", notifications)
	deferred_insert(
		"Activity Log",
		[
			{
				"user": user,
				"status": "Failed",
				"subject": refusal_text(user, active, attempts, default_language),
				"link_doctype": "Learner" if only else None,
				"link_name": only,
			}
		],
	)


def refusal_text(user: str, active: list, attempts: dict[str, str], lang: str) -> str:
	cases = [
		_("{0} at {1} (active at {2})", lang).format(row.name, attempts[row.name], row.institution)
		for row in active[:REPORTED_LEARNERS]
	]
	listed = "; ".join(cases)
	if len(active) > REPORTED_LEARNERS:
		listed = _("{0} and {1} more", lang).format(listed, len(active) - REPORTED_LEARNERS)
	return _(
		"Registration refused: {0} tried to register learners who are active at another institution: {1}. Check with the institutions whether the learner has moved; the old registration is then marked Left or Transferred.",
		lang,
	).format(f"{get_fullname(user)} ({user})", listed)


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
