"""Frappe's whitelisted Document methods (submit, cancel, rename, add_comment) and the desk's cancel, called over
HTTP by users who may read a record: none of them changes a stored PuMPuRS record past its controller."""

import json

import frappe

from tests.integration.records import MUNICIPAL, VOCATIONAL


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


def test_no_record_of_the_app_is_renamed_or_merged(world, api, partner_records):
	"""frappe.rename_doc with force skips the DocType's "no renaming" and with merge checks only the source: one's
	own learner merged into another partner's would hand their learner one's links, files and history."""
	mine, theirs = partner_records[MUNICIPAL], partner_records[VOCATIONAL]
	coordinator = api(mine.users["institution coordinator"])  # may change the school's learners
	own, target = mine.records["Learner"], theirs.records["Learner"]
	for path, params in (
		("frappe.rename_doc", {"doctype": "Learner", "old": own, "new": target, "merge": 1, "force": 1}),
		("frappe.client.rename_doc", {"doctype": "Learner", "old_name": own, "new_name": target, "merge": 1}),
		(
			"frappe.model.rename_doc.update_document_title",
			{"doctype": "Learner", "docname": own, "name": target, "merge": 1},
		),
		("frappe.rename_doc", {"doctype": "Learner", "old": own, "new": "IZGL-JAUNS", "force": 1}),
	):
		response = coordinator.post(f"/api/method/{path}", params)
		assert response.status in (403, 417), (path, response.text[:300])
		assert "Ieraksts vocational" not in response.text
	assert frappe.db.exists("Learner", own) and not frappe.db.exists("Learner", "IZGL-JAUNS")
	assert frappe.db.get_value("Learner", target, "institution") == theirs.institution
	assert not frappe.db.count("Comment", {"reference_name": target, "content": ("like", "%merged%")})


def test_child_rows_keep_no_request_callable_document_methods(world, api, partner_records):
	"""A row read by its own name answers to frappe's run_doc_method as well: no rename, cancel, submit or
	add_comment of a plan's measure (claims point at it by name, its totals are the system's)."""
	plan = frappe.get_doc(
		"Individual Support Plan", partner_records[MUNICIPAL].records["Individual Support Plan"]
	)
	row = next(m for m in plan.measures if m.measure_kind == "Compensation")
	director = api(world.user("a_director"))  # may read and change the school's plans
	for method, args in (
		("rename", {"name": "MEASURE-X", "validate_rename": 0, "force": 1}),
		("add_comment", {"comment_type": "Workflow", "text": "Approved"}),
		("cancel", {}),
		("submit", {}),
	):
		response = run_doc_method(
			director, method, dt="Support Plan Measure", dn=row.name, args=json.dumps(args)
		)
		assert response.status == 403, (method, response.text[:300])
	sent = row.as_dict()
	sent["approved_amount"] = 9999
	response = run_doc_method(director, "cancel", docs=frappe.as_json(sent))
	assert response.status == 403, response.text[:300]
	assert frappe.db.get_value("Support Plan Measure", row.name, ["docstatus", "approved_amount"]) == (
		1,
		row.approved_amount,
	)
	assert not frappe.db.exists("Support Plan Measure", "MEASURE-X")


def test_a_cancel_keeps_the_stored_content_whatever_the_document_carries(world, as_user):
	"""The server's own cancel (the workflow's "Cancel Plan") saves without validating: only the state moves."""
	from tests.integration.plans import approve_all, make_plan

	plan = approve_all(world, make_plan(world).name)
	doc = frappe.get_doc("Individual Support Plan", plan.name)
	doc.plan_author = world.user("a_author2")
	doc.ikvd_approved_by = world.user("a_director")
	doc.evaluation_notes = "Ierakstīts, atceļot"
	doc.workflow_state = "Cancelled"
	with as_user(world.user("a_director")):
		doc.cancel()
	assert frappe.db.get_value(
		"Individual Support Plan",
		plan.name,
		["docstatus", "workflow_state", "plan_author", "ikvd_approved_by", "evaluation_notes"],
	) == (2, "Cancelled", plan.plan_author, world.user("regional"), None)
