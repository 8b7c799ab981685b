"""The registers' own rules, through the real controllers: what is refused, with which message, and that
nothing is saved when it is."""

import re
from datetime import date

import frappe
import pytest
from frappe.deferred_insert import save_to_db

from pumpurs_app.registers.doctype.school_term.school_term import current_term
from pumpurs_app.rules import personal_code
from tests.integration.learners import NOT_HERE, new_learner, refusal_records


def assert_refused(doc, fragment: str, exc=frappe.ValidationError) -> str:
	"""Inserting ``doc`` is refused with a message holding ``fragment``, and nothing is saved; the message."""
	before = frappe.db.count(doc.doctype)
	with pytest.raises(exc, match=re.escape(fragment)) as err:
		doc.insert()
	assert frappe.db.count(doc.doctype) == before
	return str(err.value)


# --- Learner -------------------------------------------------------------------------------------------


def test_learner_gets_birth_date_adult_flag_partner_and_mask_from_the_code(world):
	doc = new_learner(world).insert()
	assert str(doc.date_of_birth) == "2012-03-04"
	assert doc.partner == world.municipality
	assert not doc.is_adult
	assert doc.personal_code_masked == personal_code.FULL_MASK  # an old-format code: nothing of it
	assert doc.full_name == "Jānis Ozoliņš"
	assert doc.name.startswith("IZGL-")


@pytest.mark.parametrize(
	"values, fragment",
	[
		({"personal_code": "161175-19998"}, "not a valid Latvian personal code"),
		({"personal_code": "40003521600"}, "company registration number"),
		({"personal_code": personal_code.make_new_format(5)}, "Enter the date of birth"),
		({"date_of_birth": "2012-03-05"}, "does not match personal code"),
		({"grade": 13}, "not possible in General education"),
		({"education_type": "Vocational", "grade": 2}, "provides General education only"),
		({"consent_date": "2099-01-01", "consent_given_by": "Parent or Guardian"}, "signed in the future"),
		({"consent_date": "2025-09-01", "consent_given_by": "Adult Learner"}, "not yet 18"),
		({"consent_date": "2025-09-01"}, "Say who signed"),
	],
)
def test_learner_bad_input_is_refused(world, values, fragment):
	assert_refused(new_learner(world, **values), fragment)


def test_two_active_learners_cannot_share_a_personal_code(world):
	first = new_learner(world).insert()
	message = assert_refused(
		new_learner(world, institution=world.school_b), "already registered", frappe.DuplicateEntryError
	)
	assert world.school_a in message
	# once the first has left, the code may be registered again (a learner changing schools)
	first.status = "Transferred"
	first.save()
	assert first.active_personal_code is None
	second = new_learner(world, institution=world.school_b).insert()
	assert second.active_personal_code == second.personal_code == first.personal_code


def test_a_code_active_elsewhere_is_refused_without_saying_where_or_that_it_is(world, api):
	coordinator = api(world.user("a_coord"))
	save_to_db()  # (anything an earlier test left in the queue)
	for key, other_school, resolvers in (
		("v1", world.vocational_school, {world.user("ikvd_admin")}),
		# a school of the same municipality: its coordinator sees both schools too
		("b9", world.school_b, {world.user("ikvd_admin"), world.user("muni_coord")}),
	):
		active = frappe.get_doc("Learner", world.learners[key])
		response = coordinator.post(
			"/api/resource/Learner",
			{
				"first_name": "Jānis",
				"last_name": "Ozoliņš",
				"personal_code": active.personal_code,
				"institution": world.school_a,
				"education_type": "General",
				"grade": 8,
				"status": "Active",
			},
		)
		assert response.status == 417, response.text[:300]
		assert response.json["exc_type"] == "ValidationError"
		assert NOT_HERE in response.error_text()
		for hidden in (other_school, active.name, active.full_name, "already", "another", "validate_unique"):
			assert hidden not in response.text, hidden
		notified, audit = refusal_records(active.name)
		assert set(notified) >= resolvers and world.user("vet_coord") not in notified
		assert world.user("a_coord") not in notified
		for text in [*notified.values(), *(entry.subject for entry in audit)]:
			assert active.personal_code not in text and active.personal_code_masked not in text
			assert world.school_a in text and other_school in text
		assert [entry.user for entry in audit] == [world.user("a_coord")]
	assert not frappe.db.exists("Learner", {"first_name": "Jānis", "last_name": "Ozoliņš"})


def test_a_code_active_in_the_users_own_institutions_is_named(world, as_user):
	active = frappe.get_doc("Learner", world.learners["a7"])
	with as_user(world.user("muni_coord")):
		message = assert_refused(
			new_learner(world, personal_code=active.personal_code, institution=world.school_b),
			"is already registered at",
			frappe.DuplicateEntryError,
		)
	assert world.school_a in message and "Mark that record Left or Transferred first" in message
	assert refusal_records(active.name) == ({}, [])


def test_database_refuses_duplicate_active_code_even_past_the_controller(world):
	first = new_learner(world).insert()
	clone = frappe.copy_doc(first)
	clone.name = "IZGL-TEST-CLONE"
	clone.active_personal_code = first.active_personal_code
	with pytest.raises(
		frappe.UniqueValidationError,
		match=f"Duplicate entry '{first.active_personal_code}' for key 'active_personal_code'",
	):
		clone.db_insert()


def test_messages_in_the_users_language(world, as_user):
	with as_user(world.user("a_coord"), lang="lv"):
		message = assert_refused(
			new_learner(world, personal_code="161175-19998"), "nav derīgs Latvijas personas kods"
		)
		assert "161175-19998" in message
		assert_refused(new_learner(world, grade=13), "nav iespējams izglītības veidā “Vispārējā”")


