"""The load test's users (run by ``benchmarks/load/run`` with the bench's Python, from the bench's sites folder).

Chooses demo users of the `project`-scale site for each kind of work in ``locustfile.py`` and what each works
on, so that their work does not collide by construction (each author drafts plans at a school of their own
for learners with no plan this term; each specialist gets free hours of their own; each accountant pays a
partner of their own), gives them the demo password (project-scale staff cannot log in otherwise) and writes
``users.json``."""

import argparse
import json
import random
from datetime import timedelta
from pathlib import Path

import frappe
from frappe.utils import getdate, now_datetime, today
from frappe.utils.password import update_password

from pumpurs_app.demo.registers import DEMO_PASSWORD
from pumpurs_app.registers.doctype.school_term.school_term import current_term

# the share of each kind of work among the users (50 users: 12, 10, 8, 6, 4, 6, 4)
SHARES = {
	"authors": 12,
	"specialists": 10,
	"directors": 8,
	"partner_coordinators": 6,
	"regional": 4,
	"accountants": 6,
	"readers": 4,
}
LEARNERS_EACH = 60  # more than an author drafts in the run
SLOTS_EACH = 80  # free consultation hours per specialist
REPORTS = [
	"Plans by Institution and Term",
	"Support Delivered",
	"Risk Profile",
	"Programme Indicators",
	"Compensations",
	"Approval Queue and Ageing",
]


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--users", type=int, default=50)
	parser.add_argument("--seed", type=int, default=2026)
	parser.add_argument("--out", required=True)
	args = parser.parse_args()
	frappe.init(site=args.site, sites_path=args.sites_path)
	frappe.connect()
	try:
		profiles = choose(counts(args.users), random.Random(args.seed))
		for kind in profiles["kinds"]:
			for profile in profiles[kind]:
				update_password(profile["user"], DEMO_PASSWORD)
		frappe.db.commit()
	finally:
		frappe.destroy()
	Path(args.out).write_text(json.dumps(profiles, indent=1, ensure_ascii=False, default=str) + "\n")
	print({kind: len(profiles[kind]) for kind in profiles["kinds"]})


