"""The load test's count check (run by ``benchmarks/load/run`` with the bench's Python, from the bench's sites folder).

Every write the load reported as done (``writes.jsonl``) is in the database exactly once and whole; nothing
was written that the load was not told about; no compensation sits in two live payment batches. Writes
``check.json`` beside the load's files: the counts, and each problem found (none expected)."""

import argparse
import json
from collections import Counter
from pathlib import Path

import frappe
from frappe.query_builder.functions import Count

PLAN = "Individual Support Plan"
CONSULTATION = "Support Consultation"
CLAIM = "Compensation"
BATCH = "Compensation Payment Batch"


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--out", required=True, help="the folder of users.json and writes.jsonl")
	args = parser.parse_args()
	out = Path(args.out)
	frappe.init(site=args.site, sites_path=args.sites_path)
	frappe.connect()
	try:
		result = check(json.loads((out / "users.json").read_text()), read_writes(out / "writes.jsonl"))
	finally:
		frappe.destroy()
	(out / "check.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
	print(json.dumps(result["counts"], indent=1))
	for problem in result["problems"]:
		print("PROBLEM:", problem)


def read_writes(path: Path) -> dict[str, list[dict]]:
	by_kind: dict[str, list[dict]] = {}
	if path.exists():
		for line in path.read_text().splitlines():
			write = json.loads(line)
			by_kind.setdefault(write["kind"], []).append(write)
	return by_kind


def check(profiles: dict, writes: dict[str, list[dict]]) -> dict:
	problems: list[str] = []
	since = profiles["started_at"]
	users = [p["user"] for kind in profiles["kinds"] for p in profiles[kind]]

	def once(doctype: str, names: list[str]) -> None:
		if dupes := [name for name, n in Counter(names).items() if n > 1]:
			problems.append(f"{doctype}: reported twice: {dupes[:5]}")
		found = set(frappe.get_all(doctype, {"name": ("in", names or [""])}, pluck="name"))
		if missing := sorted(set(names) - found):
			problems.append(f"{doctype}: reported but missing: {missing[:5]}")

	def none_unreported(doctype: str, names: list[str]) -> int:
		made = frappe.get_all(doctype, {"owner": ("in", users), "creation": (">=", since)}, pluck="name")
		if extra := sorted(set(made) - set(names)):
			problems.append(f"{doctype}: written but never reported to the user: {extra[:5]}")
		return len(made)

	plans = [w["name"] for w in writes.get(PLAN, [])]
	once(PLAN, plans)
	made_plans = none_unreported(PLAN, plans)
	for name in plans:
		rows = (
			frappe.db.count("Support Plan Risk", {"parent": name}),
			frappe.db.count("Support Plan Measure", {"parent": name}),
		)
		if rows != (2, 2):
			problems.append(f"{PLAN} {name}: half-written ({rows[0]} risks, {rows[1]} measures)")
	learners = [w["learner"] for w in writes.get(PLAN, [])]
	if dupes := [learner for learner, n in Counter(learners).items() if n > 1]:
		problems.append(f"two plans in one term for learners {dupes[:5]}")

	decided = Counter({kind: len(done) for kind, done in writes.items() if ": " in kind})
	for write in writes.get(f"{PLAN}: Send for Approval", []):
		if frappe.db.get_value(PLAN, write["name"], "workflow_state") == "Draft":
			problems.append(f"{PLAN} {write['name']}: sent for approval, still a draft")
	for write in writes.get(f"{PLAN}: Approve", []):
		stamps = frappe.db.get_value(
			PLAN, write["name"], ["director_approved_by", "partner_approved_by", "ikvd_approved_by"]
		)
		if write["user"] not in stamps:
			problems.append(f"{PLAN} {write['name']}: approval by {write['user']} not stamped")
	for write in writes.get(f"{CLAIM}: Verify", []):
		if frappe.db.get_value(CLAIM, write["name"], "verified_by") != write["user"]:
			problems.append(f"{CLAIM} {write['name']}: verification by {write['user']} not stamped")

	consultations = [w["name"] for w in writes.get(CONSULTATION, [])]
	once(CONSULTATION, consultations)
	made_consultations = none_unreported(CONSULTATION, consultations)
	unfinished = frappe.get_all(
		CONSULTATION, {"name": ("in", consultations or [""]), "end_time": ("is", "not set")}, pluck="name"
	)
	if unfinished:
		problems.append(f"{CONSULTATION}: half-written (no end time): {unfinished[:5]}")

	batches = [w["name"] for w in writes.get(BATCH, [])]
	once(BATCH, batches)
	for write in writes.get(f"{BATCH}: export", []):
		batch = frappe.get_doc(BATCH, write["name"])
		files = frappe.db.count("File", {"attached_to_doctype": BATCH, "attached_to_name": batch.name})
		if (batch.status, len(batch.lines), files) != ("Exported", write["lines"], 2):
			problems.append(f"{BATCH} {batch.name}: {batch.status}, {len(batch.lines)} lines, {files} files")
	line = frappe.qb.DocType("Compensation Payment Line")
	twice = (
		frappe.qb.from_(line)
		.select(line.active_compensation)
		.where(line.active_compensation.isnotnull())
		.groupby(line.active_compensation)
		.having(Count("*") > 1)
		.run(pluck=True)
	)
	live = frappe.db.sql(
		"""select l.compensation from `tabCompensation Payment Line` l join `tabCompensation Payment Batch` b
		on b.name = l.parent where b.status in ('Draft', 'Exported') and b.docstatus = 0
		group by l.compensation having count(distinct b.name) > 1"""
	)
	if twice or live:
		problems.append(f"compensations in two live batches: {sorted({*twice, *(r[0] for r in live)})[:5]}")

	return {
		"counts": {
			"plans written": len(plans),
			"plans in the database by the load's users": made_plans,
			"consultations written": len(consultations),
			"consultations in the database by the load's users": made_consultations,
			"payment batches": len(batches),
			"payment batches exported": len(writes.get(f"{BATCH}: export", [])),
			"payment lines exported": sum(w["lines"] for w in writes.get(f"{BATCH}: export", [])),
			**{f"workflow: {kind}": n for kind, n in sorted(decided.items())},
			"compensations in two live batches": len(set(twice) | {r[0] for r in live}),
		},
		"problems": problems,
	}


if __name__ == "__main__":
	main()
