"""Faults in the middle of work: the database drops the connection of a request that is writing (as a MariaDB
restart does), killed from another connection once the request's transaction has written enough rows. The
work fails cleanly — nothing half-written, a clear message — and is done exactly once when started again."""

import os
import subprocess
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlparse

import frappe
import psutil
import pymysql
import pytest
from frappe.utils import add_to_date, now_datetime
from frappe.utils.background_jobs import get_job
from rq.job import JobStatus

from pumpurs_app.compensations.doctype.compensation.compensation import refresh_measure_amounts
from pumpurs_app.registers.doctype.learner_import.learner_import import JOB, STARTING, lock_name
from tests.integration import records
from tests.integration.learner_files import learner_row, workbook
from tests.integration.money import october
from tests.integration.payments import (
	BATCH,
	STATEMENT,
	approved_claims,
	camt053,
	exported_batch,
	new_batch,
	paid_batch,
	upload,
)
from tests.integration.sites import sites_path
from tests.integration.world import notification

LEARNER = "Learner"
COMPENSATION = "Compensation"
IMPORT = "pumpurs_app.registers.doctype.learner_import.learner_import"
ROWS = 400
BACKGROUND_ROWS = 1200  # above the rows imported within the request
FIRST_NAMES = "Kļūme%"  # the learners these tests import
WRITTEN = f"select count(*) from `tabLearner` where first_name like '{FIRST_NAMES}'"


def watching_connection() -> pymysql.Connection:
	"""The database admin's connection to the test site's database, reading other transactions' uncommitted
	rows."""
	admin = pymysql.connect(
		host=frappe.conf.db_host or "127.0.0.1",
		port=int(frappe.conf.db_port or 3306),
		user=os.environ["PUMPURS_DB_ADMIN_USER"],
		password=os.environ["PUMPURS_DB_ADMIN_PASSWORD"],
		database=frappe.conf.db_name,
		autocommit=True,
	)
	admin.cursor().execute("set session transaction isolation level read uncommitted")
	return admin


def wait_until(cursor, written: str, at_least: int, stop=None, timeout: float = 180) -> bool:
	"""Until the rows ``written`` counts, committed or not, reach ``at_least``; False if stopped or timed out."""
	deadline = time.monotonic() + timeout
	while not (stop and stop.is_set()) and time.monotonic() < deadline:
		cursor.execute(written)
		if cursor.fetchone()[0] >= at_least:
			return True
		time.sleep(0.01)
	return False


@contextmanager
def connections_dropped(written: str, at_least: int, holding: str | None = None):
	"""Drop every connection to the test site's database but this test's own, as a restart does, once the
	rows ``written`` counts, committed or not, reach ``at_least``; yields the list of dropped connections.
	``holding`` locks rows (``select … for update``) that the work needs later, so that it waits there — still
	in the middle of its transaction — for the drop."""
	admin, ours = watching_connection(), frappe.db.sql("select connection_id()")[0][0]
	database, dropped, stop = (
		frappe.conf.db_name,
		[],
		threading.Event(),
	)  # frappe's locals stay in this thread
	locker = watching_connection()
	if holding:
		locker.begin()
		locker.cursor().execute(holding)

	def watch() -> None:
		with admin.cursor() as cursor:
			if not wait_until(cursor, written, at_least, stop):
				return
			cursor.execute(
				"select ID from information_schema.PROCESSLIST where DB = %s and ID not in (%s, %s, connection_id())",
				(database, ours, locker.thread_id()),
			)
			for (connection,) in cursor.fetchall():
				cursor.execute(f"KILL CONNECTION {int(connection)}")
				dropped.append(connection)

	watcher = threading.Thread(target=watch)
	watcher.start()
	try:
		yield dropped
	finally:
		stop.set()
		watcher.join()
		admin.close()
		locker.rollback()
		locker.close()


