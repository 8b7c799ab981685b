// What waits or failed first catches the eye; a refusal is not tried again until an administrator sends it.
frappe.listview_settings["PuMPuRS Sync Log"] = {
	get_indicator(doc) {
		const colours = {
			Queued: "blue",
			Sent: "green",
			Failed: "orange",
			Refused: "red",
			Applied: "green",
			Ignored: "gray",
		};
		return [__(doc.status), colours[doc.status], `status,=,${doc.status}`];
	},
};
