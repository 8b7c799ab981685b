"""A partner site's side: a plan that reaches the IKVD step goes to the national hub, IKVD's decision comes
back and the plan's workflow applies it as the IKVD decider; the term figures go to the hub."""

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow
from frappe.query_builder.functions import Count, Sum
from frappe.utils import get_fullname, get_url, today

from pumpurs_app import access
from pumpurs_app.federation import exchange
from pumpurs_app.rules import federation as rules
from pumpurs_app.rules import support_plans as plan_rules
from pumpurs_app.utils import rules_enforced

PLAN = "Individual Support Plan"
HUB_ACCOUNT = "pumpurs-hub@pumpurs-sites.invalid"
RISK_FIELDS = ("risk_factor", "risk_group", "severity", "observation")
MEASURE_FIELDS = (
	"measure_kind",
	"risk_factor",
	"specialist_role",
	"planned_hours",
	"compensation_type",
	"planned_amount",
	"frequency",
)


def decided_at_hub() -> bool:
	return exchange.mode() == rules.PARTNER_SITE


def check_ikvd_step(old: str) -> None:
	"""On a partner site IKVD decides at the hub: the plan leaves Pending IKVD only by the hub's decision."""
	if old == plan_rules.PENDING_IKVD and decided_at_hub() and not frappe.flags.pumpurs_hub_decision:
		frappe.throw(
			_("IKVD decides on this plan at the national hub; its decision is applied here when it arrives."),
			frappe.PermissionError,
		)


# --- a plan for IKVD's decision --------------------------------------------------------------------------------


def send_plan(plan) -> None:
	"""With the transition that puts the plan at the IKVD step: the plan, its risks and measures and what IKVD
	needs of the learner and the school, into the outbox."""
	learner = frappe.db.get_value("Learner", plan.learner, ["personal_code", "full_name"], as_dict=True)
	institution = frappe.db.get_value(
		"Educational Institution", plan.institution, ["institution_name", "registration_code"], as_dict=True
	)
	term = frappe.db.get_value("School Term", plan.school_term, ["school_year", "term_type"], as_dict=True)
	approvers = [plan.get(step.by) for step in plan.approval.steps if plan.get(step.by)]
	payload = {
		"plan": plan.name,
		"learner_name": learner.full_name,
		"learner_personal_code": learner.personal_code,
		"grade": plan.grade,
		"education_type": plan.education_type,
		"institution_name": institution.institution_name,
		"institution_code": institution.registration_code,
		"school_term": plan.school_term,
		"school_year": term.school_year,
		"term_type": term.term_type,
		"plan_author_name": plan.plan_author_name,
		"plan_date": plan.plan_date,
		"approved_before": "\n".join(get_fullname(user) for user in approvers),
		"risks": [{field: row.get(field) for field in RISK_FIELDS} for row in plan.risks],
		"measures": [{field: row.get(field) for field in MEASURE_FIELDS} for row in plan.measures],
	}
	sequence = exchange.last_sequence(rules.PLAN_FOR_DECISION, plan.name) + 1
	exchange.queue(rules.PLAN_FOR_DECISION, plan.partner, (PLAN, plan.name), sequence, payload)


