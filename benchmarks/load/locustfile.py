"""The load test's users: 50 PuMPuRS staff working at once on the `project`-scale demo site, over HTTP as the
desk calls the server. Run by ``benchmarks/load/run`` (which prepares the users: ``prepare.py``).

Each locust user logs in as one demo user prepared for it and works in a loop with a few seconds between
steps (``WAIT``):

- plan authors draft a plan for one of their school's learners (two risks, two measures) and send it for
  approval; they open their plan list and a plan;
- directors, partner coordinators and IKVD's regional coordinators approve what waits for them (the plans the
  authors send) and open their queue;
- specialists log a consultation on an approved plan;
- accountants verify submitted compensations, and once each make a payment batch of their partner's approved
  claims and export it (SEPA file and payment list);
- coordinators open reports of the current school year and lists with their counts.

Every write that succeeded is appended to ``$PUMPURS_LOAD_OUT/writes.jsonl`` for the count check (``check.py``).
"""

import json
import os
import random
from collections import deque
from datetime import date
from pathlib import Path

from locust import HttpUser, between, events, task

OUT = Path(os.environ.get("PUMPURS_LOAD_OUT", "."))
PROFILES = json.loads((OUT / "users.json").read_text())
SITE = PROFILES["site"]
WAIT = between(2, 6)  # seconds a user takes between steps (reading, typing)
PLAN = "Individual Support Plan"
TODAY = date.today().isoformat()

available = {kind: deque(PROFILES[kind]) for kind in PROFILES["kinds"]}
writes = (OUT / "writes.jsonl").open("a")


def record(kind: str, name: str, **details) -> None:
	writes.write(json.dumps({"kind": kind, "name": name, **details}) + "\n")
	writes.flush()


@events.quitting.add_listener
def close_writes(environment, **kwargs) -> None:
	writes.close()


class Staff(HttpUser):
	abstract = True
	wait_time = WAIT
	kind = ""

	def on_start(self) -> None:
		self.me = available[self.kind].popleft()
		self.client.headers.update({"X-Frappe-Site-Name": SITE, "Accept": "application/json"})
		self.request(
			"POST", "/api/method/login", "login", data={"usr": self.me["user"], "pwd": PROFILES["password"]}
		)

	# --- what the desk calls --------------------------------------------------------------------------

	def request(self, method: str, path: str, name: str, **kwargs) -> dict | None:
		"""A request as the desk makes it; its JSON answer, or None after a failure (which locust counts)."""
		with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
			if response.status_code != 200:
				response.failure(f"{response.status_code}: {response.text[:300]}")
				return None
			return response.json()

	def call(self, endpoint: str, name: str, post: bool = False, **params):
		"""A whitelisted method; its ``message``, or None after a failure (which locust counts)."""
		args = {
			key: json.dumps(value) if isinstance(value, dict | list) else value
			for key, value in params.items()
		}
		key = "data" if post else "params"
		answer = self.request("POST" if post else "GET", f"/api/method/{endpoint}", name, **{key: args})
		return None if answer is None else answer.get("message")

	def list_page(self, doctype: str, label: str, filters: list | None = None) -> list[dict]:
		"""A list view's page of 20 and its count, as the desk loads them."""
		page = self.call(
			"frappe.desk.reportview.get",
			f"list: {label}",
			post=True,
			doctype=doctype,
			fields=[f"`tab{doctype}`.`name`", f"`tab{doctype}`.`modified`"],
			filters=filters or [],
			order_by=f"`tab{doctype}`.`modified` desc",
			start=0,
			page_length=20,
		)
		self.call(
			"frappe.desk.reportview.get_count",
			f"count: {label}",
			post=True,
			doctype=doctype,
			filters=filters or [],
			limit=1001,
		)
		if not page:
			return []
		return [dict(zip(page["keys"], values, strict=False)) for values in page["values"]]

	def open_form(self, doctype: str, name: str, label: str) -> dict | None:
		params = {"doctype": doctype, "name": name}
		answer = self.request(
			"GET", "/api/method/frappe.desk.form.load.getdoc", f"form: {label}", params=params
		)
		return None if answer is None else answer["docs"][0]

	def insert(self, doc: dict, label: str) -> dict | None:
		"""A new record, saved as the REST API saves it; the record as stored, or None."""
		answer = self.request("POST", f"/api/resource/{doc['doctype']}", label, json=doc)
		return None if answer is None else answer["data"]

	def apply(self, doc: dict, action: str, label: str) -> dict | None:
		return self.call("frappe.model.workflow.apply_workflow", label, post=True, doc=doc, action=action)

	def decide_waiting(self, doctype: str, state: str, action: str, label: str) -> None:
		"""Take the oldest record waiting in ``state`` that the user may decide on."""
		waiting = self.list_page(doctype, f"{label} queue", [[doctype, "workflow_state", "=", state]])
		for row in sorted(waiting, key=lambda r: r["modified"])[:1]:
			if doc := self.open_form(doctype, row["name"], label):
				if self.apply(doc, action, f"{label}: {action.lower()}"):
					record(f"{doctype}: {action}", row["name"], user=self.me["user"])


