"""Steps on the host site of test_host_site.py, each in a process of its own (the test's process is connected
to the test site): ``python -m tests.integration.host_site SITE SITES_PATH STEP`` commits the step and prints
its result as JSON on the last line."""

import json
import sys

import frappe


def demo_traces() -> dict[str, object]:
	return {
		"users": frappe.db.count("User"),
		"partners": frappe.db.count("Partner"),
		"country": frappe.db.get_single_value("System Settings", "country"),
	}


STEPS = {"demo_traces": demo_traces}

if __name__ == "__main__":
	site, sites_path, step = sys.argv[1:]
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.flags.in_test = True
	frappe.set_user("Administrator")
	try:
		result = STEPS[step]()
		frappe.db.commit()
	finally:
		frappe.destroy()
	print(json.dumps(result))
