"""Partner sites and IKVD's national hub (issue 11): two partners' sites and the hub on the test bench, each
served by its own web server, an RQ worker delivering the outboxes, real users acting over HTTP.

The round trip of one decision (from IKVD's click at the hub to the plan Approved at partner A's site, the
worker delivering) is written to the bench's state folder (federation-round-trip.json) for the closing note."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from pumpurs_app.rules import federation as rules
from tests.integration import sites
from tests.integration.federation import HUB_DECIDER, PLAN

REVIEW = "IKVD Plan Review"


@pytest.fixture(scope="module")
def worker(federation):
	"""One RQ worker of the bench for the short and default queues, which deliver the sites' outboxes."""
	process = subprocess.Popen(
		["bench", "worker", "--queue", "short,default"],
		cwd=sites.sites_path().parent,
		stdin=subprocess.DEVNULL,
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
		start_new_session=True,
	)
	yield process
	os.killpg(process.pid, signal.SIGTERM)
	deadline = time.monotonic() + 60
	while True:  # the worker itself, not only bench's command that started it, has ended
		try:
			os.killpg(process.pid, 0)
		except ProcessLookupError:
			break
		assert time.monotonic() < deadline, "the worker does not stop"
		time.sleep(0.2)
		process.poll()


def latvian(message: str, *values) -> str:
	"""What the sites (Latvian by default, as the test world sets them up) say."""
	import frappe

	frappe.local.lang = "lv"
	try:
		return frappe._(message).format(*values)
	finally:
		frappe.local.lang = "en"


def wait_for(read, expected, timeout: float = 60):
	deadline = time.monotonic() + timeout
	while (value := read()) != expected:
		assert time.monotonic() < deadline, f"still {value!r}, not {expected!r}"
		time.sleep(0.1)
	return value


def plan_state(site, plan: str) -> str:
	return site.login(site.user("muni_coord")).doc(PLAN, plan)["workflow_state"]


def test_a_plan_goes_to_the_hub_and_ikvds_approval_comes_back_as_the_decider(federation, worker):
	a, hub = federation.a, federation.hub
	plan = federation.plan_at_ikvd_step(a, "a7")
	review = federation.review(a.partner, plan)
	learner = a.login(a.user("a_coord")).doc("Learner", a.world["learners"]["a7"])
	assert (review["status"], review["sequence"], review["school_term"]) == (
		"Pending IKVD",
		1,
		a.world["terms"]["current_s1"],
	)
	assert (review["learner_name"], review["grade"], review["institution_name"]) == (
		learner["full_name"],
		7,
		"Testa 1. vidusskola",
	)
	assert len(review["risks"]) == 2 and len(review["measures"]) == 2
	# nobody at the partner's site decides the IKVD step (the site's own IKVD user included)
	refused = a.login(a.user("regional")).post(
		"frappe.model.workflow.apply_workflow",
		doc=json.dumps(a.login(a.user("regional")).doc(PLAN, plan)),
		action="Approve",
	)
	assert refused.status_code == 403 and "national hub" in refused.text

	decider, coordinator = hub.login(HUB_DECIDER), a.login(a.user("muni_coord"))
	started = time.monotonic()
	decided = decider.call("pumpurs_app.federation.hub.decide", review=review["name"], decision="Approve")
	wait_for(lambda: coordinator.doc(PLAN, plan)["workflow_state"], "Approved")
	round_trip = time.monotonic() - started
	assert decided == "Approved"
	stored = a.login(a.user("a_author")).doc(PLAN, plan)
	assert stored["ikvd_approved_by"] == HUB_DECIDER and stored["ikvd_approved_on"]
	assert stored["docstatus"] == 1
	# the decider is known at the partner's site by name, and cannot log in there
	assert a.step("user", email=HUB_DECIDER) == {"enabled": 0, "full_name": "Ilze Lēmēja"}
	(sent,) = [row for row in a.step("outbox", reference=plan) if row["direction"] == "Outgoing"]
	assert (sent["status"], sent["payload"]) == (rules.SENT, None)  # the learner's data is not kept there
	Path(sites.sites_path().parent / ".pumpurs" / "federation-round-trip.json").write_text(
		json.dumps({"plan_decision_round_trip_ms": round(round_trip * 1000)})
	)


