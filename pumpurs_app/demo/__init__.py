"""Realistic demo data at two scales: ``small`` for trying the app, ``project`` for benchmarks.

Run with ``bench --site SITE pumpurs-demo --scale small|project``."""

import time

import frappe


def load(scale: str, seed: int = 2026) -> dict[str, int]:
	"""Load the demo into a site without PuMPuRS data; on a site that has some, do nothing and return {}."""
	from pumpurs_app.demo import claims_history, compensations, plans, registers
	from pumpurs_app.demo.site import prepare_site

	if is_loaded():
		return {}
	started = time.monotonic()
	prepare_site(password=registers.DEMO_PASSWORD)
	demo = registers.build(scale, seed)
	counts = dict(demo.counts)
	counts["seconds (registers)"] = round(time.monotonic() - started, 1)
	counts |= plans.generate(demo)
	counts["seconds (plans)"] = round(time.monotonic() - started - counts["seconds (registers)"], 1)
	money_started = time.monotonic()
	counts |= claims_history.generate(demo)  # first: the recent claims' names follow the history's
	counts |= compensations.generate(demo)
	counts["seconds (compensations)"] = round(time.monotonic() - money_started, 1)
	frappe.db.commit()
	counts["seconds"] = round(time.monotonic() - started, 1)
	return counts


def is_loaded() -> bool:
	return bool(frappe.db.count("Partner"))
