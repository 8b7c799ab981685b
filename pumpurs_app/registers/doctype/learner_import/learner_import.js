// A Learner Import record: a checked file can be imported from here too (the Learner list's dialog is the
// usual way). Progress arrives over realtime.

frappe.ui.form.on("Learner Import", {
	refresh(frm) {
		// a failed import is started again (the server checks the file again before writing)
		if (["Validated", "Failed"].includes(frm.doc.status) && frm.doc.owner === frappe.session.user) {
			frm.add_custom_button(__("Import {0} learners", [frm.doc.row_count]), () =>
				frappe.call({
					method: "pumpurs_app.registers.doctype.learner_import.learner_import.start_import",
					args: { learner_import: frm.doc.name },
					freeze: true,
					freeze_message: __("Importing…"),
					callback: () => frm.reload_doc(),
				})
			).addClass("btn-primary");
		}
		if (frm.doc.status === "In Progress") {
			frm.dashboard.set_headline(__("Importing in the background…"));
		}
	},
	onload(frm) {
		frappe.realtime.on("learner_import_progress", (data) => {
			if (data.name !== frm.doc.name) return;
			if (data.stage === "done") {
				frm.dashboard.hide_progress();
				frm.reload_doc();
			} else {
				frm.dashboard.show_progress(__("Learner Import"), data.percent, `${data.done} / ${data.total}`);
			}
		});
	},
});
