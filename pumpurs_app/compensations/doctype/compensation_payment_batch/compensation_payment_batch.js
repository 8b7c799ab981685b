frappe.ui.form.on("Compensation Payment Batch", {
	onload(frm) {
		if (frm.is_new()) {
			frappe.db.get_single_value("PuMPuRS Settings", "aggregate_per_iban").then((value) => {
				if (frm.is_new()) frm.set_value("aggregate_per_iban", value);
			});
		}
	},

	refresh(frm) {
		if (frm.is_new()) return;
		if (frm.doc.docstatus === 0 && !frm.doc.exported_on) {
			frm.add_custom_button(__("Get Approved Compensations"), () =>
				frm.call("get_compensations").then((r) => {
					frappe.show_alert({ message: __("{0} compensations added", [r.message]), indicator: "green" });
					frm.reload_doc();
				})
			);
			if ((frm.doc.lines || []).length) {
				frm.add_custom_button(__("Export SEPA File"), () =>
					frappe.confirm(__("Create the bank files for {0} compensations? The batch cannot change afterwards.", [frm.doc.line_count]), () =>
						frm.call("export").then(() => frm.reload_doc())
					)
				);
			}
		}
		if (frm.doc.status === "Withdrawn") frm.disable_form(); // kept as it is, for the audit trail
		// another person than the exporter says the bank has not paid it
		const unpaid_export = frm.doc.status === "Exported" && frm.doc.docstatus === 0;
		if (unpaid_export && frm.has_perm("write") && frm.doc.exported_by !== frappe.session.user) {
			frm.add_custom_button(__("Withdraw (Not Paid by the Bank)"), () =>
				frappe.prompt(
					{
						fieldname: "reason",
						fieldtype: "Small Text",
						label: __("Why is the batch withdrawn?"),
						description: __(
							"The bank rejected the file, or it must not be sent. Its compensations go back to be paid in a new batch."
						),
						reqd: 1,
					},
					({ reason }) => frm.call("withdraw", { reason }).then(() => frm.reload_doc()),
					__("Withdraw Batch {0}", [frm.doc.name]),
					__("Withdraw")
				)
			);
		}
		for (const [field, label] of [
			["sepa_file", __("Download SEPA File")],
			["payment_list", __("Download Payment List")],
		]) {
			if (frm.doc[field]) frm.add_custom_button(label, () => window.open(frm.doc[field]), __("Bank Files"));
		}
	},
});
