"""What the benchmarks share: running on a site as Administrator, the machine a result was measured on,
and writing the result."""

import json
import os
import platform
import subprocess
from pathlib import Path

import frappe

HERE = Path(__file__).resolve().parent


def run_on_site(args, run, print_table, rollback: bool = False) -> None:
	"""``run(args)`` on ``args.site`` (``rollback``: leave the site as it was), then write and print its result."""
	frappe.init(site=args.site, sites_path=args.sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		results = run(args)
	finally:
		if rollback:
			frappe.db.rollback()
		frappe.destroy()
	Path(args.out).parent.mkdir(parents=True, exist_ok=True)
	Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
	print_table(results)
	print(f"\nwritten to {args.out}")


def environment(**extra) -> dict:
	"""Versions and machine; ``extra`` adds what the benchmark itself depends on."""

	def git(*args) -> str:
		try:
			command = ["git", "-c", f"safe.directory={HERE.parent}", *args]  # the bench user may not own it
			return subprocess.run(
				command, cwd=HERE, capture_output=True, text=True, check=True
			).stdout.strip()
		except Exception:
			return ""

	return {
		"frappe": frappe.__version__,
		# a bench's copy of the app may have no .git: the commit can be given
		"app_commit": os.environ.get("PUMPURS_APP_COMMIT") or git("rev-parse", "--short", "HEAD"),
		"python": platform.python_version(),
		"mariadb": frappe.db.sql("select version()")[0][0],
		**extra,
		"cpus": os.cpu_count(),
		"machine": platform.machine(),
		"load_average": [round(x, 2) for x in os.getloadavg()],
	}
