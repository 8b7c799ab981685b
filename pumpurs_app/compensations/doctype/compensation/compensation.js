const COMPENSATION_METHODS = "pumpurs_app.compensations.doctype.compensation.compensation";

frappe.ui.form.on("Compensation", {
	setup(frm) {
		frm.set_query("support_plan", () => ({
			filters: { docstatus: 1, workflow_state: ["in", ["Approved", "Evaluated"]] },
		}));
	},

	refresh(frm) {
		frm.trigger("load_measures");
		if (frm.doc.claimed_for_measure > frm.doc.planned_amount && frm.doc.docstatus === 0) {
			frm.dashboard.set_headline_alert(
				__("The claims for this measure ({0}) exceed the plan's planned amount ({1}); the approver must allow it.", [
					format_currency(frm.doc.claimed_for_measure, "EUR"),
					format_currency(frm.doc.planned_amount, "EUR"),
				]),
				"orange"
			);
		}
	},

	support_plan(frm) {
		frm.set_value("measure", null);
		frm.trigger("load_measures");
	},

	load_measures(frm) {
		if (!frm.doc.support_plan) return;
		frappe
			.xcall(`${COMPENSATION_METHODS}.compensation_measures`, { support_plan: frm.doc.support_plan })
			.then((measures) => {
				frm.set_df_property("measure", "formatter", measure_label);
				frm.set_df_property("measure", "options", [{ value: "", label: "" }, ...measures]);
				if (!frm.doc.measure && measures.length === 1) frm.set_value("measure", measures[0].value);
			});
	},

	// verifiers and approvers say why before a claim goes back or is rejected; approving above the plan
	// needs the approver's reason too (see pumpurs.approvals.ask_reason)
	before_workflow_action(frm) {
		const action = frm.selected_workflow_action;
		const args = { compensation: frm.doc.name };
		if (["Return for Correction", "Reject"].includes(action)) {
			return pumpurs.approvals.ask_reason(frm, {
				label: __("Reason for Return or Rejection"),
				method: `${COMPENSATION_METHODS}.set_decision_reason`,
				args,
			});
		}
		if (action === "Approve" && frm.doc.claimed_for_measure > frm.doc.planned_amount && !frm.doc.over_plan_override) {
			return pumpurs.approvals.ask_reason(frm, {
				label: __("Reason for Exceeding the Plan"),
				method: `${COMPENSATION_METHODS}.set_override`,
				args,
			});
		}
	},
});

frappe.ui.form.on("Compensation Line", {
	quantity: (frm, cdt, cdn) => update_amount(frm, cdt, cdn),
	unit_price: (frm, cdt, cdn) => update_amount(frm, cdt, cdn),
});

// Where the claim is read-only (to its verifier, its approver, and once approved) frappe shows a Select's value,
// here the ID of the plan's measure row; show the measure's label, as the editable select does.
function measure_label(value, df) {
	const option = (Array.isArray(df.options) ? df.options : []).find((o) => o.value === value);
	return frappe.utils.escape_html(option ? option.label : value || "");
}

function update_amount(frm, cdt, cdn) {
	const row = locals[cdt][cdn];
	frappe.model.set_value(cdt, cdn, "amount", flt((row.quantity || 0) * (row.unit_price || 0), 2));
}
