frappe.query_reports["Programme Indicators"] = {
	filters: [
		{ fieldname: "school_year", label: __("School Year", null, "Programme Indicators"), fieldtype: "Data", placeholder: "2025/2026" },
		{ fieldname: "from_term", label: __("From Term", null, "Programme Indicators"), fieldtype: "Link", options: "School Term" },
		{ fieldname: "to_term", label: __("To Term", null, "Programme Indicators"), fieldtype: "Link", options: "School Term" },
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
	tree: true,
	formatter(value, row, column, data, default_formatter) {
		if (data && ["value", "target"].includes(column.fieldname) && value !== null && value !== undefined && value !== "") {
			if (data.kind === "money") return format_currency(value, "EUR");
			if (data.kind === "count") return format_number(value, null, 0);
		}
		value = default_formatter(value, row, column, data);
		if (data && data.indent === 0 && column.fieldname === "indicator") value = `<b>${value}</b>`;
		return value;
	},
};
