"""Demo registers: school terms, partners, institutions, staff users and learners.

Structural records (terms, partners, institutions, users) go through the documents' own controllers;
learners, the high-volume records, are built with the same rules the Learner controller applies and are
bulk-inserted (a test checks that they pass the controller's validation).
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import frappe
from faker import Faker
from frappe.utils import now_datetime
from frappe.utils.password import update_password

from pumpurs_app import access
from pumpurs_app.demo import catalog
from pumpurs_app.rules import personal_code, registration, school_terms, target_group
from pumpurs_app.rules.learners import ADULT_LEARNER, PARENT

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
	staff_can_log_in: bool  # small: real users; project: benchmark staff written directly (showcase logins aside)


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
	),
	"project": Scale(
		municipalities=[official for _genitive, official in catalog.MUNICIPALITIES],
		vocational_schools=catalog.STATE_VOCATIONAL_SCHOOLS,
		schools_per_municipality=13,
		learners_per_institution=167,
		staff_can_log_in=False,
	),
}

# one login per role, printed by `bench pumpurs-demo-logins`: (email, role, first name, last name, where)
SHOWCASE = [
	("admin@pumpurs.demo", access.ADMINISTRATOR, "Inese", "Kalniņa", "IKVD"),
	("regional@pumpurs.demo", access.REGIONAL_COORDINATOR, "Māris", "Ozols", "IKVD"),
	("auditor@pumpurs.demo", access.AUDITOR, "Dace", "Liepiņa", "IKVD"),
	("koordinators.jelgava@pumpurs.demo", access.PARTNER_COORDINATOR, "Ilze", "Bērziņa", "Jelgavas valstspilsētas pašvaldība"),
	("gramatvede.jelgava@pumpurs.demo", access.ACCOUNTANT, "Sandra", "Kļaviņa", "Jelgavas valstspilsētas pašvaldība"),
	("koordinators.j4@pumpurs.demo", access.INSTITUTION_COORDINATOR, "Anita", "Zariņa", "Jelgavas 4. sākumskola"),
	("direktors.j4@pumpurs.demo", access.DIRECTOR, "Guntis", "Eglītis", "Jelgavas 4. sākumskola"),
	("skolotaja.j4@pumpurs.demo", access.PLAN_AUTHOR, "Laura", "Vītola", "Jelgavas 4. sākumskola"),
	("psihologs.j4@pumpurs.demo", access.SPECIALIST, "Rūta", "Jansone", "Jelgavas 4. sākumskola"),
	("koordinators.rvt@pumpurs.demo", access.PARTNER_COORDINATOR, "Edgars", "Kalējs", "Rīgas Valsts tehnikums"),
	("direktors.rvt@pumpurs.demo", access.DIRECTOR, "Aivars", "Liepa", "Rīgas Valsts tehnikums"),
	("skolotajs.rvt@pumpurs.demo", access.PLAN_AUTHOR, "Juris", "Krūmiņš", "Rīgas Valsts tehnikums"),
]
SHOWCASE_SCHOOL = "Jelgavas 4. sākumskola"
_FOLD = str.maketrans("āčēģīķļņōŗšūžĀČĒĢĪĶĻŅŌŖŠŪŽ", "acegiklnorsuzACEGIKLNORSUZ")


def ascii_slug(text: str) -> str:
	return "".join(ch for ch in text.translate(_FOLD).lower() if ch.isalnum())


@dataclass
class Demo:
	scale: Scale
	seed: int = 2026
	rng: random.Random = field(init=False)
	fake: Faker = field(init=False)
	today: date = field(default_factory=date.today)
	used_codes: set[str] = field(default_factory=set)
	used_emails: set[str] = field(default_factory=set)
	users: dict[str, set[str]] = field(default_factory=dict)  # email -> roles

	def __post_init__(self) -> None:
		self.rng = random.Random(self.seed)
		self.fake = Faker("lv_LV")
		self.fake.seed_instance(self.seed)

	# --- people ------------------------------------------------------------------------------------------
	def person(self) -> tuple[str, str, str]:
		if self.rng.random() < 0.5:
			return self.fake.first_name_female(), self.fake.last_name_female(), "F"
		return self.fake.first_name_male(), self.fake.last_name_male(), "M"

	def new_user(self, role: str, email: str | None = None, first: str | None = None, last: str | None = None) -> str:
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
	base = {"owner": "Administrator", "modified_by": "Administrator", "creation": now, "modified": now, "docstatus": 0}
	frappe.db.bulk_insert(
		"User",
		["name", "email", "first_name", "last_name", "full_name", "enabled", "user_type", "language", "send_welcome_email", *base],
		[(email, email, first, last, f"{first} {last}", 1, "System User", "lv", 0, *base.values())],
	)
	frappe.db.bulk_insert(
		"Has Role",
		["name", "parent", "parenttype", "parentfield", "role", "idx", *base],
		[(frappe.generate_hash(length=10), email, "User", "roles", role, 1, *base.values())],
	)


def generate(scale: str | Scale, seed: int = 2026) -> dict[str, int]:
	"""Generate the registers at the given scale; returns counts of what was created."""
	demo = Demo(SCALES[scale] if isinstance(scale, str) else scale, seed)
	frappe.flags.pumpurs_skip_staff_sync = True  # done once at the end, for everyone
	frappe.local.conf.throttle_user_limit = 10**9  # frappe refuses more than 60 new users a minute
	try:
		make_terms()
		showcase = {email: (role, first, last, where) for email, role, first, last, where in SHOWCASE}
		for email, (role, first, last, where) in showcase.items():
			if where == "IKVD":
				demo.new_user(role, email, first, last)
		institutions = make_partners_and_institutions(demo, showcase)
		learners = make_learners(demo, institutions)
	finally:
		frappe.flags.pumpurs_skip_staff_sync = False
	access.resync_all()
	set_passwords(demo)
	return {
		"School Term": frappe.db.count("School Term"),
		"Partner": frappe.db.count("Partner"),
		"Educational Institution": len(institutions),
		"Learner": learners,
		"User": len(demo.users),
	}


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
					doctype="School Term", school_year=school_year, term_type=term_type, start_date=first, end_date=last
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
		for function, role in (("Coordinator", access.PARTNER_COORDINATOR), ("Accountant", access.ACCOUNTANT)):
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
			institutions.append(make_institution(demo, showcase, partner, school_name, education_type, grades, next(codes)))
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


def make_institution(demo: Demo, showcase: dict, partner, name: str, education_type: str, grades: range, code: int) -> dict:
	rng = demo.rng
	mine = {r: e for e, (r, _f, _l, where) in showcase.items() if where == name}

	def user(role: str) -> str:
		email = mine.pop(role, None)
		first, last = (showcase[email][1], showcase[email][2]) if email else (None, None)
		return demo.new_user(role, email, first, last)

	director = user(access.DIRECTOR)
	staff = [{"user": user(access.INSTITUTION_COORDINATOR), "function": "Coordinator"}]
	staff += [{"user": user(access.PLAN_AUTHOR), "function": "Plan Author"} for _ in range(2)]
	for specialist_role in ("Psychologist", rng.choice(catalog.SPECIALIST_ROLES)):
		staff.append({"user": user(access.SPECIALIST), "function": "Specialist", "specialist_role": specialist_role})
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
	return {"name": name, "partner": partner.name, "education_type": education_type, "grades": grades}


def make_learners(demo: Demo, institutions: list[dict]) -> int:
	"""Bulk-insert learners (and guardians) built with the Learner controller's own rules."""
	rng, now, today = demo.rng, now_datetime(), demo.today
	school_year = school_terms.school_year_of(today)
	year_start = school_terms.school_year_start(school_year)
	consent_file = demo_application_file()
	learner_fields = [
		"name", "owner", "modified_by", "creation", "modified", "docstatus", "idx",
		"first_name", "last_name", "full_name", "personal_code", "personal_code_masked", "active_personal_code",
		"date_of_birth", "is_adult", "status", "institution", "partner", "education_type", "grade", "class_label",
		"consent_date", "consent_given_by", "application_file",
	]
	guardian_fields = [
		"name", "owner", "modified_by", "creation", "modified", "docstatus", "idx", "parent", "parenttype",
		"parentfield", "guardian_name", "relation", "phone", "email",
	]
	learners, guardians = [], []
	serial = frappe.db.sql("select current from `tabSeries` where name = 'IZGL-'")
	serial = serial[0][0] if serial else 0
	total = demo.scale.learners_per_institution * len(institutions)
	for institution in institutions:
		for _ in range(demo.scale.learners_per_institution):
			serial += 1
			name = f"IZGL-{serial:05d}"
			if institution["education_type"] == "Vocational" or (
				institution["education_type"] == "Both" and rng.random() < 0.2
			):
				education_type, grade = "Vocational", rng.choice(range(1, 5))
				age_now = 15 + grade
			else:
				education_type, grade = "General", rng.choice(institution["grades"])
				age_now = 6 + grade
			target_group.check_target_group(education_type, grade, school_year, school_terms.SEMESTER_1)
			born = date(year_start - age_now, 1, 1) + timedelta(days=rng.randrange(0, 365))
			code = learner_code(demo, born)
			first, last, _sex = demo.person()
			status = rng.choices(["Active", "Left", "Graduated", "Transferred"], [92, 3, 3, 2])[0]
			adult = target_group.is_adult(born, today)
			consent = date(year_start, 9, 1) + timedelta(days=rng.randrange(0, 40)) if rng.random() < 0.9 else None
			consent = min(consent, today) if consent else None
			learners.append((
				name, "Administrator", "Administrator", now, now, 0, 0,
				first, last, f"{first} {last}", code, personal_code.mask(code), code if status == "Active" else None,
				born, int(adult), status, institution["name"], institution["partner"], education_type, grade,
				class_label(rng, education_type, grade),
				consent, (ADULT_LEARNER if target_group.is_adult(born, consent) else PARENT) if consent else None,
				consent_file if consent else None,
			))
			for idx in range(1, 1 + (0 if adult else rng.choice([1, 2, 2]))):
				g_first, g_last, sex = demo.person()
				guardians.append((
					frappe.generate_hash(length=10), "Administrator", "Administrator", now, now, 0, idx,
					name, "Learner", "guardians", f"{g_first} {g_last}", "Mother" if sex == "F" else "Father",
					f"+371 2{rng.randrange(1000000, 9999999)}",
					f"{ascii_slug(g_first)}.{ascii_slug(g_last)}{rng.randrange(10, 99)}@example.lv",
				))
			if len(learners) >= 5000:
				flush(learner_fields, learners, guardian_fields, guardians)
				frappe.utils.update_progress_bar("Learners", serial, total)
	flush(learner_fields, learners, guardian_fields, guardians)
	frappe.db.sql(
		"insert into `tabSeries` (name, current) values ('IZGL-', %s) on duplicate key update current = %s",
		(serial, serial),
	)
	return total