def test_a_return_goes_back_to_the_author_with_its_reason_and_an_old_decision_changes_nothing(
	federation, worker
):
	a, hub = federation.a, federation.hub
	plan = federation.plan_at_ikvd_step(a, "a3")
	review = federation.review(a.partner, plan)
	reason = "Trūkst sociālā pedagoga konsultāciju plāna"
	assert (
		hub.login(HUB_DECIDER).call(
			"pumpurs_app.federation.hub.decide", review=review["name"], decision="Return", reason=reason
		)
		== "Returned"
	)
	wait_for(lambda: plan_state(a, plan), "Returned")
	author = a.login(a.user("a_author"))
	assert author.doc(PLAN, plan)["decision_reason"] == reason
	# the author changes nothing and sends it again; it reaches the hub as its second sending
	author.act(plan, "Send for Approval")
	a.login(a.user("a_director")).act(plan, "Approve")
	a.login(a.user("muni_coord")).act(plan, "Approve")
	wait_for(lambda: federation.review(a.partner, plan)["sequence"], 2)
	assert federation.review(a.partner, plan)["status"] == "Pending IKVD"

	# the hub's first decision arrives once more (a replay, or a late copy from before the clocks agree):
	# it is answered as the first time, and a decision on the first sending does not touch the second
	keys = hub.step("site_keys", partner=a.partner)
	message = {
		"key": rules.message_key(rules.IKVD_DECISION, a.partner, review["name"], 1),
		"type": rules.IKVD_DECISION,
		"partner": a.partner,
		"sequence": 1,
		"payload": {"plan": plan, "decision": "Return", "reason": reason, "decider": HUB_DECIDER},
	}
	answer = a.with_key(**keys).call("pumpurs_app.federation.exchange.receive", message=message)
	assert (answer["status"], answer["replayed"]) == (rules.APPLIED, True)
	message["key"] += "-copy"  # the same decision under a new key: its sequence is out of date
	answer = a.with_key(**keys).call("pumpurs_app.federation.exchange.receive", message=message)
	assert (answer["status"], answer["replayed"]) == (rules.IGNORED, False)
	assert plan_state(a, plan) == "Pending IKVD"


def outgoing(site, plan: str, status: str) -> dict:
	"""The plan's message in the site's outbox once it has ``status``."""
	deadline = time.monotonic() + 60
	while not (found := [row for row in site.step("outbox", reference=plan) if row["status"] == status]):
		assert time.monotonic() < deadline, f"no message of {plan} is {status}"
		time.sleep(0.5)
	return found[0]


def test_while_the_hub_is_down_the_plan_waits_in_the_outbox_and_arrives_once(federation, worker):
	a, hub = federation.a, federation.hub
	hub.stop()
	try:
		plan = federation.plan_at_ikvd_step(a, "a8money", term="current_s2")
		waiting = outgoing(a, plan, rules.FAILED)
		assert waiting["attempts"] == 1 and "ConnectionError" in waiting["last_error"]
		assert waiting["payload"]  # kept until it is delivered
	finally:
		hub.start()
	a.step("send_due")  # the scheduler's next run, once the minute's wait has passed
	assert outgoing(a, plan, rules.SENT)["attempts"] >= 2
	review = federation.review(a.partner, plan)
	assert (review["status"], review["sequence"]) == ("Pending IKVD", 1)

	# the same message once more with A's key pair: answered as before, the review unchanged
	message = {
		"key": rules.message_key(rules.PLAN_FOR_DECISION, a.partner, plan, 1),
		"type": rules.PLAN_FOR_DECISION,
		"partner": a.partner,
		"sequence": 1,
		"payload": json.loads(waiting["payload"]),
	}
	answer = hub.with_key(**federation.keys[a.partner]).call(
		"pumpurs_app.federation.exchange.receive", message=message
	)
	assert (answer["status"], answer["replayed"], answer["result"]) == (rules.APPLIED, True, review["name"])
	assert federation.review(a.partner, plan)["modified"] == review["modified"]