@pytest.fixture
def fault_learners_removed():
	"""Every learner these tests imported is deleted afterwards."""
	yield
	frappe.db.rollback()
	for name in frappe.get_all(LEARNER, {"first_name": ("like", FIRST_NAMES)}, pluck="name"):
		frappe.delete_doc(LEARNER, name, force=True, ignore_permissions=True)
	frappe.db.commit()


@pytest.fixture
def notification_on_learners(fault_learners_removed):
	"""A Notification on new learners, committed: the import then writes them one by one through the
	controller, which gives the fault seconds to strike in."""
	new_learner = notification(
		"Jauns izglītojamais (kļūmes)", LEARNER, "New", "Jauns izglītojamais {{ doc.name }}"
	)
	frappe.db.commit()
	try:
		yield
	finally:
		frappe.db.rollback()
		frappe.db.delete(
			"Notification Log", {"document_type": LEARNER, "subject": ("like", "Jauns izglītojamais %")}
		)
		frappe.delete_doc("Notification", new_learner.name, ignore_permissions=True)
		frappe.db.commit()
		frappe.cache.hdel("notifications", LEARNER)


def imported() -> list[str]:
	frappe.db.rollback()  # a fresh snapshot: the requests committed on their own connections
	return frappe.get_all(LEARNER, {"first_name": ("like", FIRST_NAMES)}, pluck="personal_code")


