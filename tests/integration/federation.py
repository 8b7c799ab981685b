"""Two partner sites and IKVD's national hub on the test bench, each served by its own web server, connected as
an administrator connects them (README: Federation): the hub gives each partner's site a key pair, the site's
administrator enters it and presses "Connect to the Hub".

Partner A's site holds the municipality of the test world, partner B's site the state vocational school;
every site has the whole test world (the registers of the other partner do no harm and let a test make the
same child known to both)."""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

import pytest
import requests

from pumpurs_app.rules import federation as rules
from tests.integration import sites
from tests.integration import world as world_module
from tests.integration.federation_site import HUB_DECIDER

PLAN = "Individual Support Plan"
PARTNER_A, PARTNER_B, HUB = "partner-a.localhost", "partner-b.localhost", "hub.localhost"
FIRST_PORT = int(os.environ.get("PUMPURS_TEST_PORT", "8011")) + 10


@dataclass
class Site:
	name: str
	port: int
	partner: str | None = None
	server: subprocess.Popen | None = None
	world: dict = field(default_factory=dict)

	@property
	def url(self) -> str:
		return f"http://127.0.0.1:{self.port}"

	def step(self, step: str, **arguments):
		"""A step of tests/integration/federation_site.py on this site, committed; its result."""
		result = subprocess.run(
			[
				sys.executable,
				"-m",
				"tests.integration.federation_site",
				self.name,
				str(sites.sites_path()),
				step,
				json.dumps(arguments),
			],
			cwd=sites.sites_path(),
			env={**os.environ, "PYTHONPATH": str(sites.APP_ROOT)},
			capture_output=True,
			text=True,
		)
		assert result.returncode == 0, f"{step} on {self.name} failed:\n{result.stderr[-3000:]}"
		return json.loads(result.stdout.splitlines()[-1])

	def user(self, key: str) -> str:
		return self.world["users"][key]

	def start(self) -> None:
		self.server = subprocess.Popen(
			["bench", "--site", self.name, "serve", "--port", str(self.port), "--noreload"],
			cwd=sites.sites_path().parent,
			stdin=subprocess.DEVNULL,
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
			start_new_session=True,
		)
		deadline = time.monotonic() + 60
		while not self.answers():
			assert time.monotonic() < deadline, f"the server of {self.name} did not start"
			time.sleep(0.3)

	def stop(self) -> None:
		if self.server and self.server.poll() is None:
			os.killpg(self.server.pid, signal.SIGTERM)
			self.server.wait(timeout=30)
		deadline = time.monotonic() + 30
		while self.answers():
			assert time.monotonic() < deadline, f"the server of {self.name} still answers"
			time.sleep(0.2)

	def answers(self) -> bool:
		try:
			return requests.get(f"{self.url}/api/method/ping", timeout=2).status_code == 200
		except requests.RequestException:
			return False

	def login(self, user: str, password: str = world_module.PASSWORD) -> "Session":
		return Session(self).login(user, password)

	def with_key(self, api_key: str, api_secret: str) -> "Session":
		session = Session(self)
		session.http.headers["Authorization"] = f"token {api_key}:{api_secret}"
		return session


class Session:
	"""A user's requests to one site's server."""

	def __init__(self, site: Site) -> None:
		self.site = site
		self.http = requests.Session()
		self.http.headers["Accept"] = "application/json"

	def login(self, user: str, password: str) -> "Session":
		response = self.post("login", usr=user, pwd=password)
		assert response.status_code == 200, f"login of {user} at {self.site.name}: {response.text[:300]}"
		return self

	def post(self, method: str, **data) -> requests.Response:
		return self.http.post(f"{self.site.url}/api/method/{method}", json=data, timeout=60)

	def call(self, method: str, **data):
		response = self.post(method, **data)
		assert response.status_code == 200, f"{method} at {self.site.name}: {response.text[:1000]}"
		return response.json().get("message")

	def doc(self, doctype: str, name: str) -> dict:
		response = self.http.get(f"{self.site.url}/api/resource/{doctype}/{name}", timeout=60)
		assert response.status_code == 200, f"{doctype} {name} at {self.site.name}: {response.text[:500]}"
		return response.json()["data"]

	def records(self, doctype: str, filters: dict, fields=("name",)) -> list[dict]:
		response = self.http.get(
			f"{self.site.url}/api/resource/{doctype}",
			params={
				"filters": json.dumps(filters),
				"fields": json.dumps(list(fields)),
				"limit_page_length": 0,
			},
			timeout=60,
		)
		assert response.status_code == 200, f"{doctype} at {self.site.name}: {response.text[:500]}"
		return response.json()["data"]

	def act(self, name: str, action: str) -> dict:
		"""A workflow action on a plan, as the desk applies it."""
		return self.call(
			"frappe.model.workflow.apply_workflow", doc=json.dumps(self.doc(PLAN, name)), action=action
		)


