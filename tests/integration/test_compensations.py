"""Compensations claimed against an approved plan: the workflow with four eyes, caps across documents, the
plan's planned amount, and every kind of bad claim refused with nothing saved."""

import threading
from datetime import timedelta

import frappe
import pytest
from frappe.model.workflow import WorkflowTransitionError

from tests.integration.files import uploaded
from tests.integration.money import (
	COMPENSATION,
	approve_claim,
	daily_tickets,
	make_claim,
	measure_of,
	new_claim,
	october,
	step,
	term_dates,
)
from tests.integration.plans import act
from tests.integration.refusals import no_permission


def measure_amounts(world, kind: str) -> tuple[float, float]:
	return frappe.db.get_value(
		"Support Plan Measure", measure_of(world, kind), ["approved_amount", "paid_amount"]
	)


def test_claim_goes_from_draft_to_approved(world):
	claim = make_claim(world)
	assert claim.workflow_state == "Draft" and claim.total_amount == 6.0
	assert (
		claim.learner == world.learners["a8money"] and claim.compensation_type == "Public transport tickets"
	)
	assert claim.institution == world.school_a and claim.partner == world.municipality
	assert claim.payee_bic == "HABALV22XXX"
	doc = step(world, "a_coord", claim.name, "Submit for Verification")
	assert doc.workflow_state == "Submitted"
	doc = step(world, "a_accountant", claim.name, "Verify")
	assert doc.workflow_state == "Verified" and doc.verified_by == world.user("a_accountant")
	doc = step(world, "a_director", claim.name, "Approve")
	assert (
		doc.workflow_state == "Approved"
		and doc.docstatus == 1
		and doc.approved_by == world.user("a_director")
	)
	assert measure_amounts(world, "Public transport tickets") == (6.0, 0.0)


def test_four_eyes(world):
	# entered by the municipality's coordinator, who may also verify and approve — but not their own claim
	own = make_claim(world, who="muni_coord")
	step(world, "a_coord", own.name, "Submit for Verification")
	with pytest.raises(frappe.ValidationError, match="Self approval|someone else must verify"):
		step(world, "muni_coord", own.name, "Verify")
	frappe.delete_doc(COMPENSATION, own.name, force=True)
	# and whoever verified a claim does not approve it (frappe's own check only looks at the owner)
	claim = make_claim(
		world,
		period=(october(world, 1), october(world, 3)),
		lines=[
			{
				"line_date": october(world, 2),
				"quantity": 2,
				"unit_price": 1.5,
				"evidence": "/private/files/b.pdf",
			}
		],
	)
	step(world, "a_coord", claim.name, "Submit for Verification")
	step(world, "muni_coord", claim.name, "Verify")
	with pytest.raises(frappe.ValidationError, match="someone else must approve"):
		step(world, "muni_coord", claim.name, "Approve")
	assert step(world, "a_director", claim.name, "Approve").workflow_state == "Approved"


def test_wrong_roles_cannot_move_a_claim(world):
	claim = make_claim(world)
	with pytest.raises(WorkflowTransitionError, match="^Not a valid Workflow Action$"):
		step(world, "a_coord", claim.name, "Verify")
	step(world, "a_coord", claim.name, "Submit for Verification")
	with pytest.raises(WorkflowTransitionError, match="^Not a valid Workflow Action$"):
		step(world, "a_director", claim.name, "Approve")  # not verified yet
	with no_permission(COMPENSATION, "read"):  # another partner's accountant cannot even read it
		step(world, "vet_accountant", claim.name, "Verify")
	assert frappe.db.get_value(COMPENSATION, claim.name, "workflow_state") == "Submitted"


def test_return_and_reject_need_a_reason(world):
	claim = make_claim(world)
	step(world, "a_coord", claim.name, "Submit for Verification")
	with pytest.raises(frappe.ValidationError, match="reason"):
		step(world, "a_accountant", claim.name, "Return for Correction")
	doc = step(world, "a_accountant", claim.name, "Return for Correction", reason="Trūkst biļešu")
	assert doc.workflow_state == "Draft" and doc.decision_reason == "Trūkst biļešu"
	doc = step(world, "a_coord", claim.name, "Submit for Verification")
	assert not doc.decision_reason
	doc = step(world, "a_accountant", claim.name, "Reject", reason="Nav pamatots")
	assert doc.workflow_state == "Rejected"


def test_a_sent_claim_cannot_be_changed(world):
	claim = make_claim(world)
	step(world, "a_coord", claim.name, "Submit for Verification")
	doc = frappe.get_doc(COMPENSATION, claim.name)
	doc.lines[0].quantity = 5
	with pytest.raises(frappe.PermissionError, match="return it for correction"):
		act(world.user("a_accountant"), doc.save)


def test_submitting_outside_the_workflow_is_refused(world):
	claim = make_claim(world)
	with pytest.raises(frappe.PermissionError, match="draft claim"):
		act(world.user("muni_coord"), claim.submit)  # nor may anyone but its author touch a draft
	step(world, "a_coord", claim.name, "Submit for Verification")
	verified = step(world, "a_accountant", claim.name, "Verify")
	with pytest.raises(frappe.ValidationError, match="approval workflow"):
		act(world.user("muni_coord"), verified.submit)


