frappe.query_reports["Risk Profile"] = {
	filters: [
		{
			fieldname: "school_year",
			label: __("School Year"),
			fieldtype: "Data",
			description: __("e.g. 2021/2022"),
			// the current school year (it starts in September), e.g. 2026/2027
			default: (() => {
				const today = new Date();
				const start = today.getMonth() >= 8 ? today.getFullYear() : today.getFullYear() - 1;
				return `${start}/${start + 1}`;
			})(),
		},
		{ fieldname: "school_term", label: __("School Term"), fieldtype: "Link", options: "School Term" },
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
			fieldname: "group_by",
			label: __("Group by", null, "Risk Profile"),
			fieldtype: "Select",
			options: [
				{ value: "None", label: __("None", null, "Risk Profile") },
				{ value: "Partner", label: __("Partner") },
				{ value: "Institution", label: __("Educational Institution") },
			],
			default: "None",
		},
	],
	tree: true,
	initial_depth: 1,
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (data && data.indent === 0 && column.fieldname === "risk_group") value = `<b>${value}</b>`;
		return value;
	},
};
