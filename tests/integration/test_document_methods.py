"""Frappe's whitelisted Document methods (submit, cancel, rename, add_comment) and the desk's cancel, called over
HTTP by users who may read a record: none of them changes a stored PuMPuRS record past its controller."""

import json

import frappe

from tests.integration.records import MUNICIPAL


def run_doc_method(client, method: str, **params):
	return client.post("/api/method/run_doc_method", {"method": method, **params})


def test_cancel_of_a_record_sent_whole_keeps_nothing_it_sent(world, api, partner_records):
	claim = partner_records[MUNICIPAL].records["Compensation"]
	director = api(world.user("a_director"))
	sent = frappe.get_doc("Compensation", claim).as_dict()
	sent["institution"] = ""  # would make the claim readable to everyone with the role
	sent["payee_iban"] = "LV80BANK0000435195001"
	response = run_doc_method(director, "cancel", docs=frappe.as_json(sent))
	assert response.status == 403, response.text[:300]
	assert frappe.db.get_value("Compensation", claim, ["institution", "docstatus"]) == (world.school_a, 1)
	# the REST API's method route of the stored record
	assert director.post(f"/api/resource/Compensation/{claim}", {"run_method": "cancel"}).status in (403, 404)
	assert frappe.db.get_value("Compensation", claim, "docstatus") == 1


def test_the_desks_cancel_goes_only_into_a_cancelled_state(world, api, partner_records):
	plan = partner_records[MUNICIPAL].records["Individual Support Plan"]
	director = api(world.user("a_director"))
	response = director.post(
		"/api/method/frappe.desk.form.save.cancel",
		{
			"doctype": "Individual Support Plan",
			"name": plan,
			"workflow_state_fieldname": "workflow_state",
			"workflow_state": "Approved",
		},
	)
	assert response.status != 200 and "can only be in the state" in response.error_text()
	assert frappe.db.get_value("Individual Support Plan", plan, ["docstatus", "workflow_state"]) == (
		1,
		"Approved",
	)


def test_rename_and_merge_need_more_than_read_rights(world, api, partner_records):
	plan = partner_records[MUNICIPAL].records["Individual Support Plan"]
	author = api(world.user("a_specialist"))  # reads the school's plans, may change none
	for args in (
		{"name": "IAP-HACKED"},
		{"name": "IAP-HACKED", "merge": 1, "validate_rename": 0, "force": 1},
	):
		response = run_doc_method(
			author, "rename", dt="Individual Support Plan", dn=plan, args=json.dumps(args)
		)
		assert response.status == 403, response.text[:300]
	assert frappe.db.exists("Individual Support Plan", plan)
	assert not frappe.db.exists("Individual Support Plan", "IAP-HACKED")


def test_no_forged_workflow_comments(world, api, partner_records):
	plan = partner_records[MUNICIPAL].records["Individual Support Plan"]
	specialist = api(world.user("a_specialist"))
	before = frappe.db.count("Comment", {"reference_name": plan, "comment_type": "Workflow"})
	response = run_doc_method(
		specialist,
		"add_comment",
		dt="Individual Support Plan",
		dn=plan,
		args=json.dumps({"comment_type": "Workflow", "text": "Approved"}),
	)
	assert response.status == 403, response.text[:300]
	assert frappe.db.count("Comment", {"reference_name": plan, "comment_type": "Workflow"}) == before
	# the control: a plain comment through the desk's comment box
	comment = specialist.post(
		"/api/method/frappe.desk.form.utils.add_comment",
		{
			"reference_doctype": "Individual Support Plan",
			"reference_name": plan,
			"content": "Runājām ar vecākiem.",
			"comment_email": world.user("a_specialist"),
			"comment_by": "A Specialist",
		},
	)
	assert comment.status == 200 and comment.message["comment_type"] == "Comment"
	frappe.db.delete("Comment", {"name": comment.message["name"]})
	frappe.db.commit()


def test_get_count_checks_the_right_to_read_for_every_doctype(world, api, partner_records):
	author = api(world.user("a_author"))
	for doctype, filters in (
		("Version", {"ref_doctype": "Learner"}),
		("Comment", {"reference_doctype": "Individual Support Plan"}),
		("Email Queue", {"message": ("like", "%Testa%")}),
	):
		response = author.call("frappe.client.get_count", doctype=doctype, filters=filters)
		assert response.status == 403, (doctype, response.text[:200])
	# the control: what the author may list is counted
	own = author.call("frappe.client.get_count", doctype="Individual Support Plan")
	assert own.status == 200 and own.message >= 1
