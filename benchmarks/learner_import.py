"""Benchmark: the learner import against frappe's Data Import, on the same 10,000-row Excel file.

Both import the same workbook — the app's template filled with valid learners (stored English option
values, which both accept) — into the same site, one after the other, and both validate every learner with
the Learner rules: frappe's Data Import runs the Learner controller on every row; ours checks the whole file
with the same rule functions and then writes in bulk (and, for comparison, once more through the controller
for every row, as it does on sites with automation on learners). Timings cover the whole work: reading the
uploaded file, checking, writing and committing. Ours reads and checks the file twice, as in the app (once
when it is uploaded, once more right before writing). After each run the learners it created are deleted.

Run it with the bench's Python from the bench's ``sites`` folder, on a site with the app and demo data (never
on a production site: it writes and deletes thousands of learners)::

    cd ~/pumpurs-bench/sites
    ../env/bin/python /path/to/pumpurs_app/benchmarks/learner_import.py --site pumpurs.localhost

Results are printed and written to ``benchmarks/results/learner_import.json``.
"""

import argparse
import io
import json
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import frappe  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from benchmarks.common import environment, run_on_site  # noqa: E402
from pumpurs_app.rules import learner_import as rules  # noqa: E402
from pumpurs_app.rules import personal_code  # noqa: E402

LEARNER = "Learner"
FIRST_NAMES = [
	"Anna",
	"Jānis",
	"Marta",
	"Roberts",
	"Elza",
	"Kārlis",
	"Sofija",
	"Markuss",
	"Emīlija",
	"Daniels",
]
LAST_NAMES = [
	"Bērziņa",
	"Kalniņš",
	"Ozola",
	"Liepiņš",
	"Kļaviņa",
	"Zariņš",
	"Vītola",
	"Krūmiņš",
	"Jansone",
	"Eglītis",
]
# the Data Import's mapping of the template's columns to Learner fields
DATA_IMPORT_FIELDS = {
	"guardian_name": "guardians.guardian_name",
	"guardian_relation": "guardians.relation",
	"guardian_phone": "guardians.phone",
	"guardian_email": "guardians.email",
}


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--rows", type=int, default=10_000)
	parser.add_argument("--runs", type=int, default=3, help="runs of our bulk import (the median counts)")
	parser.add_argument("--skip-controller", action="store_true")
	parser.add_argument("--skip-data-import", action="store_true")
	parser.add_argument("--out", default=str(HERE / "results" / "learner_import.json"))
	args = parser.parse_args()

	run_on_site(args, run, print_table)


def run(args) -> dict:
	from pumpurs_app.registers.doctype.learner_import import importer

	partner, institutions = pick_institutions()
	rows = make_rows(args.rows, institutions)
	content = make_file(rows, institutions)
	codes = [row["personal_code"] for row in rows]
	coordinator = frappe.get_all(
		"Partner Staff Member", filters={"parent": partner, "function": "Coordinator"}, pluck="user", limit=1
	)
	results = {
		"benchmark": "learner import vs frappe Data Import, same file",
		"date": date.today().isoformat(),
		"rows": args.rows,
		"file_bytes": len(content),
		"institutions": institutions,
		"environment": environment(learners_in_register_before=frappe.db.count(LEARNER)),
		"bulk_path_on_this_site": not importer.reasons_for_controller(),
		"runs": [],
	}
	for index in range(args.runs):
		results["runs"].append(ours(content, codes, "Administrator", None, f"ours bulk #{index + 1}"))
	if coordinator:
		results["runs"].append(
			ours(content, codes, coordinator[0], None, "ours bulk, as the partner coordinator")
		)
	if not args.skip_controller:
		results["runs"].append(
			ours(content, codes, "Administrator", "controller", "ours through the controller")
		)
	if not args.skip_data_import:
		results["runs"].append(data_import(content, codes))
	bulk = statistics.median(
		r["rows_per_second"] for r in results["runs"] if r["label"].startswith("ours bulk #")
	)
	results["ours_bulk_rows_per_second_median"] = round(bulk, 1)
	for run_ in results["runs"]:
		if run_["label"] == "frappe Data Import":
			results["frappe_data_import_rows_per_second"] = run_["rows_per_second"]
			results["ratio_ours_bulk_to_data_import"] = round(bulk / run_["rows_per_second"], 1)
		if run_["label"] == "ours through the controller":
			results["ours_controller_rows_per_second"] = run_["rows_per_second"]
	if "ours_controller_rows_per_second" in results and "frappe_data_import_rows_per_second" in results:
		results["ratio_ours_controller_to_data_import"] = round(
			results["ours_controller_rows_per_second"] / results["frappe_data_import_rows_per_second"], 1
		)
	return results


