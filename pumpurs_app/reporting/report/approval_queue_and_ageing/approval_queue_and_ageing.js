frappe.query_reports["Approval Queue and Ageing"] = {
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
		{ fieldname: "school_year", label: __("School Year", null, "Approval Queue and Ageing"), fieldtype: "Data", placeholder: "2025/2026" },
		{
			fieldname: "school_term",
			label: __("School Term"),
			fieldtype: "Link",
			options: "School Term",
			get_query: () => {
				const school_year = frappe.query_report.get_filter_value("school_year");
				return school_year ? { filters: { school_year } } : {};
			},
		},
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
