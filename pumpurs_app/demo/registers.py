"""Demo registers: school terms, partners, institutions, staff users and learners.

Structural records (terms, partners, institutions, users) go through the documents' own controllers;
learners, the high-volume records, are built with the same rules the Learner controller applies and are
bulk-inserted (a test checks that they pass the controller's validation).

Besides today's learners the register keeps former ones: learners who left an institution since 2021/2022
(finished its last grade, moved on, or left school early) after taking part in the programme, so that the
support plans of past school years have their learners too.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import frappe
from faker import Faker
from frappe.utils import getdate, now_datetime, nowdate
from frappe.utils.password import update_password

from pumpurs_app import access
from pumpurs_app.demo import bulk, catalog
from pumpurs_app.rules import personal_code, registration, school_terms, target_group
from pumpurs_app.rules.learners import ADULT_LEARNER, PARENT
from pumpurs_app.utils import insert_rows

DEMO_PASSWORD = "PuMPuRS-demo-2026"
DOMAIN = "pumpurs.demo"
FIRST_SCHOOL_YEAR = 2021
SCHOOL_YEARS = 6  # 2021/2022 .. 2026/2027


@dataclass(frozen=True)
class Scale:
	municipalities: list[str]  # official names; all of catalog.MUNICIPALITIES for "project"
	vocational_schools: list[str]
	schools_per_municipality: int
	learners_per_institution: int
	staff_can_log_in: (
		bool  # small: real users; project: benchmark staff written directly (showcase logins aside)
	)
	# former learners kept in the register, as a share of a year's leaving cohort, for each past school year
	former_learner_share: float = 0.5
	# support plans per institution and semester: fewest, median, most (see demo/plans.py)
	plans_per_term: tuple[int, int, int] = (8, 12, 90)
	# compensations (see demo/compensations.py): how many of each partner's institutions have claims (None: all)
	money_institutions_per_partner: int | None = None


SCALES = {
	"small": Scale(
		municipalities=[
			"Jelgavas valstspilsētas pašvaldība",
			"Madonas novada pašvaldība",
			"Liepājas valstspilsētas pašvaldība",
		],
		vocational_schools=["Rīgas Valsts tehnikums", "Ogres tehnikums"],
		schools_per_municipality=3,
		learners_per_institution=30,
		staff_can_log_in=True,
		plans_per_term=(6, 12, 24),
	),
	"project": Scale(
		municipalities=[official for _genitive, official in catalog.MUNICIPALITIES],
		vocational_schools=catalog.STATE_VOCATIONAL_SCHOOLS,
		schools_per_municipality=13,
		learners_per_institution=167,
		staff_can_log_in=False,
		money_institutions_per_partner=1,
	),
}

# one login per role, printed by `bench pumpurs-demo-logins`: (email, role, first name, last name, where)
SHOWCASE = [
	("admin@pumpurs.demo", access.ADMINISTRATOR, "Inese", "Kalniņa", "IKVD"),
	("regional@pumpurs.demo", access.REGIONAL_COORDINATOR, "Māris", "Ozols", "IKVD"),
	("auditor@pumpurs.demo", access.AUDITOR, "Dace", "Liepiņa", "IKVD"),
	(
		"koordinators.jelgava@pumpurs.demo",
		access.PARTNER_COORDINATOR,
		"Ilze",
		"Bērziņa",
		"Jelgavas valstspilsētas pašvaldība",
	),
	(
		"gramatvede.jelgava@pumpurs.demo",
		access.ACCOUNTANT,
		"Sandra",
		"Kļaviņa",
		"Jelgavas valstspilsētas pašvaldība",
	),
	(
		"koordinators.j4@pumpurs.demo",
		access.INSTITUTION_COORDINATOR,
		"Anita",
		"Zariņa",
		"Jelgavas 4. sākumskola",
	),
	("direktors.j4@pumpurs.demo", access.DIRECTOR, "Guntis", "Eglītis", "Jelgavas 4. sākumskola"),
	("skolotaja.j4@pumpurs.demo", access.PLAN_AUTHOR, "Laura", "Vītola", "Jelgavas 4. sākumskola"),
	("psihologs.j4@pumpurs.demo", access.SPECIALIST, "Rūta", "Jansone", "Jelgavas 4. sākumskola"),
	(
		"koordinators.rvt@pumpurs.demo",
		access.PARTNER_COORDINATOR,
		"Edgars",
		"Kalējs",
		"Rīgas Valsts tehnikums",
	),
	("direktors.rvt@pumpurs.demo", access.DIRECTOR, "Aivars", "Liepa", "Rīgas Valsts tehnikums"),
	("skolotajs.rvt@pumpurs.demo", access.PLAN_AUTHOR, "Juris", "Krūmiņš", "Rīgas Valsts tehnikums"),
]
SHOWCASE_SCHOOL = "Jelgavas 4. sākumskola"
_FOLD = str.maketrans("āčēģīķļņōŗšūžĀČĒĢĪĶĻŅŌŖŠŪŽ", "acegiklnorsuzACEGIKLNORSUZ")


def ascii_slug(text: str) -> str:
	return "".join(ch for ch in text.translate(_FOLD).lower() if ch.isalnum())


@dataclass(slots=True)
class LearnerFact:
	"""What the support-plan generator needs to know of a generated learner."""

	name: str
	full_name: str
	institution: dict
	education_type: str
	grade: int  # the grade in ``last_year``
	status: str
	last_year: int  # start of the last school year the learner spent at the institution
	consent: date | None
	born: date

	def grade_in(self, year_start: int) -> int:
		return self.grade - (self.last_year - year_start)


@dataclass
class Demo:
	scale: Scale
	seed: int = 2026
	rng: random.Random = field(init=False)
	fake: Faker = field(init=False)
	today: date = field(default_factory=lambda: getdate(nowdate()))  # the site's date, in its time zone
	used_codes: set[str] = field(default_factory=set)
	used_emails: set[str] = field(default_factory=set)
	users: dict[str, set[str]] = field(default_factory=dict)  # email -> roles
	institutions: list[dict] = field(default_factory=list)
	learners: list[LearnerFact] = field(default_factory=list)
	counts: dict[str, int] = field(default_factory=dict)

	def __post_init__(self) -> None:
		self.rng = random.Random(self.seed)
		self.fake = Faker("lv_LV")
		self.fake.seed_instance(self.seed)

	# --- people ------------------------------------------------------------------------------------------
	def person(self) -> tuple[str, str, str]:
		if self.rng.random() < 0.5:
			return self.fake.first_name_female(), self.fake.last_name_female(), "F"
		return self.fake.first_name_male(), self.fake.last_name_male(), "M"

	def new_user(
		self, role: str, email: str | None = None, first: str | None = None, last: str | None = None
	) -> str:
		if not email:
			first, last, _sex = self.person()
			base = f"{ascii_slug(first)}.{ascii_slug(last)}"
			email, n = f"{base}@{DOMAIN}", 1
			while email in self.used_emails:
				n += 1
				email = f"{base}{n}@{DOMAIN}"
		self.used_emails.add(email)
		self.users.setdefault(email, set()).add(role)
		showcase = email in {row[0] for row in SHOWCASE}
		if not self.scale.staff_can_log_in and not showcase:
			insert_benchmark_user(email, first, last, role)
		elif not frappe.db.exists("User", email):
			frappe.get_doc(
				doctype="User",
				email=email,
				first_name=first,
				last_name=last,
				language="lv",
				send_welcome_email=0,
				user_type="System User",
				roles=[{"role": role}],
			).insert(ignore_permissions=True)
		else:
			frappe.get_doc("User", email).add_roles(role)
		return email


def insert_benchmark_user(email: str, first: str, last: str, role: str) -> None:
	"""Project scale: thousands of staff who only author plans in the data, never log in. The User
	controller costs ~0.5 s each (it clears caches and creates contacts), so these are written directly."""
	now = now_datetime()
	base = {
		"owner": "Administrator",
		"modified_by": "Administrator",
		"creation": now,
		"modified": now,
		"docstatus": 0,
	}
	frappe.db.bulk_insert(
		"User",
		[
			"name",
			"email",
			"first_name",
			"last_name",
			"full_name",
			"enabled",
			"user_type",
			"language",
			"send_welcome_email",
			*base,
		],
		[(email, email, first, last, f"{first} {last}", 1, "System User", "lv", 0, *base.values())],
	)
	frappe.db.bulk_insert(
		"Has Role",
		["name", "parent", "parenttype", "parentfield", "role", "idx", *base],
		[(frappe.generate_hash(length=10), email, "User", "roles", role, 1, *base.values())],
	)


def generate(scale: str | Scale, seed: int = 2026) -> dict[str, int]:
	"""Generate the registers at the given scale; returns counts of what was created."""
	return build(scale, seed).counts


def build(scale: str | Scale, seed: int = 2026) -> Demo:
	"""Generate the registers; the returned Demo knows its institutions and learners (for demo/plans.py)."""
	demo = Demo(SCALES[scale] if isinstance(scale, str) else scale, seed)
	frappe.flags.pumpurs_skip_staff_sync = True  # done once at the end, for everyone
	frappe.local.conf.throttle_user_limit = 10**9  # frappe refuses more than 60 new users a minute
	try:
		make_terms()
		showcase = {email: (role, first, last, where) for email, role, first, last, where in SHOWCASE}
		for email, (role, first, last, where) in showcase.items():
			if where == "IKVD":
				demo.new_user(role, email, first, last)
		demo.institutions = make_partners_and_institutions(demo, showcase)
		learners = make_learners(demo, demo.institutions)
	finally:
		frappe.flags.pumpurs_skip_staff_sync = False
	access.resync_all()
	set_passwords(demo)
	demo.counts = {
		"School Term": frappe.db.count("School Term"),
		"Partner": frappe.db.count("Partner"),
		"Educational Institution": len(demo.institutions),
		"Learner": learners,
		"User": len(demo.users),
	}
	return demo


def make_terms() -> None:
	for start in range(FIRST_SCHOOL_YEAR, FIRST_SCHOOL_YEAR + SCHOOL_YEARS):
		school_year = f"{start}/{start + 1}"
		for term_type, first, last in (
			(school_terms.SEMESTER_1, date(start, 9, 1), date(start, 12, 31)),
			(school_terms.SEMESTER_2, date(start + 1, 1, 1), date(start + 1, 5, 31)),
			(school_terms.HOLIDAY, date(start + 1, 6, 1), date(start + 1, 8, 31)),
		):
			if not frappe.db.exists("School Term", school_terms.term_name(school_year, term_type)):
				frappe.get_doc(
					doctype="School Term",
					school_year=school_year,
					term_type=term_type,
					start_date=first,
					end_date=last,
				).insert()


def registration_number(rng: random.Random, used: set[str]) -> str:
	while True:
		body = "9000" + "".join(rng.choice("0123456789") for _ in range(6))
		for check in "0123456789":
			candidate = body + check
			try:
				number = registration.normalize_registration_number(candidate)
			except ValueError:
				continue
			if number not in used:
				used.add(number)
				return number


def iban(rng: random.Random) -> str:
	from schwifty import IBAN

	bank = rng.choice(["HABA", "UNLA", "RIKO", "NDEA", "PARX"])
	return IBAN.generate("LV", bank_code=bank, account_code=str(rng.randrange(10**12, 10**13))).compact


def make_partners_and_institutions(demo: Demo, showcase: dict) -> list[dict]:
	"""Partners with their coordinator and accountant; their institutions with director and staff."""
	rng, used_numbers = demo.rng, set()
	genitive = {official: gen for gen, official in catalog.MUNICIPALITIES}
	plans = [(name, "Municipality") for name in demo.scale.municipalities]
	plans += [(name, "State vocational school") for name in demo.scale.vocational_schools]
	institutions = []
	codes = iter(range(4_100_000_000, 4_200_000_000, 7919))
	for partner_name, partner_type in plans:
		staff = []
		for function, role in (
			("Coordinator", access.PARTNER_COORDINATOR),
			("Accountant", access.ACCOUNTANT),
		):
			email = next(
				(e for e, (r, _f, _l, where) in showcase.items() if where == partner_name and r == role), None
			)
			first, last = (showcase[email][1], showcase[email][2]) if email else (None, None)
			staff.append({"user": demo.new_user(role, email, first, last), "function": function})
		started = date(2017, 3, 1) + timedelta(days=rng.randrange(0, 900))
		partner = frappe.get_doc(
			doctype="Partner",
			partner_name=partner_name,
			partner_type=partner_type,
			registration_number=registration_number(rng, used_numbers),
			status="Active",
			agreement_number=f"P6-12/{rng.randrange(1, 400)}-{started.year}",
			agreement_date=started,
			active_from=started,
			active_to=date(2023, 12, 31) if rng.random() < 0.1 else None,
			iban=iban(rng),
			staff=staff,
		).insert()
		if partner_type == "Municipality":
			schools = municipal_schools(demo, genitive[partner_name])
		else:
			schools = [(partner_name, "Vocational", range(1, 5))]
		for school_name, education_type, grades in schools:
			institutions.append(
				make_institution(demo, showcase, partner, school_name, education_type, grades, next(codes))
			)
	return institutions


def municipal_schools(demo: Demo, town: str) -> list[tuple[str, str, range]]:
	count = demo.scale.schools_per_municipality
	if town == "Rīgas":
		count *= 6  # the capital has about a fifth of Latvia's schools
	schools = []
	if town == "Jelgavas":
		schools.append((SHOWCASE_SCHOOL, "General", range(1, 7)))
	n = 0
	while len(schools) < count:
		n += 1
		pattern, education_type, grades = catalog.GENERAL_SCHOOL_KINDS[n % len(catalog.GENERAL_SCHOOL_KINDS)]
		name = pattern.format(town=town, n=n)
		if name != SHOWCASE_SCHOOL:
			schools.append((name, education_type, grades))
	return schools


def make_institution(
	demo: Demo, showcase: dict, partner, name: str, education_type: str, grades: range, code: int
) -> dict:
	rng = demo.rng
	mine = {r: e for e, (r, _f, _l, where) in showcase.items() if where == name}

	def user(role: str) -> str:
		email = mine.pop(role, None)
		first, last = (showcase[email][1], showcase[email][2]) if email else (None, None)
		return demo.new_user(role, email, first, last)

	director = user(access.DIRECTOR)
	coordinator = user(access.INSTITUTION_COORDINATOR)
	authors = [user(access.PLAN_AUTHOR) for _ in range(2)]
	# every school has a psychologist; the other specialist is most often a teacher or a social pedagogue
	second_role = rng.choices(catalog.SPECIALIST_ROLES, catalog.SECOND_SPECIALIST_WEIGHTS)[0]
	specialists = [(user(access.SPECIALIST), role) for role in ("Psychologist", second_role)]
	staff = [{"user": coordinator, "function": "Coordinator"}]
	staff += [{"user": author, "function": "Plan Author"} for author in authors]
	staff += [{"user": who, "function": "Specialist", "specialist_role": role} for who, role in specialists]
	frappe.get_doc(
		doctype="Educational Institution",
		institution_name=name,
		registration_code=str(code),
		partner=partner.name,
		education_type=education_type,
		status="Active",
		address=f"{rng.choice(catalog.STREETS)} {rng.randrange(1, 80)}, LV-{rng.randrange(1001, 5799)}",
		director=director,
		staff=staff,
	).insert()
	return {
		"name": name,
		"partner": partner.name,
		"partner_type": partner.partner_type,
		"partner_coordinators": [row.user for row in partner.staff if row.function == "Coordinator"],
		"education_type": education_type,
		"grades": grades,
		"director": director,
		"coordinator": coordinator,
		"authors": authors,
		"specialists": specialists,
	}


def make_learners(demo: Demo, institutions: list[dict]) -> int:
	"""Bulk-insert learners (and guardians) built with the Learner controller's own rules: today's learners of
	each institution, then its former learners of every past school year since 2021/2022."""
	rng, now, today = demo.rng, now_datetime(), demo.today
	school_year = school_terms.school_year_of(today)
	year_start = school_terms.school_year_start(school_year)
	consent_file = demo_application_file()
	# personal codes already on the site (one query: the column has no index, so never one query per learner)
	demo.used_codes.update(frappe.get_all("Learner", pluck="personal_code"))
	learner_fields = [
		"name",
		"owner",
		"modified_by",
		"creation",
		"modified",
		"docstatus",
		"idx",
		"first_name",
		"last_name",
		"full_name",
		"personal_code",
		"personal_code_masked",
		"active_personal_code",
		"date_of_birth",
		"is_adult",
		"status",
		"institution",
		"partner",
		"education_type",
		"grade",
		"class_label",
		"consent_date",
		"consent_given_by",
		"application_file",
	]
	guardian_fields = [
		"name",
		"owner",
		"modified_by",
		"creation",
		"modified",
		"docstatus",
		"idx",
		"parent",
		"parenttype",
		"parentfield",
		"guardian_name",
		"relation",
		"phone",
		"email",
	]
	learners, guardians = [], []
	serial = frappe.db.sql("select current from `tabSeries` where name = 'IZGL-'")
	serial = serial[0][0] if serial else 0
	first_serial = serial
	former_years = range(FIRST_SCHOOL_YEAR, year_start)
	total = sum(
		demo.scale.learners_per_institution + len(former_years) * former_cohort(demo.scale, institution)
		for institution in institutions
	)

	def add(
		institution: dict, education_type: str, grade: int, status: str, last_year: int, consent: date | None
	) -> None:
		nonlocal serial
		serial += 1
		name = f"IZGL-{serial:05d}"
		target_group.check_target_group(education_type, grade, school_year, school_terms.SEMESTER_1)
		age = (15 if education_type == "Vocational" else 6) + grade  # on 1 January of the school year's start
		born = date(last_year - age, 1, 1) + timedelta(days=rng.randrange(0, 365))
		code = learner_code(demo, born)
		first, last, _sex = demo.person()
		adult = target_group.is_adult(born, today)
		learners.append(
			(
				name,
				"Administrator",
				"Administrator",
				now,
				now,
				0,
				0,
				first,
				last,
				f"{first} {last}",
				code,
				personal_code.mask(code),
				code if status == "Active" else None,
				born,
				int(adult),
				status,
				institution["name"],
				institution["partner"],
				education_type,
				grade,
				class_label(rng, education_type, grade),
				consent,
				consent_signer(born, consent),
				consent_file if consent else None,
			)
		)
		demo.learners.append(
			LearnerFact(
				name, f"{first} {last}", institution, education_type, grade, status, last_year, consent, born
			)
		)
		for idx in range(1, 1 + (0 if adult else rng.choice([1, 2, 2]))):
			g_first, g_last, sex = demo.person()
			guardians.append(
				(
					frappe.generate_hash(length=10),
					"Administrator",
					"Administrator",
					now,
					now,
					0,
					idx,
					name,
					"Learner",
					"guardians",
					f"{g_first} {g_last}",
					"Mother" if sex == "F" else "Father",
					f"+371 2{rng.randrange(1000000, 9999999)}",
					f"{ascii_slug(g_first)}.{ascii_slug(g_last)}{rng.randrange(10, 99)}@example.lv",
				)
			)
		if len(learners) >= 5000:
			flush(learner_fields, learners, guardian_fields, guardians)
			frappe.utils.update_progress_bar("Learners", serial - first_serial, total)

	for institution in institutions:
		for _ in range(demo.scale.learners_per_institution):
			education_type, grades = learner_kind(rng, institution)
			grade = rng.choice(grades)
			status = rng.choices(["Active", "Left", "Graduated", "Transferred"], [92, 3, 3, 2])[0]
			# those no longer active left at the end of the last school year, in the grade recorded
			last_year = year_start if status == "Active" else year_start - 1
			consent = (
				date(year_start, 9, 1) + timedelta(days=rng.randrange(0, 40)) if rng.random() < 0.9 else None
			)
			add(
				institution,
				education_type,
				grade,
				status,
				last_year,
				min(consent, today) if consent else None,
			)
		for last_year in former_years:
			for _ in range(former_cohort(demo.scale, institution)):
				education_type, grades = learner_kind(rng, institution)
				kind = rng.random()
				if kind < 0.7:  # finished the institution's last grade
					grade = grades[-1]
					status = "Graduated" if education_type == "Vocational" or grade >= 9 else "Transferred"
				else:  # left school early, or moved to another school
					grade = rng.choice(grades)
					status = "Left" if kind < 0.9 else "Transferred"
				# the application was signed when they joined the programme (demo/plans.py moves it to just
				# before their first support plan)
				joined = max(FIRST_SCHOOL_YEAR, last_year - (grade - grades[0]))
				add(
					institution,
					education_type,
					grade,
					status,
					last_year,
					date(joined, 9, 1) + timedelta(days=rng.randrange(0, 40)),
				)
	flush(learner_fields, learners, guardian_fields, guardians)
	frappe.db.sql(
		"insert into `tabSeries` (name, current) values ('IZGL-', %s) on duplicate key update current = %s",
		(serial, serial),
	)
	return total


def learner_kind(rng: random.Random, institution: dict) -> tuple[str, range]:
	"""Education type and possible grades of a learner of the institution."""
	if institution["education_type"] == "Vocational" or (
		institution["education_type"] == "Both" and rng.random() < 0.2
	):
		return "Vocational", range(1, 5)
	return "General", institution["grades"]


def former_cohort(scale: Scale, institution: dict) -> int:
	"""Former learners per past school year: a share of one year's leaving cohort."""
	grades = 4 if institution["education_type"] == "Vocational" else len(institution["grades"])
	return round(scale.learners_per_institution * scale.former_learner_share / grades)


