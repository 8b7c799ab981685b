"""The shared test world: a municipality with two schools and a state vocational school, users for every
role, terms around today and a few learners. Built once per test site through the real controllers."""

from dataclasses import dataclass, field
from datetime import date

import frappe
from frappe.utils import getdate, today
from frappe.utils.password import update_password

from pumpurs_app import access
from pumpurs_app.demo.site import prepare_site
from pumpurs_app.rules import personal_code, school_terms

PASSWORD = "Test-PuMPuRS-2026!"
DOMAIN = "test.pumpurs.invalid"

MUNICIPALITY = "Testa novada pašvaldība"
VOCATIONAL_PARTNER = "Testa Valsts tehnikums"
SCHOOL_A = "Testa 1. vidusskola"  # general, municipality
SCHOOL_B = "Testa 2. pamatskola"  # general and vocational, municipality
VOCATIONAL_SCHOOL = "Testa Valsts tehnikums"  # the vocational partner's own school


def email(key: str) -> str:
	return f"{key.replace('_', '.')}@{DOMAIN}"


# user key -> national role (IKVD users hold a role; everyone else gets theirs from the staff tables)
NATIONAL_USERS = {
	"ikvd_admin": access.ADMINISTRATOR,
	"regional": access.REGIONAL_COORDINATOR,
	"auditor": access.AUDITOR,
}
LOCAL_USERS = [
	"muni_coord",
	"muni_accountant",
	"a_director",
	"a_coord",
	"a_author",
	"a_author2",
	"a_specialist",
	"a_accountant",
	"b_director",
	"b_author",
	"b_specialist",
	"vet_coord",
	"vet_accountant",
	"vet_director",
	"vet_author",
	"vet_specialist",
	"muni_accountant2",
	"vet_icoord",  # the vocational school's own coordinator
	"vet_accountant2",  # a second accountant of the vocational partner
	"loner",  # holds the Plan Author role by hand but works nowhere: must see nothing
]


@dataclass
class World:
	users: dict[str, str] = field(default_factory=dict)
	learners: dict[str, str] = field(default_factory=dict)
	terms: dict[str, str] = field(default_factory=dict)
	ngo_project: str | None = None
	money_plan: str | None = None  # an approved plan of learner a8money with compensation measures
	municipality: str = MUNICIPALITY
	vocational_partner: str = VOCATIONAL_PARTNER
	school_a: str = SCHOOL_A
	school_b: str = SCHOOL_B
	vocational_school: str = VOCATIONAL_SCHOOL

	def user(self, key: str) -> str:
		return self.users[key]


def build() -> World:
	world = World(users={key: email(key) for key in [*NATIONAL_USERS, *LOCAL_USERS]})
	world.terms = make_terms()
	if not frappe.db.exists("Partner", MUNICIPALITY):
		prepare_site(f"sysadmin@{DOMAIN}", PASSWORD)
		make_users(world)
		make_partners_and_schools(world)
		make_learners()
		make_ngo_project()
		make_email_account()
		world.learners = learners_by_key()
		make_money_plan(world)
	world.ngo_project = frappe.db.get_value("Youth NGO Project", {"title": NGO_TITLE})
	world.learners = learners_by_key()
	world.money_plan = frappe.db.get_value(
		"Individual Support Plan", {"learner": world.learners["a8money"], "docstatus": 1}
	)
	return world


def learners_by_key() -> dict[str, str]:
	return dict(
		frappe.get_all(
			"Learner",
			filters={"first_name": ("like", "Testa%")},
			fields=["class_label", "name"],
			as_list=True,
		)
	)


def make_users(world: World) -> None:
	for key, user in world.users.items():
		if frappe.db.exists("User", user):
			continue
		roles = [NATIONAL_USERS[key]] if key in NATIONAL_USERS else []
		if key == "loner":
			roles = [access.PLAN_AUTHOR]
		frappe.get_doc(
			doctype="User",
			email=user,
			first_name=key.replace("_", " ").title(),
			language="en",  # the site speaks Latvian; tests read English messages unless they ask for Latvian
			send_welcome_email=0,
			user_type="System User",
			roles=[{"role": r} for r in roles],
		).insert(ignore_permissions=True)
		update_password(user, PASSWORD)


