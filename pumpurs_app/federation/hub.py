"""The national hub's side: partner sites connect with a key pair of an account scoped to their partner, send
plans for IKVD's decision and their term figures; IKVD decides here and the decision goes back."""

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime, today

from pumpurs_app import access
from pumpurs_app.federation import exchange
from pumpurs_app.rules import federation as rules
from pumpurs_app.rules import retention
from pumpurs_app.rules import support_plans as plan_rules
from pumpurs_app.utils import rules_enforced

REVIEW = "IKVD Plan Review"
FIGURES = "PuMPuRS Term Figures"
PARTNER_SITE = "PuMPuRS Partner Site"
DECIDER = access.REGIONAL_COORDINATOR  # the IKVD step's role, as in the plan workflow
DECIDED = {
	rules.APPROVE: plan_rules.APPROVED,
	rules.RETURN: plan_rules.RETURNED,
	rules.REJECT: plan_rules.REJECTED,
}
PLAN_FIELDS = (
	"learner_name",
	"learner_personal_code",
	"grade",
	"education_type",
	"institution_name",
	"institution_code",
	"school_term",
	"school_year",
	"term_type",
	"plan_author_name",
	"plan_date",
	"approved_before",
)


def calling_partner() -> str:
	"""The partner whose site holds the calling key."""
	own = frappe.db.get_value(PARTNER_SITE, {"hub_user": frappe.session.user}, "partner")
	if access.SITE_ACCOUNT not in frappe.get_roles() or not own:
		frappe.throw(_("This account is not a partner site's account."), frappe.PermissionError)
	return own


def check_sender(partner: str | None) -> str:
	"""A key never speaks for another partner than its site's."""
	own = calling_partner()
	if partner != own:
		frappe.throw(
			_("This site's key belongs to partner {0}; it cannot send records of another partner.").format(
				own
			),
			frappe.PermissionError,
		)
	return own


# --- connecting a partner site ------------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def register_partner_site(partner: str) -> dict:
	"""IKVD's administrator gives a partner's site its account here: the key pair is shown once, to be entered
	in the partner site's PuMPuRS Settings. Registering again makes a new secret (the old one stops working)."""
	exchange.only_administrators()
	if exchange.mode() != rules.NATIONAL_HUB:
		frappe.throw(_("This site is not the national hub."))
	if not frappe.db.exists("Partner", partner):
		frappe.throw(_("Partner {0} does not exist.").format(partner))
	site = (
		frappe.get_doc(PARTNER_SITE, partner)
		if frappe.db.exists(PARTNER_SITE, partner)
		else frappe.get_doc(doctype=PARTNER_SITE, partner=partner)
	)
	email = site.hub_user or f"site-{frappe.generate_hash(length=10)}@pumpurs-sites.invalid"
	keys = exchange.new_api_user(email, "PuMPuRS site", partner[:120], access.SITE_ACCOUNT)
	site.hub_user = email
	site.save(ignore_permissions=True)
	return {"partner": partner, **keys}


@frappe.whitelist(methods=["POST"])
def connect_site(site_url: str, api_key: str, api_secret: str) -> dict:
	"""A partner's site tells the hub where it is and the key pair that delivers IKVD's decisions there."""
	if exchange.mode() != rules.NATIONAL_HUB:
		frappe.throw(_("This site is not the national hub."), frappe.PermissionError)
	partner = calling_partner()
	with rules_enforced(PARTNER_SITE):
		site_url = rules.check_hub_url(site_url)
	site = frappe.get_doc(PARTNER_SITE, partner)
	site.update(
		{
			"site_url": site_url,
			"site_api_key": api_key,
			"site_api_secret": api_secret,
			"connected_on": now_datetime(),
		}
	)
	site.save(ignore_permissions=True)
	return {"partner": partner}


@frappe.whitelist(methods=["POST"])
def waiting_for_site() -> list[dict]:
	"""A partner's site fetches what the hub's outbox holds for it, oldest first: the hub pushes IKVD's
	decisions, and a site the hub cannot reach (behind a municipality's firewall) takes them itself."""
	partner = calling_partner()
	return [
		exchange.message_of(frappe.get_doc(exchange.SYNC_LOG, name))
		for name in frappe.get_all(
			exchange.SYNC_LOG,
			filters={
				"direction": "Outgoing",
				"partner": partner,
				"status": ("in", (rules.QUEUED, rules.FAILED)),
			},
			pluck="name",
			order_by="name asc",
		)
	]


@frappe.whitelist(methods=["POST"])
def acknowledge(key: str, answer: dict | str | None = None) -> str:
	"""The partner's site has applied a message it fetched: the hub's outbox stops offering it."""
	partner = calling_partner()
	name = frappe.db.get_value(
		exchange.SYNC_LOG, {"direction": "Outgoing", "idempotency_key": key, "partner": partner}
	)
	if not name:
		frappe.throw(_("No message of this partner has that key."), frappe.PermissionError)
	doc = frappe.get_doc(exchange.SYNC_LOG, name, for_update=True)
	if doc.status != rules.SENT:
		exchange.delivered(doc, frappe.parse_json(answer))
		doc.db_update()
	return doc.status


