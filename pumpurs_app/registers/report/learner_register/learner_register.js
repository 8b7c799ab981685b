frappe.query_reports["Learner Register"] = {
	filters: [
		{ fieldname: "partner", label: __("Partner"), fieldtype: "Link", options: "Partner" },
		{
			fieldname: "institution",
			label: __("Educational Institution"),
			fieldtype: "Link",
			options: "Educational Institution",
			get_query: () => {
				const partner = frappe.query_report.get_filter_value("partner");
				return partner ? { filters: { partner } } : {};
			},
		},
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
