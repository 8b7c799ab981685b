"""Consultations logged by support specialists against approved plans."""

from datetime import datetime, timedelta

import frappe
import pytest

from tests.integration.consultations import CONSULTATION, consultation
from tests.integration.plans import act, approve_all, make_plan
from tests.integration.refusals import no_permission


@pytest.fixture
def plan(world):
	return approve_all(world, make_plan(world).name)


def confirm(world, name: str, who: str, after: timedelta = timedelta(hours=12)):
	"""The learner's confirmation, recorded by ``who``, ``after`` the day's start of the consultation."""
	doc = frappe.get_doc(CONSULTATION, name)
	doc.learner_confirmed = 1
	doc.confirmed_at = datetime.combine(doc.consultation_date, datetime.min.time()) + after
	act(world.user(who), doc.save)
	return frappe.get_doc(CONSULTATION, name)


def test_specialist_logs_and_learner_confirms(world, plan):
	doc = consultation(world, plan)
	assert doc.learner == plan.learner and doc.institution == world.school_a
	assert str(doc.end_time) in ("10:40:00", "10:40")
	doc = confirm(world, doc.name, "a_coord")
	assert doc.learner_confirmed
	measure = next(
		m for m in frappe.get_doc("Individual Support Plan", plan.name).measures if m.name == doc.measure
	)
	assert measure.delivered_hours == pytest.approx(40 / 60, abs=0.01)
	doc.topic = "cits"
	with pytest.raises(frappe.ValidationError, match="cannot be changed"):
		act(world.user("a_specialist"), doc.save)


def test_the_learners_confirmation_is_recorded_by_someone_other_than_the_specialist(world, plan):
	name = consultation(world, plan).name
	# the specialist's own "confirmed" is not theirs to set: the stored value stays
	assert not confirm(world, name, "a_specialist").learner_confirmed
	assert not frappe.db.get_value(CONSULTATION, name, "confirmed_at")
	# a coordinator who is also a specialist of the school cannot confirm a consultation they gave
	school = frappe.get_doc("Educational Institution", world.school_a)
	school.append(
		"staff", {"user": world.user("a_coord"), "function": "Specialist", "specialist_role": "Psychologist"}
	)
	school.save()
	own = consultation(world, plan, who="a_coord", start="08:00:00").name
	with pytest.raises(frappe.PermissionError, match="someone other than the specialist"):
		confirm(world, own, "a_coord")
	assert not frappe.db.get_value(CONSULTATION, own, "learner_confirmed")
	# the school's coordinator records it for another specialist's consultation
	assert confirm(world, name, "a_coord").learner_confirmed


@pytest.mark.parametrize(
	"values, message",
	[
		({"minutes": 45}, "at most 40 minutes"),
		({"minutes": 0}, "at least one minute"),
		({"mode": "Remote"}, "director's order"),
		({"start": "23:50:00", "minutes": 30}, "end on the day"),
	],
)
def test_bad_consultations_are_refused(world, plan, values, message):
	with pytest.raises(frappe.ValidationError, match=message):
		consultation(world, plan, **values)
	assert not frappe.db.exists(CONSULTATION, {"support_plan": plan.name})


def test_longest_consultation_is_a_setting(world, plan):
	settings = frappe.get_single("PuMPuRS Settings")
	settings.max_consultation_minutes = 60
	settings.save()
	assert consultation(world, plan, minutes=55).duration_minutes == 55


def test_remote_consultation_with_the_order(world, plan):
	assert (
		consultation(world, plan, mode="Remote", remote_order_reference="Rīkojums Nr. 1-12/7").mode
		== "Remote"
	)


def test_a_specialist_cannot_overlap_themselves(world, plan):
	consultation(world, plan, start="10:00:00", minutes=40)
	with pytest.raises(frappe.ValidationError, match="already has consultation"):
		consultation(world, plan, start="10:30:00", minutes=20)
	consultation(world, plan, start="10:40:00", minutes=20)  # back to back is fine


def test_only_on_approved_plans_of_the_same_term(world):
	draft = make_plan(world)
	with pytest.raises(frappe.ValidationError, match="only on approved plans"):
		consultation(world, draft)
	plan = approve_all(world, draft.name)
	term_end = frappe.db.get_value("School Term", plan.school_term, "end_date")
	with pytest.raises(frappe.ValidationError, match="outside the plan's term"):
		consultation(world, plan, day=term_end + timedelta(days=1))