def make_terms() -> dict[str, str]:
	"""The current and the previous school year (two semesters and a holiday each), and the two terms around
	the 2021/2022 change of the target group."""
	current = school_terms.school_year_start(school_terms.school_year_of(getdate(today())))
	terms = {}
	for label, start in (("current", current), ("previous", current - 1), ("y2021", 2021), ("y2020", 2020)):
		school_year = f"{start}/{start + 1}"
		for term_type, first, last in (
			(school_terms.SEMESTER_1, date(start, 9, 1), date(start, 12, 31)),
			(school_terms.SEMESTER_2, date(start + 1, 1, 1), date(start + 1, 5, 31)),
			(school_terms.HOLIDAY, date(start + 1, 6, 1), date(start + 1, 8, 31)),
		):
			name = school_terms.term_name(school_year, term_type)
			if not frappe.db.exists("School Term", name):
				frappe.get_doc(
					doctype="School Term",
					school_year=school_year,
					term_type=term_type,
					start_date=first,
					end_date=last,
				).insert()
			terms[f"{label}_{school_terms.TERM_SUFFIX[term_type].lower()}"] = name
	return terms


def make_partners_and_schools(world: World) -> None:
	u = world.user
	frappe.get_doc(
		doctype="Partner",
		partner_name=MUNICIPALITY,
		partner_type="Municipality",
		registration_number="90000074738",
		agreement_number="P6-12/133-2019",
		agreement_date="2019-12-03",
		active_from="2019-12-03",
		iban="LV97HABA0012345678910",
		staff=[
			{"user": u("muni_coord"), "function": "Coordinator"},
			{"user": u("muni_accountant"), "function": "Accountant"},
			{"user": u("muni_accountant2"), "function": "Accountant"},
		],
	).insert()
	frappe.get_doc(
		doctype="Partner",
		partner_name=VOCATIONAL_PARTNER,
		partner_type="State vocational school",
		registration_number="40003521600",
		iban="LV80BANK0000435195001",
		staff=[
			{"user": u("vet_coord"), "function": "Coordinator"},
			{"user": u("vet_accountant"), "function": "Accountant"},
			{"user": u("vet_accountant2"), "function": "Accountant"},
		],
	).insert()
	frappe.get_doc(
		doctype="Educational Institution",
		institution_name=SCHOOL_A,
		registration_code="4112900001",
		partner=MUNICIPALITY,
		education_type="General",
		director=u("a_director"),
		staff=[
			{"user": u("a_coord"), "function": "Coordinator"},
			{"user": u("a_author"), "function": "Plan Author"},
			{"user": u("a_author2"), "function": "Plan Author"},
			{"user": u("a_specialist"), "function": "Specialist", "specialist_role": "Psychologist"},
			{"user": u("a_accountant"), "function": "Accountant"},
		],
	).insert()
	frappe.get_doc(
		doctype="Educational Institution",
		institution_name=SCHOOL_B,
		registration_code="4112900002",
		partner=MUNICIPALITY,
		education_type="Both",
		director=u("b_director"),
		staff=[
			{"user": u("b_author"), "function": "Plan Author"},
			{"user": u("b_specialist"), "function": "Specialist", "specialist_role": "Social Pedagogue"},
		],
	).insert()
	frappe.get_doc(
		doctype="Educational Institution",
		institution_name=VOCATIONAL_SCHOOL,
		registration_code="4112900003",
		partner=VOCATIONAL_PARTNER,
		education_type="Vocational",
		director=u("vet_director"),
		staff=[
			{"user": u("vet_icoord"), "function": "Coordinator"},
			{"user": u("vet_author"), "function": "Plan Author"},
			{"user": u("vet_specialist"), "function": "Specialist", "specialist_role": "Teacher"},
		],
	).insert()


