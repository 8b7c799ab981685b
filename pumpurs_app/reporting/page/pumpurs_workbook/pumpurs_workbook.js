// One Excel workbook with every programme report for a period and scope, as IKVD or a municipality files it.
frappe.pages["pumpurs-workbook"].on_page_load = (wrapper) => {
	const page = frappe.ui.make_app_page({ parent: wrapper, title: __("PuMPuRS Workbook"), single_column: true });
	const fields = [
		{ fieldname: "school_year", label: __("School Year"), fieldtype: "Data", description: __("For example 2021/2022") },
		{ fieldname: "school_term", label: __("School Term"), fieldtype: "Link", options: "School Term" },
		{ fieldname: "partner", label: __("Partner"), fieldtype: "Link", options: "Partner" },
		{
			fieldname: "institution",
			label: __("Educational Institution"),
			fieldtype: "Link",
			options: "Educational Institution",
			get_query: () => (form.get_value("partner") ? { filters: { partner: form.get_value("partner") } } : {}),
		},
	];
	const form = new frappe.ui.FieldGroup({ fields, body: page.body });
	form.make();
	page.set_primary_action(__("Download Workbook"), () => {
		open_url_post("/api/method/pumpurs_app.reporting.ikvd_workbook.download", form.get_values() || {});
	}, "es-line-download");
};