def test_specialist_of_another_institution_is_refused(world, plan):
	with no_permission(CONSULTATION, "create"):
		consultation(world, plan, who="vet_specialist")
	with no_permission(CONSULTATION, "create"):
		consultation(world, plan, who="b_specialist")  # same municipality, other school
	assert not frappe.db.exists(CONSULTATION, {"support_plan": plan.name})


def test_confirmation_deadline_is_a_setting(world, plan):
	name = consultation(world, plan).name
	with pytest.raises(frappe.ValidationError, match=r"within 1 day\(s\)"):
		confirm(world, name, "a_coord", timedelta(days=2, hours=12))
	with pytest.raises(frappe.ValidationError, match="before it has ended"):
		confirm(world, name, "a_coord", timedelta(hours=9))
	assert confirm(world, name, "a_coord", timedelta(days=1, hours=9)).learner_confirmed  # next morning


# --- messages name only what the user may see (issue 9, item 6) ------------------------------------------


def new_consultation(plan, specialist: str, day, start: str, minutes: int = 20) -> dict:
	return {
		"support_plan": plan.name,
		"measure": next(m.name for m in plan.measures if m.measure_kind == "Consultation"),
		"specialist": specialist,
		"consultation_date": str(day),
		"start_time": start,
		"duration_minutes": minutes,
		"mode": "In person",
		"topic": "Mācību motivācija",
	}


def test_a_clash_names_only_a_consultation_the_user_may_see(world, api, partner_records):
	"""The vocational school's specialist also works at school A: school A's coordinator learns that the
	specialist is busy then, not which of the other partner's consultations it is."""
	municipal, vocational = partner_records["municipal"], partner_records["vocational"]
	busy = frappe.get_doc(CONSULTATION, vocational.records["Support Consultation"])
	specialist = busy.specialist
	school = frappe.get_doc("Educational Institution", world.school_a)
	school.append("staff", {"user": specialist, "function": "Specialist", "specialist_role": "Psychologist"})
	school.save()
	frappe.db.commit()  # HTTP requests run on their own connection
	try:
		plan = frappe.get_doc("Individual Support Plan", municipal.records["Individual Support Plan"])
		response = api(world.user("a_coord")).post(
			f"/api/resource/{CONSULTATION}",
			new_consultation(plan, specialist, busy.consultation_date, "10:20:00"),
		)
		assert response.status == 417, response.text[:300]
		assert "already has another consultation at that time" in response.error_text()
		assert busy.name not in response.text and world.vocational_school not in response.text
		# the vocational school's own coordinator is told which one
		own_plan = frappe.get_doc("Individual Support Plan", vocational.records["Individual Support Plan"])
		response = api(world.user("vet_icoord")).post(
			f"/api/resource/{CONSULTATION}",
			new_consultation(own_plan, specialist, busy.consultation_date, "10:20:00"),
		)
		assert response.status == 417 and busy.name in response.error_text(), response.text[:300]
	finally:
		frappe.db.rollback()
		school = frappe.get_doc("Educational Institution", world.school_a)
		school.staff = [row for row in school.staff if row.user != specialist]
		school.save()
		frappe.db.commit()


def test_moving_a_consultation_to_a_plan_elsewhere_names_nothing_of_it(world, api, partner_records):
	consultation_name = partner_records["municipal"].records["Support Consultation"]
	draft = make_plan(world, learner="v4adult", author="vet_author")
	frappe.db.commit()
	try:
		response = api(world.user("a_specialist")).put(
			f"/api/resource/{CONSULTATION}/{consultation_name}", {"support_plan": draft.name}
		)
		assert response.status == 403, response.text[:300]
		assert "Draft" not in response.error_text() and world.vocational_school not in response.text
		assert frappe.db.get_value(CONSULTATION, consultation_name, "support_plan") != draft.name
	finally:
		frappe.db.rollback()
		frappe.delete_doc("Individual Support Plan", draft.name, force=True, ignore_permissions=True)
		frappe.db.commit()
