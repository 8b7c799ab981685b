(() => {
	// the school year running today (1 September – 31 August), e.g. "2025/2026"
	const current_school_year = () => {
		const today = new Date();
		const start = today.getMonth() >= 8 ? today.getFullYear() : today.getFullYear() - 1;
		return `${start}/${start + 1}`;
	};

	frappe.query_reports["Support Delivered"] = {
		filters: [
			{ fieldname: "school_year", label: __("School Year", null, "Support Delivered"), fieldtype: "Data", placeholder: "2025/2026", default: current_school_year() },
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
			{
				fieldname: "specialist_role",
				label: __("Specialist Role", null, "Support Delivered"),
				fieldtype: "Select",
				options: [
					"",
					"Teacher",
					"Psychologist",
					"Social Pedagogue",
					"Teacher's Assistant",
					"Special Education Teacher",
					"Sign Language Interpreter",
					"Assistant",
					"Occupational Therapist",
				].map((value) => ({ value, label: value ? __(value, null, "Support Plan Measure") : "" })),
			},
			{ fieldname: "specialist", label: __("Specialist", null, "Support Delivered"), fieldtype: "Link", options: "User" },
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
