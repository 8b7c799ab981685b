frappe.query_reports["Plans by Institution and Term"] = {
	filters: [
		...pumpurs.scope_filters({ current_year: true }),
	],
	formatter(value, row, column, data, default_formatter) {
		if (data && data.is_total) {
			return column.fieldname === "partner" ? `<b>${frappe.utils.escape_html(value)}</b>` : `<b>${default_formatter(value, row, column, data)}</b>`;
		}
		return default_formatter(value, row, column, data);
	},
};
