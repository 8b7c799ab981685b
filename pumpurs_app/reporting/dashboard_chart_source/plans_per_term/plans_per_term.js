frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Plans per Term"] = {
	method: "pumpurs_app.reporting.dashboard_chart_source.plans_per_term.plans_per_term.get",
	filters: [],
};