def consent_signer(born: date, consent: date | None) -> str | None:
	if not consent:
		return None
	return ADULT_LEARNER if target_group.is_adult(born, consent) else PARENT


def flush(learner_fields, learners, guardian_fields, guardians) -> None:
	insert_rows("Learner", learner_fields, learners)
	insert_rows("Learner Guardian", guardian_fields, guardians)
	learners.clear()
	guardians.clear()


def learner_code(demo: Demo, born: date) -> str:
	"""Children born from July 2017 have new-format codes; some older people changed theirs too."""
	while True:
		if born >= date(2017, 7, 1) or demo.rng.random() < 0.08:
			code = personal_code.make_new_format(demo.rng.randrange(0, 10**8))
		else:
			code = personal_code.make_old_format(born, demo.rng.randrange(0, 1000))
		if code not in demo.used_codes:
			demo.used_codes.add(code)
			return code


def class_label(rng: random.Random, education_type: str, grade: int) -> str:
	if education_type == "Vocational":
		return f"{rng.choice(['MT', 'AT', 'EL', 'PA', 'DZ'])}-{grade}{rng.choice('12')}"
	return f"{grade}.{rng.choice('abc')}"


def demo_application_file() -> str:
	"""One signed-application scan that every demo learner's record points to."""
	return bulk.demo_file("pumpurs-demo-iesniegums.pdf")


def set_passwords(demo: Demo) -> None:
	showcase = {email for email, *_rest in SHOWCASE}
	for email in demo.users:
		if demo.scale.staff_can_log_in or email in showcase:
			update_password(email, DEMO_PASSWORD)
