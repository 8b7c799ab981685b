"""The generated cross-partner test: every whitelisted method of frappe and of the app that takes a DocType, a
record or a document (read from their source, see whitelist.py), aimed at every record of the app — parents,
child rows and attached files — of one partner, called over real HTTP as users of each local role of the
other partner. Expected: a refusal or none of the other partner's data, and nothing of theirs changed; and
the same call on the user's own record as the control, which must work where the role may act (otherwise the
refusal would prove nothing).

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
	state["files"] = sorted(
		frappe.get_all("File", {"file_url": ("in", list(side.files.values()))}, pluck="name")
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
		path = "run_doc_method" if method.document_class else method.path
		for attempt in (1, 2):  # a worker that gunicorn replaced mid-request drops the connection: once more
			try:
				if method.http == ("GET",):
					return self.session.get(f"{self.base}/api/method/{path}", params=args, timeout=120)
				return self.session.post(f"{self.base}/api/method/{path}", data=args, timeout=120)
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
					f"{base}/api/method/ping", headers={"X-Frappe-Site-Name": site}, timeout=2
				).ok:
					break
			except requests.ConnectionError:
				time.sleep(0.5)
		else:
			raise AssertionError("gunicorn did not start")
		yield base
	finally:
		process.terminate()
		process.wait(timeout=30)


def leaked(case: "Case", response: requests.Response, theirs: PartnerRecords) -> str | None:
	"""What of the other partner's the response shows: their personal data, the names of their records the
	request did not name itself, or a yes about their record."""
	sent = json.dumps(case.attack, ensure_ascii=False)
	names = {name for name in theirs.records.values() if name not in sent}
	text = response.text
	try:
		text = json.dumps(response.json(), ensure_ascii=False)  # unescaped, as a user reads it
	except ValueError:
		pass
	if found := [marker for marker in theirs.markers | names if marker in text]:
		return ", ".join(sorted(found))
	try:
		message = response.json().get("message")
	except (ValueError, AttributeError):
		return None
	names_record = any(case.attack.get(p) for p in whitelist.NAME_PARAMS | {"dn"})
	if names_record and (
		message is True or (isinstance(message, dict) and message.get("has_permission") is True)
	):
		return "a yes about their record"
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
			label = method.path + (f".{method.name}" if method.document_class else "")
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
		f"partner), {works_on_own} with a control that works on the user's own record, "
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
