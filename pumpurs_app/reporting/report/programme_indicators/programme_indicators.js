(() => {
	// from–to terms choose the period instead of the school year
	const period_changed = (report) => {
		const terms = report.get_filter_value("from_term") || report.get_filter_value("to_term");
		if (terms && report.get_filter_value("school_year")) {
			report.set_filter_value("school_year", ""); // refreshes the report
		} else {
			report.refresh();
		}
	};

	frappe.query_reports["Programme Indicators"] = {
		filters: [
			{ fieldname: "school_year", label: __("School Year", null, "Programme Indicators"), fieldtype: "Data", placeholder: "2025/2026", default: (frappe.boot.pumpurs || {}).current_school_year },
			{
				fieldname: "from_term",
				label: __("From Term", null, "Programme Indicators"),
				fieldtype: "Link",
				options: "School Term",
				on_change: period_changed,
			},
			{
				fieldname: "to_term",
				label: __("To Term", null, "Programme Indicators"),
				fieldtype: "Link",
				options: "School Term",
				on_change: period_changed,
			},
			...pumpurs.scope_filters().slice(2),
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
})();
