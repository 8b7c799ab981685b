frappe.query_reports["Learners Due for Anonymisation"] = {
	filters: [
		{
			fieldname: "on",
			label: __("Anonymised by"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
	],
};
