frappe.ui.form.on("PuMPuRS Sync Log", {
	refresh(frm) {
		if (frm.doc.direction === "Outgoing" && frm.doc.status !== "Sent") {
			frm.add_custom_button(__("Send Now"), () =>
				frappe
					.xcall("pumpurs_app.federation.exchange.send_now", { log: frm.doc.name })
					.then(() => frm.reload_doc())
			);
		}
	},
});