def receive_decision(partner: str, sequence: int, payload: dict) -> tuple[str, tuple[str, str], str]:
	"""IKVD's decision on the ``sequence``-th sending of a plan, applied by the plan's workflow as the decider
	(the approval engine stamps name and time, or keeps the reason, as on a single site)."""
	name = payload.get("plan")
	if not name or not frappe.db.exists(PLAN, name):
		frappe.throw(_("Plan {0} is not on this site.").format(name))
	with rules_enforced(PLAN):
		rules.check_decision(payload.get("decision"), payload.get("reason"))
	plan = frappe.get_doc(PLAN, name)
	if plan.partner != partner:
		frappe.throw(_("This message is for another partner's site."), frappe.PermissionError)
	sent = exchange.last_sequence(rules.PLAN_FOR_DECISION, name)
	if not rules.decision_applies(sequence, sent, plan.workflow_state == plan_rules.PENDING_IKVD):
		return (
			rules.IGNORED,
			(PLAN, name),
			_("The plan no longer waits for this decision ({0}).").format(_(plan.workflow_state)),
		)
	decider = hub_decider(payload.get("decider"), payload.get("decider_name"))
	user, frappe.flags.pumpurs_hub_decision = frappe.session.user, True
	frappe.set_user(decider)
	access.clear_scope_cache()
	try:
		if payload.get("reason"):
			plan.db_set("decision_reason", payload["reason"].strip())
		apply_workflow(plan, rules.DECISION_ACTIONS[payload["decision"]])
	finally:
		frappe.flags.pumpurs_hub_decision = False
		frappe.set_user(user)
		access.clear_scope_cache()
	return rules.APPLIED, (PLAN, name), frappe.db.get_value(PLAN, name, "workflow_state")


