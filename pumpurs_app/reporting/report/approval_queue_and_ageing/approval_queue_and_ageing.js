frappe.query_reports["Approval Queue and Ageing"] = {
	filters: [
		...pumpurs.scope_filters(),
		{ fieldname: "show_documents", label: __("Show documents", null, "Approval Queue and Ageing"), fieldtype: "Check", default: 0 },
	],
	tree: true,
	initial_depth: 1,
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (!data) return value;
		if ((data.indent === 0 || data.is_total) && column.fieldname === "label") value = `<b>${value}</b>`;
		const days = column.fieldname === "days" ? data.days : column.fieldname === "oldest_days" ? data.oldest_days : null;
		if (days > 14) value = `<span style="color: var(--red-600)">${value}</span>`;
		return value;
	},
};
