"""Demo individual support plans in every workflow state, their consultations and the youth NGO projects.

For every term from 2021/2022 S1 to today's, each institution's plans go to learners in the programme's target
group that term (their grade then, by ``rules.target_group``), many of them continuing the learner's plan of the
previous semester (``previous_plan``, as "Continue next term" makes it). Plans of terms that have ended are
mostly evaluated; today's term holds every state of the approval chain. Each plan is built with the rules its
controller applies (``rules.support_plans.check_plan``, the approval chain, the stamps and derived fields its
controller sets as the plan moves through the workflow) and the rows are bulk-inserted term by term;
``tests/integration/test_demo.py`` proves them consistent with the controllers.

Proportions follow the programme's reports (``/work/shared/domain.md``, "Scale"): about 8–90 plans per school
and semester (median about 12), most risks and about four fifths of the measures about learning and the school
environment, then economic, family and social/health risks; severity mostly Medium.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import frappe
from frappe.utils import now_datetime

from pumpurs_app import access
from pumpurs_app.demo import bulk, catalog, consultations, ngo
from pumpurs_app.demo.registers import FIRST_SCHOOL_YEAR, SHOWCASE_SCHOOL, Demo, LearnerFact, consent_signer
from pumpurs_app.registers.doctype.school_term.school_term import all_terms
from pumpurs_app.reporting.doctype.pumpurs_consultation_totals import (
	pumpurs_consultation_totals as consultation_totals,
)
from pumpurs_app.rules import school_terms, target_group
from pumpurs_app.rules import support_plans as rules
from pumpurs_app.rules.school_terms import Term

PLAN = "Individual Support Plan"
LANG = "lv"  # demo staff work in Latvian: translated values the controllers store are in Latvian

# today's term: how far its plans have got (a learner without a signed application stays in Draft)
CURRENT_STATES = {
	rules.DRAFT: 6,
	rules.PENDING_DIRECTOR: 9,
	rules.PENDING_PARTNER: 7,
	rules.PENDING_IKVD: 8,
	rules.RETURNED: 5,
	rules.APPROVED: 62,
	rules.REJECTED: 2,
	rules.CANCELLED: 1,
}
REJECTED_SHARE, CANCELLED_SHARE = 0.025, 0.015  # of the plans of an ended term
RETURN_CYCLE_SHARE = 0.06  # approved plans that were once returned to their author
CONTINUE_SHARE = 0.6  # learners whose plan continues in the next semester
REPLACED_SHARE = 0.5  # rejected plans followed by a new plan in the same term
EXTENDED_YEAR_SHARE = 0.3  # institutions with an extended school year (holiday-term plans) in a given summer
SHOWCASE_PLANS = {
	(2021, school_terms.SEMESTER_1): 53,
	(2021, school_terms.SEMESTER_2): 52,
}  # Jelgavas 4. sākumskola
LARGE_VOCATIONAL_SCHOOL = "Rīgas Valsts tehnikums"
SEVERITIES = {"Low": 17, "Medium": 68, "High": 15}
OUTCOMES = {"Reduced": 50, "Unchanged": 37, "Increased": 13}
STEP_DAYS = {  # days an approval step takes: (least, most)
	rules.PENDING_DIRECTOR: (0, 5),
	rules.PENDING_PARTNER: (1, 7),
	rules.PENDING_IKVD: (1, 8),
}

PLAN_FIELDS = [
	"name",
	*bulk.STANDARD,
	"docstatus",
	"idx",
	"learner",
	"learner_name",
	"school_term",
	"term_type",
	"institution",
	"partner",
	"partner_type",
	"education_type",
	"grade",
	"plan_author",
	"plan_author_name",
	"plan_date",
	"consent_on_file",
	"holiday_order",
	"previous_plan",
	"has_learning_risk",
	"has_social_risk",
	"has_economic_risk",
	"has_family_risk",
	"highest_severity",
	"learning_risk_severity",
	"social_risk_severity",
	"economic_risk_severity",
	"family_risk_severity",
	"workflow_state",
	"decision_reason",
	"pending_since",
	"approval_reminded_on",
	"active_plan_key",
	"director_approved_by",
	"director_approved_on",
	"partner_approved_by",
	"partner_approved_on",
	"ikvd_approved_by",
	"ikvd_approved_on",
	"continues_next_term",
	"evaluation_notes",
	"evaluated_on",
	"evaluated_by",
	"evaluation_reminded_on",
	"shaped_by",
]
CHILD = ["name", *bulk.STANDARD, "docstatus", "idx", "parent", "parenttype", "parentfield"]
RISK_FIELDS = [*CHILD, "risk_factor", "risk_group", "severity", "observation", "outcome"]
MEASURE_FIELDS = [
	*CHILD,
	"measure_kind",
	"risk_factor",
	"specialist_role",
	"specialist",
	"compensation_type",
	"ngo_project",
	"planned_hours",
	"planned_amount",
	"frequency",
	"delivered_hours",
]
ACTION_FIELDS = [
	"name",
	*bulk.STANDARD,
	"docstatus",
	"idx",
	"status",
	"reference_doctype",
	"reference_name",
	"workflow_state",
]
ACTION_ROLE_FIELDS = [
	"name",
	*bulk.STANDARD,
	"docstatus",
	"idx",
	"parent",
	"parenttype",
	"parentfield",
	"role",
]
COMMENT_FIELDS = [
	"name",
	*bulk.STANDARD,
	"docstatus",
	"idx",
	"comment_type",
	"comment_email",
	"reference_doctype",
	"reference_name",
	"content",
]


@dataclass(slots=True)
class Risk:
	factor: str
	group: str
	severity: str
	observation: str | None = None
	outcome: str | None = None


@dataclass(slots=True)
class Measure:
	kind: str
	factor: str
	specialist_role: str | None = None
	specialist: str | None = None
	compensation_type: str | None = None
	ngo_project: str | None = None
	planned_hours: float = 0
	planned_amount: float = 0
	frequency: str | None = None
	delivered_hours: float = 0
	name: str = ""
	idx: int = 0


@dataclass(slots=True)
class Plan:
	learner: LearnerFact
	term: Term
	grade: int
	author: str
	owner: str
	created: datetime
	risks: list[Risk]
	measures: list[Measure]
	previous: "Plan | None" = None
	name: str = ""
	state: str = rules.DRAFT
	# the workflow as it happened: (when, new state, who)
	events: list[tuple[datetime, str, str]] = field(default_factory=list)
	stamps: dict[str, tuple[str, datetime]] = field(default_factory=dict)
	decision_reason: str | None = None
	comments: list[tuple[datetime, str, str]] = field(default_factory=list)
	approved_at: datetime | None = None
	continues: str | None = None
	evaluation_notes: str | None = None
	evaluated_at: datetime | None = None
	evaluated_by: str | None = None
	holiday_order: str | None = None
	approval_reminded_on: date | None = None
	evaluation_reminded_on: date | None = None

	@property
	def institution(self) -> dict:
		return self.learner.institution

	@property
	def docstatus(self) -> int:
		return {rules.APPROVED: 1, rules.EVALUATED: 1, rules.CANCELLED: 2}.get(self.state, 0)

	@property
	def live(self) -> bool:
		return self.docstatus < 2 and self.state not in rules.CLOSED_WITHOUT_SUPPORT

	@property
	def modified(self) -> tuple[datetime, str]:
		when, _state, who = self.events[-1] if self.events else (self.created, None, self.owner)
		return when, who

	@property
	def submitted(self) -> bool:
		return self.approved_at is not None

	@property
	def shaped_by(self) -> list[str]:
		"""As the controller records them: who created the plan, then who sent it (again)."""
		senders = [who for _when, state, who in self.events if state == rules.PENDING_DIRECTOR]
		return list(dict.fromkeys([self.owner, *senders]))


class Context:
	"""What the generator reads once: terms, the risk catalogue, settings, the workflow and the demo's people."""

	def __init__(self, demo: Demo):
		self.demo, self.rng, self.scale = demo, random.Random(demo.seed + 1), demo.scale
		self.now = now_datetime().replace(microsecond=0)
		self.today = self.now.date()
		current_start = school_terms.school_year_start(school_terms.school_year_of(self.today))
		self.terms = sorted(
			(
				t
				for t in all_terms()
				if FIRST_SCHOOL_YEAR <= school_terms.school_year_start(t.school_year) <= current_start
				and t.start_date <= self.today
			),
			key=lambda t: t.sort_key,
		)
		factors = frappe.get_all("Risk Factor", filters={"disabled": 0}, fields=["name", "risk_group"])
		self.factors: dict[str, list[str]] = defaultdict(list)
		for row in factors:
			self.factors[row.risk_group].append(row.name)
		self.group_of = {row.name: row.risk_group for row in factors}
		settings = frappe.get_cached_doc("PuMPuRS Settings")
		self.max_minutes = settings.max_consultation_minutes
		self.confirmation_days = settings.confirmation_days
		self.approval_reminder_days = settings.approval_reminder_days
		self.evaluation_reminder_days = settings.evaluation_reminder_days
		roles = demo.users
		self.ikvd = sorted(u for u, r in roles.items() if access.REGIONAL_COORDINATOR in r) or [
			"Administrator"
		]
		self.administrators = sorted(u for u, r in roles.items() if access.ADMINISTRATOR in r) or [
			"Administrator"
		]
		self.full_names = dict(
			frappe.get_all(
				"User", filters={"name": ("in", list(roles))}, fields=["name", "full_name"], as_list=True
			)
		)
		self.translated = {}
		self.deck = Deck(self.rng, CURRENT_STATES)
		self.holiday_order = bulk.demo_file("pumpurs-demo-rikojums.pdf")
		self.next_roles = workflow_roles()
		self.by_institution: dict[str, list[LearnerFact]] = defaultdict(list)
		for learner in demo.learners:
			self.by_institution[learner.institution["name"]].append(learner)
		# plans a semester: the seed school about 50, the large vocational school about 70 (142 a year), the
		# others spread around the median (vocational schools are bigger)
		low, median, high = self.scale.plans_per_term
		self.plans_per_term = (low, high)
		self.intensity = {}
		for institution in demo.institutions:
			intensity = median * self.rng.lognormvariate(0, 0.55)
			if institution["education_type"] == target_group.VOCATIONAL:
				intensity *= 1.6
			intensity = {SHOWCASE_SCHOOL: 50, LARGE_VOCATIONAL_SCHOOL: 70}.get(institution["name"], intensity)
			self.intensity[institution["name"]] = min(high, max(low, intensity))

	def lv(self, text: str, context: str | None = None) -> str:
		key = (text, context)
		if key not in self.translated:
			self.translated[key] = frappe._(text, lang=LANG, context=context)
		return self.translated[key]

	def ended(self, term: Term) -> bool:
		return term.end_date < self.today


