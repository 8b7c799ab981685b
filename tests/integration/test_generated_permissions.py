"""The generated cross-partner test: every whitelisted method of frappe and of the app that takes a DocType, a
record or a document — by its parameters or by what it reads from the request — every whitelisted Document
method (through run_doc_method and the REST API) and the REST API's record routes, all read from their source
(see whitelist.py), aimed at every record of the app — parents, child rows and attached files — of one
partner, and also at the user's own record with one of the other partner's as a second parameter (merge into
it, attach its file, link to it), called over real HTTP as users of each local role of the other partner.
Expected: a refusal or none of the other partner's data (nor a count or an echo that says their record
exists), and nothing of theirs changed; and the same call on the user's own record as the control, which must
work where the role may act (otherwise the refusal would prove nothing).

The users of the municipality (seven local roles) try every record of the state vocational school; the
vocational school's users then try the kinds of record the vocational school has none of (youth NGO
projects and their participants). The requests go to the test site served as production serves it
(gunicorn, two workers). The count of (user × method × record) cases is printed and kept in the report."""

import json
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import frappe
import pytest
import requests

from pumpurs_app.access import SCOPED_CHILD_DOCTYPES, SCOPED_DOCTYPES
from tests.integration import whitelist
from tests.integration.records import MUNICIPAL, OTHER, VOCATIONAL, PartnerRecords
from tests.integration.world import PASSWORD

# the main channels to a record, with the right they need: where the role has it on its own record, the
# control must work there (a refusal on the other's record then comes from the scope, not from the role)
CHANNELS = {
	"frappe.client.get": "read",
	"frappe.desk.form.load.getdoc": "read",
	"frappe.client.get_list": "read",
	"frappe.www.printview.get_html_and_style": "print",
	"frappe.api.v1.read_doc": "read",
	"frappe.api.v1.document_list": "read",
}
# what frappe keeps about a record, counted before and after: nothing may be added to the other's records
TRACES = {
	"File": ("attached_to_doctype", "attached_to_name"),
	"Comment": ("reference_doctype", "reference_name"),
	"ToDo": ("reference_type", "reference_name"),
	"DocShare": ("share_doctype", "share_name"),
	"Document Follow": ("ref_doctype", "ref_docname"),
	"Tag Link": ("document_type", "document_name"),
	"Communication": ("reference_doctype", "reference_name"),
	"Version": ("ref_doctype", "docname"),
}


@dataclass
class Case:
	user: str
	role: str
	method: whitelist.Method
	doctype: str
	attack: dict
	control: dict | None


def targets(side: PartnerRecords, own: bool) -> dict[str, whitelist.Target]:
	"""One record of every app DocType of this side: the parents, a row of each child table, and a file. The
	user's own records are sent whole where a call takes a document (the control), the other's by name."""
	found = {}
	for doctype in SCOPED_DOCTYPES:
		if name := side.records.get(doctype):
			doc = frappe.get_doc(doctype, name)
			found[doctype] = whitelist.Target(
				doctype,
				None,
				name,
				json.loads(doc.as_json()),
				side.files.get(doctype),
				f"Ieraksts {side.side}",
			)
	for child, parent in SCOPED_CHILD_DOCTYPES.items():
		if name := side.records.get(parent):
			rows = frappe.get_all(child, {"parent": name, "parenttype": parent}, pluck="name", limit=1)
			if rows:
				row = frappe.get_doc(child, rows[0])
				found[child] = whitelist.Target(
					child, parent, row.name, json.loads(row.as_json()), None, row.name
				)
	file = frappe.get_all(
		"File",
		{"file_url": side.files["Compensation"], "attached_to_doctype": "Compensation"},
		["name", "file_url"],
		limit=1,
	)[0]
	doc = json.loads(frappe.get_doc("File", file.name).as_json())
	found["File"] = whitelist.Target("File", None, file.name, doc, file.file_url, doc["file_name"], own)
	return found