def held(doctype: str, filters: dict, sequence: int):
	"""What the hub holds of the thing a message is about (a new record if nothing yet), and whether the
	message's sequence is newer than what it holds."""
	name = frappe.db.get_value(doctype, filters)
	doc = frappe.get_doc(doctype, name) if name else frappe.new_doc(doctype)
	return doc, not name or rules.is_current(sequence, doc.sequence)


# --- plans for IKVD's decision ----------------------------------------------------------------------------------


def receive_plan(partner: str, sequence: int, payload: dict) -> tuple[str, tuple[str, str], str]:
	plan = payload.get("plan")
	if not plan:
		frappe.throw(_("The message names no plan."))
	review, newer = held(REVIEW, {"partner": partner, "source_plan": plan}, sequence)
	if not newer:
		return (
			rules.IGNORED,
			(REVIEW, review.name),
			_("Sending {0} of this plan is here already.").format(review.sequence),
		)
	review.update({field: payload.get(field) for field in PLAN_FIELDS})
	review.update(
		{
			"partner": partner,
			"source_plan": plan,
			"sequence": sequence,
			"received_on": now_datetime(),
			"status": plan_rules.PENDING_IKVD,
			"decision_reason": None,
			"decided_by": None,
			"decided_on": None,
		}
	)
	review.set("risks", payload.get("risks") or [])
	review.set("measures", payload.get("measures") or [])
	review.flags.ignore_links = True
	review.save(ignore_permissions=True)
	flag_other_partners(review)
	return rules.APPLIED, (REVIEW, review.name), review.name


def flag_other_partners(review) -> None:
	"""A learner with plans from two partners in one term: both reviews say so, and both partners are told."""
	others = frappe.get_all(
		REVIEW,
		filters={
			"learner_personal_code": review.learner_personal_code,
			"school_term": review.school_term,
			"partner": ("!=", review.partner),
			"status": ("!=", plan_rules.REJECTED),
		},
		fields=["name", "partner", "source_plan"],
	)
	for other in others:
		for this, that in ((review, other), (frappe.get_doc(REVIEW, other.name), review)):
			partners = set(filter(None, (this.other_partners or "").split("\n"))) | {that.partner}
			this.db_set("other_partners", "\n".join(sorted(partners)))
			exchange.queue(
				rules.CROSS_PARTNER_FLAG,
				this.partner,
				(REVIEW, this.name),
				1,
				{"plan": this.source_plan, "school_term": this.school_term, "other_partner": that.partner},
				subject=f"{this.name}|{that.partner}",
			)


@frappe.whitelist(methods=["POST"])
def decide(review: str, decision: str, reason: str | None = None) -> str:
	"""IKVD's decision on a plan a partner's site sent: approve, return to its author or reject (with the
	reason); it goes back to the partner's site, whose workflow applies it."""
	doc = frappe.get_doc(REVIEW, review)
	doc.check_permission("read")
	if DECIDER not in frappe.get_roles():
		frappe.throw(_("Only IKVD's regional coordinators decide on plans."), frappe.PermissionError)
	with rules_enforced(REVIEW):
		rules.check_decision(decision, reason)
	if doc.status != plan_rules.PENDING_IKVD:
		frappe.throw(_("This plan has been decided already ({0}).").format(_(doc.status)))
	doc.update(
		{
			"status": DECIDED[decision],
			"decision_reason": (reason or "").strip() or None,
			"decided_by": frappe.session.user,
			"decided_on": now_datetime(),
		}
	)
	doc.save(ignore_permissions=True)
	exchange.queue(
		rules.IKVD_DECISION,
		doc.partner,
		(REVIEW, doc.name),
		doc.sequence,
		{
			"plan": doc.source_plan,
			"decision": decision,
			"reason": doc.decision_reason,
			"decider": doc.decided_by,
			"decider_name": frappe.utils.get_fullname(doc.decided_by),
			"decided_on": doc.decided_on,
		},
	)
	return doc.status


# --- term figures --------------------------------------------------------------------------------------------


def receive_figures(partner: str, sequence: int, payload: dict) -> tuple[str, tuple[str, str], str]:
	term = payload.get("school_term")
	if not term:
		frappe.throw(_("The message names no school term."))
	doc, newer = held(FIGURES, {"partner": partner, "school_term": term}, sequence)
	if not newer:
		return rules.IGNORED, (FIGURES, doc.name), _("Newer figures of this term are here already.")
	doc.update(payload)
	doc.update({"partner": partner, "sequence": sequence, "received_on": now_datetime()})
	doc.compensations_paid = sum(row.amount or 0 for row in doc.compensations)
	doc.save(ignore_permissions=True)
	return rules.APPLIED, (FIGURES, doc.name), doc.name


def anonymise_expired_reviews() -> None:
	"""Daily: a decided review keeps the learner's name and personal code for the programme's retention period
	(PuMPuRS Settings), counted from the decision; the partner's site keeps its learner under its own."""
	from pumpurs_app.registers.data_protection import retention_years

	years, on = retention_years(), getdate(today())
	for name, decided_on in frappe.get_all(
		REVIEW,
		filters={"decided_on": ("is", "set"), "learner_personal_code": ("is", "set")},
		fields=["name", "decided_on"],
		as_list=True,
	):
		if retention.is_due(getdate(decided_on), years, on):
			frappe.db.set_value(
				REVIEW,
				name,
				{"learner_name": retention.ANONYMISED, "learner_personal_code": None},
				update_modified=False,
			)
