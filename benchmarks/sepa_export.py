"""Benchmark: a payment batch of 5,000 compensations — adding them, the SEPA pain.001 export, confirming it, the
bank's statement of its payments and the reconciliation report.

On a site with the app and demo data, the partner's accountant pays 5,000 approved compensations of one
municipality in one Compensation Payment Batch, through the batch's own methods, as the desk calls them:

1. *Get compensations*: the approved, unpaid claims of the partner are added and the batch is saved (every
   line checked against its claim);
2. *Export*: the SEPA credit transfer file (pain.001.001.03, built with sepaxml and validated against its XSD
   with libxml2) and the Excel payment list, both attached to the batch, which is saved with each line's
   end-to-end ID;
3. *Confirm* (submit): every compensation becomes Paid, with a Version and a timeline comment each, and the
   plans' paid amounts are refreshed;
4. *Bank statement*: the bank's camt.053 of the execution day (the demo's own statement writer: each payment
   booked with its end-to-end ID) is uploaded as a Compensation Bank Statement — saving it parses the file
   and matches every transaction against the partner's open payments — and submitted, which reconciles
   every compensation;
5. *Compensation Reconciliation* (the report): as the accountant (their partner) and as IKVD's regional
   coordinator (every partner), with the batch reconciled.

For a breakdown of the export, its parts are also timed on their own before it: reading the claims into
payments, the pain.001 file (with its XSD validation, and the validation alone), the workbook, and saving the
unchanged batch (as the export's last step does, checking every line against its claim again). The claims are set up for each run by
writing them directly (approved, against the partner's approved plans, with Faker ``lv_LV`` payees and valid
Latvian IBANs made with schwifty); their set-up is not timed. Each run happens in one database transaction
that is rolled back at the end, and the files the export wrote are deleted, so the site is left as it was
(the times therefore exclude the final commit, a few milliseconds).

Run it with the bench's Python from the bench's ``sites`` folder, on a site with demo data (never on a
production site)::

    cd ~/pumpurs-bench/sites
    ../env/bin/python /path/to/pumpurs_app/benchmarks/sepa_export.py --site pumpurs-load.localhost   # ~3 minutes

(``pumpurs-load.localhost``: the project-scale site ``benchmarks/volume/run`` makes, with the programme's
volume of claims; any demo site will do.)

Results are printed and written to ``benchmarks/results/sepa_export.json``.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import frappe  # noqa: E402
from faker import Faker  # noqa: E402
from frappe.utils import getdate, now_datetime  # noqa: E402

from benchmarks.common import environment, run_on_site  # noqa: E402
from pumpurs_app.demo import bulk  # noqa: E402
from pumpurs_app.rules import compensations as rules  # noqa: E402
from pumpurs_app.rules import sepa  # noqa: E402
from pumpurs_app.utils import insert_rows  # noqa: E402

COMPENSATION = "Compensation"
BATCH = "Compensation Payment Batch"
PLAN = "Individual Support Plan"
PREFIX = "KOMP-BENCH-"
BANKS = ["HABA", "UNLA", "RIKO", "NDEA", "PARX"]


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--lines", type=int, default=5_000)
	parser.add_argument("--runs", type=int, default=3, help="runs (the median counts)")
	parser.add_argument("--confirm-runs", type=int, default=1, help="runs that also confirm the batch (slow)")
	parser.add_argument("--out", default=str(HERE / "results" / "sepa_export.json"))
	args = parser.parse_args()

	run_on_site(args, run, print_table, rollback=True)


def run(args) -> dict:
	partner, accountant = pick_partner()
	results = {
		"benchmark": "payment batch: add, SEPA pain.001 + Excel export, confirm, camt.053 statement, report",
		"date": date.today().isoformat(),
		"lines": args.lines,
		"partner": partner,
		"user": accountant,
		"environment": environment(**{name: version(name) for name in ("sepaxml", "xmlschema", "openpyxl")}),
		"runs": [],
	}
	for index in range(args.runs):
		results["runs"].append(one_run(partner, accountant, args.lines, index, index < args.confirm_runs))
	results["environment"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
	for key in (
		"get_compensations_seconds",
		"export_seconds",
		"confirm_seconds",
		"statement_match_seconds",
		"statement_submit_seconds",
	):
		values = [r[key] for r in results["runs"] if r.get(key) is not None]
		if values:
			results[f"{key}_median"] = round(statistics.median(values), 2)
	return results


def pick_partner() -> tuple[str, str]:
	"""The municipality with the most compensation measures in approved plans, and its accountant."""
	rows = frappe.db.sql(
		"""select p.partner, count(*) from `tabIndividual Support Plan` p
		join `tabSupport Plan Measure` m on m.parent = p.name and m.measure_kind = 'Compensation'
		where p.docstatus = 1 and p.partner_type = 'Municipality' group by p.partner order by 2 desc, 1""",
	)
	if not rows:
		sys.exit(
			"no approved plans with compensations on this site: load demo data first (bench pumpurs-demo)"
		)
	partner = rows[0][0]
	accountant = frappe.get_all(
		"Partner Staff Member", filters={"parent": partner, "function": "Accountant"}, pluck="user", limit=1
	)
	return partner, accountant[0] if accountant else "Administrator"


def one_run(partner: str, accountant: str, lines: int, index: int, confirm: bool) -> dict:
	from pumpurs_app import access

	waiting = unbatched_approved(partner)
	made = make_claims(partner, lines - len(waiting), seed=index)
	frappe.set_user(accountant)
	access.clear_scope_cache()
	started_at = now_datetime()
	result = {
		"label": f"run {index + 1}",
		"approved_claims_set_up": len(made),
		"already_approved": len(waiting),
	}
	try:
		batch = frappe.get_doc(
			{"doctype": BATCH, "partner": partner, "execution_date": getdate() + timedelta(days=2)}
		)
		batch.insert()
		started = time.perf_counter()
		added = batch.get_compensations()
		result["get_compensations_seconds"] = round(time.perf_counter() - started, 2)
		assert added == lines, (added, lines)

		batch = frappe.get_doc(BATCH, batch.name)
		result |= export_parts(batch)

		batch = frappe.get_doc(BATCH, batch.name)
		started = time.perf_counter()
		files = batch.export()
		result["export_seconds"] = round(time.perf_counter() - started, 2)
		batch = frappe.get_doc(BATCH, batch.name)
		xml = read(files["sepa_file"])
		assert batch.payment_count == lines and xml.count(b"<CdtTrfTxInf>") == lines
		total = f"<CtrlSum>{Decimal(str(batch.total_amount)).quantize(Decimal('0.01'))}</CtrlSum>".encode()
		assert total in xml, "the file's control sum is not the batch's total"
		result["sepa_file_bytes"] = len(xml)
		result["payment_list_bytes"] = len(read(files["payment_list"]))
		result["total_amount"] = batch.total_amount

		if confirm:
			started = time.perf_counter()
			frappe.get_doc(BATCH, batch.name).submit()
			result["confirm_seconds"] = round(time.perf_counter() - started, 2)
			paid = frappe.db.count(COMPENSATION, {"payment_batch": batch.name, "workflow_state": rules.PAID})
			assert paid == lines, (paid, lines)
			result |= reconcile(frappe.get_doc(BATCH, batch.name), partner, lines, index)
	finally:
		frappe.set_user("Administrator")
		written = frappe.get_all(
			"File", filters={"creation": (">=", started_at), "attached_to_doctype": BATCH}, pluck="file_url"
		)
		frappe.db.rollback()
		forget_files(written)
	print(
		f"{result['label']}: get {result.get('get_compensations_seconds')} s, "
		f"export {result.get('export_seconds')} s, confirm {result.get('confirm_seconds')} s, "
		f"statement matched {result.get('statement_match_seconds')} s, "
		f"submitted {result.get('statement_submit_seconds')} s, "
		f"reconciliation report {result.get('reconciliation_report_national_seconds')} s"
	)
	return result


def reconcile(batch, partner: str, lines: int, seed: int) -> dict:
	"""The bank's statement of the batch uploaded, matched and submitted; then the reconciliation report."""
	from types import SimpleNamespace

	from pumpurs_app import access
	from pumpurs_app.compensations.report.compensation_reconciliation import compensation_reconciliation
	from pumpurs_app.demo.compensations import camt053

	payments: dict[str, list] = {}
	for row in batch.lines:
		payments.setdefault(row.end_to_end_id, []).append(row)
	content = camt053(SimpleNamespace(rng=random.Random(seed)), batch, list(payments.values()))
	file = frappe.get_doc(
		{"doctype": "File", "file_name": f"bench-camt053-{seed}.xml", "content": content, "is_private": 1}
	).insert()
	statement = frappe.get_doc(
		{"doctype": "Compensation Bank Statement", "partner": partner, "statement_file": file.file_url}
	)
	started = time.perf_counter()
	statement.insert()
	match_seconds = time.perf_counter() - started
	assert statement.matched_count == len(payments), (statement.matched_count, len(payments))
	started = time.perf_counter()
	statement.submit()
	book_seconds = time.perf_counter() - started
	reconciled = frappe.db.count(
		COMPENSATION, {"payment_batch": batch.name, "workflow_state": rules.RECONCILED}
	)
	assert reconciled == lines, (reconciled, lines)

	report = {}
	user = frappe.session.user
	national = frappe.get_all(
		"Has Role", {"role": access.REGIONAL_COORDINATOR, "parenttype": "User"}, pluck="parent", limit=1
	)
	for who, as_user in (("accountant", user), ("national", national[0] if national else "Administrator")):
		frappe.set_user(as_user)
		samples = []
		for _ in range(3):
			started = time.perf_counter()
			rows = compensation_reconciliation.execute({})[1]
			samples.append(time.perf_counter() - started)
		report[f"reconciliation_report_{who}_seconds"] = round(statistics.median(samples), 3)
		report[f"reconciliation_report_{who}_samples"] = [round(x, 3) for x in samples]
		report[f"reconciliation_report_{who}_rows"] = len(rows)
	frappe.set_user(user)
	return {
		"statement_transactions": len(payments),
		"statement_bytes": len(content),
		"statement_match_seconds": round(match_seconds, 2),
		"statement_submit_seconds": round(book_seconds, 2),
		"compensations_on_site": frappe.db.count(COMPENSATION),
		**report,
	}


