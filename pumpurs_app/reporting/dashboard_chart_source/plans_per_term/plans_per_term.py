"""The workspace's "Plans per Term" chart: the user's submitted plans in each of the last terms.

Counted for each user, never cached: frappe caches a chart's data under the chart's name alone
(frappe.utils.dashboard.cache_source), so a chart counted for one user would be shown to the next. Labels are
short ("26/27 S1") and the terms few enough to be read at the desk's default width."""

import frappe
from frappe.utils import getdate, today

from pumpurs_app.rules import school_terms

PLAN = "Individual Support Plan"
TERMS_SHOWN = 6  # two school years: a semester, a semester and a holiday each


@frappe.whitelist()
def get(chart_name=None, chart=None, no_cache=None, filters=None, refresh=None, **_frappe_args) -> dict:
	terms = frappe.get_all(
		"School Term",
		filters={"start_date": ("<=", getdate(today()))},
		fields=["name", "school_year", "term_type"],
		order_by="start_date desc",
		limit=TERMS_SHOWN,
	)[::-1]
	counted = dict(
		frappe.get_list(
			PLAN,
			filters={"docstatus": 1, "school_term": ("in", [t.name for t in terms] or [""])},
			fields=["school_term", "count(name) as plans"],
			group_by="school_term",
			as_list=True,
		)
	)
	return {
		"labels": [school_terms.short_name(t.school_year, t.term_type) for t in terms],
		"datasets": [{"name": frappe._("Plans"), "values": [counted.get(t.name, 0) for t in terms]}],
	}