def hub_decider(email: str | None, full_name: str | None) -> str:
	"""The IKVD decider as a user of this site, for the stamps: an account that cannot log in here, holding
	the IKVD step's role only."""
	if not email:
		frappe.throw(_("The decision names no decider."))
	if not frappe.db.exists("User", email):
		first, _space, last = (full_name or email).partition(" ")
		user = frappe.get_doc(
			doctype="User",
			email=email,
			first_name=first[:140],
			last_name=last[:140] or None,
			enabled=0,
			send_welcome_email=0,
			user_type="System User",
			roles=[{"role": access.REGIONAL_COORDINATOR}],
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
	return email


def receive_flag(partner: str, sequence: int, payload: dict) -> tuple[str, tuple[str, str], str]:
	"""The hub found the learner with a plan of another partner for the same term: the plan says so."""
	name = payload.get("plan")
	if not name or not frappe.db.exists(PLAN, name):
		frappe.throw(_("Plan {0} is not on this site.").format(name))
	text = _("IKVD: the learner also has a plan of {0} for {1}.").format(
		payload.get("other_partner"), payload.get("school_term")
	)
	frappe.get_doc(PLAN, name).add_comment("Info", text)
	return rules.APPLIED, (PLAN, name), text


def fetch_from_hub() -> int:
	"""Scheduler (every minute) on a partner site: take what the hub holds for this site (IKVD's decisions, its
	flags) and apply each once, as if the hub had delivered it; how many were taken."""
	if exchange.mode() != rules.PARTNER_SITE:
		return 0
	try:
		hub = exchange.HubClient()
		waiting = hub.call("pumpurs_app.federation.hub.waiting_for_site")
	except frappe.ValidationError:
		return 0  # the hub is down: the outbox's Sync Log shows it, and the next minute tries again
	taken = 0
	for message in waiting:
		if (
			message.get("type") not in (rules.IKVD_DECISION, rules.CROSS_PARTNER_FLAG)
			or message.get("partner") != exchange.site_partner()
		):
			continue
		answer = exchange.apply(message)
		frappe.db.commit()  # applied here before the hub is told; a repeat is answered from the Sync Log
		hub.call("pumpurs_app.federation.hub.acknowledge", key=message["key"], answer=answer)
		taken += 1
	return taken


# --- term figures ----------------------------------------------------------------------------------------------


def term_figures(partner: str, term: str) -> dict:
	"""What the IKVD workbook reports of a partner for a term: plans, measures, hours, money paid by type."""
	plan = frappe.qb.DocType(PLAN)
	measure = frappe.qb.DocType("Support Plan Measure")
	consultation = frappe.qb.DocType("Support Consultation")
	claim = frappe.qb.DocType("Compensation")
	live = (
		(plan.partner == partner)
		& (plan.school_term == term)
		& plan.workflow_state.notin(plan_rules.CLOSED_WITHOUT_SUPPORT)
	)
	approved = live & plan.workflow_state.isin((plan_rules.APPROVED, plan_rules.EVALUATED))
	plans, learners = (
		frappe.qb.from_(plan).select(Count("*"), Count(plan.learner).distinct()).where(live).run()[0]
	)
	approved_plans = frappe.qb.from_(plan).select(Count("*")).where(approved).run()[0][0]
	measures, planned_hours = (
		frappe.qb.from_(measure)
		.join(plan)
		.on((measure.parent == plan.name) & (measure.parenttype == PLAN))
		.select(Count("*"), Sum(measure.planned_hours))
		.where(approved)
		.run()[0]
	)
	minutes = (
		frappe.qb.from_(consultation)
		.select(Sum(consultation.duration_minutes))
		.where((consultation.partner == partner) & (consultation.school_term == term))
		.run()[0][0]
	)
	paid = (
		frappe.qb.from_(claim)
		.select(claim.compensation_type, Count("*"), Sum(claim.total_amount))
		.where(
			(claim.partner == partner)
			& (claim.school_term == term)
			& claim.workflow_state.isin(("Paid", "Reconciled"))
		)
		.groupby(claim.compensation_type)
		.orderby(claim.compensation_type)
		.run()
	)
	return {
		"school_term": term,
		"plans": plans,
		"approved_plans": approved_plans,
		"learners": learners,
		"measures": measures,
		"planned_hours": float(planned_hours or 0),
		"consultation_hours": round(float(minutes or 0) / 60, 2),
		"compensations": [
			{"compensation_type": kind, "claims": count, "amount": float(amount or 0)}
			for kind, count, amount in paid
		],
	}


@frappe.whitelist(methods=["POST"])
def send_term_figures(term: str | None = None) -> list[str]:
	"""An administrator sends the figures now (the scheduler does daily)."""
	exchange.only_administrators()
	return queue_term_figures(term)


def send_term_figures_daily() -> None:
	queue_term_figures()


def queue_term_figures(term: str | None = None) -> list[str]:
	"""The figures of ``term``, or of the last four terms that have begun, into the outbox where they changed
	since they were last sent."""
	partner = exchange.site_partner()
	if not partner:
		return []
	terms = (
		[term]
		if term
		else frappe.get_all(
			"School Term",
			filters={"start_date": ("<=", today())},
			order_by="start_date desc",
			limit=4,
			pluck="name",
		)
	)
	queued = []
	for name in terms:
		payload = term_figures(partner, name)
		last = frappe.get_all(
			exchange.SYNC_LOG,
			filters={"direction": "Outgoing", "message_type": rules.TERM_FIGURES, "reference_name": name},
			fields=["sequence", "content_hash"],
			order_by="sequence desc",
			limit=1,
		)
		if last and last[0].content_hash == rules.content_hash(payload):
			continue
		sequence = (last[0].sequence if last else 0) + 1
		queued.append(exchange.queue(rules.TERM_FIGURES, partner, ("School Term", name), sequence, payload))
	return queued


# --- connecting to the hub --------------------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def connect_to_hub() -> dict:
	"""With the hub's address and the key pair IKVD gave this partner in PuMPuRS Settings: make the account the
	hub delivers decisions with here, and tell the hub this site's address and that account's keys."""
	exchange.only_administrators()
	settings = frappe.get_doc(exchange.SETTINGS)
	if settings.federation_mode != rules.PARTNER_SITE:
		frappe.throw(_("Choose the mode Partner Site first."))
	keys = exchange.new_api_user(HUB_ACCOUNT, "PuMPuRS", "national hub", access.HUB_ACCOUNT)
	connected = exchange.HubClient().call(
		"pumpurs_app.federation.hub.connect_site",
		site_url=get_url(),
		api_key=keys["api_key"],
		api_secret=keys["api_secret"],
	)
	if connected["partner"] != settings.site_partner:
		frappe.throw(_("The key pair belongs to another partner at the hub."))
	return {"partner": settings.site_partner, "site_url": get_url()}
