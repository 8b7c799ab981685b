"""A backup comes back whole: `bench backup --with-files` of the test site (every kind of PuMPuRS record of both
partners, with their applications, evidence, SEPA files, payment lists and bank statements), restored onto a
fresh site, holds the same records, workflow states, settings and files, byte for byte."""

import json

import frappe

from tests.integration.host_site import inventory
from tests.integration.sites import bench, db_admin, drop, on_site

RESTORED = "pumpurs-restored.test"


def test_a_backup_with_files_restores_every_record_state_and_file(partner_records, tmp_path):
	source = json.loads(json.dumps(inventory(), default=str))  # as the restored site's step reports it
	assert {"Learner", "Compensation", "Compensation Payment Batch", "Compensation Bank Statement"} <= {
		kind for kind, _private, _sum in source["files"].values()
	}
	assert source["records"]["Compensation Bank Statement Line"] and source["states"]["Compensation"]

	bench("--site", frappe.local.site, "backup", "--with-files", "--backup-path", str(tmp_path))
	backup = {
		part: next(str(path) for path in tmp_path.iterdir() if path.name.endswith(suffix))
		for part, suffix in (
			("database", "-database.sql.gz"),
			("public", "-files.tar"),
			("private", "-private-files.tar"),
		)
	}
	drop(RESTORED)  # left by an interrupted run
	try:
		bench("new-site", RESTORED, *db_admin(), "--admin-password", "admin")
		bench(
			"--site",
			RESTORED,
			"restore",
			backup["database"],
			"--with-public-files",
			backup["public"],
			"--with-private-files",
			backup["private"],
			*db_admin(),
			"--admin-password",
			"admin",
		)
		assert on_site(RESTORED, "inventory") == source
	finally:
		drop(RESTORED)