@pytest.mark.parametrize(
	"values, message",
	[
		(
			{"lines": [{"line_date": "2001-01-01", "quantity": 1, "unit_price": 2, "evidence": "/f.pdf"}]},
			"outside the period",
		),
		(
			{"lines": [{"quantity": 0, "unit_price": 2, "evidence": "/f.pdf"}]},
			"quantity must be more than zero",
		),
		({"lines": [{"quantity": 2, "unit_price": -1, "evidence": "/f.pdf"}]}, "greater than zero"),
		({"lines": [{"quantity": 2, "unit_price": 1.555, "evidence": "/f.pdf"}]}, "more than two decimals"),
		({"lines": [{"quantity": 2, "unit_price": 1.5}]}, "attach the evidence"),
		({"lines": []}, "at least one line"),
		({"payee_iban": "LV97HABA0012345678911"}, "not a valid IBAN"),
		({"payee_kind": "Institution"}, "cannot be paid to"),
		({"payee_kind": "Adult learner"}, "not an adult"),
	],
)
def test_bad_claims_are_refused_and_nothing_is_saved(world, values, message):
	if values.get("lines"):
		for line in values["lines"]:
			line.setdefault("line_date", october(world, 6))
	before = frappe.db.count(COMPENSATION)
	with pytest.raises(frappe.ValidationError, match=message):
		act(world.user("a_coord"), uploaded(world.user("a_coord"), new_claim(world, **values)).insert)
	assert frappe.db.count(COMPENSATION) == before


def test_period_outside_the_term_and_inactive_learner(world):
	start, end = term_dates(world)
	claim = uploaded(
		world.user("a_coord"), new_claim(world, period=(start - timedelta(days=5), start + timedelta(days=5)))
	)
	claim.lines[0].line_date = start
	with pytest.raises(frappe.ValidationError, match="outside the plan's term"):
		act(world.user("a_coord"), claim.insert)
	frappe.db.set_value("Learner", world.learners["a8money"], "status", "Left")
	with pytest.raises(frappe.ValidationError, match="not an active learner"):
		make_claim(world)


def test_overlapping_claims_are_refused(world):
	make_claim(world)
	with pytest.raises(frappe.DuplicateEntryError, match="covering some of these dates"):
		make_claim(
			world,
			period=(october(world, 20), october(world, 31)),
			lines=[{"line_date": october(world, 21), "quantity": 1, "unit_price": 1.5, "evidence": "/f.pdf"}],
		)
	# the same learner's meals in the same month are another type: no overlap
	meals = [{"line_date": october(world, 6), "quantity": 2, "unit_price": 2.5}]
	assert make_claim(
		world, kind="Meals", payee_kind="Institution", payee_name="Testa 1. vidusskola", lines=meals
	).name


def test_caps_count_every_claim_of_the_learner(world):
	# transport: national caps 10 EUR a day and 150 EUR a month; two October claims of 90 and 63 EUR
	first_half = (october(world, 1), october(world, 15))
	second_half = (october(world, 16), october(world, 31))
	make_claim(world, period=first_half, lines=daily_tickets(world, 1, 10))
	second = uploaded(
		world.user("a_coord"), new_claim(world, period=second_half, lines=daily_tickets(world, 16, 7))
	)
	with pytest.raises(frappe.ValidationError, match="monthly cap of 150.00 EUR .* 153.00 EUR in total"):
		act(world.user("a_coord"), second.insert)
	with pytest.raises(frappe.ValidationError, match="daily cap of 10.00 EUR"):
		make_claim(world, period=second_half, lines=daily_tickets(world, 16, 1, price=12))
	# the municipality raises its own monthly cap from October: the same claim is fine
	kind = frappe.get_doc("Compensation Type", "Public transport tickets")
	kind.append(
		"overrides", {"partner": world.municipality, "valid_from": october(world, 1), "cap_per_month": 200}
	)
	kind.save()
	assert make_claim(world, period=second_half, lines=daily_tickets(world, 16, 7)).total_amount == 63.0


def test_daily_cap_and_unit_price_from_the_type(world):
	lines = [{"line_date": october(world, 6), "quantity": 3}]  # meals: 2.50 a day by default, cap 6 a day
	with pytest.raises(frappe.ValidationError, match="daily cap of 6.00 EUR"):
		make_claim(
			world, kind="Meals", payee_kind="Institution", payee_name="Testa 1. vidusskola", lines=lines
		)
	claim = make_claim(
		world,
		kind="Meals",
		payee_kind="Institution",
		payee_name="Testa 1. vidusskola",
		lines=[{"line_date": october(world, 6), "quantity": 2}],
	)
	assert claim.lines[0].unit_price == 2.5 and claim.total_amount == 5.0


