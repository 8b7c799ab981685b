frappe.query_reports["Outcomes and Retention"] = {
	filters: [
		...pumpurs.scope_filters(),
		{
			fieldname: "group_by",
			label: __("Group by", null, "Outcomes and Retention"),
			fieldtype: "Select",
			options: [
				{ value: "None", label: __("None", null, "Outcomes and Retention") },
				{ value: "Partner", label: __("Partner") },
				{ value: "Institution", label: __("Educational Institution") },
				{ value: "Grade Band", label: __("Grade Band") },
			],
			default: "Partner",
		},
	],
	tree: true,
	initial_depth: 1,
	formatter(value, row, column, data, default_formatter) {
		if (data && data.is_total && ["partner", "grade_band"].includes(column.fieldname)) {
			return `<b>${frappe.utils.escape_html(value || "")}</b>`;
		}
		value = default_formatter(value, row, column, data);
		if (data && (data.indent === 0 || data.is_total)) value = `<b>${value}</b>`;
		return value;
	},
};
