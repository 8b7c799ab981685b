"""Plans of vocational learners were stored as General education (the field's default won over the value
fetched from the learner). Give every plan its learner's education type."""

import frappe


def execute() -> None:
	plan = frappe.qb.DocType("Individual Support Plan")
	learner = frappe.qb.DocType("Learner")
	(
		frappe.qb.update(plan)
		.join(learner)
		.on(plan.learner == learner.name)
		.set(plan.education_type, learner.education_type)
		.where(plan.education_type != learner.education_type)
		.run()
	)