# class_label is the learner's key in World.learners
LEARNERS = [
	# key, institution, education type, grade, birth date, new-format code?, status
	("a7", SCHOOL_A, "General", 7, date(2013, 5, 17), False, "Active"),
	("a3", SCHOOL_A, "General", 3, date(2018, 2, 1), True, "Active"),
	("a9left", SCHOOL_A, "General", 9, date(2011, 4, 2), False, "Left"),
	("a8money", SCHOOL_A, "General", 8, date(2012, 7, 7), False, "Active"),
	("b9", SCHOOL_B, "General", 9, date(2011, 8, 30), False, "Active"),
	("b2voc", SCHOOL_B, "Vocational", 2, date(2009, 1, 12), False, "Active"),
	("v1", VOCATIONAL_SCHOOL, "Vocational", 1, date(2010, 6, 6), False, "Active"),
	("v4adult", VOCATIONAL_SCHOOL, "Vocational", 4, date(2005, 10, 10), False, "Active"),
]


def make_learners() -> None:
	for serial, (key, institution, education_type, grade, born, new_format, status) in enumerate(LEARNERS):
		code = (
			personal_code.make_new_format(77_000 + serial)
			if new_format
			else personal_code.make_old_format(born, serial)
		)
		frappe.get_doc(
			doctype="Learner",
			first_name=f"Testa {key}",
			last_name="Bērziņš",
			personal_code=code,
			date_of_birth=born if new_format else None,
			institution=institution,
			education_type=education_type,
			grade=grade,
			class_label=key,
			status=status,
			consent_date=date(2024, 9, 2) if key != "b9" else None,
			consent_given_by="Adult Learner"
			if key == "v4adult"
			else ("Parent or Guardian" if key != "b9" else None),
			application_file="/private/files/test-iesniegums.pdf" if key != "b9" else None,
			guardians=[]
			if key == "v4adult"
			else [{"guardian_name": "Anna Bērziņa", "relation": "Mother", "phone": "+371 20000000"}],
		).insert()


NGO_TITLE = "Testa jauniešu projekts"


def make_ngo_project() -> None:
	frappe.get_doc(
		doctype="Youth NGO Project",
		title=NGO_TITLE,
		partner=MUNICIPALITY,
		organisation_name="Biedrība Testa jaunieši",
		organisation_registration_number="40003032949",
		period_from=date(2020, 1, 1),
		period_to=date(2035, 12, 31),
		status="Running",
	).insert()


def notification(name: str, doctype: str, event: str, subject: str, **values):
	"""A site administrator's Notification to the document's owner in the desk (a Notification Log)."""
	return frappe.get_doc(
		doctype="Notification",
		name=name,
		subject=subject,
		document_type=doctype,
		event=event,
		channel="System Notification",
		enabled=1,
		recipients=[{"receiver_by_document_field": "owner"}],
		message=subject,
		**values,
	).insert()


def make_email_account() -> None:
	"""Outgoing e-mail, as a real site has (nothing is sent: the queue is never flushed in tests)."""
	frappe.get_doc(
		doctype="Email Account",
		email_account_name="PuMPuRS test",
		email_id=f"noreply@{DOMAIN}",
		enable_outgoing=1,
		default_outgoing=1,
		smtp_server="127.0.0.1",
		smtp_port=25,
		no_smtp_authentication=1,
	).insert()


MONEY_MEASURES = [
	# compensation type, risk factor, planned amount
	("Public transport tickets", "Hard to get to school", 200),
	("Meals", "Material conditions", 60),
	("Individual learning materials", "Learning difficulties", 100),
]


def make_money_plan(world: World) -> None:
	"""An approved plan (through the real chain) whose compensation measures the money tests claim against."""
	from tests.integration.plans import approve_all, make_plan

	plan = make_plan(
		world,
		learner="a8money",
		risks=[{"risk_factor": factor, "severity": "Medium"} for _type, factor, _amount in MONEY_MEASURES],
		measures=[
			{
				"measure_kind": "Compensation",
				"risk_factor": factor,
				"compensation_type": kind,
				"planned_amount": amount,
			}
			for kind, factor, amount in MONEY_MEASURES
		],
	)
	approve_all(world, plan.name)