def workflow_roles() -> dict[tuple[str, str], list[str]]:
	"""(state, partner type) -> roles of the Open workflow action frappe creates for a plan in that state."""
	from frappe.model.workflow import get_workflow_name
	from frappe.workflow.doctype.workflow_action.workflow_action import get_next_possible_transitions

	workflow = get_workflow_name(PLAN)
	roles = {}
	for partner_type in ("Municipality", "State vocational school"):
		doc = frappe.new_doc(PLAN)
		doc.partner_type = partner_type
		for state in (
			rules.DRAFT,
			*rules.PENDING,
			rules.RETURNED,
			rules.APPROVED,
			rules.EVALUATED,
			rules.REJECTED,
			rules.CANCELLED,
		):
			doc.workflow_state = state
			roles[(state, partner_type)] = sorted(
				{t.allowed for t in get_next_possible_transitions(workflow, state, doc)}
			)
	return roles


def weighted(rng: random.Random, weights: dict):
	return rng.choices(list(weights), list(weights.values()))[0]


class Deck:
	"""States for today's term in the proportions of CURRENT_STATES, drawn like cards from a shuffled deck that
	starts with one card of each state, so that even a few plans show every state of the approval chain."""

	def __init__(self, rng: random.Random, weights: dict[str, int]):
		self.rng, self.weights, self.cards = rng, weights, list(weights)
		rng.shuffle(self.cards)

	def draw(self, allowed: set[str]) -> str:
		while True:
			for i, card in enumerate(self.cards):
				if card in allowed:
					return self.cards.pop(i)
			refill = [state for state, weight in self.weights.items() for _ in range(weight)]
			self.rng.shuffle(refill)
			self.cards += refill


