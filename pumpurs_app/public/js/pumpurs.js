// Shared by the PuMPuRS reports and pages: the period and scope filters every programme report starts with.
frappe.provide("pumpurs");

pumpurs.scope_filters = ({ current_year = false } = {}) => {
	const value = (fieldname) => frappe.query_report && frappe.query_report.get_filter_value(fieldname);
	return [
		{
			fieldname: "school_year",
			label: __("School Year"),
			fieldtype: "Data",
			placeholder: "2025/2026",
			// the school year running today (set at login from the site's date)
			default: current_year ? (frappe.boot.pumpurs || {}).current_school_year : undefined,
		},
		{
			fieldname: "school_term",
			label: __("School Term"),
			fieldtype: "Link",
			options: "School Term",
			get_query: () => (value("school_year") ? { filters: { school_year: value("school_year") } } : {}),
		},
		{ fieldname: "partner", label: __("Partner"), fieldtype: "Link", options: "Partner" },
		{
			fieldname: "institution",
			label: __("Educational Institution"),
			fieldtype: "Link",
			options: "Educational Institution",
			get_query: () => (value("partner") ? { filters: { partner: value("partner") } } : {}),
		},
	];
};
