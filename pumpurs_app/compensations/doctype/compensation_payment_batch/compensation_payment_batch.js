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
		for (const [field, label] of [
			["sepa_file", __("Download SEPA File")],
			["payment_list", __("Download Payment List")],
		]) {
			if (frm.doc[field]) frm.add_custom_button(label, () => window.open(frm.doc[field]), __("Bank Files"));
		}
	},
});
