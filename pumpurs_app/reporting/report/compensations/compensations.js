(() => {
	frappe.query_reports["Compensations"] = {
		filters: [
			...pumpurs.scope_filters({ current_year: true }),
			{ fieldname: "compensation_type", label: __("Compensation Type"), fieldtype: "Link", options: "Compensation Type" },
		],
		tree: true,
		initial_depth: 1,
		formatter(value, row, column, data, default_formatter) {
			value = default_formatter(value, row, column, data);
			if (data && (data.indent === 0 || data.is_total) && column.fieldname === "label") value = `<b>${value}</b>`;
			return value;
		},
	};
})();
