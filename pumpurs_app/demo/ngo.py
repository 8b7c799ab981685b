"""Demo youth NGO projects: one to three a school year in each municipality, EUR 4,600 each, run by youth
associations and foundations. The learners whose approved plans have a measure in a project are its
participants, in the order their plans were approved (``IndividualSupportPlan.on_submit`` enrols them)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pumpurs_app.demo import bulk, catalog
from pumpurs_app.demo.registers import FIRST_SCHOOL_YEAR
from pumpurs_app.rules import registration, school_terms
from pumpurs_app.rules.errors import RuleViolation

NGO = "Youth NGO Project"
AMOUNT = 4600
FIELDS = [
	"name",
	*bulk.STANDARD,
	"docstatus",
	"idx",
	"title",
	"partner",
	"status",
	"organisation_name",
	"organisation_registration_number",
	"amount",
	"period_from",
	"period_to",
	"description",
]
PARTICIPANT_FIELDS = [
	"name",
	*bulk.STANDARD,
	"docstatus",
	"idx",
	"parent",
	"parenttype",
	"parentfield",
	"learner",
	"learner_name",
	"institution",
]


def periods(year: int) -> list[tuple[date, date]]:
	"""When projects of the school year starting in ``year`` usually run."""
	return [
		(date(year, 10, 1), date(year + 1, 5, 31)),
		(date(year, 9, 15), date(year, 12, 20)),
		(date(year + 1, 2, 1), date(year + 1, 6, 15)),
		(date(year + 1, 1, 15), date(year + 1, 5, 29)),
		(date(year, 11, 1), date(year + 1, 4, 30)),
	]


@dataclass
class Project:
	partner: str
	owner: str
	created: datetime
	period_from: date
	period_to: date
	status: str
	title: str
	organisation: str
	registration_number: str
	description: str
	name: str = ""
	participants: dict = field(default_factory=dict)  # learner name -> (enrolled at, by, learner)

	def runs_in(self, partner: str, term: school_terms.Term) -> bool:
		return (
			self.partner == partner
			and self.status != "Cancelled"
			and self.period_from <= term.end_date
			and self.period_to >= term.start_date
		)

	def enrol(self, plan) -> None:
		if plan.learner.name not in self.participants:
			when, _state, who = next(e for e in plan.events if e[1] == "Approved")
			self.participants[plan.learner.name] = (when, who, plan.learner)


def make_projects(ctx) -> dict[str, Project]:
	rng, today = ctx.rng, ctx.today
	partners = {}
	for institution in ctx.demo.institutions:
		if institution["partner_type"] == "Municipality":
			partners[institution["partner"]] = institution["partner_coordinators"]
	current_start = school_terms.school_year_start(school_terms.school_year_of(today))
	used, projects = set(), []
	for partner, coordinators in sorted(partners.items()):
		for year in range(FIRST_SCHOOL_YEAR, current_start + 1):
			for start, end in rng.sample(periods(year), rng.choice([1, 1, 2, 2, 3])):
				created = bulk.office_time(
					rng, bulk.weekday_on_or_before(start - timedelta(days=rng.randint(20, 60)))
				)
				if created > ctx.now:
					continue  # not registered yet
				if rng.random() < 0.04:
					status = "Cancelled"
				else:
					status = "Completed" if end < today else "Running" if start <= today else "Planned"
				projects.append(
					Project(
						partner=partner,
						owner=rng.choice(coordinators),
						created=created,
						period_from=start,
						period_to=end,
						status=status,
						title=rng.choice(catalog.NGO_TITLES),
						organisation=f"{rng.choice(catalog.NGO_KINDS)} „{rng.choice(catalog.NGO_NAMES)}”",
						registration_number=ngo_registration_number(rng, used),
						description=f"<p>{rng.choice(catalog.NGO_DESCRIPTIONS)}</p>",
					)
				)
	series = bulk.Series(3)
	for project in sorted(projects, key=lambda p: p.created):
		project.name = series.next(f"NVO-{project.created.year}-")
	series.save()
	return {p.name: p for p in projects}


def ngo_registration_number(rng, used: set[str]) -> str:
	"""Associations and foundations are registered with numbers 40008…; the check digit makes it valid."""
	while True:
		body = "40008" + "".join(rng.choice("0123456789") for _ in range(5))
		for check in "0123456789":
			try:
				number = registration.normalize_registration_number(body + check)
			except RuleViolation:
				continue
			if number not in used:
				used.add(number)
				return number


def write_projects(ctx, projects) -> None:
	rows = bulk.Table(NGO, FIELDS)
	participants = bulk.Table("Youth NGO Project Participant", PARTICIPANT_FIELDS)
	row_name = bulk.RowNames()
	for project in projects:
		enrolled = sorted(project.participants.values(), key=lambda p: p[0])
		modified, modified_by = (
			(enrolled[-1][0], enrolled[-1][1]) if enrolled else (project.created, project.owner)
		)
		rows.add(
			(
				project.name,
				*bulk.standard(project.owner, project.created, modified, modified_by),
				0,
				0,
				project.title,
				project.partner,
				project.status,
				project.organisation,
				project.registration_number,
				AMOUNT,
				project.period_from,
				project.period_to,
				project.description,
			)
		)
		for idx, (_when, _who, learner) in enumerate(enrolled, 1):
			participants.add(
				(
					row_name(),
					*bulk.standard(project.owner, project.created, modified, modified_by),
					0,
					idx,
					project.name,
					NGO,
					"participants",
					learner.name,
					learner.full_name,
					learner.institution["name"],
				)
			)
	rows.flush()
	participants.flush()
