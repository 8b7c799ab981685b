"""The host site's own automations and the app's bulk writes.

Some changes are written straight to the database, many documents at once, because a save of each would take
minutes for thousands: claims set Paid by a payment batch or Reconciled (or payable again) by a bank
statement, learners created by the import. A municipality's ERP may react to those documents — a Notification
on "Paid", a Webhook to its accounting, a Server Script, another app's document hooks — and must hear of
them as it would of a save. :func:`reactions_to` says what on this site would react; the learner import then
writes through the controller, and :func:`run_after_save_events` gives each document changed in bulk the
events a save runs once it has written (``on_update``, ``on_change``) with its values before the change, so
"Save", "Value Change" and "Method" Notifications, Webhooks, "After Save" Server Scripts and other apps'
handlers of those events run as after a save.
"""

import frappe

# enabled automation records that react to a saved document: (doctype, field naming the doctype, filters)
AUTOMATION = (
	("Notification", "document_type", {"enabled": 1}),
	("Webhook", "webhook_doctype", {"enabled": 1}),
	("Server Script", "reference_doctype", {"disabled": 0, "script_type": "DocType Event"}),
	("Assignment Rule", "document_type", {"disabled": 0}),
	("Energy Point Rule", "reference_doctype", {"enabled": 1}),
	("Milestone Tracker", "document_type", {"disabled": 0}),
)
AFTER_SAVE_EVENTS = ("on_update", "on_change")
# frappe's own "*" handlers act only through the automation records above; this app's are the rules its bulk
# writers apply themselves
OWN_APPS = ("frappe", "pumpurs_app")


def reactions_to(doctype: str, *child_doctypes: str, events: tuple[str, ...] | None = None) -> list[str]:
	"""What on this site reacts to a saved ``doctype`` (or its rows): enabled automation records and other
	apps' document hooks (only those of ``events`` when given). Empty when a bulk write misses nothing."""
	reasons = []
	for app in frappe.get_installed_apps():
		if app in OWN_APPS:
			continue
		hooks = frappe.get_hooks("doc_events", app_name=app) or {}
		for hooked in (doctype, *child_doctypes, "*"):
			handlers = hooks.get(hooked) or {}
			if any(event in handlers for event in events) if events else handlers:
				reasons.append(f"doc_events of {app} for {hooked}")
	for automation, field, filters in AUTOMATION:
		if frappe.db.table_exists(automation) and frappe.get_all(
			automation, filters={field: doctype, **filters}, limit=1
		):
			reasons.append(f"an enabled {automation} on {doctype}")
	return reasons


def run_after_save_events(doctype: str, before: dict[str, dict]) -> None:
	"""For each document written in bulk (``before``: its changed fields' values before), the events a save
	runs after writing, when anything on the site reacts to them."""
	if not before or not reactions_to(doctype, events=AFTER_SAVE_EVENTS):
		return
	for name, old_values in before.items():
		doc = frappe.get_doc(doctype, name)
		doc._doc_before_save = frappe.get_doc({**doc.as_dict(), **old_values})
		doc.flags.notify_update = False  # the bulk writer announces the list change once
		for event in AFTER_SAVE_EVENTS:
			doc.run_method(event)
