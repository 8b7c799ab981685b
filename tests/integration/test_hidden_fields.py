"""Personal codes for those who may not see them: masked so that the rest of the learner's record does not
give them back, never a filter, sort or search key, and the learner import's workbooks (full codes) only for
the roles that see full codes."""

import json

import frappe
import pytest

from pumpurs_app.patches.v0_3 import remask_personal_codes
from pumpurs_app.rules import personal_code
from tests.integration.learner_files import learner_row, workbook

LEARNER = "Learner"
METHOD = "pumpurs_app.registers.doctype.learner_import.learner_import"


def probes(world) -> list[tuple[str, str, dict]]:
	"""Requests that would narrow learners down by their personal code (or sort them by it)."""
	code = frappe.db.get_value(LEARNER, world.learners["a7"], "personal_code")
	prefix = [["personal_code", "like", code[:4] + "%"]]
	return [
		("GET", "/api/resource/Learner", {"filters": prefix, "fields": ["name"]}),
		("GET", "/api/method/frappe.client.get_list", {"doctype": LEARNER, "filters": prefix}),
		("GET", "/api/method/frappe.client.get_count", {"doctype": LEARNER, "filters": prefix}),
		(
			"GET",
			"/api/method/frappe.client.get_value",
			{"doctype": LEARNER, "fieldname": "name", "filters": prefix},
		),
		(
			"POST",
			"/api/method/frappe.desk.reportview.get",
			{
				"doctype": LEARNER,
				"fields": '["`tabLearner`.`name`"]',
				"order_by": "`tabLearner`.`personal_code` asc",
			},
		),
		(
			"POST",
			"/api/method/frappe.desk.reportview.get",
			{
				"doctype": LEARNER,
				"fields": '["`tabLearner`.`name`"]',
				"filters": json.dumps([["Learner", "active_personal_code", "=", code]]),
			},
		),
		(
			"GET",
			"/api/method/frappe.desk.search.search_link",
			{"doctype": LEARNER, "txt": code[:4], "searchfield": "personal_code"},
		),
		(
			"GET",
			"/api/method/frappe.desk.listview.get_group_by_count",
			{"doctype": LEARNER, "current_filters": prefix, "field": "institution"},
		),
	]


def send(client, method: str, path: str, params: dict):
	if method == "GET":
		return client.get(path, params)
	return client.post(path, params)


@pytest.mark.parametrize("who", ["a_author", "a_specialist", "a_accountant", "regional", "auditor"])
def test_no_filter_sort_or_search_by_a_hidden_personal_code(world, api, who):
	client = api(world.user(who))
	for method, path, params in probes(world):
		response = send(client, method, path, params)
		if path.endswith(
			"search_link"
		):  # frappe searches only the DocType's search fields, whatever is asked
			assert response.status == 200 and not response.message, (who, response.text[:300])
			continue
		assert response.status == 403, (who, path, response.text[:300])
		assert "you may not see it" in response.error_text()


def test_no_hidden_code_in_a_computed_column(world, api):
	"""Frappe drops a hidden field asked for as a column (the request checks an expression's first column, the
	query each column of an expression without ``*``), but keeps ``sum(name = '' or personal_code like …)*1``,
	which would count learners by a prefix of their code."""
	code = frappe.db.get_value(LEARNER, world.learners["a7"], "personal_code")
	oracle = f"sum(name = '' or personal_code like '{code[:6]}%')*1 as n"
	author = api(world.user("a_author"))
	for response in (
		author.get("/api/resource/Learner", {"fields": [oracle]}),
		author.call("frappe.client.get_list", doctype=LEARNER, fields=[oracle]),
		author.post(
			"/api/method/frappe.desk.reportview.get", {"doctype": LEARNER, "fields": json.dumps([oracle])}
		),
	):
		assert response.status == 403, response.text[:300]
		assert "you may not see it" in response.error_text()
	# the control: the same column for one who sees full codes, and plain columns the author sees
	counted = api(world.user("a_coord")).get("/api/resource/Learner", {"fields": [oracle]})
	assert counted.status == 200 and counted.data[0]["n"] >= 1
	plain = author.get("/api/resource/Learner", {"fields": ["name", "personal_code"], "limit_page_length": 5})
	assert plain.status == 200 and plain.data and all(not row.get("personal_code") for row in plain.data)


