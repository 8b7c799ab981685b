// IKVD's decision on a plan a partner's site sent: it goes back to that site, whose workflow applies it.
frappe.ui.form.on("IKVD Plan Review", {
	refresh(frm) {
		if (frm.doc.status !== "Pending IKVD" || !frappe.user.has_role("PuMPuRS Regional Coordinator")) {
			return;
		}
		const decide = (decision, reason) =>
			frappe
				.xcall("pumpurs_app.federation.hub.decide", { review: frm.doc.name, decision, reason })
				.then(() => frm.reload_doc());
		frm.add_custom_button(__("Approve"), () =>
			frappe.confirm(__("Approve this plan?"), () => decide("Approve"))
		);
		for (const [decision, label] of [
			["Return", __("Return to Author")],
			["Reject", __("Reject")],
		]) {
			frm.add_custom_button(label, () =>
				frappe.prompt(
					{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
					({ reason }) => decide(decision, reason),
					label,
					label
				)
			);
		}
	},
});
