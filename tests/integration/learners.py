"""Helpers for learner tests: a learner as a school registers one, and what a refused registration leaves
for those who resolve it."""

from datetime import date

import frappe
from frappe.deferred_insert import save_to_db

from pumpurs_app.rules import personal_code


def new_learner(world, **values):
	doc = {
		"doctype": "Learner",
		"first_name": "Jānis",
		"last_name": "Ozoliņš",
		"personal_code": personal_code.make_old_format(date(2012, 3, 4), 321),
		"institution": world.school_a,
		"education_type": "General",
		"grade": 8,
		"status": "Active",
	}
	doc.update(values)
	return frappe.get_doc(doc)


# what the refused user is told: nothing of where the child is, nor that the code is in the programme
NOT_HERE = (
	"This learner cannot be registered here. The PuMPuRS coordinators have been told and will resolve it "
	"with you."
)


def refusal_records(learner: str) -> tuple[dict[str, str], list]:
	"""The notifications (recipient -> subject) and the audit entries a refusal left for ``learner`` (frappe
	inserts them from its queue, as its scheduler does every quarter of an hour)."""
	save_to_db()
	notified = dict(
		frappe.get_all(
			"Notification Log",
			filters={"document_type": "Learner", "document_name": learner},
			fields=["for_user", "subject"],
			as_list=True,
		)
	)
	audit = frappe.get_all(
		"Activity Log",
		filters={"link_doctype": "Learner", "link_name": learner, "status": "Failed"},
		fields=["user", "subject"],
	)
	return notified, audit
