"""A municipality's own automations on compensations (a Notification, a Server Script) hear the states that
payment batches and bank statements set in bulk, as they would hear a save."""

import os

import frappe
import pytest
from frappe.installer import update_site_config

from pumpurs_app import automations
from tests.integration.money import COMPENSATION, october
from tests.integration.payments import BATCH, STATEMENT, camt053, exported_batch, upload
from tests.integration.plans import act
from tests.integration.world import notification

SCRIPT = """
before = doc.get_doc_before_save()
if before and before.workflow_state != doc.workflow_state:
    doc.add_comment("Info", "Grāmatvedībai: " + before.workflow_state + " → " + doc.workflow_state)
"""


@pytest.fixture
def host_automations():
	"""A Notification on every change of a claim's state and an "After Save" Server Script on claims, as the
	site's administrator sets them up (server scripts switched on in the bench's common config)."""
	common_config = os.path.join(frappe.local.sites_path, "common_site_config.json")
	update_site_config("server_script_enabled", 1, validate=False, site_config_path=common_config)
	notification(
		"Kompensācijas statuss",
		COMPENSATION,
		"Value Change",
		"{{ doc.name }}: {{ doc.workflow_state }}",
		value_changed="workflow_state",
	)
	frappe.get_doc(
		doctype="Server Script",
		name="Kompensācija grāmatvedībai",
		script_type="DocType Event",
		reference_doctype=COMPENSATION,
		doctype_event="After Save",
		script=SCRIPT,
	).insert()
	try:
		yield
	finally:
		update_site_config("server_script_enabled", "None", validate=False, site_config_path=common_config)
		# the rollback removes the records, not frappe's caches of them
		frappe.cache.hdel("notifications", COMPENSATION)
		frappe.cache.delete_value("server_script_map")


def heard(claim: str) -> tuple[list[str], list[str]]:
	"""What the Notification and the Server Script left on one claim, oldest first."""
	notifications = frappe.get_all(
		"Notification Log",
		filters={"document_type": COMPENSATION, "document_name": claim},
		pluck="subject",
		order_by="creation",
	)
	comments = frappe.get_all(
		"Comment",
		filters={"reference_doctype": COMPENSATION, "reference_name": claim, "comment_type": "Info"},
		pluck="content",
		order_by="creation",
	)
	return notifications, comments


def test_without_automations_batches_write_in_bulk_only():
	assert automations.reactions_to(COMPENSATION) == []


def test_a_notification_and_a_server_script_hear_a_batch_paid_and_a_statement_reconciled(
	world, host_automations
):
	assert automations.reactions_to(COMPENSATION) == [
		"an enabled Notification on Compensation",
		"an enabled Server Script on Compensation",
	]
	batch, claims = exported_batch(world)  # three claims, approved by people: each save was heard
	for claim in claims:
		notifications, comments = heard(claim)
		assert notifications[-1] == f"{claim}: Approved"
		assert comments[-1] == "Grāmatvedībai: Verified → Approved"
	before = {claim: heard(claim) for claim in claims}

	def since_approved(claim: str) -> tuple[list[str], list[str]]:
		return tuple(now[len(then) :] for now, then in zip(heard(claim), before[claim], strict=True))

	act(world.user("muni_accountant"), frappe.get_doc(BATCH, batch.name).submit)  # paid in bulk
	for claim in claims:
		assert since_approved(claim) == ([f"{claim}: Paid"], ["Grāmatvedībai: Approved → Paid"]), claim

	account = frappe.db.get_value("Partner", world.municipality, "iban")
	line = {row.compensation: row for row in frappe.get_doc(BATCH, batch.name).lines}
	first, second = (line[c] for c in claims[:2])
	booked = str(october(world, 26))
	statement = upload(
		world,
		camt053(
			account,
			[
				(f"{first.amount:.2f}", first.end_to_end_id, first.payee_iban, booked, False, None),
				(f"{second.amount:.2f}", second.end_to_end_id, second.payee_iban, booked, True, "AC04"),
			],
		),
	)
	# another accountant books it: the one who paid does not book a return
	act(world.user("muni_accountant2"), frappe.get_doc(STATEMENT, statement.name).submit)
	assert since_approved(claims[0]) == (
		[f"{claims[0]}: Paid", f"{claims[0]}: Reconciled"],
		["Grāmatvedībai: Approved → Paid", "Grāmatvedībai: Paid → Reconciled"],
	)
	assert since_approved(claims[1]) == (  # the bank returned it: payable again
		[f"{claims[1]}: Paid", f"{claims[1]}: Approved"],
		["Grāmatvedībai: Approved → Paid", "Grāmatvedībai: Paid → Approved"],
	)
	assert since_approved(claims[2]) == ([f"{claims[2]}: Paid"], ["Grāmatvedībai: Approved → Paid"])
