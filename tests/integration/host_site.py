"""Steps on the host site of test_host_site.py and the restored site of test_backup.py, each in a process of its
own (the test's process is connected to the test site): ``python -m tests.integration.host_site SITE SITES_PATH STEP`` commits the step and prints
its result as JSON on the last line."""

import hashlib
import json
import sys

import frappe
from frappe.utils import add_to_date, now_datetime

from pumpurs_app.support_plans import reminders

# what uninstalling must leave as it was before the app came: the names of these records
COMPARED = (
	"Role",
	"Workflow",
	"Workflow State",
	"Workflow Action Master",
	"Workflow Action",
	"Translation",
	"Number Card",
	"Dashboard Chart",
	"Workspace",
	"Print Format",
	"Report",
	"Page",
	"Module Def",
	"Module Profile",
	"DocType",
	"User Permission",
	"Custom Field",
	"Property Setter",
	"Custom DocPerm",
	"Notification Log",
	"Scheduled Job Type",
	"Scheduled Job Log",
	"Patch Log",
)
HOST_WORKFLOW = "Task Review"


def prepare() -> None:
	"""The host's own records, some under names the app uses too: a workflow on ToDo with the states Draft
	(the host's own) and Approved (frappe's) and the action Verify (the host's own), and a translation."""
	frappe.get_doc(doctype="Workflow State", workflow_state_name="Draft").insert()
	frappe.get_doc(doctype="Workflow Action Master", workflow_action_name="Verify").insert()
	frappe.get_doc(
		{
			"doctype": "Workflow",
			"workflow_name": HOST_WORKFLOW,
			"document_type": "ToDo",
			"workflow_state_field": "workflow_state",
			"is_active": 1,
			"states": [
				{"state": "Draft", "doc_status": "0", "allow_edit": "System Manager"},
				{"state": "Approved", "doc_status": "0", "allow_edit": "System Manager"},
			],
			"transitions": [
				{"state": "Draft", "action": "Verify", "next_state": "Approved", "allowed": "System Manager"}
			],
		}
	).insert()
	frappe.get_doc(
		doctype="Translation",
		language="lv",
		source_text=HOST_WORKFLOW,
		translated_text="Uzdevumu pārskatīšana",
	).insert()


def use_the_app() -> None:
	"""The test world (partners and institutions with their staff: roles and user permissions; learners,
	terms, an approved plan), a plan waiting for its director for four days, and the daily reminder run as
	the scheduler runs it (a notification, a job log)."""
	from tests.integration import world as test_world
	from tests.integration.plans import PLAN, make_plan, transition

	world = test_world.build()
	plan = make_plan(world)
	transition(world, "a_author", plan.name, "Send for Approval")
	frappe.db.set_value(PLAN, plan.name, "pending_since", add_to_date(now_datetime(), days=-4))
	frappe.get_doc("Scheduled Job Type", {"method": f"{reminders.__name__}.remind_approvers"}).execute()


def snapshot() -> dict[str, list[str]]:
	names = {doctype: sorted(frappe.get_all(doctype, pluck="name")) for doctype in COMPARED}
	names["Has Role"] = sorted(
		f"{row.parenttype} {row.parent}: {row.role}"
		for row in frappe.get_all("Has Role", fields=["parenttype", "parent", "role"])
	)
	names["Singles"] = sorted(frappe.db.sql("select distinct doctype from tabSingles", pluck=True))
	names["Block Module"] = sorted(
		f"{row.parent}: {row.module}" for row in frappe.get_all("Block Module", fields=["parent", "module"])
	)
	names["User desk"] = sorted(
		f"{row.name}: {row.module_profile} {row.default_workspace}"
		for row in frappe.get_all(
			"User",
			filters=[["module_profile", "is", "set"]],
			or_filters=[["default_workspace", "is", "set"]],
			fields=["name", "module_profile", "default_workspace"],
		)
	)
	return names


def demo_traces() -> dict[str, object]:
	return {
		"users": frappe.db.count("User"),
		"partners": frappe.db.count("Partner"),
		"country": frappe.db.get_single_value("System Settings", "country"),
	}


def inventory() -> dict[str, object]:
	"""What a backup must bring back: the number of records of every PuMPuRS DocType (rows included), each
	plan's and claim's workflow state, PuMPuRS Settings, and every file of a PuMPuRS record with its checksum."""
	from pumpurs_app.utils import APP_MODULES

	doctypes = frappe.get_all(
		"DocType",
		filters={"module": ("in", sorted(APP_MODULES)), "issingle": 0, "is_virtual": 0},
		pluck="name",
	)
	files = {}
	for file in frappe.get_all(
		"File", filters={"attached_to_doctype": ("in", doctypes), "is_folder": 0}, pluck="name"
	):
		doc = frappe.get_doc("File", file)
		with open(doc.get_full_path(), "rb") as content:
			files[doc.file_url] = (
				doc.attached_to_doctype,
				doc.is_private,
				hashlib.sha256(content.read()).hexdigest(),
			)
	settings = frappe.get_single("PuMPuRS Settings").as_dict(no_default_fields=True)
	return {
		"records": {doctype: frappe.db.count(doctype) for doctype in sorted(doctypes)},
		"states": {
			doctype: dict(frappe.get_all(doctype, fields=["name", "workflow_state"], as_list=True))
			for doctype in ("Individual Support Plan", "Compensation")
		},
		"settings": json.loads(
			frappe.as_json({k: v for k, v in settings.items() if k not in ("modified", "creation")})
		),
		"files": files,
	}


STEPS = {
	"prepare": prepare,
	"use_the_app": use_the_app,
	"snapshot": snapshot,
	"demo_traces": demo_traces,
	"inventory": inventory,
}

if __name__ == "__main__":
	site, sites_path, step = sys.argv[1:]
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.flags.in_test = True
	frappe.set_user("Administrator")
	try:
		result = STEPS[step]()
		frappe.db.commit()
	finally:
		frappe.destroy()
	print(json.dumps(result))