def counts(users: int) -> dict[str, int]:
	scaled = {kind: max(1, users * share // sum(SHARES.values())) for kind, share in SHARES.items()}
	scaled["authors"] += users - sum(scaled.values())
	return scaled


def choose(wanted: dict[str, int], rng: random.Random) -> dict:
	term = current_term()
	school_year, start, end = frappe.db.get_value(
		"School Term", term, ["school_year", "start_date", "end_date"]
	)
	schools = authors_schools(term, wanted["authors"], rng)
	profiles = {
		"site": frappe.local.site,
		"password": DEMO_PASSWORD,
		"kinds": list(wanted),
		"term": term,
		"school_year": school_year,
		"reports": REPORTS,
		"started_at": str(now_datetime()),
		"site_counts": {
			doctype: frappe.db.count(doctype)
			for doctype in (
				"Partner",
				"Educational Institution",
				"Learner",
				"Individual Support Plan",
				"Support Consultation",
				"Compensation",
			)
		},
		"environment": {
			"frappe": frappe.__version__,
			"mariadb": frappe.db.sql("select version()")[0][0],
		},
		"authors": [
			{"user": s.author, "institution": s.name, "learners": learners_without_plan(s.name, term)}
			for s in schools
		],
		"directors": [{"user": s.director, "institution": s.name} for s in schools if s.director != s.author][
			: wanted["directors"]
		],
	}
	partners = list(dict.fromkeys(s.partner for s in schools))
	profiles["partner_coordinators"] = [
		{"user": user, "partner": partner}
		for partner in partners
		for user in partner_staff(partner, "Coordinator")[:1]
	][: wanted["partner_coordinators"]]
	profiles["regional"] = [{"user": user} for user in regional_coordinators()][: wanted["regional"]]
	profiles["specialists"] = specialists(
		term, getdate(start), min(getdate(end), getdate(today())), wanted, rng
	)
	profiles["accountants"] = accountants(wanted["accountants"], rng)
	taken = {p["user"] for kind in profiles["kinds"] if kind in profiles for p in profiles[kind]}
	readers = [
		user
		for partner in frappe.get_all("Partner", pluck="name", order_by="name")
		if partner not in partners
		for user in partner_staff(partner, "Coordinator")[:1]
		if user not in taken
	]
	# the readers make up the users the site has too few of for their kind (it may have one regional coordinator)
	missing = sum(wanted.values()) - len(taken)
	profiles["readers"] = [{"user": user} for user in rng.sample(readers, missing)]
	return profiles


def authors_schools(term: str, wanted: int, rng: random.Random) -> list:
	"""Municipal schools (their plans pass every approval step) with a director, a plan author and enough
	learners without a plan this term."""
	schools = frappe.db.sql(
		"""select i.name, i.partner, i.director, (select s.user from `tabInstitution Staff Member` s
			where s.parent = i.name and s.function = 'Plan Author' order by s.idx limit 1) as author
		from `tabEducational Institution` i
		where i.partner_type = 'Municipality' and i.status = 'Active' and i.director is not null
		having author is not null order by i.name""",
		as_dict=True,
	)
	rng.shuffle(schools)
	chosen, partners = [], set()
	for school in schools:  # schools of different partners first: more coordinators at work
		if school.partner not in partners and len(learners_without_plan(school.name, term)) >= LEARNERS_EACH:
			chosen.append(school)
			partners.add(school.partner)
		if len(chosen) == wanted:
			break
	return chosen


def learners_without_plan(institution: str, term: str) -> list[dict]:
	return frappe.db.sql(
		"""select l.name as learner, l.grade, l.education_type from `tabLearner` l
		where l.institution = %(institution)s and l.status = 'Active' and l.anonymised_on is null
			and l.consent_date is not null and ifnull(l.application_file, '') != ''
			and not exists (select 1 from `tabIndividual Support Plan` p
				where p.active_plan_key = concat(l.name, '|', %(term)s))
		order by l.name limit %(limit)s""",
		{"institution": institution, "term": term, "limit": LEARNERS_EACH},
		as_dict=True,
	)


def regional_coordinators() -> list[str]:
	return frappe.get_all(
		"Has Role",
		{"role": "PuMPuRS Regional Coordinator", "parenttype": "User"},
		pluck="parent",
		order_by="parent",
	)


def partner_staff(partner: str, function: str) -> list[str]:
	return frappe.get_all(
		"Partner Staff Member", {"parent": partner, "function": function}, pluck="user", order_by="idx"
	)


def specialists(term: str, start, end, wanted: dict, rng: random.Random) -> list[dict]:
	"""Specialists with approved plans of this term to log consultations on, and free hours of their own."""
	rows = frappe.db.sql(
		"""select s.user, m.parent as plan, m.name as measure from `tabIndividual Support Plan` p
		join `tabSupport Plan Measure` m on m.parent = p.name and m.measure_kind = 'Consultation'
		join `tabInstitution Staff Member` s on s.parent = p.institution and s.function = 'Specialist'
			and s.specialist_role = m.specialist_role and (m.specialist is null or m.specialist = s.user)
		where p.school_term = %s and p.docstatus = 1 and p.workflow_state = 'Approved'""",
		term,
		as_dict=True,
	)
	by_user: dict[str, list] = {}
	for row in rows:
		by_user.setdefault(row.user, []).append((row.plan, row.measure))
	users = sorted(by_user)
	rng.shuffle(users)
	days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
	days = [day for day in days if day.weekday() < 5][-30:]  # the last 30 school days
	chosen = []
	for user in users[: wanted["specialists"]]:
		busy = {
			(getdate(r.consultation_date), hour)
			for r in frappe.get_all(
				"Support Consultation",
				{"specialist": user, "consultation_date": ("between", [days[0], days[-1]])},
				["consultation_date", "start_time", "duration_minutes"],
			)
			for hour in hours_touched(r.start_time, r.duration_minutes)
		}
		free = [(day, hour) for day in days for hour in range(8, 17) if (day, hour) not in busy]
		slots = []
		for day, hour in rng.sample(free, min(SLOTS_EACH, len(free))):
			plan, measure = rng.choice(by_user[user])
			slots.append(
				{"plan": plan, "measure": measure, "date": str(day), "start_time": f"{hour:02d}:00:00"}
			)
		chosen.append({"user": user, "slots": slots})
	return chosen


def hours_touched(start, minutes) -> range:
	"""The whole hours a consultation starting at ``start`` (a timedelta) and lasting ``minutes`` touches."""
	first = int(start.total_seconds() // 3600)
	last = int((start.total_seconds() + 60 * (minutes or 0) - 1) // 3600)
	return range(first, last + 1)


def accountants(wanted: int, rng: random.Random) -> list[dict]:
	"""One accountant each of the partners with the most claims to verify or pay."""
	partners = frappe.db.sql(
		"""select partner from `tabCompensation` where workflow_state in ('Submitted', 'Approved')
		group by partner order by count(*) desc, partner""",
		pluck=True,
	)
	chosen = []
	for partner in partners:
		if users := partner_staff(partner, "Accountant"):
			chosen.append({"user": rng.choice(users), "partner": partner})
		if len(chosen) == wanted:
			break
	return chosen


if __name__ == "__main__":
	main()
