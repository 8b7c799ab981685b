"""The demo generator's bulk-inserted learners are exactly what the Learner controller would have saved."""

import frappe

from pumpurs_app import access
from pumpurs_app.demo import registers
from pumpurs_app.rules import school_terms, target_group

TINY = registers.Scale(
	municipalities=["Jelgavas valstspilsētas pašvaldība"],
	vocational_schools=["Rīgas Valsts tehnikums"],
	schools_per_municipality=2,
	learners_per_institution=12,
	staff_can_log_in=False,
)


def test_demo_data_is_valid_and_scoped(world, as_user):
	counts = registers.generate(TINY, seed=7)
	assert counts["Educational Institution"] == 3 and counts["Learner"] == 36
	institutions = ["Jelgavas 4. sākumskola", "Jelgavas 1. pamatskola", "Rīgas Valsts tehnikums"]
	assert set(frappe.get_all("Educational Institution", {"name": ("in", institutions)}, pluck="name")) == set(institutions)

	learners = frappe.get_all("Learner", {"institution": ("in", institutions)}, pluck="name")
	assert len(learners) == 36
	school_year = school_terms.school_year_of(frappe.utils.getdate())
	for name in learners:
		doc = frappe.get_doc("Learner", name)
		stored = doc.as_dict()
		doc.run_method("validate")  # the controller recomputes every derived field...
		for field in ("personal_code", "personal_code_masked", "active_personal_code", "date_of_birth", "is_adult", "full_name"):
			assert str(doc.get(field)) == str(stored[field]), (name, field)  # ...and finds nothing to change
		assert target_group.in_target_group(doc.education_type, doc.grade, school_year, school_terms.SEMESTER_1)
		assert len(doc.guardians) >= (0 if doc.is_adult else 1)

	teacher = "skolotaja.j4@pumpurs.demo"
	assert access.PLAN_AUTHOR in frappe.get_roles(teacher)
	with as_user(teacher):
		seen = set(frappe.get_list("Learner", pluck="name", limit=0))
	assert seen == set(frappe.get_all("Learner", {"institution": "Jelgavas 4. sākumskola"}, pluck="name"))