def test_new_format_code_with_entered_birth_date(world):
	code = personal_code.make_new_format(424242)
	doc = new_learner(world, personal_code=code, date_of_birth="2014-02-02").insert()
	assert str(doc.date_of_birth) == "2014-02-02"
	assert doc.personal_code == code


def test_adult_flag(world):
	doc = new_learner(
		world,
		personal_code=personal_code.make_old_format(date(2004, 1, 1), 9),
		institution=world.school_b,
		education_type="Vocational",
		grade=3,
		consent_date="2025-09-01",
		consent_given_by="Adult Learner",
	).insert()
	assert doc.is_adult


def test_narrowing_institution_education_type_keeps_learners_consistent(world):
	school_b = frappe.get_doc("Educational Institution", world.school_b)
	school_b.education_type = "General"
	with pytest.raises(frappe.ValidationError, match="not in General education"):
		school_b.save()


def test_moving_an_institution_to_another_partner_moves_its_learners(world):
	school = frappe.get_doc("Educational Institution", world.vocational_school)
	school.partner = world.municipality
	school.save()
	partners = set(frappe.get_all("Learner", {"institution": world.vocational_school}, pluck="partner"))
	assert partners == {world.municipality}


# --- Partner and institution --------------------------------------------------------------------------


def new_partner(**values):
	doc = {
		"doctype": "Partner",
		"partner_name": "Testa 2 novada pašvaldība",
		"partner_type": "Municipality",
		"registration_number": "40003032949",
	}
	doc.update(values)
	return frappe.get_doc(doc)


@pytest.mark.parametrize(
	"values, fragment",
	[
		({"registration_number": "90000074739"}, "not a valid Latvian registration number"),
		({"registration_number": "161175-19997"}, "personal code, not a registration number"),
		({"iban": "LV80BANK0000435195002"}, "not a valid IBAN"),
		({"iban": "DE89370400440532013000"}, "not a LV IBAN"),
		({"iban": "LV97HABA0012345678910", "bic": "COBADEFFXXX"}, "another country"),
		({"active_from": "2020-01-01", "active_to": "2019-01-01"}, "cannot end before it starts"),
	],
)
def test_partner_bad_input_is_refused(values, fragment):
	assert_refused(new_partner(**values), fragment)


def test_partner_iban_is_normalised_and_bic_derived():
	doc = new_partner(iban="lv97 haba 0012 3456 7891 0").insert()
	assert doc.iban == "LV97HABA0012345678910"
	assert doc.bic == "HABALV22XXX"
	assert doc.bank_name


def test_partner_registration_number_unique(world):
	assert_refused(
		new_partner(registration_number="90000074738"),
		"Duplicate entry '90000074738' for key 'registration_number'",
		frappe.UniqueValidationError,
	)


def test_institution_bad_input(world):
	def institution(**values):
		return frappe.get_doc(
			{
				"doctype": "Educational Institution",
				"institution_name": "Testa 9. vidusskola",
				"partner": world.municipality,
				"education_type": "General",
				**values,
			}
		)

	assert_refused(institution(registration_code="12345"), "ten digits")
	assert_refused(
		institution(staff=[{"user": world.user("a_author"), "function": "Specialist"}]),
		"choose the specialist role",
	)
	assert_refused(
		institution(
			staff=[
				{"user": world.user("a_author"), "function": "Plan Author"},
				{"user": world.user("a_author"), "function": "Plan Author"},
			]
		),
		"listed twice",
	)


# --- School Term ---------------------------------------------------------------------------------------


def new_term(**values):
	return frappe.get_doc(
		{
			"doctype": "School Term",
			"school_year": "2019/2020",
			"term_type": "Semester 1",
			"start_date": "2019-09-01",
			"end_date": "2019-12-31",
			**values,
		}
	)


def test_term_name_is_readable():
	assert new_term().insert().name == "2019/2020 S1"


def test_overlapping_terms_of_the_same_type_are_refused(world):
	# the summer holiday of 2021/2022 runs to 31 August 2022; a 2022/2023 holiday term may not start inside it
	assert_refused(
		new_term(
			school_year="2022/2023", term_type="Holiday", start_date="2022-08-01", end_date="2022-08-31"
		),
		f"overlaps {world.terms['y2021_h']}",
	)


def test_term_type_overlap_between_types_is_allowed():
	# a holiday term may start before semester 2 of the same year ends
	semester = new_term(
		school_year="2019/2020", term_type="Semester 2", start_date="2020-01-01", end_date="2020-06-10"
	).insert()
	holiday = new_term(
		school_year="2019/2020", term_type="Holiday", start_date="2020-06-01", end_date="2020-08-31"
	).insert()
	assert frappe.get_all(
		"School Term", {"name": ("in", [semester.name, holiday.name])}, pluck="name", order_by="name"
	) == [
		"2019/2020 H",
		"2019/2020 S2",
	]


@pytest.mark.parametrize(
	"values, fragment",
	[
		({"school_year": "2019/2021"}, "two consecutive years"),
		({"end_date": "2019-08-01"}, "ends before it starts"),
		({"start_date": "2020-09-01", "end_date": "2020-12-31"}, "outside the school year"),
	],
)
def test_term_bad_input(values, fragment):
	assert_refused(new_term(**values), fragment)


def test_current_term_helper(world):
	month = date.today().month
	expected = "current_s1" if month >= 9 else ("current_s2" if month <= 5 else "current_h")
	assert current_term() == world.terms[expected]
	assert current_term("2021-10-01") == world.terms["y2021_s1"]
	assert current_term("2022-07-15") == world.terms["y2021_h"]
