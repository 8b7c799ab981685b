"""Demo compensations in every state of their workflow, and per partner one payment batch, paid and reconciled.

Claims are made for the compensation measures of approved (or evaluated) support plans of learners still at
school: one claim per learner, compensation type and month of the plan's term, after the plan was approved,
within the measure's planned amount and the type's caps, paid to the family, the school or a supplier
(valid Latvian IBANs made with schwifty, the learner's guardian by name), with the evidence the type requires.

Every claim goes through the Compensation controller and the "Compensation Approval" workflow as the demo's own
staff: the institution's coordinator enters and sends it; the partner's coordinator verifies it, returns it for
correction or rejects it; the director approves, rejects or cancels it. The partner's accountant, who had no
hand in the claims (nobody pays what they entered, verified or approved, and the demo's partners have one
accountant each), then makes the partner's payment batch (the approved claims, the SEPA file and the Excel
list, the confirmation that the bank paid) and uploads the bank's camt.053 statement, which reconciles the
payments. Caps, overlaps, evidence, IBANs, four eyes, the separated payment duties, the plan's approved and
paid amounts and the audit trail (versions, comments, workflow actions, files) are therefore the app's own.

The steps run in the order they happened, each as its user; afterwards the moments they happened replace the
moments the controllers stamped (creation, modified, pending since, verified and approved on, exported on, and
the versions, comments, workflow actions and files they made), so that the history spreads over the last weeks
and months as the plans' does. Only the SEPA file's own header keeps the real moment it was written. Workflow
e-mails are off meanwhile: nobody is told today about claims decided weeks ago.

Timeline: each partner's batch was executed on a weekday about two weeks ago. Claims of months that had ended
by then (up to a few months back, further for an institution that has none) were approved before the batch and
paid in it; the bank booked them that day and its statement, uploaded the next working day, reconciles them —
except one payment of the showcase partner that the bank booked a day later: it waits, Paid, for the next
statement. The other claims wait in Draft (a few returned for correction, with the reason), Submitted, Verified
or Approved (approved after the batch), were rejected with a reason, or were approved and then cancelled.
"""

import random
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from xml.sax.saxutils import escape

import frappe
from faker import Faker
from frappe.model.naming import getseries
from frappe.model.workflow import apply_workflow
from frappe.utils import now_datetime

from pumpurs_app import access
from pumpurs_app.compensations.doctype.compensation.compensation import set_decision_reason
from pumpurs_app.demo import bulk, catalog
from pumpurs_app.demo.plans import Deck
from pumpurs_app.demo.registers import SHOWCASE_SCHOOL, Demo, iban
from pumpurs_app.rules import compensations as rules
from pumpurs_app.rules.caps import amount_for
from pumpurs_app.rules.money import CENT, money_sum, to_money
from pumpurs_app.setup import workflows

COMPENSATION = "Compensation"
BATCH = "Compensation Payment Batch"
STATEMENT = "Compensation Bank Statement"
PLAN = "Individual Support Plan"
LANG = "lv"  # the demo's staff work in Latvian

PAID_CLAIMS = 4  # per institution: claims paid in the partner's batch
OTHER_CLAIMS = 4  # per institution: claims in the other states, dealt like cards (one of each first)
OTHER_STATES = {
	rules.DRAFT: 18,
	rules.SUBMITTED: 22,
	rules.VERIFIED: 18,
	rules.APPROVED: 24,
	rules.REJECTED: 10,
	rules.CANCELLED: 8,
}
RETURNED_SHARE = 0.12  # claims once returned for correction
# the batch pays claims of the months that ended in the last three (or of the latest month that has any)
PAID_MONTHS = 3
MONTHS_BACK = 12  # how far back an institution without such claims looks for a month to claim
BATCH_DAYS_AGO = (9, 13)  # the batch's execution date
PAID_MONTH_ENDED = 12  # a paid claim's month ended at least this many days before the batch was executed
WAITING_ENTERED_WITHIN = 24  # days: claims still waiting were entered recently
LAST_CLAIMED_DAY = 4  # days before today: the last day a claim covers (the family needs time to claim)
MIN_DAYS = 4  # school days a claim's period must have
MIN_AMOUNT = Decimal("3.00")
TRAVEL_TYPES = ("Public transport tickets", "Special transport")
PAYEE_WEIGHTS = {  # whom each type is usually paid to (only kinds the type allows are used)
	"Public transport tickets": {rules.ADULT_LEARNER: 100, rules.GUARDIAN: 90, rules.SUPPLIER: 10},
	"Special transport": {rules.SUPPLIER: 70, rules.INSTITUTION: 30},
	"Accommodation": {rules.INSTITUTION: 75, rules.SUPPLIER: 25},
	"Meals": {rules.INSTITUTION: 50, rules.SUPPLIER: 50},
	"Individual learning materials": {rules.ADULT_LEARNER: 100, rules.GUARDIAN: 80, rules.SUPPLIER: 20},
	"Individual-use items": {rules.ADULT_LEARNER: 100, rules.GUARDIAN: 80, rules.SUPPLIER: 20},
}
EVIDENCE = {  # the scan each claim's enterer uploads with it
	"Public transport tickets": "pumpurs-demo-biletes.pdf",
	"Special transport": "pumpurs-demo-rekins.pdf",
	"Accommodation": "pumpurs-demo-rekins.pdf",
	"Meals": "pumpurs-demo-rekins.pdf",
	"Individual learning materials": "pumpurs-demo-ceks.pdf",
	"Individual-use items": "pumpurs-demo-ceks.pdf",
}
ENTER = "Enter"  # the claim is entered (inserted)
CORRECT = "Correct"  # a returned claim is corrected by its enterer before it is sent again