def export_parts(batch) -> dict:
	"""The export's parts on their own: the claims read into payments, the pain.001 with and without its XSD
	validation (libxml2, as the app validates), and the Excel payment list."""
	started = time.perf_counter()
	payments = batch.payments()
	read_seconds = time.perf_counter() - started
	started = time.perf_counter()
	xml = sepa.build_pain001(
		debtor_name=batch.partner,
		debtor_iban=batch.debtor_iban,
		debtor_bic=batch.debtor_bic,
		message_id=batch.name,
		execution_date=getdate(batch.execution_date),
		payments=[payment for payment, _keys in payments],
		created=now_datetime(),
	)
	pain_seconds = time.perf_counter() - started
	started = time.perf_counter()
	sepa.check_schema(xml)
	validation_seconds = time.perf_counter() - started
	started = time.perf_counter()
	batch.payment_list_workbook(payments)
	workbook_seconds = time.perf_counter() - started
	started = time.perf_counter()
	frappe.get_doc(
		BATCH, batch.name
	).save()  # unchanged: the export's final save re-checks and writes every line
	save_seconds = time.perf_counter() - started
	return {
		"part_read_claims_seconds": round(read_seconds, 2),
		"part_pain001_with_xsd_validation_seconds": round(pain_seconds, 2),
		"part_xsd_validation_alone_seconds": round(validation_seconds, 2),
		"part_payment_list_workbook_seconds": round(workbook_seconds, 2),
		"part_batch_save_seconds": round(save_seconds, 2),
	}


