import frappe
from frappe.model.document import Document
from frappe.utils import getdate

from pumpurs_app.rules import RuleViolation, school_terms
from pumpurs_app.utils import rules_enforced


class SchoolTerm(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		end_date: DF.Date
		school_year: DF.Data
		start_date: DF.Date
		term_type: DF.Literal["Semester 1", "Semester 2", "Holiday"]
	# end: auto-generated types

	def autoname(self) -> None:
		with rules_enforced(self.doctype):
			self.name = school_terms.term_name(self.school_year, self.term_type)

	def validate(self) -> None:
		with rules_enforced(self.doctype):
			school_terms.check_dates(self.school_year, getdate(self.start_date), getdate(self.end_date))
			clashes = school_terms.overlapping(self.as_term(), all_terms())
			if clashes:
				raise RuleViolation(
					"This term overlaps {other} ({start} – {end}), another term of the same type.",
					other=clashes[0].name,
					start=clashes[0].start_date.isoformat(),
					end=clashes[0].end_date.isoformat(),
				)

	def as_term(self) -> school_terms.Term:
		return school_terms.Term(
			self.name, self.school_year, self.term_type, getdate(self.start_date), getdate(self.end_date)
		)


def all_terms() -> list[school_terms.Term]:
	rows = frappe.get_all(
		"School Term", fields=["name", "school_year", "term_type", "start_date", "end_date"]
	)
	return [school_terms.Term(**row) for row in rows]


def current_term(day=None) -> str | None:
	"""The term covering ``day`` (today by default); between terms, the next one."""
	term = school_terms.current_term(all_terms(), getdate(day))
	return term.name if term else None


@frappe.whitelist()
def get_current_term(day: str | None = None) -> str | None:
	frappe.has_permission("School Term", throw=True)
	return current_term(day)
