// The IKVD queue: what waits for a decision first.
frappe.listview_settings["IKVD Plan Review"] = {
	filters: [["status", "=", "Pending IKVD"]],
	get_indicator(doc) {
		const colours = { "Pending IKVD": "orange", Approved: "green", Returned: "orange", Rejected: "red" };
		return [__(doc.status), colours[doc.status], `status,=,${doc.status}`];
	},
};