def unbatched_approved(partner: str) -> list[str]:
	in_batches = set(
		frappe.get_all(
			"Compensation Payment Line", filters={"active_compensation": ("is", "set")}, pluck="compensation"
		)
	)
	approved = frappe.get_all(
		COMPENSATION,
		filters={"partner": partner, "docstatus": 1, "workflow_state": rules.APPROVED},
		pluck="name",
	)
	return [name for name in approved if name not in in_batches]


def make_claims(partner: str, count: int, seed: int) -> list[str]:
	"""``count`` approved claims against the partner's approved plans, one line each, written directly."""
	rng, fake = random.Random(seed), Faker("lv_LV")
	fake.seed_instance(seed)
	measures = frappe.db.sql(
		"""select p.name as plan, p.learner, p.learner_name, p.institution, p.school_term, m.name as measure,
			m.compensation_type, m.planned_amount, t.start_date, t.end_date
		from `tabIndividual Support Plan` p
		join `tabSupport Plan Measure` m on m.parent = p.name and m.measure_kind = 'Compensation'
		join `tabSchool Term` t on t.name = p.school_term
		where p.partner = %s and p.docstatus = 1 order by p.name, m.idx""",
		partner,
		as_dict=True,
	)
	guardian_types = set(frappe.get_all("Compensation Type", filters={"allow_guardian": 1}, pluck="name"))
	now = now_datetime()
	std = bulk.standard("Administrator", now)
	claim_fields = [
		"name",
		*bulk.STANDARD,
		"docstatus",
		"idx",
		"support_plan",
		"measure",
		"learner",
		"learner_name",
		"compensation_type",
		"institution",
		"partner",
		"school_term",
		"period_from",
		"period_to",
		"total_amount",
		"planned_amount",
		"claimed_for_measure",
		"payee_kind",
		"payee_name",
		"payee_iban",
		"workflow_state",
		"pending_since",
		"verified_by",
		"verified_on",
		"approved_by",
		"approved_on",
	]
	line_fields = [
		"name",
		*bulk.STANDARD,
		"docstatus",
		"idx",
		"parent",
		"parenttype",
		"parentfield",
		"line_date",
		"description",
		"quantity",
		"unit_price",
		"amount",
		"evidence",
	]
	claims, lines, names = [], [], []
	for number in range(1, count + 1):
		m = measures[number % len(measures)]
		name = f"{PREFIX}{seed}-{number:05d}"
		amount = Decimal(rng.randrange(500, 15_000)) / 100
		day = m.start_date + timedelta(days=rng.randrange(0, (m.end_date - m.start_date).days + 1))
		guardian = m.compensation_type in guardian_types
		payee = f"{fake.first_name()} {fake.last_name()}" if guardian else f"SIA „{fake.last_name()}”"
		account = iban(rng)
		claims.append(
			(
				name,
				*std,
				1,
				0,
				m.plan,
				m.measure,
				m.learner,
				m.learner_name,
				m.compensation_type,
				m.institution,
				partner,
				m.school_term,
				day,
				day,
				float(amount),
				m.planned_amount,
				float(amount),
				rules.GUARDIAN if guardian else rules.SUPPLIER,
				payee,
				account,
				rules.APPROVED,
				now,
				"Administrator",
				now,
				"Administrator",
				now,
			)
		)
		lines.append(
			(
				frappe.generate_hash(length=10),
				*std,
				1,
				1,
				name,
				COMPENSATION,
				"lines",
				day,
				"Biļetes",
				1,
				float(amount),
				float(amount),
				"/private/files/bench-ceks.pdf",
			)
		)
		names.append(name)
	insert_rows(COMPENSATION, claim_fields, claims)
	insert_rows("Compensation Line", line_fields, lines)
	return names