def traces(side: PartnerRecords) -> dict:
	"""The side's records as stored (modified, state) and what frappe keeps about them."""
	state = {}
	for doctype, name in side.records.items():
		state[doctype, name] = frappe.db.get_value(
			doctype,
			name,
			["modified", "docstatus", "_liked_by", "_assign", "_user_tags", "_comments"],
			as_dict=True,
		)
		for trace, (type_field, name_field) in TRACES.items():
			state[doctype, name, trace] = frappe.db.count(trace, {type_field: doctype, name_field: name})
	for url in side.files.values():  # what frappe keeps about the side's files
		for file in frappe.get_all("File", {"file_url": url}, pluck="name"):
			state["File", file, "Comment"] = frappe.db.count(
				"Comment", {"reference_doctype": "File", "reference_name": file}
			)
	state["files"] = sorted(
		frappe.get_all(
			"File",
			{"file_url": ("in", list(side.files.values()))},
			["name", "file_url", "attached_to_doctype", "attached_to_name", "is_private", "owner"],
			as_list=True,
		)
	)
	return state


class Client:
	def __init__(self, base: str, site: str, user: str) -> None:
		self.base = base
		self.session = requests.Session()
		self.session.headers["X-Frappe-Site-Name"] = site
		response = self.session.post(
			f"{base}/api/method/login", data={"usr": user, "pwd": PASSWORD}, timeout=30
		)
		assert response.status_code == 200, f"login of {user}: {response.text[:200]}"

	def call(self, method: whitelist.Method, args: dict) -> requests.Response:
		http = method.http[0] if len(method.http) == 1 else "POST"
		if method.route:
			args = dict(args)
			url = method.route.replace("<doctype>", quote(args.pop("_doctype")))
			url = url.replace("<path:name>", quote(args.pop("_name", ""), safe=""))
		else:
			url = "/api/method/" + ("run_doc_method" if method.document_class else method.path)
		for attempt in (1, 2):  # a worker that gunicorn replaced mid-request drops the connection: once more
			try:
				if http in ("GET", "DELETE"):
					return self.session.request(http, self.base + url, params=args, timeout=120)
				return self.session.request(http, self.base + url, data=args, timeout=120)
			except requests.ConnectionError:
				if attempt == 2:
					raise
				time.sleep(2)


@pytest.fixture(scope="module")
def server(site):
	"""The test site served as production serves it: gunicorn with two workers, on a free port."""
	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		port = probe.getsockname()[1]
	sites = Path(frappe.local.sites_path).resolve()
	gunicorn = sites.parent / "env" / "bin" / "gunicorn"
	process = subprocess.Popen(
		[
			str(gunicorn),
			"-b",
			f"127.0.0.1:{port}",
			"-w",
			"2",
			"--threads",
			"4",
			"-t",
			"120",
			"frappe.app:application",
		],
		cwd=sites,
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
	)
	base = f"http://127.0.0.1:{port}"
	try:
		for _ in range(120):
			try:
				if requests.get(
					f"{base}/api/method/ping", headers={"X-Frappe-Site-Name": site}, timeout=10
				).ok:
					break
			except requests.RequestException:  # not listening yet, or still loading the app (a slow machine)
				time.sleep(0.5)
		else:
			raise AssertionError("gunicorn did not start")
		yield base
	finally:
		process.terminate()
		process.wait(timeout=30)


def leaked(case: "Case", response: requests.Response, theirs: PartnerRecords) -> str | None:
	"""What of the other partner's the response shows: their personal data (names, phone, payee and IBAN,
	topic, observation, personal code, birth date, file URLs), the names of their records the request did not
	name itself, a yes about their record, or a count or an echo that says their record exists."""
	sent = json.dumps(case.attack, ensure_ascii=False)
	named = {name for name in theirs.records.values() if name in sent}
	shown = (theirs.markers | theirs.secrets | set(theirs.records.values())) - {
		text for text in theirs.secrets | named if text in sent
	}
	text = response.text
	try:
		text = json.dumps(response.json(), ensure_ascii=False)  # unescaped, as a user reads it
	except ValueError:
		pass
	if found := [marker for marker in shown if marker in text]:
		return ", ".join(sorted(found))
	try:
		message = response.json().get("message")
	except (ValueError, AttributeError):
		return None
	if not named or response.status_code != 200:
		return None
	if message is True or (isinstance(message, dict) and message.get("has_permission") is True):
		return "a yes about their record"
	if "filters" in case.attack and type(message) is int and message > 0:
		return f"a count of {message} of their record"
	if isinstance(message, dict) and isinstance(message.get("name"), str) and message["name"] in named:
		return "their record's name given back, so it exists"
	return None


