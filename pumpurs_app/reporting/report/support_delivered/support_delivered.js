(() => {
	frappe.query_reports["Support Delivered"] = {
		filters: [
			...pumpurs.scope_filters({ current_year: true }),
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