@dataclass(slots=True)
class Slot:
	"""A month (or the part of it after the plan's approval) of one compensation measure: one possible claim."""

	row: frappe._dict  # the plan and its measure
	month: date
	start: date
	end: date

	@property
	def key(self) -> tuple:
		return (self.row.learner, self.row.compensation_type, self.month)


@dataclass(slots=True)
class Step:
	when: datetime
	user: str
	action: str  # ENTER, CORRECT or a workflow action
	text: str | None = None  # the reason of a return or rejection, the note of a correction


@dataclass(slots=True)
class Claim:
	slot: Slot
	institution: dict
	state: str
	lines: list[dict]
	total: Decimal
	payee: tuple[str, str, str]  # kind, name, IBAN
	steps: list[Step] = field(default_factory=list)
	name: str = ""


@dataclass(slots=True)
class Batch:
	partner: str
	accountant: str
	execution_date: date
	created: datetime
	exported: datetime
	confirmed: datetime
	statement_at: datetime
	claims: list[Claim] = field(default_factory=list)
	held_back: int = 0  # payments the statement does not show yet (booked a day later)
	name: str = ""
	statement: str = ""


class Context:
	def __init__(self, demo: Demo):
		self.demo, self.rng = demo, random.Random(demo.seed + 3)
		self.fake = Faker("lv_LV")
		self.fake.seed_instance(demo.seed + 3)
		self.now = now_datetime().replace(microsecond=0)
		self.today = self.now.date()
		self.types = {
			name: frappe.get_cached_doc("Compensation Type", name)
			for name in frappe.get_all("Compensation Type", filters={"disabled": 0}, pluck="name")
		}
		self.deck = Deck(self.rng, OTHER_STATES)
		self.ibans: dict[tuple, str] = {}
		self.payees: dict[tuple, tuple[str, str, str]] = {}
		self.prices: dict[tuple, Decimal] = {}
		self.budget: dict[str, Decimal] = {}  # measure -> what is left of its planned amount
		self.term_totals: dict[tuple, Decimal] = defaultdict(Decimal)  # (learner, type, term) -> claimed
		self.guardians: dict[str, str] | None = None

	def guardian(self, learner: str) -> str | None:
		"""The learner's first guardian (all learners' read at once: the history asks for tens of thousands)."""
		if self.guardians is None:
			self.guardians = {}
			for parent, name in frappe.db.sql(
				"""select parent, guardian_name from `tabLearner Guardian` where parenttype = 'Learner'
				order by parent, idx"""
			):
				self.guardians.setdefault(parent, name)
		return self.guardians.get(learner)

	def iban_of(self, *key) -> str:
		if key not in self.ibans:
			self.ibans[key] = iban(self.rng)
		return self.ibans[key]


# --- what is claimed -------------------------------------------------------------------------------------------


def generate(demo: Demo) -> dict[str, int]:
	ctx = Context(demo)
	institutions = money_institutions(ctx)
	slots = find_slots(ctx, institutions)
	staff = partner_staff({i["partner"] for i in institutions})
	batches: dict[str, Batch] = {}
	claims: list[Claim] = []
	for partner in sorted({i["partner"] for i in institutions}):
		mine = [i for i in institutions if i["partner"] == partner]
		if not staff.get(partner):
			continue  # a partner without an accountant pays nothing
		batch = new_batch(ctx, partner, staff[partner])
		for institution in mine:
			claims += institution_claims(ctx, institution, slots.get(institution["name"], []), batch)
		if batch.claims:
			batches[partner] = batch
	hold_back_one(batches)
	for (
		claim
	) in claims:  # (a partner with nothing to pay has no batch; its claims wait or were decided otherwise)
		schedule_claim(ctx, claim, batches.get(claim.institution["partner"]))
	run(ctx, claims, list(batches.values()))
	return {
		COMPENSATION: len(claims),
		BATCH: len(batches),
		STATEMENT: len(batches),
	}


