"""The exchange between partner sites and IKVD's national hub, over frappe's REST API with token auth.

Each side writes what it sends into its outbox (PuMPuRS Sync Log, in the same transaction as the change that
causes it) and a background job delivers it to the other side's ``receive``, trying again with back-off while
the other side is down. The receiver keeps every message's idempotency key in its own Sync Log, so a message
that arrives twice is applied once; messages about one record are delivered in the order they were written,
and each carries its place in that record's sequence, so the receiver never orders by the two sites' clocks.
"""

import json

import frappe
import requests
from frappe import _
from frappe.utils import now_datetime

from pumpurs_app import access
from pumpurs_app.rules import federation as rules
from pumpurs_app.utils import rules_enforced

SYNC_LOG = "PuMPuRS Sync Log"
SETTINGS = "PuMPuRS Settings"
RECEIVE = "/api/method/pumpurs_app.federation.exchange.receive"
TIMEOUT_SECONDS = 15


def mode() -> str:
	return frappe.db.get_single_value(SETTINGS, "federation_mode") or rules.SINGLE_SITE


def site_partner() -> str | None:
	"""The partner a partner site holds."""
	return frappe.db.get_single_value(SETTINGS, "site_partner") if mode() == rules.PARTNER_SITE else None


def only_administrators() -> None:
	if not {"System Manager", access.ADMINISTRATOR} & set(frappe.get_roles()):
		frappe.throw(_("Only an administrator can do this."), frappe.PermissionError)


# --- the outbox ---------------------------------------------------------------------------------------------


def queue(
	message_type: str,
	partner: str,
	reference: tuple[str, str],
	sequence: int,
	payload: dict,
	subject: str | None = None,
) -> str:
	"""Put a message about ``reference`` (``subject``, if more than one thing about it travels) into the outbox,
	with the caller's transaction, and deliver it once that is committed. The same message queued again is the
	one already there."""
	with rules_enforced(SYNC_LOG):
		key = rules.message_key(message_type, partner, subject or reference[1], sequence)
	if existing := frappe.db.get_value(SYNC_LOG, {"idempotency_key": key}):
		return existing
	log = frappe.get_doc(
		doctype=SYNC_LOG,
		direction="Outgoing",
		message_type=message_type,
		status=rules.QUEUED,
		partner=partner,
		reference_doctype=reference[0],
		reference_name=reference[1],
		sequence=sequence,
		idempotency_key=key,
		next_attempt_on=now_datetime(),
		content_hash=rules.content_hash(payload),
		payload=json.dumps(payload, default=str),
	)
	log.flags.ignore_links = True  # the reference may live on the other side only
	log.insert(ignore_permissions=True)
	frappe.enqueue(deliver, queue="short", log=log.name, enqueue_after_commit=True)
	return log.name


def last_sequence(message_type: str, reference: str) -> int:
	"""The sequence number of the last message of this type about ``reference`` in the outbox (0: none)."""
	return (
		frappe.db.get_value(
			SYNC_LOG,
			{"direction": "Outgoing", "message_type": message_type, "reference_name": reference},
			"max(sequence)",
		)
		or 0
	)


def deliver(log: int | str) -> str:
	"""Send one message of the outbox (a background job); its status afterwards."""
	doc = frappe.get_doc(SYNC_LOG, log, for_update=True)  # two workers never send the same message
	if doc.status not in (rules.QUEUED, rules.FAILED) or waits_for_earlier(doc):
		return doc.status
	status_code, answer = post(doc, message_of(doc))
	doc.attempts = (doc.attempts or 0) + 1
	if status_code == 200:
		delivered(doc, answer.get("message"))
	elif rules.retried(status_code):
		doc.update(
			{"status": rules.FAILED, "next_attempt_on": rules.next_attempt(doc.attempts, now_datetime())}
		)
		doc.last_error = answer
	else:
		doc.update({"status": rules.REFUSED, "next_attempt_on": None, "last_error": answer})
	doc.db_update()
	frappe.db.commit()  # the outcome of a delivery the other side already acted on is kept
	if doc.status == rules.SENT:  # the next message about the same record may go now
		for later in waiting_after(doc):
			frappe.enqueue(deliver, queue="short", log=later)
	return doc.status