@dataclass
class Federation:
	a: Site
	b: Site
	hub: Site
	keys: dict  # partner -> the key pair its site sends with at the hub

	def plan_at_ikvd_step(
		self, site: Site, learner: str, municipal: bool = True, term: str = "current_s1"
	) -> str:
		"""A plan of ``learner`` written and taken up to the IKVD step at ``site`` by its real users."""
		author, director = (
			("a_author", "a_director") if learner.startswith("a") else ("b_author", "b_director")
		)
		if not municipal:
			author, director = "vet_author", "vet_director"
		name = site.step("make_plan", learner=learner, author=author, term=term)
		site.login(site.user(author)).act(name, "Send for Approval")
		site.login(site.user(director)).act(name, "Approve")
		if municipal:
			site.login(site.user("muni_coord")).act(name, "Approve")
		assert (
			site.login(site.user("muni_coord" if municipal else "vet_coord")).doc(PLAN, name)[
				"workflow_state"
			]
			== "Pending IKVD"
		)
		return name

	def review(self, partner: str, plan: str, timeout: float = 60) -> dict:
		"""The hub's review of ``plan`` once it has arrived (as IKVD's decider sees it)."""
		decider = self.hub.login(HUB_DECIDER)
		deadline = time.monotonic() + timeout
		while not (
			found := decider.records("IKVD Plan Review", {"partner": partner, "source_plan": plan}, ("name",))
		):
			assert time.monotonic() < deadline, f"{plan} did not reach the hub"
			time.sleep(0.2)
		assert len(found) == 1, f"{plan} arrived {len(found)} times"
		return decider.doc("IKVD Plan Review", found[0]["name"])

	def send_now(self, site: Site, reference: str, message_type: str = rules.PLAN_FOR_DECISION) -> str:
		"""The site's administrator sends a waiting message now (the form's "Send Now"); a message a worker
		delivered meanwhile is left as it is."""
		(log,) = [
			row
			for row in site.step("outbox", reference=reference)
			if row["direction"] == "Outgoing" and row["message_type"] == message_type
		]
		if log["status"] == rules.SENT:
			return rules.SENT
		return site.login("Administrator", "admin").call(
			"pumpurs_app.federation.exchange.send_now", log=log["name"]
		)


def create_sites() -> Federation:
	a, b, hub = (Site(name, FIRST_PORT + i) for i, name in enumerate((PARTNER_A, PARTNER_B, HUB)))
	a.partner, b.partner = world_module.MUNICIPALITY, world_module.VOCATIONAL_PARTNER
	for site in (a, b, hub):
		sites.drop(site.name)
	# the three sites are made side by side (each new-site is mostly waiting for the database)
	making = [
		subprocess.Popen(
			[
				"bench",
				"new-site",
				site.name,
				*sites.db_admin(),
				"--admin-password",
				"admin",
				"--install-app",
				"pumpurs_app",
			],
			cwd=sites.sites_path().parent,
			stdin=subprocess.DEVNULL,
			stdout=subprocess.PIPE,
			stderr=subprocess.STDOUT,
			text=True,
		)
		for site in (a, b, hub)
	]
	for site, process in zip((a, b, hub), making, strict=True):
		output, _ = process.communicate(timeout=900)
		assert process.returncode == 0, f"new-site {site.name} failed:\n{output[-3000:]}"
		sites.bench("--site", site.name, "set-config", "host_name", site.url)
	hub.world = hub.step("prepare", mode=rules.NATIONAL_HUB)
	for site in (a, b):
		site.world = site.step("prepare", mode=rules.PARTNER_SITE, partner=site.partner)
	for site in (a, b, hub):
		site.start()
	keys = {}
	for site in (a, b):
		registered = hub.step("register", partner=site.partner)
		keys[site.partner] = {key: registered[key] for key in ("api_key", "api_secret")}
		site.step("configure", hub_url=hub.url, **keys[site.partner])
		assert site.login("Administrator", "admin").call(
			"pumpurs_app.federation.partner_site.connect_to_hub"
		) == {"partner": site.partner, "site_url": site.url}
	return Federation(a, b, hub, keys)


@pytest.fixture(scope="session")
def federation():
	"""The three sites, served and connected, for the session; dropped at its end."""
	made = create_sites()
	yield made
	for site in (made.a, made.b, made.hub):
		site.stop()
		sites.drop(site.name)