def flush(learner_fields, learners, guardian_fields, guardians) -> None:
	frappe.db.bulk_insert("Learner", learner_fields, learners)
	frappe.db.bulk_insert("Learner Guardian", guardian_fields, guardians)
	learners.clear()
	guardians.clear()


def learner_code(demo: Demo, born: date) -> str:
	"""Children born from July 2017 have new-format codes; some older people changed theirs too."""
	while True:
		if born >= date(2017, 7, 1) or demo.rng.random() < 0.08:
			code = personal_code.make_new_format(demo.rng.randrange(0, 10**8))
		else:
			code = personal_code.make_old_format(born, demo.rng.randrange(0, 1000))
		if code not in demo.used_codes and not frappe.db.exists("Learner", {"personal_code": code}):
			demo.used_codes.add(code)
			return code


def class_label(rng: random.Random, education_type: str, grade: int) -> str:
	if education_type == "Vocational":
		return f"{rng.choice(['MT', 'AT', 'EL', 'PA', 'DZ'])}-{grade}{rng.choice('12')}"
	return f"{grade}.{rng.choice('abc')}"


def demo_application_file() -> str:
	"""One signed-application scan that every demo learner's record points to."""
	file_name = "pumpurs-demo-iesniegums.pdf"
	existing = frappe.db.get_value("File", {"file_name": file_name}, "file_url")
	if existing:
		return existing
	content = (
		b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
		b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
	)
	return frappe.get_doc(doctype="File", file_name=file_name, content=content, is_private=1).insert().file_url


def set_passwords(demo: Demo) -> None:
	showcase = {email for email, *_rest in SHOWCASE}
	for email in demo.users:
		if demo.scale.staff_can_log_in or email in showcase:
			update_password(email, DEMO_PASSWORD)
