frappe.query_reports["Learner Register"] = {
	filters: [
		...pumpurs.scope_filters().slice(2),
		{
			fieldname: "education_type",
			label: __("Education Type"),
			fieldtype: "Select",
			options: ["", "General", "Vocational"],
		},
		{
			fieldname: "status",
			label: __("Status"),
			fieldtype: "Select",
			options: ["Active", "Left", "Graduated", "Transferred"],
			default: "Active",
		},
	],
};