def iban(rng: random.Random) -> str:
	from schwifty import IBAN

	return IBAN.generate(
		"LV", bank_code=rng.choice(BANKS), account_code=str(rng.randrange(10**12, 10**13))
	).compact


def read(url: str) -> bytes:
	with open(frappe.get_doc("File", {"file_url": url}).get_full_path(), "rb") as f:
		return f.read()


def forget_files(urls: list[str]) -> None:
	"""Delete from disk the files the rolled-back run wrote (none that a File record still points to)."""
	for url in set(urls):
		if frappe.db.exists("File", {"file_url": url}):
			continue
		path = frappe.utils.get_site_path(*url.strip("/").split("/")) if url.startswith("/private/") else None
		if path and os.path.isfile(path):
			os.remove(path)


def print_table(results: dict) -> None:
	print(f"\n{results['lines']} lines, partner {results['partner']}, as {results['user']}")
	print(
		f"{'run':8} {'get':>6} {'export':>7} {'confirm':>8} {'pain.001':>9} {'of it XSD':>9} {'xlsx':>6}"
		f" {'camt.053 match':>15} {'submit':>7} {'report':>7}"
	)
	for r in results["runs"]:
		print(
			f"{r['label']:8} {r.get('get_compensations_seconds', ''):>6} {r.get('export_seconds', ''):>7} "
			f"{r.get('confirm_seconds', ''):>8} {r['part_pain001_with_xsd_validation_seconds']:>9} "
			f"{r['part_xsd_validation_alone_seconds']:>9} {r['part_payment_list_workbook_seconds']:>6}"
			f" {r.get('statement_match_seconds', ''):>15} {r.get('statement_submit_seconds', ''):>7}"
			f" {r.get('reconciliation_report_national_seconds', ''):>7}"
		)
	print(f"median export of {results['lines']} lines: {results.get('export_seconds_median')} s")


if __name__ == "__main__":
	main()
