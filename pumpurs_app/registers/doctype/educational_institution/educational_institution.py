import frappe
from frappe import _

from pumpurs_app import access
from pumpurs_app.documents import ScopedRecord
from pumpurs_app.rules import registration, staff
from pumpurs_app.utils import check_unique_rows, rules_enforced


class EducationalInstitution(ScopedRecord):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from pumpurs_app.registers.doctype.institution_staff_member.institution_staff_member import (
			InstitutionStaffMember,
		)

		address: DF.SmallText | None
		director: DF.Link | None
		director_name: DF.Data | None
		education_type: DF.Literal["General", "Vocational", "Both"]
		institution_name: DF.Data
		partner: DF.Link
		partner_type: DF.Data | None
		registration_code: DF.Data | None
		staff: DF.Table[InstitutionStaffMember]
		status: DF.Literal["Active", "Closed"]
	# end: auto-generated types

	def validate(self) -> None:
		if self.registration_code:
			with rules_enforced(self.doctype):
				self.registration_code = registration.normalize_institution_code(self.registration_code)
		check_unique_rows(self.staff, ("user", "function"), _("{0} is listed twice as {1}."))
		for row in self.staff:
			if row.function != "Specialist":
				row.specialist_role = None
			elif not row.specialist_role:
				frappe.throw(_("Row {0}: choose the specialist role of {1}.").format(row.idx, row.user))
		if not access.is_national(frappe.session.user):
			with rules_enforced(self.doctype):
				staff.check_not_own_entries(
					frappe.session.user,
					staff_entries(self.get_doc_before_save()),
					staff_entries(self),
					self.institution_name or self.name,
				)
		self.validate_education_type()
		if not self.is_new() and self.has_value_changed("partner") and not access.get_scope().national:
			# the school's learners, plans and money would move under another partner's staff and approval chain
			frappe.throw(_("Only IKVD can move an institution to another partner."), frappe.PermissionError)

	def validate_education_type(self) -> None:
		"""Narrowing the education type must not leave active learners of the other type behind."""
		if self.is_new() or self.education_type == "Both":
			return
		mismatched = frappe.db.count(
			"Learner",
			{"institution": self.name, "status": "Active", "education_type": ("!=", self.education_type)},
		)
		if mismatched:
			frappe.throw(
				_("{0} active learners of this institution are not in {1} education.").format(
					mismatched, _(self.education_type)
				)
			)

	def on_update(self) -> None:
		before = self.get_doc_before_save()
		users = access.staff_users(self) | access.staff_users(before)
		if not before or before.partner != self.partner:
			# the partner's own staff see every institution of the partner
			users |= access.partner_staff_users({self.partner, before.partner if before else None})
			if before:
				learner = frappe.qb.DocType("Learner")
				frappe.qb.update(learner).set(learner.partner, self.partner).where(
					learner.institution == self.name
				).run()
		access.sync_users(users)

	def on_trash(self) -> None:
		# User Permissions point at this institution and would block the deletion
		self.flags.users_to_sync = (
			access.remove_user_permissions_for("Educational Institution", self.name)
			| access.staff_users(self)
			| access.partner_staff_users({self.partner})
		)

	def after_delete(self) -> None:
		access.sync_users(self.flags.users_to_sync or ())


def staff_entries(doc) -> list[staff.StaffEntry]:
	"""The institution's staff rows and its director, as the staff rule compares them."""
	if not doc:
		return []
	entries = [(row.user, row.function, row.specialist_role or None) for row in doc.staff]
	return entries + ([(doc.director, "Director", None)] if doc.director else [])
