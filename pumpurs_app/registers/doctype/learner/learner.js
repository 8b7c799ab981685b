// Data requests of one learner, for those who may see the full personal code (data_protection.py checks it).
frappe.ui.form.on("Learner", {
	refresh(frm) {
		if (frm.is_new() || !frappe.perm.has_perm("Learner", 1, "read")) return;
		const method = "pumpurs_app.registers.data_protection";
		frm.add_custom_button(
			__("Access Request Workbook"),
			() => window.open(`/api/method/${method}.access_request?learner=${encodeURIComponent(frm.doc.name)}`),
			__("Personal Data")
		);
		if (frm.doc.anonymised_on || !frm.perm[0]?.write) return;
		frm.add_custom_button(
			__("Erasure Request"),
			() =>
				frappe.prompt(
					{
						fieldname: "reason",
						fieldtype: "Small Text",
						label: __("Who asked, and on what grounds"),
						reqd: 1,
					},
					({ reason }) =>
						frappe
							.call(`${method}.erasure_request`, { learner: frm.doc.name, reason })
							.then(({ message }) => {
								frappe.msgprint({
									message: message.message,
									indicator: message.erased ? "green" : "orange",
								});
								frm.reload_doc();
							}),
					__("Erasure Request"),
					__("Anonymise")
				),
			__("Personal Data")
		);
	},
});
