// A partner site connects to IKVD's national hub with the key pair IKVD gave it (README: Federation).
frappe.ui.form.on("PuMPuRS Settings", {
	refresh(frm) {
		if (frm.doc.federation_mode !== "Partner Site" || frm.is_dirty()) return;
		frm.add_custom_button(__("Connect to the Hub"), () =>
			frappe
				.xcall("pumpurs_app.federation.partner_site.connect_to_hub")
				.then(({ site_url }) =>
					frappe.msgprint(__("Connected: the hub delivers IKVD's decisions to {0}.", [site_url]))
				)
		);
		frm.add_custom_button(__("Send Term Figures"), () =>
			frappe
				.xcall("pumpurs_app.federation.partner_site.send_term_figures")
				.then((queued) => frappe.show_alert(__("{0} messages queued.", [queued.length])))
		);
	},
});
