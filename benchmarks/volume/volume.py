"""National volume, read side: lists, exact counts, a plan's form and the reports, over HTTP as the desk asks
for them, for three users of the `project`-scale demo site — IKVD's regional coordinator (everything), the
coordinator of the partner with the most schools (Rīga) and the director of that partner's biggest school —
and two reports beside hand-written SQL of the same grouping. Run by ``benchmarks/volume/run`` with the
bench's Python from its sites folder; writes its results as JSON and the README's table."""

import argparse
import json
import math
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

import frappe
import requests
from frappe.utils.password import update_password

from pumpurs_app.access import SCOPED_DOCTYPES
from pumpurs_app.demo.registers import DEMO_PASSWORD
from pumpurs_app.registers.doctype.school_term.school_term import current_term

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "load"))
# the load test's choice of users, free consultation hours and reports
from prepare import REPORTS as LOAD_REPORTS  # noqa: E402
from prepare import accountants, partner_staff, regional_coordinators, specialists  # noqa: E402

REPORTS = [*LOAD_REPORTS, "Outcomes and Retention"]

ROLES = ("national", "partner coordinator", "director")
WARM = (
	2 * (os.cpu_count() or 1) + 1
)  # calls before timing: one per web worker (as many as benchmarks/serve.sh runs)


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--url", required=True)
	parser.add_argument("--repeat", type=int, default=10, help="calls per measurement (the p95 is reported)")
	parser.add_argument("--results", required=True)
	parser.add_argument("--table", required=True, help="where to write the README's table")
	parser.add_argument(
		"--replica-port", type=int, help="a replica of the site (dev/replica) to read from too"
	)
	parser.add_argument(
		"--db-admin-user",
		help="a MariaDB account that may resize the buffer pool: exact counts at 128 MB too",
	)
	parser.add_argument("--db-admin-password-file", help="that account's password, in a file")
	args = parser.parse_args()
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	try:
		result = run(args)
	finally:
		frappe.destroy()
	Path(args.results).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
	Path(args.table).write_text(table(result))
	print(table(result))


def p95(samples: list[float]) -> int:
	ordered = sorted(samples)
	return round(ordered[math.ceil(0.95 * len(ordered)) - 1])


def timed(repeat: int, call, *args) -> list[float]:
	samples = []
	for _ in range(repeat):
		started = time.perf_counter()
		call(*args)
		samples.append(1000 * (time.perf_counter() - started))
	return samples


class Desk:
	"""A logged-in user's calls, as the desk makes them."""

	def __init__(self, url: str, site: str, user: str) -> None:
		self.url, self.session = url, requests.Session()
		self.session.headers.update({"X-Frappe-Site-Name": site, "Accept": "application/json"})
		self.post("login", usr=user, pwd=DEMO_PASSWORD)

	def post(self, method: str, **params):
		data = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
		response = self.session.post(f"{self.url}/api/method/{method}", data=data)
		response.raise_for_status()
		return response.json().get("message")

	def list_page(self, doctype: str) -> None:
		self.post(
			"frappe.desk.reportview.get",
			doctype=doctype,
			fields=[f"`tab{doctype}`.`name`", f"`tab{doctype}`.`modified`"],
			filters=[],
			order_by=f"`tab{doctype}`.`modified` desc",
			start=0,
			page_length=20,
		)
		self.post("frappe.desk.reportview.get_count", doctype=doctype, filters=[], limit=1001)

	def exact_count(self, doctype: str) -> int:
		return self.post("frappe.desk.reportview.get_count", doctype=doctype, filters=[])

	def report(self, name: str, filters: dict) -> None:
		self.post("frappe.desk.query_report.run", report_name=name, filters=filters)

	def form(self, doctype: str, name: str) -> dict:
		response = self.session.post(
			f"{self.url}/api/method/frappe.desk.form.load.getdoc", data={"doctype": doctype, "name": name}
		)
		response.raise_for_status()
		return response.json()["docs"][0]

	def insert(self, doc: dict) -> str:
		response = self.session.post(f"{self.url}/api/resource/{doc['doctype']}", json=doc)
		response.raise_for_status()
		return response.json()["data"]["name"]

	def delete(self, doctype: str, name: str) -> None:
		self.session.delete(f"{self.url}/api/resource/{doctype}/{name}").raise_for_status()

	def apply(self, doc: dict, action: str) -> None:
		self.post("frappe.model.workflow.apply_workflow", doc=doc, action=action)