@pytest.mark.parametrize("attacker", [MUNICIPAL, VOCATIONAL])
def test_no_method_reaches_the_other_partners_records(
	world, site, server, partner_records, attacker, record_property
):
	mine, theirs = partner_records[attacker], partner_records[OTHER[attacker]]
	own, other = targets(mine, own=True), targets(theirs, own=False)
	if attacker == VOCATIONAL:  # the first direction tried every other kind of record
		other = {doctype: t for doctype, t in other.items() if doctype not in own}
	by_method: dict[whitelist.Method, list[Case]] = {}
	for method in whitelist.record_methods():
		for role, user in mine.users.items():
			for doctype, target in other.items():
				attack = whitelist.arguments(method, target, user)
				if attack is None:
					continue
				control = None
				if not method.destructive and doctype in own:
					control = whitelist.arguments(method, own[doctype], user)
				by_method.setdefault(method, []).append(Case(user, role, method, doctype, attack, control))
			# their record as a second parameter of a call on one's own (merge into it, attach its file, link to
			# it); the control is the same call on one's own record alone
			for doctype, target in own.items():
				attack = whitelist.cross_arguments(method, target, other, user)
				if attack is not None:
					control = None if method.destructive else whitelist.arguments(method, target, user)
					by_method.setdefault(method, []).append(
						Case(user, role, method, f"{doctype} (theirs as a parameter)", attack, control)
					)
	clients = {user: Client(server, site, user) for user in mine.users.values()}
	state = traces(theirs)
	frappe.db.rollback()  # hold no table open: some calls alter tables (tags add a column on first use)

	def run(case: Case) -> tuple[Case, requests.Response, requests.Response | None]:
		client = clients[case.user]
		return (
			case,
			client.call(case.method, case.attack),
			case.control and client.call(case.method, case.control),
		)

	failures: dict[str, list[str]] = {}  # method -> what went wrong
	works_on_own = errors = 0
	with ThreadPoolExecutor(max_workers=6) as pool:
		for method, cases in by_method.items():
			label = method.label
			for case, attack, control in pool.map(run, cases):
				problem = None
				if what := leaked(case, attack, theirs):
					problem = f"{attack.status_code} shows {what}: {attack.text[:160]}"
				errors += attack.status_code >= 500
				works_on_own += bool(control is not None and control.status_code == 200)
				ptype = CHANNELS.get(method.path)
				if (
					ptype
					and case.doctype in SCOPED_DOCTYPES
					and control is not None
					and control.status_code != 200
				):
					if frappe.has_permission(case.doctype, ptype, doc=own[case.doctype].name, user=case.user):
						problem = f"{control.status_code} on the user's own record: {control.text[:160]}"
				if problem:
					failures.setdefault(label, []).append(f"{case.role}, {case.doctype}: {problem}")
			frappe.db.rollback()  # a new snapshot: the requests have committed
			now = traces(theirs)
			changed = [
				f"{key}: {state[key]} -> {now.get(key)}" for key in state if state[key] != now.get(key)
			]
			if changed:
				failures.setdefault(label, []).append(
					"changed the other partner's records: " + "; ".join(changed)
				)
			state = now
			frappe.db.rollback()
	tried = sum(map(len, by_method.values()))
	summary = (
		f"{tried} cases ({len(mine.users)} users × {len(by_method)} methods × {len(other)} records of the other "
		f"partner, and {sum(1 for cases in by_method.values() for c in cases if 'theirs as' in c.doctype)} "
		f"with one of theirs as a parameter of a call on one's own), {works_on_own} with a control that works on "
		f"the user's own record, "
		f"{sum(1 for cases in by_method.values() for c in cases if c.control is None)} tried on the other's "
		f"records only (destructive, or no record of that kind of their own), {errors} answered with a server "
		f"error (nonsense arguments for a method), {sum(map(len, failures.values()))} failures"
	)
	print(f"\ngenerated permission cases, {attacker} users: {summary}")
	record_property(f"generated permission cases ({attacker} users)", summary)
	assert not failures, "\n".join(f"{method} ({len(v)}×), e.g. {v[0]}" for method, v in failures.items())
	assert tried >= 1000, summary
	if attacker == MUNICIPAL:  # the other direction tries only kinds of record its users have none of
		assert works_on_own >= 200, summary
