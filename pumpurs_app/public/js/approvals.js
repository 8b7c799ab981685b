// Shared by the forms of the records that pass an approval workflow (Individual Support Plan, Compensation).
frappe.provide("pumpurs.approvals");

// Before a workflow action that needs the decider's reason: ask for it and save it through `method` (called
// with `args` and the reason), since the action reloads the saved record. frappe froze the page before
// `before_workflow_action` and unfreezes it only once the action is applied: the dialog lifts that freeze
// and puts it back when the reason is saved. Closing the dialog without a reason leaves the promise pending,
// so the action simply does not happen (a rejection would surface as an uncaught error in frappe's workflow
// code, and a dialog that rejected on hiding would reject before the reason is saved); a failed save keeps
// the dialog open to try again. `unchanged`, if given, is shown when the dialog closes without a reason.
pumpurs.approvals.ask_reason = (frm, { label, method, args, unchanged }) => {
	const action = frm.selected_workflow_action;
	frappe.dom.unfreeze();
	return new Promise((resolve) => {
		let saved = false;
		const dialog = new frappe.ui.Dialog({
			title: __(action),
			fields: [{ fieldname: "reason", fieldtype: "Small Text", label, reqd: 1 }],
			primary_action_label: __(action),
			primary_action({ reason }) {
				dialog.get_primary_btn().prop("disabled", true);
				frappe.xcall(method, { ...args, reason }).then(
					() => {
						saved = true;
						dialog.hide();
						frappe.dom.freeze();
						resolve();
					},
					// frappe has shown the server's message; the decider may correct it or close the dialog
					() => dialog.get_primary_btn().prop("disabled", false)
				);
			},
		});
		dialog.onhide = () => saved || !unchanged || frappe.show_alert(unchanged);
		dialog.show();
	});
};
