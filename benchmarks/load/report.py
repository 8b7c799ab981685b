"""The load test's report (run by ``benchmarks/load/run``): locust's figures per request type and the count
check, written as ``benchmarks/results/load.json`` and as the README's table (between its load markers)."""

import argparse
import csv
import json
import os
import platform
import re
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from readme_table import replace_table  # noqa: E402

WRITES = re.compile(r"create|send|approve|verify|get compensations|export")


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--out", required=True)
	parser.add_argument("--results", required=True)
	parser.add_argument("--readme", required=True)
	parser.add_argument("--web-workers", type=int, required=True)
	parser.add_argument("--users", type=int, required=True)
	parser.add_argument("--run-time", required=True)
	args = parser.parse_args()
	out = Path(args.out)

	with (out / "locust_stats.csv").open() as f:
		rows = list(csv.DictReader(f))
	with (out / "locust_failures.csv").open() as f:
		failures = [
			{"request": r["Name"], "error": r["Error"][:300], "times": int(r["Occurrences"])}
			for r in csv.DictReader(f)
		]
	profiles = json.loads((out / "users.json").read_text())
	check = json.loads((out / "check.json").read_text())
	requests = [
		{
			"request": r["Name"],
			"write": bool(WRITES.search(r["Name"])),
			"count": int(r["Request Count"]),
			"failures": int(r["Failure Count"]),
			"p50_ms": int(float(r["50%"])),
			"p95_ms": int(float(r["95%"])),
			"max_ms": int(float(r["Max Response Time"])),
		}
		for r in rows
		if r["Name"] != "Aggregated"
	]
	total = next(r for r in rows if r["Name"] == "Aggregated")
	result = {
		"benchmark": "load: 50 staff on the project-scale demo site",
		"date": date.today().isoformat(),
		"users": args.users,
		"run_time": args.run_time,
		"users_by_kind": {kind: len(profiles[kind]) for kind in profiles["kinds"]},
		"site": profiles["site_counts"],
		"environment": {
			"cpus": os.cpu_count(),
			"machine": platform.machine(),
			"gunicorn_workers": args.web_workers,
			"rq_workers": 2,
			**profiles["environment"],
		},
		"requests_total": int(total["Request Count"]),
		"failures_total": int(total["Failure Count"]),
		"requests_per_second": round(float(total["Requests/s"]), 1),
		"requests": requests,
		"failures": failures,
		"count_check": check,
	}
	Path(args.results).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
	replace_table(Path(args.readme), "load", table(result))
	print(table(result))
	for problem in check["problems"]:
		print("PROBLEM:", problem)


def table(result: dict) -> str:
	lines = [
		"| request | write | requests | errors | p50 ms | p95 ms |",
		"| --- | :---: | ---: | ---: | ---: | ---: |",
	]
	for r in sorted(result["requests"], key=lambda r: (not r["write"], r["request"])):
		lines.append(
			f"| {r['request']} | {'✓' if r['write'] else ''} | {r['count']:,} | {r['failures']} | {r['p50_ms']:,} | {r['p95_ms']:,} |"
		)
	lines.append(f"| **all** | | **{result['requests_total']:,}** | **{result['failures_total']}** | | |")
	counts = result["count_check"]["counts"]
	problems = result["count_check"]["problems"]
	lines.append("")
	lines.append(
		f"{result['users']} users for {result['run_time']} on {result['environment']['cpus']} cores "
		f"({result['environment']['gunicorn_workers']} gunicorn workers, {result['environment']['rq_workers']} RQ "
		f"workers, the scheduler), {result['requests_per_second']} requests/s, {result['date']}. Count check: "
		f"{counts['plans written']} plans, {counts['consultations written']} consultations, "
		f"{counts['payment lines exported']} payment lines in {counts['payment batches exported']} exported batches; "
		+ (
			"every write there once and whole, none unreported, no compensation in two live batches."
			if not problems
			else f"**{len(problems)} problems** (see `benchmarks/results/load.json`)."
		)
	)
	return "\n".join(lines) + "\n"


if __name__ == "__main__":
	main()
