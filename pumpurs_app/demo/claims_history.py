"""The programme's past compensations, written in bulk: every month of every compensation measure of an
approved plan was claimed, verified, approved, paid in the partner's batch of the following month and
reconciled by the bank's statement of that day (at project scale well over 100,000 claims).

demo/compensations.py makes the claims of the last months through the controllers and the workflow, one by
one; at the programme's volume that would take hours, so the history's rows are written directly, with what
the controllers would have stored: the claims are built by the same code (the type's caps per day, month and
term, the measure's planned amount, unit prices, payees allowed by the type with valid Latvian IBANs and the
BIC of their bank, evidence where the type requires it), four eyes by person (entered by the institution's
coordinator, verified by a partner coordinator, approved by the director, paid by the partner's accountant),
and each step at a working-hours moment in order. tests/integration/test_demo.py runs every history claim
through its controller again and checks each batch and statement against its claims.

Which months: those whose batch was executed and whose statement uploaded before today. The institutions whose
recent claims demo/compensations.py makes get history only for terms that ended before its window, so that no
measure, term cap or month is claimed twice.

Left out, as archived: the batches' SEPA files and payment lists (a batch shows it was exported, by whom and
when), the statements' files (each names one placeholder), and the versions, comments and workflow actions
of the history's steps.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import frappe

from pumpurs_app.compensations.doctype.compensation.compensation import refresh_measure_amounts
from pumpurs_app.demo import bulk
from pumpurs_app.demo.compensations import (
	ENTER,
	EVIDENCE,
	MIN_DAYS,
	MONTHS_BACK,
	PAYEE_WEIGHTS,
	PLAN,
	Batch,
	Claim,
	Context,
	Slot,
	add_months,
	make_claim,
	money_institutions,
	months,
	new_batch,
	partner_staff,
	school_days,
	times,
)
from pumpurs_app.demo.registers import Demo
from pumpurs_app.rules import bank
from pumpurs_app.rules import compensations as rules
from pumpurs_app.rules.caps import amount_for
from pumpurs_app.rules.money import money_sum, to_money
from pumpurs_app.setup import workflows

COMPENSATION = "Compensation"
BATCH = "Compensation Payment Batch"
STATEMENT = "Compensation Bank Statement"
PAID_ON_DAY = 20  # the batch of a month's claims is executed on the weekday on or before this day of the next
STATEMENT_FILE = "pumpurs-demo-izrakstu-arhivs.pdf"  # the placeholder every history statement names
STEPS = (  # a claim's steps up to its approval (then the batch pays it and the statement reconciles it)
	ENTER,
	workflows.SUBMIT_FOR_VERIFICATION,
	workflows.VERIFY,
	workflows.APPROVE,
)
CLAIM_FIELDS = [
	"name",
	*bulk.STANDARD,
	"docstatus",
	"idx",
	"support_plan",
	"measure",
	"learner",
	"learner_name",
	"compensation_type",
	"institution",
	"partner",
	"school_term",
	"period_from",
	"period_to",
	"total_amount",
	"payee_kind",
	"payee_name",
	"payee_iban",
	"payee_bic",
	"workflow_state",
	"planned_amount",
	"claimed_for_measure",
	"pending_since",
	"content_changed_by",
	"verified_by",
	"verified_on",
	"approved_by",
	"approved_on",
	"payment_batch",
	"paid_on",
	"payment_reference",
	"bank_statement",
	"reconciled_on",
]
CHILD = ["name", *bulk.STANDARD, "docstatus", "idx", "parent", "parenttype", "parentfield"]
LINE_FIELDS = [*CHILD, "line_date", "description", "quantity", "unit_price", "amount", "evidence"]
BATCH_FIELDS = [
	"name",
	*bulk.STANDARD,
	"docstatus",
	"idx",
	"partner",
	"execution_date",
	"aggregate_per_iban",
	"debtor_iban",
	"debtor_bic",
	"status",
	"total_amount",
	"line_count",
	"payment_count",
	"message_id",
	"exported_on",
	"exported_by",
	"confirmed_by",
]
PAYMENT_FIELDS = [
	*CHILD,
	"compensation",
	"learner_name",
	"compensation_type",
	"payee_name",
	"payee_iban",
	"payee_bic",
	"amount",
	"end_to_end_id",
	"status",
	"active_compensation",
]
STATEMENT_FIELDS = [
	"name",
	*bulk.STANDARD,
	"docstatus",
	"idx",
	"partner",
	"statement_file",
	"account_iban",
	"statement_id",
	"from_date",
	"to_date",
	"matched_count",
	"mismatch_count",
	"unmatched_count",
	"returned_count",
]
TRANSACTION_FIELDS = [
	*CHILD,
	"booking_date",
	"amount",
	"direction",
	"counterparty_name",
	"counterparty_iban",
	"end_to_end_id",
	"reference",
	"bank_reference",
	"match_status",
	"payment_batch",
	"end_to_end_of_line",
]


def execution_day(month: date) -> date:
	return bulk.weekday_on_or_before(add_months(month, 1).replace(day=PAID_ON_DAY))


def generate(demo: Demo) -> dict[str, int]:
	ctx = Context(demo)
	ctx.rng.seed(demo.seed + 11)  # a stream of its own: the recent claims' stay as they were
	# a partner pays from its account by its accountant: one without either pays nothing
	paying = set(frappe.get_all("Partner", filters={"iban": ("is", "set")}, pluck="name"))
	accountants = partner_staff(paying)
	institutions = {i["name"]: i for i in demo.institutions if accountants.get(i["partner"])}
	batches: dict[tuple[str, date], Batch] = {}
	used: set[tuple] = set()
	for slot in history_slots(ctx, institutions):
		institution = institutions[slot.row.institution]
		key = (institution["partner"], slot.month)
		if key not in batches:
			batches[key] = new_batch(ctx, key[0], accountants[key[0]], execution_day(slot.month))
		claim = make_claim(ctx, institution, slot, rules.RECONCILED, used)
		if claim:
			batches[key].claims.append(claim)
	batches = {key: batch for key, batch in batches.items() if batch.claims}
	write(ctx, sorted(batches.values(), key=lambda b: (b.execution_date, b.partner)))
	return {
		"Compensation (paid history)": sum(len(b.claims) for b in batches.values()),
		"Compensation Payment Batch (history)": len(batches),
		"Compensation Bank Statement (history)": len(batches),
	}


def history_slots(ctx: Context, institutions: dict[str, dict]) -> list[Slot]:
	"""Every claimable month of the approved plans' compensation measures whose batch and statement lie in the
	past; at the institutions whose recent claims the workflow makes, only terms that ended before them."""
	recent = {i["name"] for i in money_institutions(ctx)}
	window = add_months(ctx.today, -MONTHS_BACK)
	rows = frappe.db.sql(
		"""select p.name as plan, p.learner, p.learner_name, p.institution, p.partner, p.school_term,
			p.ikvd_approved_on as approved_on, m.name as measure, m.idx, m.compensation_type, m.planned_amount,
			t.start_date as term_start, t.end_date as term_end, l.is_adult
		from `tabIndividual Support Plan` p
		join `tabSupport Plan Measure` m
			on m.parent = p.name and m.parenttype = %(plan)s and m.measure_kind = 'Compensation'
		join `tabLearner` l on l.name = p.learner
		join `tabSchool Term` t on t.name = p.school_term
		where p.docstatus = 1 and p.workflow_state in ('Approved', 'Evaluated')
		order by t.start_date, p.name, m.idx""",
		{"plan": PLAN},
		as_dict=True,
	)
	slots = []
	for row in rows:
		if (
			row.institution not in institutions
			or (row.institution in recent and row.term_end >= window)
			or row.compensation_type not in ctx.types
			or row.compensation_type not in PAYEE_WEIGHTS
			or not row.approved_on
		):
			continue
		ctx.budget.setdefault(row.measure, to_money(str(row.planned_amount or 0)))
		for first, last in months(row.term_start, row.term_end):
			# the statement of the batch paying this month was uploaded (the next working day) before today
			if bulk.weekday_on_or_after(execution_day(first) + timedelta(days=1)) >= ctx.today:
				break
			start = max(first, row.term_start, row.approved_on.date() + timedelta(days=1))
			end = min(last, row.term_end)
			if start <= end and len(school_days(start, end)) >= MIN_DAYS:
				slots.append(Slot(row, first, start, end))
	return slots


class Writer:
	def __init__(self) -> None:
		self.series, self.row_name, self.bics = bulk.Series(5), bulk.RowNames(), {}
		self.claims = bulk.Table(COMPENSATION, CLAIM_FIELDS)
		self.lines = bulk.Table("Compensation Line", LINE_FIELDS)
		self.batches = bulk.Table(BATCH, BATCH_FIELDS)
		self.payments = bulk.Table("Compensation Payment Line", PAYMENT_FIELDS)
		self.statements = bulk.Table(STATEMENT, STATEMENT_FIELDS)
		self.transactions = bulk.Table("Compensation Bank Statement Line", TRANSACTION_FIELDS)
		self.claimed: dict[str, list] = defaultdict(list)  # measure -> amounts claimed so far
		self.plans: set[str] = set()

	def bic(self, iban: str) -> str | None:
		if iban not in self.bics:
			self.bics[iban] = bank.normalize_bic(None, iban) or None
		return self.bics[iban]

	def flush(self) -> None:
		for table in (
			self.claims,
			self.lines,
			self.batches,
			self.payments,
			self.statements,
			self.transactions,
		):
			table.flush()
		self.series.save()


def write(ctx: Context, batches: list[Batch]) -> None:
	writer = Writer()
	evidence = {name: bulk.demo_file(name) for name in set(EVIDENCE.values())}
	statement_file = bulk.demo_file(STATEMENT_FILE)
	partners = {
		row.name: row
		for row in frappe.get_all("Partner", fields=["name", "iban", "bic"], filters={"iban": ("is", "set")})
	}
	for number, batch in enumerate(batches):
		partner = partners[batch.partner]
		batch.name = writer.series.next(f"KPB-{batch.created.year}-")
		batch.statement = writer.series.next(f"KBI-{batch.statement_at.year}-")
		payments = []
		for claim in sorted(batch.claims, key=lambda c: (c.slot.end, c.slot.row.plan)):
			payments.append(write_claim(ctx, writer, batch, claim, evidence))
		total = money_sum(amount for _claim, amount, _row in payments)
		std = bulk.standard(batch.accountant, batch.created, batch.confirmed)
		writer.batches.add(
			(
				batch.name,
				*std,
				1,
				0,
				batch.partner,
				batch.execution_date,
				0,
				partner.iban,
				partner.bic,
				"Paid",
				float(total),
				len(payments),
				len(payments),
				batch.name,
				batch.exported,
				batch.accountant,
				batch.accountant,
			)
		)
		booked = bulk.standard(batch.accountant, batch.statement_at)
		writer.statements.add(
			(
				batch.statement,
				*booked,
				1,
				0,
				batch.partner,
				statement_file,
				partner.iban,
				f"{batch.execution_date}-{partner.iban}",
				batch.execution_date,
				batch.execution_date,
				len(payments),
				0,
				0,
				0,
			)
		)
		for idx, (claim, amount, row) in enumerate(payments, 1):
			kind, payee_name, account = claim.payee
			writer.payments.add(
				(
					row,
					*std,
					1,
					idx,
					batch.name,
					BATCH,
					"lines",
					claim.name,
					claim.slot.row.learner_name,
					claim.slot.row.compensation_type,
					payee_name,
					account,
					writer.bic(account),
					float(amount),
					row,  # the end-to-end ID of a line paid on its own is the line's name (sepa.end_to_end_id)
					"Matched",
					claim.name,
				)
			)
			writer.transactions.add(
				(
					writer.row_name(),
					*booked,
					1,
					idx,
					batch.statement,
					STATEMENT,
					"lines",
					batch.execution_date,
					float(amount),
					"DBIT",
					payee_name,
					account,
					row,
					f"PuMPuRS {claim.name}",
					f"{batch.execution_date:%Y%m%d}{idx:05d}",
					"Matched",
					batch.name,
					row,
				)
			)
		if number % 50 == 0:
			frappe.utils.update_progress_bar("Past compensations", number, len(batches))
	writer.flush()
	print()
	refresh_measure_amounts(*writer.plans)


def write_claim(ctx: Context, writer: Writer, batch: Batch, claim: Claim, evidence: dict) -> tuple:
	"""The claim and its lines as the controller and the workflow left them; returns (claim, amount, the name
	of its payment line)."""
	row, institution = claim.slot.row, claim.institution
	verifier = ctx.rng.choice(institution["partner_coordinators"])
	period_over = datetime.combine(claim.slot.end + timedelta(days=1), datetime.min.time())
	entered, _sent, verified, approved = times(
		ctx, list(STEPS), period_over, batch.created - timedelta(hours=1)
	)
	claim.name = writer.series.next(f"KOMP-{entered.year}-")
	owner = institution["coordinator"]
	price = ctx.types[row.compensation_type].caps_for(row.partner, claim.slot.start).unit_price
	std = bulk.standard(owner, entered)
	for idx, line in enumerate(claim.lines, 1):
		unit_price = to_money(str(line["unit_price"])) if line["unit_price"] else price
		writer.lines.add(
			(
				writer.row_name(),
				*std,
				1,
				idx,
				claim.name,
				COMPENSATION,
				"lines",
				line["line_date"],
				line["description"],
				line["quantity"],
				float(unit_price),
				float(amount_for(Decimal(str(line["quantity"])), unit_price)),
				evidence[line["evidence"]] if line.get("evidence") else None,
			)
		)
	kind, payee_name, account = claim.payee
	writer.claimed[row.measure].append(claim.total)
	writer.plans.add(row.plan)
	writer.claims.add(
		(
			claim.name,
			*bulk.standard(owner, entered, batch.statement_at, batch.accountant),
			1,
			0,
			row.plan,
			row.measure,
			row.learner,
			row.learner_name,
			row.compensation_type,
			row.institution,
			row.partner,
			row.school_term,
			claim.slot.start,
			claim.slot.end,
			float(claim.total),
			kind,
			payee_name,
			account,
			writer.bic(account),
			rules.RECONCILED,
			row.planned_amount,
			float(money_sum(writer.claimed[row.measure])),
			batch.statement_at,
			owner,
			verifier,
			verified,
			institution["director"],
			approved,
			batch.name,
			batch.execution_date,
			batch.name,  # the batch's message ID, as its confirmation records
			batch.statement,
			batch.execution_date,
		)
	)
	return claim, claim.total, writer.row_name()