def users() -> dict[str, str]:
	partner = frappe.db.sql(
		"select partner from `tabEducational Institution` group by partner order by count(*) desc, partner limit 1"
	)[0][0]
	school = frappe.db.sql(
		"""select i.name from `tabEducational Institution` i join `tabLearner` l on l.institution = i.name
		where i.partner = %s and i.director is not null group by i.name order by count(*) desc, i.name limit 1""",
		partner,
	)[0][0]
	chosen = {
		"national": regional_coordinators()[0],
		"partner coordinator": partner_staff(partner, "Coordinator")[0],
		"director": frappe.db.get_value("Educational Institution", school, "director"),
	}
	for user in chosen.values():
		update_password(user, DEMO_PASSWORD)
	frappe.db.commit()
	return chosen


def run(args) -> dict:
	chosen = users()
	year = frappe.db.get_value("School Term", current_term(), "school_year")
	result = {
		"benchmark": "national volume: lists, exact counts, a plan's form, reports over HTTP",
		"date": date.today().isoformat(),
		"users": chosen,
		"school_year": year,
		"repeat": args.repeat,
		"site": {doctype: frappe.db.count(doctype) for doctype in SCOPED_DOCTYPES},
		"environment": {
			"frappe": frappe.__version__,
			"mariadb": frappe.db.sql("select version()")[0][0],
			"innodb_buffer_pool_mb": int(frappe.db.sql("select @@innodb_buffer_pool_size")[0][0]) // 2**20,
			"cpus": os.cpu_count(),
		},
		"roles": {},
	}
	for role, user in chosen.items():
		result["roles"][role] = measure(Desk(args.url, args.site, user), user, year, args.repeat)
		print(role, json.dumps(result["roles"][role])[:300])
	if args.db_admin_user:
		result["small_buffer_pool"] = small_buffer_pool(args, chosen)
	result["actions"] = actions(args, year)
	result["hand_sql"] = hand_sql(year, result["roles"]["national"]["reports"])
	if args.replica_port:
		result["replica"] = on_replica(args, chosen["national"], year)
	return result


COUNTED = ("Support Consultation", "Individual Support Plan", "Learner")
DEFAULT_POOL = 128 * 2**20  # MariaDB's default innodb_buffer_pool_size, what a machine left as installed has