def message_of(doc) -> dict:
	return {
		"key": doc.idempotency_key,
		"type": doc.message_type,
		"partner": doc.partner,
		"sequence": doc.sequence,
		"payload": json.loads(doc.payload),
	}


def delivered(doc, answer) -> None:
	"""The other side has the message: its content goes (it may hold a learner's personal data)."""
	doc.update(
		{
			"status": rules.SENT,
			"delivered_on": now_datetime(),
			"last_error": None,
			"payload": None,
			"next_attempt_on": None,
			"result": json.dumps(answer, ensure_ascii=False, default=str)[:1000],
		}
	)


def waits_for_earlier(doc) -> bool:
	"""Messages about one record leave in the order they were written."""
	return bool(
		frappe.db.exists(
			SYNC_LOG,
			{
				"direction": "Outgoing",
				"reference_name": doc.reference_name,
				"status": ("in", (rules.QUEUED, rules.FAILED)),
				"name": ("<", doc.name),
			},
		)
	)


def waiting_after(doc) -> list:
	return frappe.get_all(
		SYNC_LOG,
		filters={
			"direction": "Outgoing",
			"reference_name": doc.reference_name,
			"status": rules.QUEUED,
			"name": (">", doc.name),
		},
		pluck="name",
		order_by="name asc",
	)


def post(doc, message: dict) -> tuple[int | None, dict | str]:
	"""The other side's answer: (HTTP status, its JSON) or (None or the status, what went wrong)."""
	try:
		url, key, secret = destination(doc)
	except frappe.ValidationError as exc:
		return None, str(exc)
	try:
		response = requests.post(
			url + RECEIVE,
			json={"message": message},
			headers={"Authorization": f"token {key}:{secret}", "Accept": "application/json"},
			timeout=TIMEOUT_SECONDS,
		)
	except requests.RequestException as exc:
		return None, f"{type(exc).__name__}: {exc}"[:1000]
	if response.status_code == 200:
		return 200, response.json()
	return response.status_code, f"HTTP {response.status_code}: {server_message(response)}"[:1000]


def server_message(response) -> str:
	try:
		body = response.json()
		messages = [json.loads(m).get("message", "") for m in json.loads(body.get("_server_messages", "[]"))]
		return " ".join(messages) or body.get("exception") or response.text[:300]
	except ValueError:
		return response.text[:300]


def destination(doc) -> tuple[str, str, str]:
	"""Where a message goes and the key pair it is sent with."""
	from frappe.utils.password import get_decrypted_password

	if doc.message_type in rules.TO_HUB:
		return hub_address()
	site = frappe.db.get_value(
		"PuMPuRS Partner Site", doc.partner, ["site_url", "site_api_key"], as_dict=True
	)
	secret = get_decrypted_password(
		"PuMPuRS Partner Site", doc.partner, "site_api_secret", raise_exception=False
	)
	return checked_address(site and site.site_url, site and site.site_api_key, secret)


def hub_address() -> tuple[str, str, str]:
	"""The hub's address and the key pair IKVD gave this partner's site (PuMPuRS Settings)."""
	from frappe.utils.password import get_decrypted_password

	settings = frappe.get_cached_doc(SETTINGS)
	secret = get_decrypted_password(SETTINGS, SETTINGS, "hub_api_secret", raise_exception=False)
	return checked_address(settings.hub_url, settings.hub_api_key, secret)


def checked_address(url: str | None, key: str | None, secret: str | None) -> tuple[str, str, str]:
	if not (url and key and secret):
		frappe.throw(_("The other site is not connected yet: no address or key."))
	return url.rstrip("/"), key, secret


class HubClient:
	"""A partner site's calls of the hub's methods, with its key pair."""

	def __init__(self) -> None:
		self.url, key, secret = hub_address()
		self.headers = {"Authorization": f"token {key}:{secret}", "Accept": "application/json"}

	def call(self, method: str, **data):
		try:
			response = requests.post(
				f"{self.url}/api/method/{method}", json=data, headers=self.headers, timeout=TIMEOUT_SECONDS
			)
		except requests.RequestException as exc:
			frappe.throw(_("The hub does not answer: {0}").format(exc))
		if response.status_code != 200:
			frappe.throw(_("The hub refused: {0}").format(server_message(response)))
		return response.json().get("message")