def money_institutions(ctx: Context) -> list[dict]:
	"""The institutions whose claims the demo makes: all, or at project scale the first few of each partner."""
	per_partner = ctx.demo.scale.money_institutions_per_partner
	if not per_partner:
		return list(ctx.demo.institutions)
	chosen, seen = [], defaultdict(int)
	for institution in ctx.demo.institutions:
		if seen[institution["partner"]] < per_partner:
			seen[institution["partner"]] += 1
			chosen.append(institution)
	return chosen


def partner_staff(partners: set[str]) -> dict[str, list[str]]:
	"""The accountants of each partner (they make the batch and upload the statement)."""
	rows = frappe.get_all(
		"Partner Staff Member",
		filters={"parenttype": "Partner", "parent": ("in", list(partners)), "function": "Accountant"},
		fields=["parent", "user"],
		order_by="idx",
	)
	staff = defaultdict(list)
	for row in rows:
		staff[row.parent].append(row.user)
	return staff


def add_months(day: date, count: int) -> date:
	"""The first day of the month ``count`` months from ``day``'s."""
	index = day.year * 12 + day.month - 1 + count
	return date(index // 12, index % 12 + 1, 1)


def months(first: date, last: date) -> Iterator[tuple[date, date]]:
	day = first.replace(day=1)
	while day <= last:
		following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
		yield day, following - timedelta(days=1)
		day = following


def school_days(first: date, last: date) -> list[date]:
	return [
		first + timedelta(days=n)
		for n in range((last - first).days + 1)
		if (first + timedelta(days=n)).weekday() < 5
	]


def find_slots(ctx: Context, institutions: list[dict]) -> dict[str, list[Slot]]:
	"""Months that the compensation measures of approved plans of today's learners could be claimed for."""
	if not institutions:
		return {}
	earliest = add_months(ctx.today, -MONTHS_BACK)
	last_day = ctx.today - timedelta(days=LAST_CLAIMED_DAY)
	rows = frappe.db.sql(
		"""select p.name as plan, p.learner, p.learner_name, p.institution, p.partner, p.school_term,
			p.ikvd_approved_on as approved_on, m.name as measure, m.idx, m.compensation_type, m.planned_amount,
			t.start_date as term_start, t.end_date as term_end, l.is_adult
		from `tabIndividual Support Plan` p
		join `tabSupport Plan Measure` m
			on m.parent = p.name and m.parenttype = %(plan)s and m.measure_kind = 'Compensation'
		join `tabLearner` l on l.name = p.learner and l.status = 'Active' and l.institution = p.institution
		join `tabSchool Term` t on t.name = p.school_term
		where p.docstatus = 1 and p.workflow_state in ('Approved', 'Evaluated')
			and p.institution in %(institutions)s and t.end_date >= %(earliest)s and t.start_date <= %(last_day)s
		order by p.name, m.idx""",
		{
			"plan": PLAN,
			"institutions": [i["name"] for i in institutions],
			"earliest": earliest,
			"last_day": last_day,
		},
		as_dict=True,
	)
	slots = defaultdict(list)
	for row in rows:
		if (
			row.compensation_type not in ctx.types
			or row.compensation_type not in PAYEE_WEIGHTS
			or not row.approved_on
		):
			continue
		ctx.budget.setdefault(row.measure, to_money(str(row.planned_amount or 0)))
		for first, last in months(max(row.term_start, earliest), min(row.term_end, last_day)):
			start = max(first, row.term_start, row.approved_on.date() + timedelta(days=1))
			end = min(last, row.term_end, last_day)
			if start <= end and len(school_days(start, end)) >= MIN_DAYS:
				slots[row.institution].append(Slot(row, first, start, end))
	return slots


def new_batch(ctx: Context, partner: str, accountants: list[str], execution: date | None = None) -> Batch:
	"""The partner's batch executed on ``execution`` (by default about two weeks ago): made the working day
	before, exported minutes later, confirmed on the day, its statement uploaded the next working day."""
	rng = ctx.rng
	if execution is None:
		execution = bulk.weekday_on_or_before(ctx.today - timedelta(days=rng.randint(*BATCH_DAYS_AGO)))
	created = bulk.office_time(rng, bulk.weekday_on_or_before(execution - timedelta(days=1)))
	exported = created + timedelta(minutes=rng.randint(4, 25))
	confirmed = bulk.office_time(
		rng, execution, after=datetime.combine(execution, datetime.min.time()).replace(hour=11)
	)
	statement_day = bulk.weekday_on_or_after(execution + timedelta(days=1))
	statement_at = bulk.office_time(rng, statement_day, before=ctx.now - timedelta(hours=1))
	return Batch(partner, rng.choice(accountants), execution, created, exported, confirmed, statement_at)


def institution_claims(ctx: Context, institution: dict, slots: list[Slot], batch: Batch) -> list[Claim]:
	"""Claims paid in the batch (months that ended well before it), then claims in the other states."""
	rng = ctx.rng
	paid_before = batch.execution_date - timedelta(days=PAID_MONTH_ENDED)
	window = add_months(paid_before.replace(day=1), -PAID_MONTHS + 1)
	ended = [s for s in slots if s.end <= paid_before]
	old = [s for s in ended if s.month >= window]
	if not old and ended:  # nothing in the last months: the latest month that has something to pay
		latest = max(s.month for s in ended)
		old = [s for s in ended if s.month == latest]
	recent = [s for s in slots if s.end > paid_before]
	chosen = {id(s) for s in old}
	earlier = sorted(
		(s for s in ended if id(s) not in chosen), key=lambda s: s.month, reverse=True
	)  # late claims
	rng.shuffle(old)
	rng.shuffle(recent)
	used: set[tuple] = set()
	claims = []
	for slot in old:
		if sum(1 for c in claims if c.state == rules.RECONCILED) >= PAID_CLAIMS:
			break
		claim = make_claim(ctx, institution, slot, rules.RECONCILED, used)
		if claim:
			claims.append(claim)
			batch.claims.append(claim)
	others = 0
	for slot in recent + old + earlier:
		if others >= OTHER_CLAIMS:
			break
		if slot.key in used:
			continue
		claim = make_claim(ctx, institution, slot, ctx.deck.draw(set(OTHER_STATES)), used)
		if claim:
			claims.append(claim)
			others += 1
	return claims


def hold_back_one(batches: dict[str, Batch]) -> None:
	"""The bank booked one payment of the showcase partner (else of the partner paying most) a day later: it is
	not on the statement the demo uploads, so its claim stays Paid."""
	showcase = frappe.db.get_value("Educational Institution", SHOWCASE_SCHOOL, "partner")
	candidates = [b for b in batches.values() if len(b.claims) >= 2]
	if not candidates:
		return
	batch = next(
		(b for b in candidates if b.partner == showcase), max(candidates, key=lambda b: len(b.claims))
	)
	batch.held_back = 1
	batch.claims[-1].state = rules.PAID


def make_claim(ctx: Context, institution: dict, slot: Slot, state: str, used: set[tuple]) -> Claim | None:
	if slot.key in used:
		return None
	row, rng = slot.row, ctx.rng
	kind = ctx.types[row.compensation_type]
	caps = kind.caps_for(row.partner, slot.start)
	term_key = (row.learner, row.compensation_type, row.school_term)
	limit = ctx.budget[row.measure]
	if caps.per_month is not None:
		limit = min(limit, caps.per_month)
	if caps.per_term is not None:
		limit = min(limit, caps.per_term - ctx.term_totals[term_key])
	planned = to_money(str(row.planned_amount or 0))
	if row.compensation_type in ("Individual learning materials", "Individual-use items"):
		target = planned * Decimal(str(rng.uniform(0.35, 0.7)))
	else:
		term_months = max(1, sum(1 for _ in months(row.term_start, row.term_end)))
		target = planned / term_months * Decimal(str(rng.uniform(0.7, 1.15)))
	limit = min(limit, target.quantize(CENT, rounding=ROUND_DOWN))
	if limit < MIN_AMOUNT:
		return None
	lines = claim_lines(ctx, slot, caps, limit)
	if not lines:
		return None
	price = caps.unit_price
	total = money_sum(
		amount_for(
			Decimal(str(line["quantity"])), to_money(str(line["unit_price"])) if line["unit_price"] else price
		)
		for line in lines
	)
	if total < MIN_AMOUNT or total > limit:
		return None
	evidence = bool(kind.evidence_mandatory) or rng.random() < 0.5
	for line in lines:
		if evidence:
			line["evidence"] = EVIDENCE.get(row.compensation_type, "pumpurs-demo-ceks.pdf")
	used.add(slot.key)
	ctx.budget[row.measure] -= total
	ctx.term_totals[term_key] += total
	return Claim(slot, institution, state, lines, total, payee(ctx, slot, institution))


def claim_lines(ctx: Context, slot: Slot, caps, limit: Decimal) -> list[dict]:
	"""The claim's lines: what was bought or travelled, on which days, within ``limit`` and the daily cap."""
	rng, row = ctx.rng, slot.row
	kind = row.compensation_type
	days = school_days(slot.start, slot.end)
	per_day = caps.per_day

	def daily(quantity: int, price: Decimal, description: str, default_price: bool = False) -> list[dict]:
		while quantity > 1 and per_day is not None and amount_for(quantity, price) > per_day:
			quantity -= 1
		each = amount_for(quantity, price)
		if per_day is not None and each > per_day:
			return []
		count = min(len(days), int(limit // each))
		return [
			{
				"line_date": day,
				"description": description,
				"quantity": quantity,
				"unit_price": None if default_price else float(price),
			}
			for day in sorted(rng.sample(days, count))
		]

	if kind == "Public transport tickets":
		price = ctx.prices.setdefault((row.learner, kind), Decimal(str(rng.choice(catalog.TICKET_PRICES))))
		return daily(2, price, rng.choice(catalog.TICKET_LINES))
	if kind == "Special transport":
		price = ctx.prices.setdefault(
			(row.learner, kind), Decimal(rng.randint(*catalog.SPECIAL_TRANSPORT_PRICES))
		)
		return daily(1, price, rng.choice(catalog.SPECIAL_TRANSPORT_LINES))
	if kind == "Meals":
		price = caps.unit_price or Decimal("2.50")
		meals = 2 if rng.random() < 0.3 else 1
		return daily(meals, price, catalog.MEAL_LINES[meals], default_price=bool(caps.unit_price))
	if kind == "Accommodation":
		price = caps.unit_price or Decimal("60.00")
		if price > limit:
			return []
		month = catalog.ACCOMMODATION_LINE.format(month=catalog.MONTHS_LV[slot.month.month - 1])
		return [
			{
				"line_date": days[0],
				"description": month,
				"quantity": 1,
				"unit_price": None if caps.unit_price else float(price),
			}
		]
	items = catalog.LEARNING_MATERIALS if kind == "Individual learning materials" else catalog.PERSONAL_ITEMS
	lines, total = [], Decimal(0)
	for description, low, high in rng.sample(items, rng.randint(1, 3)):
		price = to_money(str(round(rng.uniform(low, high), 2)))
		if total + price > limit:
			continue
		total += price
		lines.append(
			{
				"line_date": rng.choice(days),
				"description": description,
				"quantity": 1,
				"unit_price": float(price),
			}
		)
	return sorted(lines, key=lambda line: line["line_date"])


def payee(ctx: Context, slot: Slot, institution: dict) -> tuple[str, str, str]:
	"""Whom the claim pays: the same payee for a learner's claims of one type."""
	row, rng = slot.row, ctx.rng
	key = (row.learner, row.compensation_type)
	if key in ctx.payees:
		return ctx.payees[key]
	allowed = ctx.types[row.compensation_type].allowed_payees()
	guardian = ctx.guardian(row.learner)
	weights = {
		kind: weight
		for kind, weight in PAYEE_WEIGHTS[row.compensation_type].items()
		if kind in allowed
		and (kind != rules.ADULT_LEARNER or row.is_adult)
		and (kind != rules.GUARDIAN or not row.is_adult)
	}
	if not weights:
		weights = {sorted(allowed)[0]: 1}
	if rules.ADULT_LEARNER in weights:
		weights = {rules.ADULT_LEARNER: 1}
	kind = rng.choices(list(weights), list(weights.values()))[0]
	if kind == rules.ADULT_LEARNER:
		name = row.learner_name
	elif kind == rules.GUARDIAN:
		name = guardian or f"{ctx.fake.first_name()} {ctx.fake.last_name()}"
	elif kind == rules.INSTITUTION:
		name = institution["name"]
	else:
		name = rng.choice(catalog.SUPPLIERS.get(row.compensation_type) or [f"SIA „{ctx.fake.last_name()}”"])
	account = ctx.iban_of(kind, name, row.learner if kind in (rules.GUARDIAN, rules.ADULT_LEARNER) else None)
	ctx.payees[key] = (kind, name, account)
	return ctx.payees[key]


# --- how it went through the workflow -----------------------------------------------------------------------


GAP_DAYS = {  # days before each step: (least, most)
	ENTER: (1, 4),  # after the period ended
	workflows.SUBMIT_FOR_VERIFICATION: (0, 2),
	workflows.VERIFY: (1, 4),
	workflows.APPROVE: (1, 3),
	workflows.RETURN_FOR_CORRECTION: (1, 3),
	CORRECT: (1, 3),
	workflows.REJECT: (1, 4),
	workflows.CANCEL_COMPENSATION: (1, 4),
}


def schedule_claim(ctx: Context, claim: Claim, batch: Batch | None) -> None:
	"""The claim's steps, by whom and when, up to its state."""
	rng, institution, state = ctx.rng, claim.institution, claim.state
	coordinator, director = institution["coordinator"], institution["director"]
	verifier = rng.choice(institution["partner_coordinators"])
	actions: list[tuple[str, str, str | None]] = [(ENTER, coordinator, None)]
	send = (workflows.SUBMIT_FOR_VERIFICATION, coordinator, None)
	returned = rng.random() < RETURNED_SHARE
	topic = "travel" if claim.slot.row.compensation_type in TRAVEL_TYPES else "purchases"
	reason, fix = rng.choice(catalog.CLAIM_RETURNS[topic])
	if state == rules.DRAFT:
		if returned:  # back with the enterer, the reason on the claim
			actions += [send, (workflows.RETURN_FOR_CORRECTION, verifier, reason)]
	else:
		actions.append(send)
		if returned:
			actions += [
				(workflows.RETURN_FOR_CORRECTION, verifier, reason),
				(CORRECT, coordinator, fix),
				send,
			]
		if state == rules.REJECTED:
			why = rng.choice(catalog.CLAIM_REJECTIONS[topic])
			if rng.random() < 0.6:
				actions.append((workflows.REJECT, verifier, why))
			else:
				actions += [(workflows.VERIFY, verifier, None), (workflows.REJECT, director, why)]
		elif state != rules.SUBMITTED:
			actions.append((workflows.VERIFY, verifier, None))
			if state in (rules.APPROVED, rules.CANCELLED, rules.PAID, rules.RECONCILED):
				actions.append((workflows.APPROVE, director, None))
			if state == rules.CANCELLED:
				actions.append((workflows.CANCEL_COMPENSATION, director, None))

	period_over = datetime.combine(claim.slot.end + timedelta(days=1), datetime.min.time())
	latest = ctx.now - timedelta(minutes=30)
	if state in (rules.PAID, rules.RECONCILED):
		earliest, latest = period_over, batch.created - timedelta(hours=1)
	elif state in (rules.APPROVED, rules.CANCELLED) and batch:
		if state == rules.CANCELLED and (batch.created - period_over).days >= 6:
			earliest, latest = period_over, batch.created - timedelta(hours=1)  # cancelled before the batch
		else:
			earliest = max(
				period_over, batch.created + timedelta(hours=1)
			)  # approved after the batch was made
	else:
		earliest = max(period_over, ctx.now - timedelta(days=WAITING_ENTERED_WITHIN))
	if latest - earliest < timedelta(hours=2):
		earliest = latest - timedelta(hours=2)
	claim.steps = [
		Step(when, who, action, text)
		for when, (action, who, text) in zip(
			times(ctx, [a for a, _w, _t in actions], earliest, latest), actions, strict=True
		)
	]


def times(ctx: Context, actions: list[str], earliest: datetime, latest: datetime) -> list[datetime]:
	"""When each step happened: working hours, a few days apart, squeezed in between ``earliest`` and ``latest``."""
	rng = ctx.rng
	gaps = [rng.randint(*GAP_DAYS[action]) for action in actions]
	gaps[0] = min(gaps[0], 2)
	room = (latest.date() - earliest.date()).days
	total = sum(gaps)
	if total > room:
		gaps = [gap * room // total for gap in gaps]
	moments, when, day = [], earliest, earliest.date()
	for gap in gaps:
		day += timedelta(days=gap)
		moved = bulk.weekday_on_or_after(day)
		day = moved if moved <= latest.date() else day
		when = bulk.office_time(rng, day, after=when, before=latest)
		moments.append(when)
	return moments


# --- running it ---------------------------------------------------------------------------------------------


class Clock:
	"""When each step happened against when it ran: whatever a step stamped moves back to its moment."""

	def __init__(self) -> None:
		self.ran: list[datetime] = []
		self.happened: list[datetime] = []

	def mark(self, happened: datetime) -> None:
		self.ran.append(now_datetime())
		self.happened.append(happened)

	def moved(self, value: datetime | None) -> datetime | None:
		if not value or not self.ran or value < self.ran[0]:
			return value
		k = bisect_right(self.ran, value) - 1
		return self.happened[k] + (value - self.ran[k])


@contextmanager
def acting(user: str) -> Iterator[None]:
	"""Act as ``user`` (their roles and scope) in Latvian, as the demo's staff work."""
	before, lang = frappe.session.user, getattr(frappe.local, "lang", None)
	frappe.set_user(user)
	frappe.local.lang = LANG
	access.clear_scope_cache()
	try:
		yield
	finally:
		frappe.set_user(before)
		frappe.local.lang = lang
		access.clear_scope_cache()


@contextmanager
def announcements_off() -> Iterator[None]:
	"""Nobody is told of the records waiting for a decision (reminders.announce_waiting): the demo's steps
	happened long ago. Frappe's flag for data imports says so."""
	before = frappe.flags.in_import
	frappe.flags.in_import = True
	try:
		yield
	finally:
		frappe.flags.in_import = before


def series_name(prefix: str, when: datetime) -> str:
	"""The next name of a ``PREFIX-.YYYY.-.#####`` series for a document made in ``when``'s year."""
	key = f"{prefix}{when.year}-"
	return key + getseries(key, 5)


def run(ctx: Context, claims: list[Claim], batches: list[Batch]) -> None:
	events: list[tuple[datetime, int, str, Callable[[], None]]] = []
	for claim in claims:
		for step in claim.steps:
			events.append((step.when, len(events), step.user, lambda c=claim, s=step: perform(c, s)))
	for batch in batches:
		events.append((batch.created, len(events), batch.accountant, lambda b=batch: make_batch(b)))
		events.append(
			(
				batch.exported,
				len(events),
				batch.accountant,
				lambda b=batch: frappe.get_doc(BATCH, b.name).export(),
			)
		)
		events.append(
			(
				batch.confirmed,
				len(events),
				batch.accountant,
				lambda b=batch: frappe.get_doc(BATCH, b.name).submit(),
			)
		)
		events.append(
			(batch.statement_at, len(events), batch.accountant, lambda b=batch: upload_statement(ctx, b))
		)
	events.sort(key=lambda event: (event[0], event[1]))
	clock = Clock()
	with announcements_off():
		for number, (when, _seq, user, action) in enumerate(events):
			clock.mark(when)
			with acting(user):
				action()
			if number % 20 == 0:
				frappe.utils.update_progress_bar("Compensations and payments", number, len(events))
	print()
	retime(clock, [c.name for c in claims], [b.name for b in batches], [b.statement for b in batches])


def perform(claim: Claim, step: Step) -> None:
	if step.action == ENTER:
		row = claim.slot.row
		kind, name, account = claim.payee
		doc = frappe.get_doc(
			{
				"doctype": COMPENSATION,
				"support_plan": row.plan,
				"measure": row.measure,
				"period_from": claim.slot.start,
				"period_to": claim.slot.end,
				"lines": with_scan(claim),
				"payee_kind": kind,
				"payee_name": name,
				"payee_iban": account,
			}
		)
		doc.insert(set_name=series_name("KOMP-", step.when))
		claim.name = doc.name
		return
	if step.action == CORRECT:
		doc = frappe.get_doc(COMPENSATION, claim.name)
		doc.notes = step.text
		doc.save()
		return
	if step.text:
		set_decision_reason(claim.name, step.text)
	apply_workflow(frappe.get_doc(COMPENSATION, claim.name).as_dict(), step.action)


def with_scan(claim: Claim) -> list[dict]:
	"""The claim's lines with the evidence scan its enterer uploads with it (one per claim; an attachment takes
	only a file its user has just uploaded)."""
	names = {line["evidence"] for line in claim.lines if line.get("evidence")}
	if not names:
		return claim.lines
	file_name = sorted(names)[0]
	scan = frappe.get_doc(
		doctype="File",
		file_name=file_name,
		content=bulk.demo_pdf(f"{file_name} {claim.slot.row.plan} {claim.slot.start}"),
		is_private=1,
	).insert()
	return [{**line, "evidence": scan.file_url} if line.get("evidence") else line for line in claim.lines]


def make_batch(batch: Batch) -> None:
	"""The accountant makes the batch and adds the partner's approved, unpaid claims."""
	doc = frappe.get_doc({"doctype": BATCH, "partner": batch.partner, "execution_date": batch.execution_date})
	doc.insert(set_name=series_name("KPB-", batch.created))
	doc.get_compensations()
	batch.name = doc.name
	paid = {row.compensation for row in frappe.get_doc(BATCH, doc.name).lines}
	wanted = {claim.name for claim in batch.claims}
	if paid != wanted:  # the timeline is wrong, not the app
		raise AssertionError(f"{doc.name} picked {sorted(paid)}, the demo meant {sorted(wanted)}")


def upload_statement(ctx: Context, batch: Batch) -> None:
	"""The bank's camt.053 statement of the execution day, uploaded and submitted by the accountant."""
	doc = frappe.get_doc(BATCH, batch.name)
	held_back = {claim.name for claim in batch.claims if claim.state == rules.PAID}
	payments: dict[str, list] = {}
	for row in doc.lines:
		if row.compensation not in held_back:
			payments.setdefault(row.end_to_end_id, []).append(row)
	content = camt053(ctx, doc, list(payments.values()))
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"izraksts-{batch.execution_date:%Y%m%d}-{doc.debtor_iban[-4:]}.xml",
			"content": content,
			"is_private": 1,
		}
	).insert()
	statement = frappe.get_doc(
		{"doctype": STATEMENT, "partner": batch.partner, "statement_file": file.file_url}
	)
	statement.insert(set_name=series_name("KBI-", batch.statement_at))
	statement.submit()
	batch.statement = statement.name  # (saving it attached the uploaded file to it)


def camt053(ctx: Context, batch, payments: list[list]) -> bytes:
	"""A camt.053.001.02 statement of the partner's account for the execution day: each payment of the batch
	booked as the bank books a SEPA credit transfer, with its end-to-end ID."""
	day, account = batch.execution_date, batch.debtor_iban
	opening = to_money(str(ctx.rng.randrange(20_000, 90_000)))
	total = money_sum(to_money(str(row.amount)) for rows in payments for row in rows)
	entries = []
	for number, rows in enumerate(payments, 1):
		first = rows[0]
		amount = money_sum(to_money(str(row.amount)) for row in rows)
		reference = f"{day:%Y%m%d}{number:05d}"
		remittance = escape("PuMPuRS " + ", ".join(row.compensation for row in rows))
		entries.append(
			f"""<Ntry><NtryRef>{number}</NtryRef><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{reference}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>{escape(first.end_to_end_id)}</EndToEndId></Refs>
<AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>
<RltdPties><Dbtr><Nm>{escape(batch.partner)}</Nm></Dbtr><DbtrAcct><Id><IBAN>{account}</IBAN></Id></DbtrAcct>
<Cdtr><Nm>{escape(first.payee_name)}</Nm></Cdtr><CdtrAcct><Id><IBAN>{first.payee_iban}</IBAN></Id></CdtrAcct></RltdPties>
<RmtInf><Ustrd>{remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""
		)
	created = f"{day + timedelta(days=1)}T06:00:00"
	return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>STMT{day:%Y%m%d}-{account[-6:]}</MsgId><CreDtTm>{created}</CreDtTm></GrpHdr>
<Stmt><Id>{day}-{account}</Id><CreDtTm>{created}</CreDtTm>
<FrToDt><FrDtTm>{day}T00:00:00</FrDtTm><ToDtTm>{day}T23:59:59</ToDtTm></FrToDt>
<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening - total}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>
{"".join(entries)}
</Stmt></BkToCstmrStmt></Document>""".encode()


# --- the history's moments ----------------------------------------------------------------------------------

MONEY_DOCTYPES = (COMPENSATION, BATCH, STATEMENT)


def retime(clock: Clock, claims: list[str], batches: list[str], statements: list[str]) -> None:
	"""Move what the steps stamped (rows they made, dates the controllers set) to the moments the steps happened."""
	if not clock.ran:
		return
	start = clock.ran[0]
	stamped = ("creation", "modified")
	tables = [
		(COMPENSATION, (*stamped, "pending_since", "verified_on", "approved_on"), "name in %(claims)s"),
		("Compensation Line", stamped, "parenttype = 'Compensation' and parent in %(claims)s"),
		(BATCH, (*stamped, "exported_on"), "name in %(batches)s"),
		("Compensation Payment Line", stamped, "parent in %(batches)s"),
		(STATEMENT, stamped, "name in %(statements)s"),
		("Compensation Bank Statement Line", stamped, "parent in %(statements)s"),
		("Version", stamped, "ref_doctype in %(doctypes)s and modified >= %(start)s"),
		("Comment", stamped, "reference_doctype in %(doctypes)s and modified >= %(start)s"),
		("Workflow Action", stamped, "reference_doctype in %(doctypes)s and modified >= %(start)s"),
		(
			"Workflow Action Permitted Role",
			stamped,
			"modified >= %(start)s and parent in (select name from `tabWorkflow Action` where reference_doctype in %(doctypes)s)",
		),
		("File", stamped, "attached_to_doctype in %(doctypes)s and modified >= %(start)s"),
	]
	values = {
		"claims": claims or [""],
		"batches": batches or [""],
		"statements": statements or [""],
		"doctypes": MONEY_DOCTYPES,
		"start": start,
	}
	for doctype, columns, condition in tables:
		rows = frappe.db.sql(
			f"select name, {', '.join(columns)} from `tab{doctype}` where {condition}", values, as_dict=True
		)
		for column in columns:
			changes = [
				(row.name, clock.moved(row[column])) for row in rows if row[column] and row[column] >= start
			]
			for first in range(0, len(changes), 500):
				chunk = changes[first : first + 500]
				frappe.db.sql(
					f"""update `tab{doctype}` set `{column}` = case name {" ".join(["when %s then %s"] * len(chunk))} end
					where name in ({", ".join(["%s"] * len(chunk))})""",
					[v for name, moment in chunk for v in (name, moment)] + [name for name, _moment in chunk],
				)