def test_above_the_planned_amount_needs_the_approvers_override(world):
	# learning materials: planned 100 EUR; claims of 70 and 50 EUR
	def materials(day, price):
		return [
			{
				"line_date": october(world, day),
				"description": "Darba burtnīcas",
				"quantity": 1,
				"unit_price": price,
				"evidence": "/f.pdf",
			}
		]

	approve_claim(
		world,
		make_claim(
			world,
			kind="Individual learning materials",
			period=(october(world, 1), october(world, 10)),
			lines=materials(2, 70),
		).name,
	)
	second = make_claim(
		world,
		kind="Individual learning materials",
		period=(october(world, 11), october(world, 20)),
		lines=materials(12, 50),
	)
	assert second.claimed_for_measure == 120.0 and second.planned_amount == 100.0
	step(world, "a_coord", second.name, "Submit for Verification")
	step(world, "a_accountant", second.name, "Verify")
	with pytest.raises(frappe.ValidationError, match="exceed the plan's planned amount by 20.00 EUR"):
		step(world, "a_director", second.name, "Approve")
	with pytest.raises(frappe.PermissionError, match="Only an approver"):
		step(world, "a_accountant", second.name, "Approve", override="Vajag")  # the verifier cannot allow it
	doc = step(
		world, "a_director", second.name, "Approve", override="Papildu burtnīcas pēc pedagoga ieteikuma"
	)
	assert doc.workflow_state == "Approved" and doc.over_plan_override
	assert measure_amounts(world, "Individual learning materials") == (120.0, 0.0)


def test_cancelling_an_approved_claim(world):
	claim = approve_claim(world, make_claim(world).name)
	doc = step(world, "a_director", claim.name, "Cancel Compensation")
	assert doc.docstatus == 2
	assert measure_amounts(world, "Public transport tickets") == (0.0, 0.0)
	assert make_claim(world).name  # its dates are free again


def test_two_drafts_at_once_cannot_both_pass_a_cap(world, api):
	"""Two coordinators' requests for the same learner at the same moment: the learner row lock queues the
	second, which then sees the first's lines and is refused; exactly one is saved."""
	# frappe creates a naming series' row on first use; two first uses at once deadlock inside frappe
	frappe.db.sql(
		"insert ignore into `tabSeries` (name, current) values (%s, 0)", f"KOMP-{frappe.utils.nowdate()[:4]}-"
	)
	frappe.db.commit()
	coordinators = [api(world.user("a_coord")), api(world.user("a_coord"))]
	halves = [(october(world, 1), october(world, 15)), (october(world, 16), october(world, 31))]
	bodies = []
	for (start, end), day in zip(halves, (1, 16), strict=True):
		doc = new_claim(world, period=(start, end), lines=daily_tickets(world, day, 10))  # 90 EUR each
		bodies.append(
			{
				k: (str(v) if hasattr(v, "isoformat") else v)
				for k, v in doc.as_dict(no_default_fields=True).items()
				if k not in ("doctype",)
			}
		)
	evidence = [
		coordinator.upload("biletes.pdf", f"%PDF-1.4 {i}".encode())
		for i, coordinator in enumerate(coordinators)
	]
	for body, url in zip(bodies, evidence, strict=True):
		for line in body["lines"]:
			line["evidence"] = url
		body["lines"] = [
			{
				k: (str(v) if hasattr(v, "isoformat") else v)
				for k, v in line.items()
				if k in ("line_date", "quantity", "unit_price", "evidence")
			}
			for line in body["lines"]
		]
	results = [None, None]

	def post(i):
		results[i] = coordinators[i].post("/api/resource/Compensation", bodies[i])

	threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	try:
		statuses = sorted(r.status for r in results)
		assert statuses[0] == 200 and statuses[1] != 200, [r.text[:300] for r in results]
		refused = next(r for r in results if r.status != 200)
		assert "monthly cap" in refused.error_text()
	finally:
		frappe.db.rollback()  # a new snapshot: this transaction began before the requests committed
		for r in results:
			if r and r.status == 200:
				frappe.delete_doc(
					COMPENSATION, r.data["name"], force=True, ignore_permissions=True, ignore_missing=False
				)
		for url in evidence:
			for file in frappe.get_all("File", filters={"file_url": url}, pluck="name"):
				frappe.delete_doc("File", file, force=True, ignore_permissions=True)
		frappe.db.commit()


def test_claims_are_isolated(world, api):
	claim = make_claim(world)
	frappe.db.commit()
	try:
		vet = api(world.user("vet_accountant"))
		assert vet.get(f"/api/resource/Compensation/{claim.name}").status == 403
		assert vet.call("frappe.client.get_count", doctype=COMPENSATION).message == 0
		assert api(world.user("a_accountant")).get(f"/api/resource/Compensation/{claim.name}").status == 200
		assert api(world.user("b_director")).get(f"/api/resource/Compensation/{claim.name}").status == 403
	finally:
		frappe.delete_doc(COMPENSATION, claim.name, force=True, ignore_permissions=True)
		frappe.db.commit()
