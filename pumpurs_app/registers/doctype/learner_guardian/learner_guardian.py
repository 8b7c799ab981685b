from pumpurs_app.documents import ScopedRow


class LearnerGuardian(ScopedRow):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		email: DF.Data | None
		guardian_name: DF.Data
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		phone: DF.Data | None
		relation: DF.Literal["Mother", "Father", "Guardian", "Foster Parent", "Other"]
	# end: auto-generated types
	pass
