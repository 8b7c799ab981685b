frappe.query_reports["Partner Sites Term Figures"] = {
	filters: [
		{ fieldname: "school_year", label: __("School Year"), fieldtype: "Data", placeholder: "2026/2027" },
		{ fieldname: "school_term", label: __("School Term"), fieldtype: "Data", placeholder: "2026/2027 S1" },
		{ fieldname: "partner", label: __("Partner"), fieldtype: "Link", options: "Partner" },
	],
};