def send_due() -> None:
	"""Scheduler (every minute): deliver what is queued or waits for another attempt."""
	for log in frappe.get_all(
		SYNC_LOG,
		filters={
			"direction": "Outgoing",
			"status": ("in", (rules.QUEUED, rules.FAILED)),
			"next_attempt_on": ("<=", now_datetime()),
		},
		pluck="name",
		order_by="name asc",
	):
		deliver(log)


@frappe.whitelist(methods=["POST"])
def send_now(log: int | str) -> str:
	"""An administrator sends a waiting or refused message again, now."""
	only_administrators()
	doc = frappe.get_doc(SYNC_LOG, log, for_update=True)
	if doc.direction != "Outgoing":
		frappe.throw(_("Only an outgoing message can be sent again."))
	if doc.status != rules.SENT:  # (delivered meanwhile by the background job: nothing left to do)
		doc.db_set({"status": rules.QUEUED, "next_attempt_on": now_datetime()})
	return deliver(log)


# --- receiving -----------------------------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def receive(message: dict | str) -> dict:
	"""Apply a message from the other side once; the same message again gets the first answer."""
	from pumpurs_app.federation import hub

	message = frappe.parse_json(message)
	kind = message.get("type")
	if kind in rules.TO_HUB:
		if mode() != rules.NATIONAL_HUB:
			frappe.throw(_("This site is not the national hub."), frappe.PermissionError)
		hub.check_sender(message.get("partner"))
	elif kind in rules.MESSAGE_TYPES:
		if mode() != rules.PARTNER_SITE or access.HUB_ACCOUNT not in frappe.get_roles():
			frappe.throw(_("Only the national hub sends this site IKVD's decisions."), frappe.PermissionError)
		if message.get("partner") != site_partner():
			frappe.throw(_("This message is for another partner's site."), frappe.PermissionError)
	else:
		frappe.throw(_("Unknown message type {0}.").format(kind))
	return apply(message)


def apply(message: dict) -> dict:
	"""A message whose sender is checked, applied once (``receive``, or a partner site fetching from the hub)."""
	from pumpurs_app.federation import hub, partner_site

	kind, key = message.get("type"), message.get("key")
	if (
		not key
		or not isinstance(message.get("payload"), dict)
		or not isinstance(message.get("sequence"), int)
	):
		frappe.throw(_("The message has no key, sequence or content."))
	if done := frappe.db.get_value(
		SYNC_LOG, {"idempotency_key": key, "direction": "Incoming"}, ["status", "result"], as_dict=True
	):
		return {"status": done.status, "result": done.result, "replayed": True}
	handler = {
		rules.PLAN_FOR_DECISION: hub.receive_plan,
		rules.TERM_FIGURES: hub.receive_figures,
		rules.IKVD_DECISION: partner_site.receive_decision,
		rules.CROSS_PARTNER_FLAG: partner_site.receive_flag,
	}[kind]
	status, reference, result = handler(message["partner"], message["sequence"], message["payload"])
	log = frappe.get_doc(
		doctype=SYNC_LOG,
		direction="Incoming",
		message_type=kind,
		status=status,
		partner=message["partner"],
		reference_doctype=reference[0],
		reference_name=reference[1],
		sequence=message["sequence"],
		idempotency_key=key,
		result=result,
	)
	log.flags.ignore_links = True
	log.insert(ignore_permissions=True)
	return {"status": status, "result": result, "replayed": False}


def new_api_user(email: str, first_name: str, last_name: str, role: str) -> dict:
	"""An account used by the other site alone (no password, one role) and a new key pair for it."""
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			doctype="User",
			email=email,
			first_name=first_name,
			last_name=last_name,
			send_welcome_email=0,
			user_type="System User",
			roles=[{"role": role}],
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.api_key = user.api_key or frappe.generate_hash(length=15)
	user.api_secret = secret = frappe.generate_hash(length=15)
	user.save(ignore_permissions=True)
	return {"user": email, "api_key": user.api_key, "api_secret": secret}
