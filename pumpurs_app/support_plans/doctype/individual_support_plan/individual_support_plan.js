const PLAN_METHODS = "pumpurs_app.support_plans.doctype.individual_support_plan.individual_support_plan";
const DECISIONS_NEEDING_REASON = ["Return to Author", "Reject"];

frappe.ui.form.on("Individual Support Plan", {
	setup(frm) {
		frm.set_query("learner", () => ({ filters: { status: "Active" } }));
		frm.set_query("risk_factor", "risks", () => ({ filters: { disabled: 0 } }));
		frm.set_query("risk_factor", "measures", () => ({
			filters: { name: ["in", (frm.doc.risks || []).map((r) => r.risk_factor)] },
		}));
		frm.set_query("plan_author", () => ({
			query: "pumpurs_app.support_plans.queries.institution_staff",
			filters: { institution: frm.doc.institution, function: "Plan Author" },
		}));
		frm.set_query("specialist", "measures", (doc, cdt, cdn) => ({
			query: "pumpurs_app.support_plans.queries.institution_staff",
			filters: {
				institution: frm.doc.institution,
				function: "Specialist",
				specialist_role: locals[cdt][cdn].specialist_role,
			},
		}));
		frm.set_query("compensation_type", "measures", () => ({ filters: { disabled: 0 } }));
		frm.set_query("ngo_project", "measures", () => ({
			filters: { partner: frm.doc.partner, status: ["!=", "Cancelled"] },
		}));
	},

	refresh(frm) {
		if (frm.doc.docstatus === 1 && !frm.is_new()) {
			frm.add_custom_button(__("Continue in Next Term"), () => {
				frappe
					.xcall(`${PLAN_METHODS}.make_next_term_plan`, { source_name: frm.doc.name })
					.then((name) => frappe.set_route("Form", frm.doctype, name));
			});
			frm.add_custom_button(__("Log Consultation"), () => {
				frappe.new_doc("Support Consultation", { support_plan: frm.doc.name });
			});
		}
		if (frm.doc.decision_reason && frm.doc.workflow_state === "Returned") {
			frm.dashboard.set_headline_alert(
				`${__("Returned to the author")}: ${frappe.utils.escape_html(frm.doc.decision_reason)}`,
				"orange"
			);
		}
	},

	// approvers say why before the plan goes back or is rejected (the workflow reloads the saved plan)
	before_workflow_action(frm) {
		if (!DECISIONS_NEEDING_REASON.includes(frm.selected_workflow_action)) return;
		frappe.dom.unfreeze();
		return new Promise((resolve, reject) => {
			const dialog = frappe.prompt(
				{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason for Return or Rejection"), reqd: 1 },
				({ reason }) =>
					frappe
						.xcall(`${PLAN_METHODS}.set_decision_reason`, { plan: frm.doc.name, reason })
						.then(() => {
							frappe.dom.freeze();
							resolve();
						}, reject),
				__(frm.selected_workflow_action),
				__(frm.selected_workflow_action)
			);
			dialog.onhide = () => reject();
		});
	},
});