# --- generation --------------------------------------------------------------------------------------------


def generate(demo: Demo) -> dict[str, int]:
	ctx = Context(demo)
	by_name = ngo.make_projects(ctx)
	projects = defaultdict(list)  # partner -> its projects
	for project in by_name.values():
		projects[project.partner].append(project)
	writer = Writer(ctx)
	previous: dict[str, Plan] = {}  # learner -> their live plan of the last semester
	spring: dict[str, Plan] = {}  # learner -> their live plan of the last second semester (for holiday plans)
	first_plan: dict[str, datetime] = {}  # learner -> when their first plan beyond Draft was made
	for number, term in enumerate(ctx.terms, 1):
		plans = []
		for institution in demo.institutions:
			if term.term_type == school_terms.HOLIDAY:
				plans += holiday_plans(ctx, institution, term, spring)
			else:
				plans += term_plans(
					ctx, institution, term, previous, projects.get(institution["partner"], [])
				)
		plans.sort(key=lambda p: p.created)
		for plan in plans:
			plan.name = writer.plan_name(plan)
			if plan.state != rules.DRAFT or plan.events:
				first_plan[plan.learner.name] = min(
					first_plan.get(plan.learner.name, plan.created), plan.created
				)
		consultations.deliver(ctx, writer, plans)
		for plan in plans:
			writer.write_plan(plan)
			for row in plan.measures:
				if row.ngo_project and plan.submitted:
					by_name[row.ngo_project].enrol(plan)
		if term.term_type != school_terms.HOLIDAY:
			previous = {p.learner.name: p for p in plans if p.live}
			spring = previous if term.term_type == school_terms.SEMESTER_2 else {}
		frappe.utils.update_progress_bar("Support plans and consultations", number - 1, len(ctx.terms))
	writer.flush()
	consultation_totals.recount()  # the bulk writer bypasses the controller that keeps them
	ngo.write_projects(ctx, by_name.values())
	fix_consents(ctx, first_plan)
	print()
	counts = {
		"Individual Support Plan": writer.plans.count,
		"Support Consultation": writer.consultations.count,
		"Youth NGO Project": len(by_name),
	}
	return counts


def eligible(ctx: Context, institution: dict, term: Term, current: bool) -> list[tuple[LearnerFact, int]]:
	"""Learners of the institution in the target group in ``term`` (by their grade that year)."""
	year = school_terms.school_year_start(term.school_year)
	pool = []
	for learner in ctx.by_institution[institution["name"]]:
		if learner.last_year < year or (current and learner.status != "Active"):
			continue
		grade = learner.grade_in(year)
		lowest = 1 if learner.education_type == target_group.VOCATIONAL else institution["grades"][0]
		if grade < lowest or not target_group.in_target_group(
			learner.education_type, grade, term.school_year, term.term_type
		):
			continue
		if learner.consent or current:  # without a signed application only a draft, and only now
			pool.append((learner, grade))
	return pool