def small_buffer_pool(args, chosen: dict[str, str]) -> dict:
	"""Exact counts with MariaDB's default 128 MB buffer pool: the pool is shrunk online (evicting all but
	128 MB of the pages it held), each role's counts taken — the first call right after, then the p95 —
	and the pool given its size back."""
	import pymysql

	password = Path(args.db_admin_password_file).read_text().strip() if args.db_admin_password_file else ""
	admin = pymysql.connect(
		host=frappe.conf.db_host or "127.0.0.1", user=args.db_admin_user, password=password, autocommit=True
	)

	def resize(size: int) -> None:
		with admin.cursor() as cursor:
			cursor.execute("set global innodb_buffer_pool_size = %s", size)
			for _ in range(600):  # resizing runs in the background
				cursor.execute("show global status like 'Innodb_buffer_pool_resize_status'")
				status = cursor.fetchone()[1]
				cursor.execute("select @@innodb_buffer_pool_size")
				if cursor.fetchone()[0] == size and "resiz" not in status.lower().replace("completed", ""):
					return
				time.sleep(0.5)
		raise RuntimeError(f"the buffer pool did not reach {size} bytes: {status}")

	with admin.cursor() as cursor:
		cursor.execute("select @@innodb_buffer_pool_size")
		original = cursor.fetchone()[0]
	measured = {"innodb_buffer_pool_mb": DEFAULT_POOL // 2**20}
	desks = {role: Desk(args.url, args.site, user) for role, user in chosen.items()}
	try:
		resize(DEFAULT_POOL)
		for role, desk in desks.items():
			measured[role] = {}
			for doctype in COUNTED:
				if not frappe.has_permission(doctype, "read", user=chosen[role]):
					continue
				first = timed(1, desk.exact_count, doctype)[0]
				measured[role][doctype] = {
					"first_ms": round(first),
					"p95_ms": p95(timed(args.repeat, desk.exact_count, doctype)),
				}
	finally:
		resize(original)
		admin.close()
	return measured


def on_replica(args, user: str, year: str) -> dict:
	"""With frappe's read_from_replica on: the national user's reports and exact counts again, then the single
	writes; which server ran what, from each server's own statement counters (MariaDB 10.11 counts in the
	replica's Com_insert/update/delete the row changes replication applies too: the site's account cannot
	write there, the server is read-only)."""
	import pymysql
	from frappe.installer import update_site_config

	replica = pymysql.connect(host="127.0.0.1", port=args.replica_port, user="root", autocommit=True)

	def counters() -> dict[str, dict[str, int]]:
		wanted = "('Com_select', 'Com_insert', 'Com_update', 'Com_delete')"
		on = {"primary": frappe.db.sql(f"show global status where Variable_name in {wanted}")}
		with replica.cursor() as cursor:
			cursor.execute(f"show global status where Variable_name in {wanted}")
			on["replica"] = cursor.fetchall()
		return {server: {name[4:].lower(): int(value) for name, value in rows} for server, rows in on.items()}

	def ran(call) -> tuple:
		"""What ``call`` returned, and the statements each server ran meanwhile."""
		before = counters()
		result = call()
		after = counters()
		return result, {
			server: {k: after[server][k] - before[server][k] for k in after[server]} for server in after
		}

	def served(call) -> dict:
		samples, statements = ran(call)
		return {"p95_ms": p95(samples), **statements}

	settings = {"read_from_replica": 1, "replica_host": "127.0.0.1", "replica_db_port": args.replica_port}
	for key, value in settings.items():
		update_site_config(key, value)
	try:
		desk = Desk(args.url, args.site, user)
		measured = {"reports": {}, "exact_counts": {}}
		for report in REPORTS:
			timed(WARM, desk.report, report, {"school_year": year})
			measured["reports"][report] = {
				"current_year": served(lambda r=report: timed(3, desk.report, r, {"school_year": year})),
				"whole_programme": served(lambda r=report: timed(3, desk.report, r, {})),
			}
		for doctype in COUNTED:
			timed(WARM, desk.exact_count, doctype)
			measured["exact_counts"][doctype] = served(
				lambda d=doctype: timed(args.repeat, desk.exact_count, d)
			)
		measured["writes"], measured["writes_served"] = ran(lambda: actions(args, year))
	finally:
		for key in settings:
			update_site_config(key, "None")
		replica.close()
	return measured


def measure(desk: Desk, user: str, year: str, repeat: int) -> dict:
	measured = {"lists": {}, "exact_counts": {}, "reports": {}}
	for doctype in SCOPED_DOCTYPES:
		if not frappe.has_permission(doctype, "read", user=user):
			continue
		timed(WARM, desk.list_page, doctype)  # every web worker has answered it once: a working day's state
		measured["lists"][doctype] = p95(timed(repeat, desk.list_page, doctype))
		samples = timed(repeat, desk.exact_count, doctype)
		measured["exact_counts"][doctype] = {"rows": desk.exact_count(doctype), "p95_ms": p95(samples)}
	if plan := frappe.get_list(
		"Individual Support Plan", limit=1, pluck="name", user=user, order_by="modified desc"
	):
		timed(WARM, desk.form, "Individual Support Plan", plan[0])
		measured["plan_form"] = p95(timed(repeat, desk.form, "Individual Support Plan", plan[0]))
	roles = frappe.get_roles(user)
	allowed = set(frappe.get_all("Has Role", {"parenttype": "Report", "role": ("in", roles)}, pluck="parent"))
	for report in REPORTS:
		if report not in allowed:
			continue
		timed(WARM, desk.report, report, {"school_year": year})
		timed(WARM, desk.report, report, {})  # (a buffer pool shrunk by an earlier run has lost its pages)
		measured["reports"][report] = {
			"current_year_ms": p95(timed(3, desk.report, report, {"school_year": year})),
			"whole_programme_ms": p95(timed(3, desk.report, report, {})),
		}
	return measured


def actions(args, year: str) -> dict:
	"""Single writes as the desk makes them, one after another: a specialist saves a consultation (each deleted
	again, untimed), and a director approves plans waiting for them (the load benchmark leaves some)."""
	done = {}
	term = current_term()
	start, end = frappe.db.get_value("School Term", term, ["start_date", "end_date"])
	wanted = {"specialists": 1}
	chosen = specialists(term, start, min(end, date.today()), wanted, random.Random(7))
	if chosen and chosen[0]["slots"]:
		who = chosen[0]
		update_password(who["user"], DEMO_PASSWORD)
		frappe.db.commit()
		desk = Desk(args.url, args.site, who["user"])
		samples, made = [], []
		for slot in who["slots"][: args.repeat]:
			consultation = {
				"doctype": "Support Consultation",
				"support_plan": slot["plan"],
				"measure": slot["measure"],
				"specialist": who["user"],
				"consultation_date": slot["date"],
				"start_time": slot["start_time"],
				"duration_minutes": 40,
				"mode": "In person",
				"topic": "Apjoma tests",
			}
			started = time.perf_counter()
			made.append(desk.insert(consultation))
			samples.append(1000 * (time.perf_counter() - started))
		for name in made:
			desk.delete("Support Consultation", name)
		done["save a consultation"] = {"calls": len(samples), "p95_ms": p95(samples)}
	director = frappe.db.sql(
		"""select i.director from `tabIndividual Support Plan` p join `tabEducational Institution` i
		on i.name = p.institution where p.workflow_state = 'Pending Director' and i.director != p.plan_author
		group by i.director order by count(*) desc limit 1"""
	)
	if director:
		user = director[0][0]
		update_password(user, DEMO_PASSWORD)
		frappe.db.commit()
		desk = Desk(args.url, args.site, user)
		waiting = frappe.get_list(
			"Individual Support Plan",
			{"workflow_state": "Pending Director"},
			pluck="name",
			user=user,
			limit=args.repeat,
		)
		samples = []
		for plan in waiting:
			doc = desk.form("Individual Support Plan", plan)
			started = time.perf_counter()
			desk.apply(doc, "Approve")
			samples.append(1000 * (time.perf_counter() - started))
		done["approve a plan"] = {"calls": len(samples), "p95_ms": p95(samples) if samples else None}
	if chosen_accountants := accountants(1, random.Random(7)):
		user = chosen_accountants[0]["user"]
		update_password(user, DEMO_PASSWORD)
		frappe.db.commit()
		desk = Desk(args.url, args.site, user)
		waiting = frappe.get_list(
			"Compensation", {"workflow_state": "Submitted"}, pluck="name", user=user, limit=args.repeat
		)
		samples = []
		for claim in waiting:
			doc = desk.form("Compensation", claim)
			started = time.perf_counter()
			try:
				desk.apply(doc, "Verify")
			except requests.HTTPError:
				continue  # a claim this accountant had a hand in: another one verifies it
			samples.append(1000 * (time.perf_counter() - started))
		done["verify a claim"] = {"calls": len(samples), "p95_ms": p95(samples) if samples else None}
	return done


def hand_sql(year: str, reports: dict) -> dict:
	"""The national current year's numbers of two reports, written by hand, timed in the same run."""
	terms = frappe.get_all("School Term", {"school_year": year}, pluck="name")
	live = ("Approved", "Evaluated")
	queries = {
		"Plans by Institution and Term": lambda: (
			frappe.db.sql(
				"""select partner, institution, school_term, count(*), count(distinct learner),
				sum(education_type = 'General' and grade <= 4), sum(education_type = 'General' and grade between 5 and 9),
				sum(education_type = 'General' and grade >= 10), sum(education_type = 'Vocational')
				from `tabIndividual Support Plan` where docstatus < 2 and workflow_state in %(live)s
				and school_term in %(terms)s group by partner, institution, school_term""",
				{"live": live, "terms": terms},
			),
			frappe.db.sql(
				"""select count(*), count(distinct learner) from `tabIndividual Support Plan`
				where docstatus < 2 and workflow_state in %(live)s and school_term in %(terms)s""",
				{"live": live, "terms": terms},
			),
		),
		"Support Delivered": lambda: (
			frappe.db.sql(
				"""select m.specialist_role, m.specialist, sum(m.planned_hours) from `tabIndividual Support Plan` p
				join `tabSupport Plan Measure` m on m.parent = p.name and m.measure_kind = 'Consultation'
				where p.docstatus < 2 and p.workflow_state in %(live)s and p.school_term in %(terms)s
				group by m.specialist_role, m.specialist""",
				{"live": live, "terms": terms},
			),
			frappe.db.sql(
				"""select specialist_role, specialist, year(consultation_date), month(consultation_date), count(*),
				sum(learner_confirmed), sum(duration_minutes), sum(duration_minutes * learner_confirmed)
				from `tabSupport Consultation` where school_term in %(terms)s
				group by specialist_role, specialist, year(consultation_date), month(consultation_date)""",
				{"terms": terms},
			),
		),
	}
	compared = {}
	for report, query in queries.items():
		query()
		sql_ms = p95(timed(3, query))
		report_ms = reports[report]["current_year_ms"]
		compared[report] = {
			"sql_ms": sql_ms,
			"report_ms": report_ms,
			"ratio": round(report_ms / max(sql_ms, 1), 1),
		}
	return compared


def replica_table(replica: dict) -> list[str]:
	"""Where the national user's reads and the single writes ran with read_from_replica on."""
	lines = [
		"With a replica (`read_from_replica`), national user: p95 ms, and the statements each server ran",
		"",
		"| | p95 ms | SELECTs on the replica | SELECTs on the primary (its scheduler and workers too) | writes on the primary | writes on the replica (replication applying the primary's) |",
		"| --- | ---: | ---: | ---: | ---: | ---: |",
	]

	def counts(statements: dict) -> str:
		writes = {
			s: sum(statements[s][k] for k in ("insert", "update", "delete")) for s in ("primary", "replica")
		}
		return (
			f"{statements['replica']['select']:,} | {statements['primary']['select']:,} "
			f"| {writes['primary']:,} | {writes['replica']:,} |"
		)

	def row(label: str, value: dict) -> str:
		return f"| {label} | {value['p95_ms']:,} | {counts(value)}"

	for name, periods in replica["reports"].items():
		lines.append(row(f"{name}, current year", periods["current_year"]))
		lines.append(row(f"{name}, whole programme", periods["whole_programme"]))
	for doctype, value in replica["exact_counts"].items():
		lines.append(row(f"exact count, {doctype}", value))
	lines.append(
		"| single writes: "
		+ ", ".join(f"{name} {written(v)}" for name, v in replica["writes"].items())
		+ f" | | {counts(replica['writes_served'])}"
	)
	return lines


def written(action: dict) -> str:
	"""A single write's p95 and how many calls it was taken over."""
	if action["p95_ms"] is None:
		return "none waiting"
	return f"{action['p95_ms']:,} ms ({action['calls']} calls)"


def worst(values: dict, key=None) -> str:
	if not values:
		return "—"
	name, value = max(values.items(), key=lambda item: key(item[1]) if key else item[1])
	return f"{key(value) if key else value:,} ({name})"


def table(result: dict) -> str:
	roles = result["roles"]
	rows = [
		("list page + count (worst DocType)", lambda r: worst(r["lists"])),
		("exact count (worst DocType)", lambda r: worst(r["exact_counts"], key=lambda v: v["p95_ms"])),
		("a plan's form", lambda r: f"{r['plan_form']:,}" if "plan_form" in r else "—"),
		(
			"report, current school year (worst)",
			lambda r: worst(r["reports"], key=lambda v: v["current_year_ms"]),
		),
		(
			"report, whole programme (worst)",
			lambda r: worst(r["reports"], key=lambda v: v["whole_programme_ms"]),
		),
	]
	lines = [
		"| p95 ms, over HTTP | " + " | ".join(ROLES) + " |",
		"| --- | " + " | ".join("---" for _ in ROLES) + " |",
	]
	for label, cell in rows:
		lines.append(f"| {label} | " + " | ".join(cell(roles[role]) for role in ROLES) + " |")
	if small := result.get("small_buffer_pool"):
		lines.append(
			"| exact count with MariaDB's default 128 MB buffer pool: first call after shrinking / p95 (worst "
			"DocType) | "
			+ " | ".join(
				worst(small[role], key=lambda v: v["first_ms"])
				+ " / "
				+ worst(small[role], key=lambda v: v["p95_ms"])
				for role in ROLES
			)
			+ " |"
		)
	lines.append(
		"| single writes, one after another | "
		+ ", ".join(f"{name}: {written(v)}" for name, v in result["actions"].items())
		+ " | | |"
	)
	hand = "; ".join(
		f"{name}: report {v['report_ms']:,} ms, SQL {v['sql_ms']:,} ms ({v['ratio']}×)"
		for name, v in result["hand_sql"].items()
	)
	env = result["environment"]
	if replica := result.get("replica"):
		lines += ["", *replica_table(replica)]
	lines += [
		"",
		f"{result['site']['Support Consultation']:,} consultations, {result['site']['Individual Support Plan']:,} plans, "
		f"{result['site']['Learner']:,} learners; {env['cpus']} cores, MariaDB buffer pool "
		f"{env['innodb_buffer_pool_mb']:,} MB, {result['repeat']} calls per list and count, 3 per report; "
		f"{result['date']}. National, current school year, beside hand-written SQL: {hand}.",
	]
	return "\n".join(lines) + "\n"


if __name__ == "__main__":
	main()
