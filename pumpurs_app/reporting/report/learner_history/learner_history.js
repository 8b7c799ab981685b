frappe.query_reports["Learner History"] = {
	filters: [
		{ fieldname: "learner", label: __("Learner"), fieldtype: "Link", options: "Learner", reqd: 1 },
	],
	tree: true,
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (data && data.indent === 0 && ["row_type", "document", "school_term"].includes(column.fieldname)) value = `<b>${value}</b>`;
		return value;
	},
};