def test_a_partner_site_the_hub_cannot_reach_takes_ikvds_decision_itself(federation, worker):
	a, hub = federation.a, federation.hub
	plan = federation.plan_at_ikvd_step(a, "a3", term="current_s2")
	review = federation.review(a.partner, plan)
	a.stop()  # behind the municipality's firewall, say
	try:
		decider = hub.login(HUB_DECIDER)
		assert (
			decider.call("pumpurs_app.federation.hub.decide", review=review["name"], decision="Approve")
			== "Approved"
		)
		assert outgoing(hub, review["name"], rules.FAILED)["message_type"] == rules.IKVD_DECISION
		assert a.step("fetch") == 1  # the partner site's scheduler, every minute
	finally:
		a.start()
	assert plan_state(a, plan) == "Approved"
	stored = a.login(a.user("a_author")).doc(PLAN, plan)
	assert stored["ikvd_approved_by"] == HUB_DECIDER
	assert (
		outgoing(hub, review["name"], rules.SENT)["payload"] is None
	)  # the hub's outbox no longer offers it
	assert a.step("fetch") == 0


def test_a_partners_key_never_writes_or_reads_another_partners_data_at_the_hub(federation):
	a, b, hub = federation.a, federation.b, federation.hub
	with_a_key = hub.with_key(**federation.keys[a.partner])
	message = {
		"key": rules.message_key(rules.PLAN_FOR_DECISION, b.partner, "IAP-20261-00001", 1),
		"type": rules.PLAN_FOR_DECISION,
		"partner": b.partner,
		"sequence": 1,
		"payload": {"plan": "IAP-20261-00001", "learner_name": "Svešs Bērns", "school_term": "x"},
	}
	refused = with_a_key.post("pumpurs_app.federation.exchange.receive", message=message)
	assert refused.status_code == 403
	assert refused.json()["exception"].endswith(
		latvian(
			"This site's key belongs to partner {0}; it cannot send records of another partner.", a.partner
		)
	)
	decider = hub.login(HUB_DECIDER)
	assert not decider.records(REVIEW, {"source_plan": "IAP-20261-00001"})
	# the site's account reads nothing at the hub and decides nothing
	for doctype in (REVIEW, "PuMPuRS Term Figures", "PuMPuRS Partner Site", "Individual Support Plan"):
		response = with_a_key.http.get(f"{hub.url}/api/resource/{doctype}", timeout=30)
		assert response.status_code == 403 or response.json()["data"] == [], doctype
	pending = decider.records(REVIEW, {"status": "Pending IKVD"})
	if pending:
		response = with_a_key.post(
			"pumpurs_app.federation.hub.decide", review=pending[0]["name"], decision="Approve"
		)
		assert response.status_code == 403
	# what the hub holds for partner sites: A's key gets A's alone and acknowledges no other partner's
	waiting = with_a_key.call("pumpurs_app.federation.hub.waiting_for_site")
	assert {m["partner"] for m in waiting} <= {a.partner}
	for key in (rules.message_key(rules.IKVD_DECISION, b.partner, "x", 1), "anything"):
		response = with_a_key.post("pumpurs_app.federation.hub.acknowledge", key=key)
		assert response.status_code == 403
	# nor does a message of the hub's kind, sent to the hub
	message.update(type=rules.IKVD_DECISION, partner=a.partner)
	assert with_a_key.post("pumpurs_app.federation.exchange.receive", message=message).status_code == 403


