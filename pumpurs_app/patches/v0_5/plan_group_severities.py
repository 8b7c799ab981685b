"""Plans keep each risk group's highest severity (Risk Profile counts learners by it): fill it for the plans
the site holds, from their risk rows, in one statement per group."""

import frappe

from pumpurs_app.rules import support_plans as rules
from pumpurs_app.support_plans.doctype.individual_support_plan.individual_support_plan import (
	GROUP_SEVERITY_FIELDS,
)


def execute() -> None:
	levels = ", ".join(frappe.db.escape(s) for s in rules.SEVERITIES)
	for group, field in GROUP_SEVERITY_FIELDS.items():
		# field() numbers the severities from 1 and elt() names them back: NULL where the group is absent
		frappe.db.sql(
			f"""update `tabIndividual Support Plan` plan
			left join (
				select parent, max(field(severity, {levels})) as level from `tabSupport Plan Risk`
				where parenttype = 'Individual Support Plan' and risk_group = %s group by parent
			) risk on risk.parent = plan.name
			set plan.`{field}` = elt(risk.level, {levels})""",
			group,
		)