def pick_institutions() -> tuple[str, list[str]]:
	"""The general-education schools of the municipality with the most of them."""
	rows = frappe.get_all(
		"Educational Institution",
		filters={
			"status": "Active",
			"education_type": ("in", ["General", "Both"]),
			"partner_type": "Municipality",
		},
		fields=["name", "partner"],
		order_by="name",
	)
	by_partner: dict[str, list[str]] = {}
	for row in rows:
		by_partner.setdefault(row.partner, []).append(row.name)
	if not by_partner:
		sys.exit(
			"no municipal general-education institutions on this site: load demo data first (bench pumpurs-demo)"
		)
	partner = max(sorted(by_partner), key=lambda p: len(by_partner[p]))
	return partner, by_partner[partner]


def make_rows(count: int, institutions: list[str]) -> list[dict]:
	"""Valid learners with personal codes that are not in the register yet: half old-format codes (grades
	5–10), half new-format codes with a birth date (grades 1–3)."""
	existing = set(frappe.get_all(LEARNER, filters={"personal_code": ("is", "set")}, pluck="personal_code"))
	rows, serial = [], 0
	while len(rows) < count:
		serial += 1
		index = len(rows)
		if index % 2:
			born = date(2018, 1, 1) + timedelta(days=serial % 365)
			code = personal_code.make_new_format(70_000_000 + serial)
			grade, birth = 1 + serial % 3, born
		else:
			born = date(2010, 1, 1) + timedelta(days=serial % 1800)
			code = personal_code.make_old_format(born, 700 + (serial // 1800) % 300)
			grade, birth = 5 + serial % 6, None
		if code in existing:
			continue
		existing.add(code)
		rows.append(
			{
				"first_name": FIRST_NAMES[index % 10],
				"last_name": LAST_NAMES[(index // 10) % 10],
				"personal_code": code,
				"date_of_birth": birth,
				"institution": institutions[index % len(institutions)],
				"education_type": "General",
				"grade": grade,
				"class_label": f"{grade}.{'abc'[index % 3]}",
				"consent_date": date(2025, 9, 1),
				"consent_given_by": "Parent or Guardian",
				"guardian_name": f"{FIRST_NAMES[(index + 3) % 10]} {LAST_NAMES[(index // 10) % 10]}",
				"guardian_relation": "Mother",
				"guardian_phone": f"+371 2{6000000 + index}",
				"guardian_email": f"vecaks{index}@example.lv",
			}
		)
	return rows


def make_file(rows: list[dict], institutions: list[str]) -> bytes:
	"""The app's own template, filled in."""
	book = load_workbook(io.BytesIO(rules.build_template(institutions, latvian=lambda text: text)))
	sheet = book[rules.DATA_SHEET]
	for row in rows:
		sheet.append([row.get(column.key) for column in rules.COLUMNS])
	out = io.BytesIO()
	book.save(out)
	return out.getvalue()


def upload(content: bytes, name: str) -> str:
	frappe.local.uploaded_file = content  # as frappe's upload_file does: the uploader holds these bytes
	return frappe.get_doc(doctype="File", file_name=name, content=content, is_private=1).insert().file_url


def ours(content: bytes, codes: list[str], user: str, method: str | None, label: str) -> dict:
	from pumpurs_app import access
	from pumpurs_app.registers.doctype.learner_import import learner_import as endpoints

	frappe.set_user(user)
	access.clear_scope_cache()
	file_url = upload(content, "bench-learners.xlsx")
	frappe.db.commit()
	personal_code.forget()  # as a fresh worker: nothing of the codes made for the file remembered
	started = time.perf_counter()
	summary = endpoints.check_file(file_url)
	frappe.db.commit()
	checked = time.perf_counter()
	personal_code.forget()  # the import runs in another request or job than the upload's check
	result = frappe.get_doc("Learner Import", summary["name"]).run(method=method)
	frappe.db.commit()
	finished = time.perf_counter()
	frappe.set_user("Administrator")
	assert result["status"] == "Imported", result
	imported = count_imported(codes)
	assert imported == len(codes), (imported, len(codes))
	cleanup(codes)
	seconds = finished - started
	return {
		"label": label,
		"user": user,
		"write_method": result["method"],
		"seconds": round(seconds, 2),
		"check_on_upload_seconds": round(checked - started, 2),
		"check_again_and_write_seconds": round(finished - checked, 2),
		"rows_per_second": round(len(codes) / seconds, 1),
	}


def data_import(content: bytes, codes: list[str]) -> dict:
	from frappe.core.doctype.data_import.data_import import start_import

	file_url = upload(content, "bench-learners-data-import.xlsx")
	frappe.db.commit()
	column_to_field_map = {
		str(index): DATA_IMPORT_FIELDS.get(column.key, column.key)
		for index, column in enumerate(rules.COLUMNS)
	}
	started = time.perf_counter()
	doc = frappe.get_doc(
		doctype="Data Import",
		reference_doctype=LEARNER,
		import_type="Insert New Records",
		import_file=file_url,
		mute_emails=1,
		template_options=json.dumps({"column_to_field_map": column_to_field_map}),
	).insert()
	frappe.db.commit()
	start_import(doc.name)  # what frappe's background job runs; it commits after every row
	frappe.db.commit()
	finished = time.perf_counter()
	doc.reload()
	imported = count_imported(codes)
	assert doc.status == "Success" and imported == len(codes), (doc.status, imported, doc.template_warnings)
	cleanup(codes)
	seconds = finished - started
	return {
		"label": "frappe Data Import",
		"user": "Administrator",
		"write_method": "Data Import (doc.insert() and a commit per row)",
		"seconds": round(seconds, 2),
		"rows_per_second": round(len(codes) / seconds, 1),
	}


def count_imported(codes: list[str]) -> int:
	return sum(
		frappe.db.count(LEARNER, {"personal_code": ("in", codes[i : i + 1000])})
		for i in range(0, len(codes), 1000)
	)


def cleanup(codes: list[str]) -> None:
	"""Delete the learners a run created (and what came with them), so the next run starts from the same state."""
	names = []
	for i in range(0, len(codes), 1000):
		names += frappe.get_all(LEARNER, filters={"personal_code": ("in", codes[i : i + 1000])}, pluck="name")
	for i in range(0, len(names), 1000):
		chunk = names[i : i + 1000]
		frappe.db.delete("Learner Guardian", {"parenttype": LEARNER, "parent": ("in", chunk)})
		frappe.db.delete("Version", {"ref_doctype": LEARNER, "docname": ("in", chunk)})
		frappe.db.sql(
			"delete from `__global_search` where doctype = %s and name in %s", (LEARNER, tuple(chunk))
		)
		frappe.db.delete(LEARNER, {"name": ("in", chunk)})
	frappe.cache.delete_value("global_search_queue")
	frappe.db.commit()


def print_table(results: dict) -> None:
	print(f"\n{results['rows']} rows, {results['file_bytes']:,} bytes")
	print(f"{'run':42} {'seconds':>8} {'rows/s':>9}")
	for run_ in results["runs"]:
		print(f"{run_['label']:42} {run_['seconds']:>8} {run_['rows_per_second']:>9}")
	if "ratio_ours_bulk_to_data_import" in results:
		print(f"ours (bulk, median) / Data Import: {results['ratio_ours_bulk_to_data_import']}×")


if __name__ == "__main__":
	main()