def test_a_learner_import_whose_connection_is_lost_imports_nothing_and_runs_again(
	world, api, notification_on_learners
):
	coordinator = api(world.user("a_coord"))
	rows = [learner_row(world.school_a, 7000 + serial, first_name=f"Kļūme{serial}") for serial in range(ROWS)]
	url = coordinator.upload("izglitojamie-klume.xlsx", workbook(rows))
	checked = coordinator.post(f"/api/method/{IMPORT}.check_file", {"file_url": url})
	assert checked.status == 200 and checked.message["status"] == "Validated", checked.text[:300]
	name = checked.message["name"]

	with connections_dropped(WRITTEN, at_least=ROWS // 2) as dropped:  # half the learners are written
		failed = coordinator.post(f"/api/method/{IMPORT}.start_import", {"learner_import": name})
	assert dropped, "the import finished before its connection could be dropped"
	assert failed.status == 200, failed.text[:500]
	assert (failed.message["status"], failed.message["message"]) == (
		"Failed",
		"The connection to the database was lost while the file was being imported. Nothing was imported; start the import again.",
	)
	assert imported() == []  # nothing half-written
	assert frappe.db.get_value("Learner Import", name, ["status", "imported_count"]) == ("Failed", 0)

	again = coordinator.post(f"/api/method/{IMPORT}.start_import", {"learner_import": name})
	assert again.status == 200 and again.message["status"] == "Imported", again.text[:500]
	codes = imported()
	assert len(codes) == len(set(codes)) == ROWS  # every learner, once
	assert set(codes) == {row["personal_code"] for row in rows}


def worker(*options: str, queue: str = "long") -> subprocess.Popen:
	"""An RQ worker of the bench (by default for the long queue: learner imports), in a process group of its
	own."""
	return subprocess.Popen(
		["bench", "worker", "--queue", queue, *options],
		cwd=sites_path().parent,
		stdin=subprocess.DEVNULL,
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
		start_new_session=True,
	)


def background_import(coordinator, world, file_name: str) -> str:
	"""A checked workbook of BACKGROUND_ROWS learners, started: its import waits in the long queue."""
	rows = [
		learner_row(world.school_a, 7000 + serial, first_name=f"Kļūme{serial}")
		for serial in range(BACKGROUND_ROWS)
	]
	url = coordinator.upload(file_name, workbook(rows))
	name = coordinator.post(f"/api/method/{IMPORT}.check_file", {"file_url": url}).message["name"]
	started = coordinator.post(f"/api/method/{IMPORT}.start_import", {"learner_import": name})
	assert started.message["status"] == "In Progress" and started.message["background"], started.text[:300]
	return name


def ended(running: subprocess.Popen, kill: bool) -> None:
	"""End a worker and the work horse it forked for its job: killed, or asked to stop."""
	for process in [psutil.Process(running.pid), *psutil.Process(running.pid).children(recursive=True)]:
		if kill:
			process.kill()
		else:
			process.terminate()
	running.wait()


def stopped_then_imported_once(coordinator, name: str) -> None:
	"""The import shows it stopped with nothing imported; started again, it imports every learner once."""
	status = coordinator.call(f"{IMPORT}.get_status", learner_import=name).message
	assert (status["status"], status["message"]) == (
		"Failed",
		"The import stopped before it finished: its background job ended (its worker stopped, or the job queue restarted and lost it). Nothing was imported; start the import again.",
	)
	assert imported() == []

	again = coordinator.post(f"/api/method/{IMPORT}.start_import", {"learner_import": name})
	assert again.message["status"] == "In Progress", again.text[:300]
	assert worker("--burst").wait(timeout=600) == 0
	assert coordinator.call(f"{IMPORT}.get_status", learner_import=name).message["status"] == "Imported"
	codes = imported()
	assert len(codes) == len(set(codes)) == BACKGROUND_ROWS


def test_a_background_import_whose_worker_is_killed_imports_nothing_and_runs_again(
	world, api, notification_on_learners
):
	coordinator = api(world.user("a_coord"))
	name = background_import(coordinator, world, "izglitojamie-fons.xlsx")

	running = worker()
	try:
		admin = watching_connection()
		assert wait_until(admin.cursor(), WRITTEN, BACKGROUND_ROWS // 2), "the worker wrote nothing"
	finally:
		ended(running, kill=True)  # as the OOM killer or a power cut would
		admin.close()
	# the server notices the dead connection: it rolls back what it wrote and frees its lock
	deadline = time.monotonic() + 60
	while not frappe.db.sql("select is_free_lock(%s)", lock_name(name))[0][0]:
		assert time.monotonic() < deadline, "the killed worker's connection lives on"
		time.sleep(0.1)

	stopped_then_imported_once(coordinator, name)


# --- money: a payment batch's export and confirmation, a bank statement's reconciliation --------------------


@pytest.fixture
def committed_money(world):
	"""What a money test made, committed so that the requests see it; deleted afterwards whole."""
	made: dict[str, list[str]] = {COMPENSATION: [], BATCH: [], STATEMENT: []}
	yield made
	records.purge(
		world,
		{
			f"{doctype}-{index}": records.PartnerRecords(
				"-", world.municipality, world.school_a, {}, {doctype: name}
			)
			for doctype in (STATEMENT, BATCH, COMPENSATION)  # in the order purge deletes them
			for index, name in enumerate(made[doctype])
		},
	)
	refresh_measure_amounts(world.money_plan)
	frappe.db.commit()


def batch_files(batch: str) -> tuple[list[str], list[str]]:
	"""The batch's File records and the files on disk named for it."""
	frappe.db.rollback()
	on_disk = [f for f in os.listdir(frappe.get_site_path("private", "files")) if f.startswith(batch)]
	return frappe.get_all("File", {"attached_to_name": batch}, pluck="file_name"), on_disk


def comments(claims: list[str], naming: str) -> dict[str, int]:
	"""How many timeline comments of each claim name the batch or statement ``naming``."""
	frappe.db.rollback()
	rows = frappe.get_all(
		"Comment",
		{
			"reference_doctype": COMPENSATION,
			"reference_name": ("in", claims),
			"content": ("like", f"%{naming}%"),
		},
		pluck="reference_name",
	)
	return {claim: rows.count(claim) for claim in claims}


def claim_rows(claims: list[str]) -> str:
	"""Locks the claims' rows: the confirmation and the reconciliation wait there to write them."""
	return f"select name from `tabCompensation` where name in ({', '.join(map(frappe.db.escape, claims))}) for update"


def submitted(doctype: str, name: str) -> str:
	return f"select count(*) from `tab{doctype}` where name = {frappe.db.escape(name)} and docstatus = 1"


def test_a_batch_export_whose_connection_is_lost_keeps_no_file_and_runs_again(world, api, committed_money):
	claims = approved_claims(world)
	batch = new_batch(world, lines=[{"compensation": claim} for claim in claims]).name
	committed_money[COMPENSATION] += claims
	committed_money[BATCH].append(batch)
	frappe.db.commit()
	accountant = api(world.user("muni_accountant"))
	export = {"dt": BATCH, "dn": batch, "method": "export"}

	# the export waits to save the batch once both files are written; then the connection drops
	files_written = f"select count(*) from `tabFile` where attached_to_name = {frappe.db.escape(batch)}"
	holding = f"select name from `tab{BATCH}` where name = {frappe.db.escape(batch)} for update"
	with connections_dropped(files_written, at_least=2, holding=holding) as dropped:
		failed = accountant.post("/api/method/run_doc_method", export)
	assert dropped, "the export finished before its connection could be dropped"
	assert failed.status == 417, failed.text[:500]
	assert failed.error_text().startswith(
		"The connection to the database was lost while the payment files were being made. Nothing was exported and no file was kept; export the batch again."
	)
	assert batch_files(batch) == ([], [])  # the files written before the drop are gone with their records
	assert frappe.db.get_value(BATCH, batch, ["status", "exported_on"]) == ("Draft", None)

	again = accountant.post("/api/method/run_doc_method", export)
	assert again.status == 200, again.text[:500]
	records_, on_disk = batch_files(batch)
	assert sorted(records_) == sorted(on_disk) == [f"{batch}.xlsx", f"{batch}.xml"]
	assert frappe.db.get_value(BATCH, batch, "status") == "Exported"


def test_a_confirmation_whose_connection_is_lost_pays_nothing_and_runs_again(world, api, committed_money):
	batch, claims = exported_batch(world)
	committed_money[COMPENSATION] += claims
	committed_money[BATCH].append(batch.name)
	frappe.db.commit()
	accountant = api(world.user("muni_accountant"))

	def confirm():
		return accountant.post(
			"/api/method/frappe.client.submit", {"doc": frappe.get_doc(BATCH, batch.name).as_json()}
		)

	with connections_dropped(submitted(BATCH, batch.name), 1, holding=claim_rows(claims)) as dropped:
		failed = confirm()
	assert dropped and failed.status == 417, failed.text[:500]
	frappe.db.rollback()
	assert failed.error_text().startswith(
		"The connection to the database was lost while the payment was being confirmed. Nothing was confirmed and no compensation was set Paid; confirm the payment again."
	)
	assert frappe.db.get_value(BATCH, batch.name, ["docstatus", "status"]) == (0, "Exported")
	assert {frappe.db.get_value(COMPENSATION, c, "workflow_state") for c in claims} == {"Approved"}
	assert comments(claims, batch.name) == dict.fromkeys(claims, 0)

	again = confirm()
	assert again.status == 200, again.text[:500]
	frappe.db.rollback()  # a fresh snapshot: the request committed on its own connection
	assert frappe.db.get_value(BATCH, batch.name, ["docstatus", "status"]) == (1, "Paid")
	assert {frappe.db.get_value(COMPENSATION, c, "workflow_state") for c in claims} == {"Paid"}
	assert comments(claims, batch.name) == dict.fromkeys(claims, 1)  # each claim paid once


def test_a_reconciliation_whose_connection_is_lost_reconciles_nothing_and_runs_again(
	world, api, committed_money
):
	batch, claims = paid_batch(world)
	committed_money[COMPENSATION] += claims
	committed_money[BATCH].append(batch.name)
	booked = str(october(world, 26))
	content = camt053(
		frappe.db.get_value("Partner", world.municipality, "iban"),
		[
			(f"{row.amount:.2f}", row.end_to_end_id, row.payee_iban, booked, False, None)
			for row in batch.lines
		],
	)
	statement = upload(world, content, who="muni_accountant2").name
	committed_money[STATEMENT].append(statement)
	frappe.db.commit()
	accountant = api(world.user("muni_accountant2"))

	def reconcile():
		doc = frappe.get_doc(STATEMENT, statement).as_json()
		return accountant.post("/api/method/frappe.client.submit", {"doc": doc})

	with connections_dropped(submitted(STATEMENT, statement), 1, holding=claim_rows(claims)) as dropped:
		failed = reconcile()
	assert dropped and failed.status == 417, failed.text[:500]
	frappe.db.rollback()
	assert failed.error_text().startswith(
		"The connection to the database was lost while the statement was being reconciled. Nothing was reconciled; submit the statement again."
	)
	assert frappe.db.get_value(STATEMENT, statement, "docstatus") == 0
	assert {frappe.db.get_value(COMPENSATION, c, "workflow_state") for c in claims} == {"Paid"}

	again = reconcile()
	assert again.status == 200, again.text[:500]
	frappe.db.rollback()
	assert {frappe.db.get_value(COMPENSATION, c, "workflow_state") for c in claims} == {"Reconciled"}
	assert comments(claims, statement) == dict.fromkeys(claims, 1)


# --- Redis ---------------------------------------------------------------------------------------------------


def redis_answers(host: str, port: str) -> bool:
	ping = subprocess.run(["redis-cli", "-h", host, "-p", port, "ping"], capture_output=True, text=True)
	return ping.stdout.strip() == "PONG"


def restart_redis() -> None:
	"""Restart the Redis server of the bench's cache and queues, as a host restart does; it keeps nothing on
	disk (as here), so the cache, the queued jobs and the workers' registrations are gone."""
	url = urlparse(frappe.conf.redis_queue)
	host, port = url.hostname, str(url.port)
	assert frappe.conf.redis_cache == frappe.conf.redis_queue, "the test restarts one Redis serving both"
	subprocess.run(["redis-cli", "-h", host, "-p", port, "shutdown", "nosave"], capture_output=True)
	deadline = time.monotonic() + 30
	while redis_answers(host, port):
		assert time.monotonic() < deadline, "Redis did not stop"
		time.sleep(0.1)
	subprocess.run(
		[
			"redis-server",
			"--daemonize",
			"yes",
			"--bind",
			host,
			"--port",
			port,
			"--save",
			"",
			"--appendonly",
			"no",
		],
		cwd="/tmp",
		check=True,
		capture_output=True,
	)
	while not redis_answers(host, port):
		assert time.monotonic() < deadline, "Redis did not start again"
		time.sleep(0.1)


def test_after_redis_restarts_the_site_and_the_queue_work_and_a_lost_import_runs_again(
	world, api, fault_learners_removed
):
	coordinator = api(world.user("a_coord"))
	name = background_import(coordinator, world, "izglitojamie-redis.xlsx")
	assert get_job(JOB.format(name)) is not None  # queued; no worker of the long queue runs yet

	running = worker(queue="default")  # a worker that runs through the restart
	try:
		restart_redis()
		# the site: the user's login holds (sessions are kept in the database too) and requests are answered
		status = coordinator.call(f"{IMPORT}.get_status", learner_import=name)
		assert status.status == 200, status.text[:300]
		assert get_job(JOB.format(name)) is None  # the queued job went with Redis
		# the queue: the worker takes a job enqueued after the restart
		job = frappe.enqueue("frappe.ping", queue="default")
		deadline = time.monotonic() + 120
		while job.get_status(refresh=True) != JobStatus.FINISHED:
			assert time.monotonic() < deadline, f"the worker did not run the job: {job.get_status()}"
			time.sleep(0.2)
		assert job.return_value() == "pong"
	finally:
		ended(running, kill=False)

	# the lost job: once it could have reached the queue, the import says it stopped
	frappe.db.rollback()
	long_ago = add_to_date(now_datetime(), seconds=-2 * STARTING)
	frappe.db.set_value("Learner Import", name, "modified", long_ago, update_modified=False)
	frappe.db.commit()
	stopped_then_imported_once(coordinator, name)