def test_a_learner_with_plans_of_two_partners_in_one_term_is_flagged_to_both(federation, worker):
	a, b = federation.a, federation.b
	b.step("same_child_at_the_vocational_school", learner="v1", twin="b2voc")
	plan_a = federation.plan_at_ikvd_step(a, "b2voc")
	plan_b = federation.plan_at_ikvd_step(b, "v1", municipal=False)
	wait_for(lambda: federation.review(b.partner, plan_b)["other_partners"], a.partner)
	wait_for(lambda: federation.review(a.partner, plan_a)["other_partners"], b.partner)
	term = a.world["terms"]["current_s1"]
	flag = "IKVD: the learner also has a plan of {0} for {1}."
	wait_for(lambda: a.step("comments", reference=plan_a), [latvian(flag, b.partner, term)])
	wait_for(lambda: b.step("comments", reference=plan_b), [latvian(flag, a.partner, term)])


def test_term_figures_of_both_partners_appear_in_the_hubs_national_report_for_ikvd_alone(federation, worker):
	a, b, hub = federation.a, federation.b, federation.hub
	term = a.world["terms"]["current_s1"]
	for site in (a, b):
		queued = site.login("Administrator", "admin").call(
			"pumpurs_app.federation.partner_site.send_term_figures", term=term
		)
		assert len(queued) == 1
	expected = {site.partner: site.step("figures", partner=site.partner, term=term) for site in (a, b)}
	assert expected[a.partner]["approved_plans"] >= 1

	def report() -> dict:
		result = hub.login(HUB_DECIDER).call(
			"frappe.desk.query_report.run",
			report_name="Partner Sites Term Figures",
			filters={"school_term": term},
		)
		return {
			row["partner"]: row for row in result["result"] if isinstance(row, dict) and row.get("partner")
		}

	deadline = time.monotonic() + 60
	while set(report()) != {a.partner, b.partner}:
		assert time.monotonic() < deadline, f"the hub has figures of {set(report())}"
		time.sleep(0.3)
	rows = report()
	for partner, figures in expected.items():
		row = rows[partner]
		for field in (
			"plans",
			"approved_plans",
			"learners",
			"measures",
			"planned_hours",
			"consultation_hours",
		):
			assert row[field] == figures[field], (partner, field)
		assert row["compensations_paid"] == pytest.approx(sum(c["amount"] for c in figures["compensations"]))
	# unchanged figures are not sent again
	assert (
		a.login("Administrator", "admin").call(
			"pumpurs_app.federation.partner_site.send_term_figures", term=term
		)
		== []
	)
	# a partner's coordinator at the hub sees none of them
	coordinator = hub.login(hub.user("muni_coord"))
	assert (
		coordinator.post(
			"frappe.desk.query_report.run", report_name="Partner Sites Term Figures", filters={}
		).status_code
		== 403
	)
	response = coordinator.http.get(f"{hub.url}/api/resource/PuMPuRS Term Figures", timeout=30)
	assert response.status_code == 403


def test_the_hub_forgets_the_learner_of_a_review_decided_longer_ago_than_personal_data_is_kept(world):
	"""On this (single) site, as at a hub: a review decided beyond the retention period loses the learner's name
	and personal code; one decided within it keeps them."""
	import frappe
	from frappe.utils import add_years, now_datetime

	from pumpurs_app.federation.hub import anonymise_expired_reviews
	from pumpurs_app.registers.data_protection import retention_years
	from pumpurs_app.rules.retention import ANONYMISED

	names = {}
	for age in (retention_years() + 1, retention_years() - 1):
		review = frappe.get_doc(
			doctype=REVIEW,
			partner=world.municipality,
			source_plan=f"IAP-TEST-{age}",
			status="Approved",
			learner_name="Anna Kalniņa",
			learner_personal_code="170513-20006",
			decided_by="Administrator",
			decided_on=add_years(now_datetime(), -age),
		).insert()
		names[age] = review.name
	anonymise_expired_reviews()
	old, recent = (frappe.get_doc(REVIEW, names[age]) for age in sorted(names, reverse=True))
	assert (old.learner_name, old.learner_personal_code) == (ANONYMISED, None)
	assert (recent.learner_name, recent.learner_personal_code) == ("Anna Kalniņa", "170513-20006")


