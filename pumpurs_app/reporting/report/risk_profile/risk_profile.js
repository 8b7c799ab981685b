frappe.query_reports["Risk Profile"] = {
	filters: [
		...pumpurs.scope_filters({ current_year: true }),
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
