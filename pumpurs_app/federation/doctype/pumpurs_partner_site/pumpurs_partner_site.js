// IKVD's administrator gives the partner's site its key pair, shown once, for the site's PuMPuRS Settings.
frappe.ui.form.on("PuMPuRS Partner Site", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("New Key Pair for the Site"), () =>
			frappe.confirm(__("The site's current key pair stops working. Go on?"), () =>
				frappe
					.xcall("pumpurs_app.federation.hub.register_partner_site", { partner: frm.doc.partner })
					.then(({ api_key, api_secret }) => {
						frappe.msgprint({
							title: __("Enter these in the partner site's PuMPuRS Settings"),
							message: `${__("Hub API Key")}: <code>${api_key}</code><br>${__(
								"Hub API Secret"
							)}: <code>${api_secret}</code>`,
						});
						frm.reload_doc();
					})
			)
		);
	},
});