def term_plans(
	ctx: Context, institution: dict, term: Term, previous: dict[str, Plan], projects: list
) -> list[Plan]:
	rng, current = ctx.rng, not ctx.ended(term)
	pool = eligible(ctx, institution, term, current)
	year = school_terms.school_year_start(term.school_year)
	wanted = SHOWCASE_PLANS.get((year, term.term_type)) if institution["name"] == SHOWCASE_SCHOOL else None
	exact = wanted is not None  # the seed school's reported counts, with no rejected plan replaced
	if not exact:
		wanted = ctx.intensity[institution["name"]] * rng.uniform(0.85, 1.15)
		wanted = wanted * (1.1 if term.term_type == school_terms.SEMESTER_2 else 1)  # more in spring
		low, high = ctx.plans_per_term
		wanted = round(min(high, max(low, wanted)))
	continuing, fresh = [], []
	for learner, grade in pool:
		before = previous.get(learner.name)
		if before and before.continues != "No" and rng.random() < CONTINUE_SHARE:
			continuing.append((learner, grade, before))
		elif not before:
			fresh.append((learner, grade, None))
	chosen = continuing + rng.sample(fresh, min(len(fresh), max(0, wanted - len(continuing))))
	running = [p for p in projects if p.runs_in(institution["partner"], term)]
	plans = []
	for learner, grade, before in chosen:
		plan = new_plan(ctx, learner, grade, term, before, running)
		plans.append(plan)
		if plan.state == rules.REJECTED and not exact and rng.random() < REPLACED_SHARE:
			rejected_at = plan.events[-1][0]
			if rejected_at.date() + timedelta(days=3) < term.end_date - timedelta(days=20):
				plans.append(
					new_plan(ctx, learner, grade, term, None, running, after=rejected_at, replacing=True)
				)
	return plans