def test_those_who_see_full_codes_still_filter_by_them(world, api):
	code = frappe.db.get_value(LEARNER, world.learners["a7"], "personal_code")
	coordinator = api(world.user("a_coord"))
	found = coordinator.get(
		"/api/resource/Learner", {"filters": [["personal_code", "=", code]], "fields": ["name"]}
	)
	assert [row["name"] for row in found.data] == [world.learners["a7"]]
	assert (
		coordinator.call(
			"frappe.client.get_count", doctype=LEARNER, filters=[["personal_code", "=", code]]
		).message
		== 1
	)


def test_the_masked_code_and_the_birth_date_leave_the_code_unknown(world, api):
	author = api(world.user("a_author"))
	learner = author.get(f"/api/resource/Learner/{world.learners['a7']}").data
	assert learner["personal_code_masked"] == personal_code.FULL_MASK
	assert "personal_code" not in learner or not learner["personal_code"]
	new_format = author.get(f"/api/resource/Learner/{world.learners['a3']}").data  # born 2018: a 32… code
	assert new_format["personal_code_masked"].startswith("******-**")


def test_the_patch_masks_stored_codes_and_history_again(world):
	name = world.learners["a7"]
	frappe.db.set_value(LEARNER, name, "personal_code_masked", "******-**997", update_modified=False)
	version = frappe.get_doc(
		doctype="Version",
		ref_doctype=LEARNER,
		docname=name,
		data=json.dumps({"changed": [["personal_code", "******-**997", "******-**123"]]}),
	)
	version.db_insert()  # as older versions of the app stored it (mask_version would mask it anew)
	remask_personal_codes.execute()
	assert frappe.db.get_value(LEARNER, name, "personal_code_masked") == personal_code.FULL_MASK
	assert json.loads(frappe.db.get_value("Version", version.name, "data"))["changed"][0][1:] == [
		personal_code.FULL_MASK,
		personal_code.FULL_MASK,
	]
	assert frappe.db.get_value(LEARNER, world.learners["a3"], "personal_code_masked").startswith("******-**")


def test_import_workbooks_only_for_those_who_see_full_codes(world, api):
	coordinator = api(world.user("a_coord"))
	url = coordinator.upload(
		"izglitojamie.xlsx", workbook([learner_row(world.school_a, 91), learner_row(world.school_a, 91)])
	)
	checked = coordinator.post(f"/api/method/{METHOD}.check_file", {"file_url": url})
	assert checked.status == 200, checked.text[:300]
	summary = checked.message
	assert summary["error_file"]  # the same code twice: an error workbook with the full codes in it
	try:
		for who in ("auditor", "regional", "a_author"):
			client = api(world.user(who))
			listed = client.get("/api/resource/File", {"fields": ["file_url"], "limit_page_length": 0})
			assert not {f["file_url"] for f in (listed.data or [])} & {url, summary["error_file"]}, who
			for file_url in (url, summary["error_file"]):
				assert client.request("GET", file_url).status in (403, 404), (who, file_url)
		for who in ("a_coord", "ikvd_admin"):  # the control: the importer and IKVD's administrator
			assert api(world.user(who)).request("GET", summary["error_file"]).status == 200, who
	finally:
		frappe.db.rollback()
		for file in frappe.get_all(
			"File",
			{"attached_to_doctype": "Learner Import", "attached_to_name": summary["name"]},
			pluck="name",
		):
			frappe.delete_doc("File", file, force=True, ignore_permissions=True)
		frappe.db.delete("File", {"file_url": url})
		frappe.delete_doc("Learner Import", summary["name"], force=True, ignore_permissions=True)
		frappe.db.commit()
