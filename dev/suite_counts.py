"""Counts of each suite from pytest's JUnit reports (dev/test): unit, integration, browser.

Under CI (--ci) a suite that was asked for and did not run is a failure: no browser test may be skipped, and
when the whole suite was asked for (--full) the integration and browser suites must each have run tests."""

import argparse
import sys
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree


def outcome(case: ElementTree.Element) -> str:
	for child in case:
		if child.tag in ("failure", "error"):
			return "failed"
		if child.tag == "skipped":
			return "skipped"
	return "passed"


def suite_of(report: str, case: ElementTree.Element) -> str:
	if report == "integration" and case.get("classname", "").startswith("tests.integration.browser"):
		return "browser"
	return report


def main() -> int:
	parser = argparse.ArgumentParser()
	parser.add_argument("reports", type=Path)
	parser.add_argument("--ci", action="store_true")
	parser.add_argument("--full", action="store_true")
	args = parser.parse_args()
	counts: dict[str, Counter] = {}
	properties: list[str] = []
	for path in sorted(args.reports.glob("*.xml")):
		for case in ElementTree.parse(path).iter("testcase"):
			counts.setdefault(suite_of(path.stem, case), Counter())[outcome(case)] += 1
			for prop in case.iter("property"):
				properties.append(f"{prop.get('name')}: {prop.get('value')}")
	for suite in ("unit", "integration", "browser"):
		if suite in counts:
			c = counts[suite]
			print(f"{suite}: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped")
	for line in properties:
		print(line)
	if not args.ci:
		return 0
	problems = []
	if counts.get("browser", Counter())["skipped"]:
		problems.append(f"{counts['browser']['skipped']} browser tests skipped")
	if args.full:
		problems += [
			f"no {suite} test ran" for suite in ("unit", "integration", "browser") if not counts.get(suite)
		]
	for problem in problems:
		print(f"FAILED under CI: {problem}", file=sys.stderr)
	return 1 if problems else 0


if __name__ == "__main__":
	sys.exit(main())
