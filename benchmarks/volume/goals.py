"""The national volume goals, each target beside what the run measured: a Markdown table appended to the
volume table, from the results of ``benchmarks/volume/run``'s three benchmarks (plain Python, no frappe).

	python3 benchmarks/volume/goals.py volume.json sepa_export.json learner_import.json >> table.md
"""

import json
import sys


def rows(volume: dict, money: dict, learners: dict) -> list[tuple[str, str, float, float]]:
	"""(goal, what, measured, target): met when measured ≤ target (or ≥ for the counts and rates below)."""
	roles = volume["roles"].values()
	small = [v for role, v in volume["small_buffer_pool"].items() if isinstance(v, dict)]
	batch = money["runs"][0]
	return [
		("1", "list page + count, p95 ms, every role", max(max(r["lists"].values()) for r in roles), 300),
		(
			"1",
			"exact count, p95 ms, every role",
			max(v["p95_ms"] for r in roles for v in r["exact_counts"].values()),
			300,
		),
		(
			"1",
			"exact count with a 128 MB buffer pool, ms, first call after shrinking",
			max(v["first_ms"] for r in small for v in r.values()),
			1000,
		),
		(
			"2",
			"open a plan, save a consultation, approve a plan, verify a claim, p95 ms",
			max(
				[r["plan_form"] for r in roles if "plan_form" in r]
				+ [a["p95_ms"] for a in volume["actions"].values() if a["p95_ms"] is not None]
			),
			300,
		),
		(
			"3",
			"reports, current school year, p95 ms, every role",
			max(v["current_year_ms"] for r in roles for v in r["reports"].values()),
			500,
		),
		(
			"3",
			"reports, whole programme, p95 ms, every role",
			max(v["whole_programme_ms"] for r in roles for v in r["reports"].values()),
			1000,
		),
		("3", "report ÷ hand-written SQL, worst", max(v["ratio"] for v in volume["hand_sql"].values()), 2),
		(
			"4",
			"claims on the site before the batch's (at least)",
			batch["compensations_on_site"] - batch["approved_claims_set_up"],
			100_000,
		),
		("4", "5,000-line batch: export, s", money["export_seconds_median"], 5),
		("4", "5,000-line batch: confirm, s", money["confirm_seconds_median"], 5),
		("4", "5,000-line camt.053 matched, s", money["statement_match_seconds_median"], 5),
		("4", "reconciliation report, IKVD, s", batch["reconciliation_report_national_seconds"], 0.5),
		(
			"5",
			f"learner import of {learners['rows']:,} rows into this site's "
			f"{learners['environment']['learners_in_register_before']:,} learners, rows/s (at least)",
			learners["ours_bulk_rows_per_second_median"],
			3000,
		),
		(
			"6",
			"reports read on the replica: the fewest SELECTs one ran there (at least 1)",
			min(p["replica"]["select"] for r in volume["replica"]["reports"].values() for p in r.values()),
			1,
		),
	]


def table(volume: dict, money: dict, learners: dict) -> str:
	lines = ["", "| goal | measured | target | met |", "| --- | ---: | ---: | :---: |"]
	for goal, what, measured, target in rows(volume, money, learners):
		at_least = "at least" in what
		met = measured >= target if at_least else measured <= target
		lines.append(f"| {goal}. {what} | {measured:,} | {target:,} | {'✓' if met else '✗'} |")
	return "\n".join(lines) + "\n"


if __name__ == "__main__":
	volume, money, learners = (json.loads(open(path).read()) for path in sys.argv[1:4])
	print(table(volume, money, learners), end="")
