frappe.query_reports["Plans by Institution and Term"] = {
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
	],
	formatter(value, row, column, data, default_formatter) {
		if (data && data.is_total) {
			return column.fieldname === "partner" ? `<b>${frappe.utils.escape_html(value)}</b>` : `<b>${default_formatter(value, row, column, data)}</b>`;
		}
		return default_formatter(value, row, column, data);
	},
};
