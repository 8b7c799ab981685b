from pumpurs_app.access import SCOPED_CHILD_DOCTYPES, SCOPED_DOCTYPES

app_name = "pumpurs_app"
app_title = "PuMPuRS"
app_publisher = "pumpurs_app developers"
app_description = "Individual support plans, compensations and reporting for PuMPuRS, the Latvian programme against early school leaving"
app_email = "dev@pumpurs.invalid"
app_license = "MIT"
required_apps = []

export_python_type_annotations = True

# the reports' shared filters and the approval forms' shared dialog (plain static files: no build step needed)
app_include_js = ["/assets/pumpurs_app/js/pumpurs.js", "/assets/pumpurs_app/js/approvals.js"]

# Installation
before_install = "pumpurs_app.install.before_install"
after_install = "pumpurs_app.install.after_install"
after_migrate = ["pumpurs_app.desk.sync_module_profile", "pumpurs_app.setup.indexes.ensure"]
before_uninstall = "pumpurs_app.install.before_uninstall"

# Names the app owns and nobody edits (migrate re-imports fixtures); the workflows that use them are installed
# once by install.py so that an administrator's changes survive upgrades.
fixtures = [
	{
		"dt": "Workflow State",
		"filters": [
			[
				"name",
				"in",
				[
					"Draft",
					"Pending Director",
					"Pending Partner Coordinator",
					"Pending IKVD",
					"Returned",
					"Evaluated",
					"Cancelled",
					"Submitted",
					"Verified",
					"Paid",
					"Reconciled",
				],
			]
		],
	},
	{
		"dt": "Workflow Action Master",
		"filters": [
			[
				"name",
				"in",
				[
					"Send for Approval",
					"Return to Author",
					"Evaluate",
					"Cancel Plan",
					"Submit for Verification",
					"Verify",
					"Return for Correction",
					"Cancel Compensation",
				],
			]
		],
	},
]

scheduler_events = {
	"daily": [
		"pumpurs_app.support_plans.reminders.remind_approvers",
		"pumpurs_app.support_plans.reminders.remind_evaluations",
		"pumpurs_app.registers.data_protection.anonymise_expired",
		"pumpurs_app.federation.partner_site.send_term_figures_daily",
		"pumpurs_app.federation.hub.anonymise_expired_reviews",
	],
	# a partner site's or the hub's outbox: what waits for another attempt; and what the hub holds for this site
	"cron": {
		"* * * * *": [
			"pumpurs_app.federation.exchange.send_due",
			"pumpurs_app.federation.partner_site.fetch_from_hub",
		]
	},
}


# Every user outside IKVD sees only their own partner's or institution's records, on every channel:
# lists, link search, counts, exports (query conditions) and forms, prints, API reads (has_permission).
permission_query_conditions = {doctype: "pumpurs_app.access.query_conditions" for doctype in SCOPED_DOCTYPES}
has_permission = {doctype: "pumpurs_app.access.has_permission" for doctype in SCOPED_DOCTYPES}
# child rows through their parent (frappe checks only the parent DocType's read right for child lists)
permission_query_conditions |= {
	doctype: "pumpurs_app.access.child_query_conditions" for doctype in SCOPED_CHILD_DOCTYPES
}
# files of PuMPuRS records follow the records (ANDed with frappe's own rules for File)
permission_query_conditions["File"] = "pumpurs_app.files.file_query_conditions"
has_permission["File"] = "pumpurs_app.files.file_permission"
# frappe lists workflow actions by role only; ours are scoped like the plans and claims they point to
permission_query_conditions["Workflow Action"] = "pumpurs_app.overrides.workflow_action_conditions"
has_permission["Workflow Action"] = "pumpurs_app.overrides.workflow_action_permission"

# the workspace's number cards for the roles whose work they count (desk.py)
has_permission["Number Card"] = "pumpurs_app.desk.card_permission"

boot_session = "pumpurs_app.boot.boot_session"

# frappe 15 does not apply field permissions to filters and sorting: field_permissions.py does, for our DocTypes
before_request = ["pumpurs_app.field_permissions.apply"]
before_job = ["pumpurs_app.field_permissions.apply"]

doc_events = {
	# spreadsheet formulas never enter the app's records (checked for its modules only)
	"*": {"validate": "pumpurs_app.documents.refuse_formulas"},
	"User": {
		"before_validate": "pumpurs_app.desk.fit_desk",
		"validate": "pumpurs_app.documents.refuse_formulas_in_user_names",
		"on_update": "pumpurs_app.access.on_user_update",
	},
	"Version": {"before_insert": "pumpurs_app.registers.doctype.learner.learner.mask_version"},
	"File": {
		"before_validate": "pumpurs_app.files.check_file",
		"before_rename": "pumpurs_app.files.refuse_rename",
	},
	**{
		doctype: {
			"validate": ["pumpurs_app.access.keep_stored_place", "pumpurs_app.files.check_attachments"],
			"before_cancel": "pumpurs_app.documents.keep_stored_on_cancel",
		}
		for doctype in SCOPED_DOCTYPES
	},
}

# frappe endpoints that can see past permissions; ours apply them to PuMPuRS records (see overrides.py)
override_whitelisted_methods = {
	"frappe.client.get_count": "pumpurs_app.overrides.get_count",
	"frappe.desk.listview.get_group_by_count": "pumpurs_app.overrides.get_group_by_count",
	"frappe.desk.search.search_link": "pumpurs_app.overrides.search_link",
	"frappe.desk.search.search_widget": "pumpurs_app.overrides.search_widget",
	"frappe.www.printview.get_html_and_style": "pumpurs_app.overrides.get_html_and_style",
	"frappe.www.printview.get_rendered_raw_commands": "pumpurs_app.overrides.get_rendered_raw_commands",
	"frappe.client.has_permission": "pumpurs_app.overrides.has_permission",
	"frappe.realtime.can_subscribe_doc": "pumpurs_app.overrides.can_subscribe_doc",
	"frappe.realtime.can_subscribe_doctype": "pumpurs_app.overrides.can_subscribe_doctype",
	"frappe.desk.search.get_link_title": "pumpurs_app.overrides.get_link_title",
	"frappe.client.validate_link": "pumpurs_app.overrides.validate_link",
	"frappe.desk.like.toggle_like": "pumpurs_app.overrides.toggle_like",
	"frappe.templates.includes.comments.comments.add_comment": "pumpurs_app.overrides.website_add_comment",
	"frappe.desk.form.linked_with.get_submitted_linked_docs": "pumpurs_app.overrides.get_submitted_linked_docs",
	"frappe.client.set_value": "pumpurs_app.overrides.set_value",
	"frappe.client.delete": "pumpurs_app.overrides.delete",
	**dict.fromkeys(
		("download_file", "frappe.handler.download_file", "frappe.core.doctype.file.file.download_file"),
		"pumpurs_app.overrides.download_file",
	),
}