class Author(Staff):
	kind = "authors"
	fixed_count = len(PROFILES[kind])

	@task(3)
	def draft_and_send(self) -> None:
		if not self.me["learners"]:
			return
		learner = self.me["learners"].pop()
		plan = {
			"doctype": PLAN,
			"learner": learner["learner"],
			"school_term": PROFILES["term"],
			"education_type": learner["education_type"],
			"grade": learner["grade"],
			"plan_author": self.me["user"],
			"plan_date": TODAY,
			"risks": [
				{"risk_factor": "Unexcused absences", "severity": "High", "observation": "Slodzes tests"},
				{"risk_factor": "Hard to get to school", "severity": "Medium"},
			],
			"measures": [
				{
					"measure_kind": "Consultation",
					"risk_factor": "Unexcused absences",
					"specialist_role": "Psychologist",
					"planned_hours": 6,
				},
				{
					"measure_kind": "Compensation",
					"risk_factor": "Hard to get to school",
					"compensation_type": "Public transport tickets",
					"planned_amount": 120,
				},
			],
		}
		if not (doc := self.insert(plan, "plan: create")):
			return
		record(PLAN, doc["name"], learner=learner["learner"], user=self.me["user"])
		if self.apply(doc, "Send for Approval", "plan: send"):
			record(f"{PLAN}: Send for Approval", doc["name"], user=self.me["user"])

	@task(2)
	def my_plans(self) -> None:
		plans = self.list_page(PLAN, "plans")
		if plans:
			self.open_form(PLAN, random.choice(plans)["name"], "plan")


class Director(Staff):
	kind = "directors"
	fixed_count = len(PROFILES[kind])

	@task
	def approve(self) -> None:
		self.decide_waiting(PLAN, "Pending Director", "Approve", "plan (director)")


class PartnerCoordinator(Staff):
	kind = "partner_coordinators"
	fixed_count = len(PROFILES[kind])

	@task
	def approve(self) -> None:
		self.decide_waiting(PLAN, "Pending Partner Coordinator", "Approve", "plan (partner)")


class RegionalCoordinator(Staff):
	kind = "regional"
	fixed_count = len(PROFILES[kind])

	@task
	def approve(self) -> None:
		self.decide_waiting(PLAN, "Pending IKVD", "Approve", "plan (IKVD)")


class Specialist(Staff):
	kind = "specialists"
	fixed_count = len(PROFILES[kind])

	@task
	def log_consultation(self) -> None:
		if not self.me["slots"]:
			return
		slot = self.me["slots"].pop()
		consultation = {
			"doctype": "Support Consultation",
			"support_plan": slot["plan"],
			"measure": slot["measure"],
			"specialist": self.me["user"],
			"consultation_date": slot["date"],
			"start_time": slot["start_time"],
			"duration_minutes": 40,
			"mode": "In person",
			"topic": "Slodzes tests: saruna par mācību kavējumiem",
		}
		if doc := self.insert(consultation, "consultation: create"):
			record("Support Consultation", doc["name"], user=self.me["user"])


class Accountant(Staff):
	kind = "accountants"
	fixed_count = len(PROFILES[kind])
	batch_made = False

	@task(3)
	def verify(self) -> None:
		self.decide_waiting("Compensation", "Submitted", "Verify", "claim")

	@task(1)
	def pay(self) -> None:
		if self.batch_made:
			return
		self.batch_made = True
		batch = {
			"doctype": "Compensation Payment Batch",
			"partner": self.me["partner"],
			"execution_date": TODAY,
		}
		if not (doc := self.insert(batch, "batch: create")):
			return
		record("Compensation Payment Batch", doc["name"], user=self.me["user"])
		method = {"dt": doc["doctype"], "dn": doc["name"]}
		added = self.call(
			"run_doc_method", "batch: get compensations", post=True, method="get_compensations", **method
		)
		if added:
			files = self.call("run_doc_method", "batch: export", post=True, method="export", **method)
			if files:
				record("Compensation Payment Batch: export", doc["name"], lines=added, user=self.me["user"])


class Reader(Staff):
	kind = "readers"
	fixed_count = len(PROFILES[kind])

	@task(2)
	def report(self) -> None:
		report = random.choice(PROFILES["reports"])
		self.call(
			"frappe.desk.query_report.run",
			f"report: {report}",
			report_name=report,
			filters={"school_year": PROFILES["school_year"]},
		)

	@task(1)
	def lists(self) -> None:
		doctype = random.choice(["Learner", PLAN, "Support Consultation", "Compensation"])
		self.list_page(doctype, doctype.lower())
