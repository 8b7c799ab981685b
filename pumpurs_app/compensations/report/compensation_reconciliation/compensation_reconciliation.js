frappe.query_reports["Compensation Reconciliation"] = {
	filters: [
		{ fieldname: "partner", label: __("Partner"), fieldtype: "Link", options: "Partner" },
		{ fieldname: "payment_batch", label: __("Payment Batch", null, "Compensation Reconciliation"), fieldtype: "Link", options: "Compensation Payment Batch" },
		{ fieldname: "from_date", label: __("From"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To"), fieldtype: "Date" },
	],
	tree: true,
	initial_depth: 1,
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (data && data.row_type && data.indent === 0 && column.fieldname === "partner") value = `<b>${value}</b>`;
		return value;
	},
};
