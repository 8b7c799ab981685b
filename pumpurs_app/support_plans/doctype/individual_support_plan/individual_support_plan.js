const PLAN_METHODS = "pumpurs_app.support_plans.doctype.individual_support_plan.individual_support_plan";
const DECISIONS_NEEDING_REASON = ["Return to Author", "Reject"];
// child-table fields whose values are option words: [child DocType, fieldname, DocType of their translation]
const TRANSLATED_VALUES = [
	["Support Plan Risk", "risk_group", "Risk Factor"],
	["Support Plan Risk", "severity", "Support Plan Risk"],
	["Support Plan Risk", "outcome", "Support Plan Risk"],
	["Support Plan Measure", "measure_kind", "Support Plan Measure"],
	["Support Plan Measure", "specialist_role", "Support Plan Measure"],
	["Support Plan Measure", "compensation_type", "Support Plan Measure"],
];

// frappe shows grid values with __(value) and no context, so the words the app translates per DocType
// ("Consultation", "Psychologist") stayed English and generic ones took frappe's sense ("Medium" → "Medijs").
// Every row's field is a copy of the DocType's field, so a formatter set here reaches all grids and row forms.
function translate_child_values() {
	for (const [doctype, fieldname, context] of TRANSLATED_VALUES) {
		frappe.meta.get_docfield(doctype, fieldname).formatter = (value) =>
			value ? frappe.utils.escape_html(__(value, null, context)) : "";
	}
}

frappe.ui.form.on("Individual Support Plan", {
	setup(frm) {
		translate_child_values();
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
		if (frm.doc.workflow_state === "Pending IKVD" && frappe.boot.pumpurs?.federation_mode === "Partner Site") {
			frm.dashboard.set_headline_alert(
				__("IKVD decides on this plan at the national hub; its decision is applied here when it arrives."),
				"blue"
			);
		}
	},

	// the institution and partner come from the learner (the server sets them on every save); they are not
	// fetched through the field definitions, so that the server never judges a new plan by a place the user
	// did not send, nor names it in a refusal
	learner(frm) {
		if (!frm.doc.learner) return frm.set_value({ institution: null, partner: null });
		frappe.db.get_value("Learner", frm.doc.learner, ["institution", "partner"]).then(({ message }) => {
			frm.set_value({ institution: message?.institution || null, partner: message?.partner || null });
		});
	},

	// approvers say why before the plan goes back or is rejected (see pumpurs.approvals.ask_reason)
	before_workflow_action(frm) {
		if (!DECISIONS_NEEDING_REASON.includes(frm.selected_workflow_action)) return;
		return pumpurs.approvals.ask_reason(frm, {
			label: __("Reason for Return or Rejection"),
			method: `${PLAN_METHODS}.set_decision_reason`,
			args: { plan: frm.doc.name },
			unchanged: __("The plan was not changed."),
		});
	},
});