def holiday_plans(ctx: Context, institution: dict, term: Term, spring: dict[str, Plan]) -> list[Plan]:
	"""Plans of the summer holiday term, at the institutions that extend their school year (with the order)."""
	rng = ctx.rng
	if rng.random() > EXTENDED_YEAR_SHARE:
		return []
	candidates = [
		p
		for p in spring.values()
		if p.institution is institution and p.submitted and p.state != rules.CANCELLED
	]
	candidates = [
		p
		for p in candidates
		if p.learner.last_year > school_terms.school_year_start(term.school_year)
		or p.learner.status == "Active"
	]
	plans = []
	most = max(2, ctx.plans_per_term[1] // 10)
	for spring_plan in rng.sample(candidates, min(len(candidates), rng.randint(1, most))):
		plan = new_plan(ctx, spring_plan.learner, spring_plan.grade, term, spring_plan, [], holiday=True)
		plans.append(plan)
	return plans


def new_plan(
	ctx: Context,
	learner: LearnerFact,
	grade: int,
	term: Term,
	before: Plan | None,
	projects: list,
	after: datetime | None = None,
	replacing: bool = False,
	holiday: bool = False,
) -> Plan:
	rng, institution = ctx.rng, learner.institution
	author = rng.choice(institution["authors"])
	if before and before.author in institution["authors"] and rng.random() < 0.85:
		author = before.author
	owner = institution["coordinator"] if rng.random() < 0.1 else author
	if before:
		risks = continued_risks(ctx, before.risks)
		measures = continued_measures(ctx, before.measures, risks, projects, institution)
	else:
		risks = fresh_risks(ctx, learner)
		measures = []
	measures = complete_measures(ctx, institution, risks, measures, projects)
	for idx, row in enumerate(measures, 1):
		row.idx = idx
	rules.check_plan(
		[rules.Risk(r.factor, r.group, r.severity) for r in risks],
		[
			rules.Measure(
				m.idx,
				m.kind,
				m.factor,
				m.specialist_role,
				m.planned_hours,
				m.compensation_type,
				Decimal(str(m.planned_amount)),
				m.ngo_project,
			)
			for m in measures
		],
	)
	plan = Plan(
		learner,
		term,
		grade,
		author,
		owner,
		datetime.min,
		risks,
		measures,
		previous=None if holiday or replacing else before,
	)
	if holiday:
		plan.holiday_order = ctx.holiday_order
	plan.state = choose_state(ctx, plan, replacing)
	walk(ctx, plan, after)
	return plan


def fresh_risks(ctx: Context, learner: LearnerFact) -> list[Risk]:
	rng = ctx.rng
	vocational = learner.education_type == target_group.VOCATIONAL
	groups = [
		group
		for group, share in (
			(rules.LEARNING, 0.86),
			(rules.SOCIAL, 0.06),
			(rules.ECONOMIC, 0.5 if vocational else 0.33),
			(rules.FAMILY, 0.09),
		)
		if rng.random() < share and ctx.factors[group]
	] or [rules.LEARNING]
	risks = []
	for group in groups:
		count = 2 if group == rules.LEARNING and rng.random() < 0.45 else 1
		for factor in pick_factors(ctx, group, count):
			risks.append(new_risk(ctx, factor, group))
	return risks


def pick_factors(ctx: Context, group: str, count: int, exclude: set[str] = frozenset()) -> list[str]:
	options = [f for f in ctx.factors[group] if f not in exclude]
	picked = []
	while options and len(picked) < count:
		factor = ctx.rng.choices(options, [catalog.RISK_FACTOR_WEIGHTS.get(f, 1) for f in options])[0]
		picked.append(factor)
		options.remove(factor)
	return picked


def new_risk(ctx: Context, factor: str, group: str) -> Risk:
	rng = ctx.rng
	notes = catalog.RISK_OBSERVATIONS.get(factor)
	return Risk(
		factor, group, weighted(rng, SEVERITIES), rng.choice(notes) if notes and rng.random() < 0.8 else None
	)


def continued_risks(ctx: Context, before: list[Risk]) -> list[Risk]:
	"""The previous plan's risks, as "Continue next term" copies them, then edited by the author."""
	rng, levels = ctx.rng, list(SEVERITIES)
	risks = []
	for old in before:
		if old.factor not in ctx.group_of:
			continue  # the factor has been disabled since
		severity = old.severity
		if old.outcome == "Reduced":
			if rng.random() < 0.4:
				continue
			if rng.random() < 0.5:
				severity = levels[max(0, levels.index(severity) - 1)]
		elif old.outcome == "Increased" and rng.random() < 0.5:
			severity = levels[min(2, levels.index(severity) + 1)]
		risks.append(Risk(old.factor, old.group, severity, old.observation))
	if not risks:
		first = next((r for r in before if r.factor in ctx.group_of), None)
		risks = [Risk(first.factor, first.group, first.severity, first.observation)] if first else []
	if not risks or rng.random() < 0.15:
		group = weighted(rng, {rules.LEARNING: 60, rules.ECONOMIC: 25, rules.FAMILY: 10, rules.SOCIAL: 5})
		for factor in pick_factors(ctx, group, 1, {r.factor for r in risks}):
			risks.append(new_risk(ctx, factor, group))
	return sorted(risks, key=lambda r: rules.RISK_GROUPS.index(r.group))


def continued_measures(
	ctx: Context, before: list[Measure], risks: list[Risk], projects: list, institution: dict
) -> list[Measure]:
	"""The previous plan's measures for the risks that remain (a project measure only if the project still runs)."""
	factors = {r.factor for r in risks}
	running = {p.name for p in projects}
	kept = []
	for old in before:
		if old.factor not in factors or (old.ngo_project and old.ngo_project not in running):
			continue
		if old.specialist and (old.specialist, old.specialist_role) not in institution["specialists"]:
			continue
		kept.append(
			Measure(
				old.kind,
				old.factor,
				old.specialist_role,
				old.specialist,
				old.compensation_type,
				old.ngo_project,
				old.planned_hours,
				old.planned_amount,
				old.frequency,
			)
		)
	return kept


def complete_measures(
	ctx: Context, institution: dict, risks: list[Risk], measures: list[Measure], projects: list
) -> list[Measure]:
	"""Add measures until every risk group present is addressed (the controller's rule)."""
	rng = ctx.rng
	group_of = {r.factor: r.group for r in risks}
	addressed = {group_of[m.factor] for m in measures}
	for group in rules.groups_present([rules.Risk(r.factor, r.group, r.severity) for r in risks]):
		if group in addressed:
			continue
		factors = [r.factor for r in risks if r.group == group]
		if group == rules.LEARNING:
			count = rng.choices([1, 2, 3], [28, 47, 25])[0]
			for n, role in enumerate(consultation_roles(ctx, institution, group, count)):
				measures.append(consultation_measure(ctx, institution, factors[n % len(factors)], role))
			if rng.random() < 0.1:
				measures.append(compensation_measure(ctx, factors[0], {"Individual learning materials": 1}))
		else:
			for factor in factors:
				options = catalog.COMPENSATIONS.get(factor)
				wants_money = {rules.ECONOMIC: 0.9, rules.SOCIAL: 0.3, rules.FAMILY: 0}[group]
				if options and rng.random() < wants_money:
					measures.append(compensation_measure(ctx, factor, options))
				else:
					role = consultation_roles(ctx, institution, group, 1)[0]
					measures.append(consultation_measure(ctx, institution, factor, role))
	if projects and not any(m.ngo_project for m in measures) and rng.random() < 0.06:
		factor = next(
			(r.factor for r in risks if r.factor in ("Low learning motivation", "Lack of parental support")),
			risks[0].factor,
		)
		measures.append(
			Measure(
				rules.NGO_PROJECT, factor, ngo_project=rng.choice(projects).name, frequency="projekta laikā"
			)
		)
	return measures


def consultation_roles(ctx: Context, institution: dict, group: str, count: int) -> list[str]:
	available = {role for _user, role in institution["specialists"]}
	weights = {role: w for role, w in catalog.CONSULTATION_ROLES[group].items() if role in available}
	weights = weights or dict.fromkeys(available, 1)
	roles = []
	while weights and len(roles) < count:
		role = weighted(ctx.rng, weights)
		roles.append(role)
		weights.pop(role)
	return roles or [sorted(available)[0]]


def consultation_measure(ctx: Context, institution: dict, factor: str, role: str) -> Measure:
	rng = ctx.rng
	people = [user for user, r in institution["specialists"] if r == role]
	return Measure(
		rules.CONSULTATION,
		factor,
		specialist_role=role,
		specialist=rng.choice(people) if people and rng.random() < 0.6 else None,
		planned_hours=float(weighted(rng, catalog.PLANNED_HOURS)),
		frequency=rng.choice(catalog.FREQUENCIES),
	)


def compensation_measure(ctx: Context, factor: str, options: dict) -> Measure:
	rng = ctx.rng
	kind = weighted(rng, options)
	low, high = catalog.COMPENSATION_AMOUNTS[kind]
	amount = round(rng.uniform(low, high) / 5) * 5 if rng.random() < 0.7 else round(rng.uniform(low, high), 2)
	return Measure(
		rules.COMPENSATION,
		factor,
		compensation_type=kind,
		planned_amount=float(amount),
		frequency=rng.choice(catalog.COMPENSATION_FREQUENCIES),
	)


# --- the workflow ------------------------------------------------------------------------------------------


def choose_state(ctx: Context, plan: Plan, replacing: bool) -> str:
	rng, term = ctx.rng, plan.term
	municipal = plan.institution["partner_type"] == rules.MUNICIPALITY
	if not ctx.ended(term):
		if not plan.learner.consent:
			return rules.DRAFT
		allowed = set(CURRENT_STATES)
		if not municipal:
			allowed.discard(rules.PENDING_PARTNER)
		if replacing:
			allowed -= {rules.REJECTED, rules.CANCELLED}
		return ctx.deck.draw(allowed)
	days = (ctx.today - term.end_date).days
	unevaluated = 0.4 if days < 30 else 0.15 if days < 120 else 0.07 if days < 365 else 0.02
	r = rng.random()
	if not replacing and r < REJECTED_SHARE:
		return rules.REJECTED
	if not replacing and r < REJECTED_SHARE + CANCELLED_SHARE:
		return rules.CANCELLED
	return rules.APPROVED if rng.random() < unevaluated else rules.EVALUATED


def walk(ctx: Context, plan: Plan, after: datetime | None) -> None:
	"""Move the plan through the approval workflow to its state, as its author and approvers would have,
	recording what the controller records at each step."""
	rng, term, institution = ctx.rng, plan.term, plan.institution
	chain = rules.approval_chain(institution["partner_type"])
	target = plan.state
	steps: list[tuple[str, str]] = []  # (new state, who)
	sender = plan.owner if plan.owner != plan.author and rng.random() < 0.5 else plan.author

	def approver(state: str) -> str:
		if state == rules.PENDING_DIRECTOR:
			return institution["director"]
		if state == rules.PENDING_PARTNER:
			return rng.choice(institution["partner_coordinators"])
		return rng.choice(ctx.ikvd)

	def through(last: str | None) -> None:
		"""Send, then approve step by step up to ``last`` (None: all the way)."""
		steps.append((rules.PENDING_DIRECTOR, sender))
		for state, following in zip(chain, [*chain[1:], rules.APPROVED], strict=True):
			if state == last:
				return
			steps.append((following, approver(state)))

	if target in (*rules.PENDING, rules.RETURNED, rules.REJECTED):
		stop = target if target in rules.PENDING else rng.choice(chain)
		through(stop)
		if target in (rules.RETURNED, rules.REJECTED):
			steps.append((target, approver(stop)))
	elif target in (rules.APPROVED, rules.EVALUATED, rules.CANCELLED):
		if rng.random() < RETURN_CYCLE_SHARE:
			stop = rng.choice(chain)
			through(stop)
			steps.append((rules.RETURNED, approver(stop)))
		through(None)

	# when: created near the term's start, each step a few days after the last
	start = datetime.combine(term.start_date, datetime.min.time())
	if ctx.ended(term):
		limit = datetime.combine(term.end_date - timedelta(days=3), datetime.min.time().replace(hour=17))
	else:
		limit = max(
			ctx.now - timedelta(hours=1), start
		)  # (today's term may have begun less than an hour ago)
	gaps = [gap_days(rng, state) for state, _who in steps]
	total = sum(gaps)
	if after:
		first = after.date() + timedelta(days=rng.randint(2, 10))
	elif plan.previous or plan.holiday_order:
		first = term.start_date + timedelta(days=rng.randint(0, 12))
	elif rng.random() < 0.7:
		first = term.start_date + timedelta(days=rng.randint(0, 30))
	else:
		first = term.start_date + timedelta(
			days=rng.randint(30, max(31, (term.end_date - term.start_date).days - 30))
		)
	latest_first = (limit - timedelta(days=total)).date()
	if not ctx.ended(term) and target not in (rules.DRAFT,):
		first = min(first, latest_first) if latest_first >= term.start_date else term.start_date
	first = min(max(first, term.start_date), limit.date())
	room = (limit.date() - first).days
	if total > room:
		gaps = [gap * room // total for gap in gaps] if total else gaps
	day = bulk.weekday_on_or_after(first)
	if datetime.combine(day, datetime.min.time()) > limit:
		day = first
	when = bulk.office_time(rng, day, after=max(start, after) if after else start, before=limit)
	plan.created = when
	plan.events = []
	state = rules.DRAFT
	for (new, who), gap in zip(steps, gaps, strict=True):
		day = when.date() + timedelta(days=gap)
		moved = bulk.weekday_on_or_after(day)
		day = moved if datetime.combine(moved, datetime.min.time()) < limit else day
		when = bulk.office_time(rng, day, after=when, before=limit)
		transition(ctx, plan, state, new, who, when)
		state = new
	if target == rules.EVALUATED:
		evaluate(ctx, plan, when)
	elif target == rules.CANCELLED:
		cancel_at = plan.approved_at.date() + timedelta(days=rng.randint(3, 40))
		end = min(term.end_date, ctx.today)
		day = bulk.weekday_on_or_before(min(cancel_at, end))
		when = bulk.office_time(rng, day, after=plan.approved_at, before=ctx.now - timedelta(minutes=30))
		who = institution["director"] if rng.random() < 0.7 else rng.choice(ctx.administrators)
		transition(ctx, plan, rules.APPROVED, rules.CANCELLED, who, when)
	plan.state = target
	reminders(ctx, plan)


def gap_days(rng: random.Random, state: str) -> int:
	if state == rules.PENDING_DIRECTOR:
		return rng.randint(0, 5)  # the author sends the plan (again)
	if state in STEP_DAYS:
		return rng.randint(*STEP_DAYS[state])
	if state == rules.APPROVED:
		return rng.randint(*STEP_DAYS[rules.PENDING_IKVD])
	return rng.randint(0, 5)


def transition(ctx: Context, plan: Plan, old: str, new: str, who: str, when: datetime) -> None:
	"""What IndividualSupportPlan.handle_transition records (and frappe's workflow around it)."""
	if new in rules.PENDING and old in (rules.DRAFT, rules.RETURNED):
		plan.decision_reason = None
	if new in (rules.RETURNED, rules.REJECTED):
		plan.decision_reason = ctx.rng.choice(
			catalog.RETURN_REASONS if new == rules.RETURNED else catalog.REJECT_REASONS
		)
		plan.comments.append((when, who, f"{ctx.lv(new)}: {plan.decision_reason}"))
	elif old in STAMPS:
		plan.stamps[old] = (who, when)
	if new == rules.APPROVED:
		plan.approved_at = when
	plan.events.append((when, new, who))


STAMPS = (rules.PENDING_DIRECTOR, rules.PENDING_PARTNER, rules.PENDING_IKVD)


def evaluate(ctx: Context, plan: Plan, approved: datetime) -> None:
	rng, learner, term = ctx.rng, plan.learner, plan.term
	year = school_terms.school_year_start(term.school_year)
	leaving = learner.last_year == year and term.term_type != school_terms.SEMESTER_1
	if leaving and learner.status in ("Left", "Graduated"):
		plan.continues = "No"
	elif leaving and learner.status == "Transferred":
		plan.continues = rng.choice(["Yes", "Unknown"])
	else:
		plan.continues = weighted(rng, {"Yes": 92, "Unknown": 6, "No": 2})
	for risk in plan.risks:
		risk.outcome = weighted(
			rng, OUTCOMES if plan.continues != "No" else {"Unchanged": 60, "Increased": 40}
		)
	overall = max(
		plan.risks, key=lambda r: ("Increased", "Unchanged", "Reduced").index(r.outcome) * -1
	).outcome
	plan.evaluation_notes = rng.choice(catalog.EVALUATION_NOTES[overall]) if rng.random() < 0.85 else None
	latest = ctx.now - timedelta(hours=1)
	day = term.end_date + timedelta(days=rng.randint(1, 30))
	day = min(bulk.weekday_on_or_after(day), latest.date())
	when = bulk.office_time(
		rng, day, after=max(approved, datetime.combine(term.end_date, datetime.min.time())), before=latest
	)
	who = plan.author if rng.random() < 0.8 else plan.institution["director"]
	plan.evaluated_at, plan.evaluated_by = when, who
	plan.events.append((when, rules.EVALUATED, who))


def reminders(ctx: Context, plan: Plan) -> None:
	"""The daily reminders the scheduler would have sent by now (reminders.py records their dates)."""
	if plan.state in rules.PENDING:
		pending_since = plan.events[-1][0]
		if pending_since <= ctx.now - timedelta(days=ctx.approval_reminder_days + 1):
			plan.approval_reminded_on = ctx.today - timedelta(days=1)
	elif plan.state == rules.APPROVED and ctx.ended(plan.term):
		waited = (ctx.today - plan.term.end_date).days - ctx.evaluation_reminder_days
		if waited > 0:
			plan.evaluation_reminded_on = ctx.today - timedelta(days=ctx.rng.randint(0, min(6, waited)))


def fix_consents(ctx: Context, first_plan: dict[str, datetime]) -> None:
	"""A learner's application is signed before their first plan goes for approval: move each learner's
	consent date to shortly before it (the registers wrote today's school year's)."""
	rng, changes = ctx.rng, []
	for learner in ctx.demo.learners:
		first = first_plan.get(learner.name)
		if not first or not learner.consent or learner.consent <= first.date():
			continue
		learner.consent = max(
			first.date() - timedelta(days=rng.randint(0, 7)), learner.born + timedelta(days=1)
		)
		changes.append((learner.name, learner.consent, consent_signer(learner.born, learner.consent)))
	for start in range(0, len(changes), 1000):
		batch = changes[start : start + 1000]
		cases_date = " ".join("when %s then %s" for _ in batch)
		cases_by = " ".join("when %s then %s" for _ in batch)
		values = [v for name, day, _by in batch for v in (name, day)]
		values += [v for name, _day, by in batch for v in (name, by)]
		values += [name for name, _day, _by in batch]
		frappe.db.sql(
			f"""update `tabLearner` set consent_date = case name {cases_date} end,
				consent_given_by = case name {cases_by} end
			where name in ({", ".join(["%s"] * len(batch))})""",
			values,
		)


# --- writing -----------------------------------------------------------------------------------------------


class Writer:
	def __init__(self, ctx: Context):
		self.ctx = ctx
		self.plan_series = bulk.Series(5)
		self.consultation_series = bulk.Series(5)
		self.row_name = bulk.RowNames()
		self.plans = bulk.Table(PLAN, PLAN_FIELDS)
		self.risks = bulk.Table("Support Plan Risk", RISK_FIELDS)
		self.measures = bulk.Table("Support Plan Measure", MEASURE_FIELDS)
		self.consultations = bulk.Table("Support Consultation", consultations.FIELDS)
		self.actions = bulk.Table("Workflow Action", ACTION_FIELDS)
		self.action_roles = bulk.Table("Workflow Action Permitted Role", ACTION_ROLE_FIELDS)
		self.comments = bulk.Table("Comment", COMMENT_FIELDS)

	def plan_name(self, plan: Plan) -> str:
		"""As IndividualSupportPlan.autoname: IAP-<year the school year starts><S1|S2|H>-#####."""
		term = plan.term
		code = f"{school_terms.school_year_start(term.school_year)}{school_terms.TERM_SUFFIX[term.term_type]}"
		for row in plan.measures:
			row.name = self.row_name()
		return self.plan_series.next(f"IAP-{code}-")

	def write_plan(self, plan: Plan) -> None:
		ctx, learner, institution = self.ctx, plan.learner, plan.institution
		modified, modified_by = plan.modified
		std = bulk.standard(plan.owner, plan.created, modified, modified_by)
		risks = [rules.Risk(r.factor, r.group, r.severity) for r in plan.risks]
		stamp = {state: plan.stamps.get(state, (None, None)) for state in STAMPS}
		pending_since = plan.events[-1][0] if plan.state in rules.PENDING else None
		self.plans.add(
			(
				plan.name,
				*std,
				plan.docstatus,
				0,
				learner.name,
				learner.full_name,
				plan.term.name,
				plan.term.term_type,
				institution["name"],
				institution["partner"],
				institution["partner_type"],
				learner.education_type,
				plan.grade,
				plan.author,
				ctx.full_names.get(plan.author),
				plan.created.date(),
				int(bool(learner.consent)),
				plan.holiday_order,
				plan.previous.name if plan.previous else None,
				*(int(group in rules.groups_present(risks)) for group in rules.RISK_GROUPS),
				rules.highest_severity(risks),
				*rules.group_severities(risks).values(),
				plan.state,
				plan.decision_reason,
				pending_since,
				plan.approval_reminded_on,
				f"{learner.name}|{plan.term.name}" if plan.live else None,
				*stamp[rules.PENDING_DIRECTOR],
				*stamp[rules.PENDING_PARTNER],
				*stamp[rules.PENDING_IKVD],
				plan.continues,
				plan.evaluation_notes,
				plan.evaluated_at.date() if plan.evaluated_at else None,
				plan.evaluated_by,
				plan.evaluation_reminded_on,
				"\n".join(plan.shaped_by),
			)
		)
		for idx, risk in enumerate(plan.risks, 1):
			self.risks.add(
				(
					self.row_name(),
					*std,
					plan.docstatus,
					idx,
					plan.name,
					PLAN,
					"risks",
					risk.factor,
					risk.group,
					risk.severity,
					risk.observation,
					risk.outcome,
				)
			)
		for row in plan.measures:
			self.measures.add(
				(
					row.name,
					*std,
					plan.docstatus,
					row.idx,
					plan.name,
					PLAN,
					"measures",
					row.kind,
					row.factor,
					row.specialist_role,
					row.specialist,
					row.compensation_type,
					row.ngo_project,
					row.planned_hours,
					row.planned_amount,
					row.frequency,
					row.delivered_hours,
				)
			)
		roles = ctx.next_roles.get((plan.state, institution["partner_type"]))
		if roles:
			entered = plan.events[-1][0] if plan.events else plan.created
			action = frappe.generate_hash(length=10)
			self.actions.add(
				(action, *bulk.standard(modified_by, entered), 0, 0, "Open", PLAN, plan.name, plan.state)
			)
			for idx, role in enumerate(roles, 1):
				self.action_roles.add(
					(
						self.row_name(),
						*bulk.standard(modified_by, entered),
						0,
						idx,
						action,
						"Workflow Action",
						"permitted_roles",
						role,
					)
				)
		for when, who, text in plan.comments:
			self.comments.add(
				(
					frappe.generate_hash(length=10),
					*bulk.standard(who, when),
					0,
					0,
					"Workflow",
					who,
					PLAN,
					plan.name,
					text,
				)
			)

	def flush(self) -> None:
		for table in (
			self.plans,
			self.risks,
			self.measures,
			self.consultations,
			self.actions,
			self.action_roles,
			self.comments,
		):
			table.flush()
		self.plan_series.save()
		self.consultation_series.save()
