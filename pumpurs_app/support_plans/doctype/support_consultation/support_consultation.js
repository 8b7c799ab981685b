frappe.ui.form.on("Support Consultation", {
	setup(frm) {
		frm.set_query("support_plan", () => ({ filters: { docstatus: 1, workflow_state: "Approved" } }));
	},

	refresh(frm) {
		frm.trigger("load_measures");
	},

	support_plan(frm) {
		frm.set_value("measure", null);
		frm.trigger("load_measures");
	},

	// the plan's consultation measures become the options of the measure picker
	load_measures(frm) {
		if (!frm.doc.support_plan) return;
		frappe
			.xcall("pumpurs_app.support_plans.doctype.support_consultation.support_consultation.consultation_measures", {
				support_plan: frm.doc.support_plan,
			})
			.then((measures) => {
				frm.set_df_property("measure", "options", [{ value: "", label: "" }, ...measures]);
				if (!frm.doc.measure && measures.length === 1) frm.set_value("measure", measures[0].value);
			});
	},

	learner_confirmed(frm) {
		if (frm.doc.learner_confirmed && !frm.doc.confirmed_at) frm.set_value("confirmed_at", frappe.datetime.now_datetime());
	},
});
