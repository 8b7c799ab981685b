"""Link-field searches that depend on an institution's staff table."""

import frappe


@frappe.whitelist()
@frappe.validate_and_sanitize_search_inputs
def institution_staff(doctype: str, txt: str, searchfield: str, start: int, page_len: int, filters: dict):
	"""Users working at ``filters.institution`` with ``filters.function`` (and ``specialist_role``)."""
	institution = filters.get("institution")
	if not institution or not frappe.has_permission("Educational Institution", "read", institution):
		return []
	staff = frappe.qb.DocType("Institution Staff Member")
	query = (
		frappe.qb.from_(staff)
		.select(staff.user, staff.full_name)
		.where((staff.parent == institution) & (staff.parenttype == "Educational Institution"))
		.where(staff.function == filters.get("function"))
		.where((staff.user.like(f"%{txt}%")) | (staff.full_name.like(f"%{txt}%")))
		.limit(page_len)
		.offset(start)
	)
	if filters.get("specialist_role"):
		query = query.where(staff.specialist_role == filters["specialist_role"])
	return query.run()