@pytest.mark.parametrize(
	("method", "arguments"),
	[
		("pumpurs_app.federation.exchange.send_now", {"log": 1}),
		("pumpurs_app.federation.exchange.receive", {"message": {"type": rules.PLAN_FOR_DECISION}}),
		("pumpurs_app.federation.exchange.receive", {"message": {"type": rules.IKVD_DECISION}}),
		("pumpurs_app.federation.hub.register_partner_site", {"partner": "Testa novada pašvaldība"}),
		(
			"pumpurs_app.federation.hub.connect_site",
			{"site_url": "http://x", "api_key": "k", "api_secret": "s"},
		),
		("pumpurs_app.federation.hub.waiting_for_site", {}),
		("pumpurs_app.federation.hub.acknowledge", {"key": "k"}),
		("pumpurs_app.federation.partner_site.connect_to_hub", {}),
		("pumpurs_app.federation.partner_site.send_term_figures", {}),
	],
)
def test_the_exchanges_methods_refuse_the_programmes_own_users(world, api, method, arguments):
	"""Only the other site's account and the site's administrators use them; a partner's coordinator gets 403."""
	response = api(world.user("muni_coord")).post(f"/api/method/{method}", arguments)
	assert response.status == 403, response.text[:300]


def test_the_hubs_records_and_their_rows_are_closed_to_the_programmes_own_users(world, api):
	"""IKVD Plan Review with its risks and measures, PuMPuRS Term Figures with its compensations: a partner's
	coordinator reads neither the records nor their rows, by list or by name; IKVD's regional coordinator
	reads the review with its rows (the control)."""
	import frappe

	review = frappe.get_doc(
		doctype=REVIEW,
		partner=world.municipality,
		source_plan="IAP-ROWS-1",
		status="Pending IKVD",
		learner_name="Anna Kalniņa",
		risks=[{"risk_factor": "Unexcused absences", "severity": "High"}],
		measures=[{"measure_kind": "Consultation", "planned_hours": 6}],
	).insert()
	figures = frappe.get_doc(
		doctype="PuMPuRS Term Figures",
		partner=world.municipality,
		school_term="2026/2027 S1",
		compensations=[{"compensation_type": "Meals", "claims": 2, "amount": 10}],
	).insert()
	frappe.db.commit()
	try:
		rows = {
			"IKVD Plan Review Risk": (REVIEW, review.risks[0].name),
			"IKVD Plan Review Measure": (REVIEW, review.measures[0].name),
			"PuMPuRS Term Compensation": ("PuMPuRS Term Figures", figures.compensations[0].name),
		}
		coordinator = api(world.user("muni_coord"))
		for doctype in (REVIEW, "PuMPuRS Term Figures"):
			assert coordinator.get(f"/api/resource/{doctype}").status == 403, doctype
		for child, (parent, name) in rows.items():
			assert coordinator.get(f"/api/resource/{child}/{name}").status == 403, child
			listed = coordinator.call(
				"frappe.client.get_list", doctype=child, parent=parent, fields=["name"], limit_page_length=0
			)
			assert listed.status == 403 or not listed.message, child
		seen = api(world.user("regional")).get(f"/api/resource/{REVIEW}/{review.name}")
		assert seen.status == 200
		assert (len(seen.data["risks"]), len(seen.data["measures"])) == (1, 1)
	finally:
		frappe.delete_doc(REVIEW, review.name, force=True)
		frappe.delete_doc("PuMPuRS Term Figures", figures.name, force=True)
		frappe.db.commit()
