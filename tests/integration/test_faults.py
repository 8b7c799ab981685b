"""Faults in the middle of work: the database drops the connection of a request that is writing (as a MariaDB
restart does), killed from another connection once the request's transaction has written enough rows. The
work fails cleanly — nothing half-written, a clear message — and is done exactly once when started again."""

import os
import subprocess
import threading
import time
from contextlib import contextmanager

import frappe
import psutil
import pymysql
import pytest

from pumpurs_app.registers.doctype.learner_import.learner_import import lock_name
from tests.integration.learner_files import learner_row, workbook
from tests.integration.sites import sites_path
from tests.integration.world import notification

LEARNER = "Learner"
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
def connections_dropped(written: str, at_least: int):
	"""Drop every connection to the test site's database but this test's own, as a restart does, once the
	rows ``written`` counts, committed or not, reach ``at_least``; yields the list of dropped connections."""
	admin, ours = watching_connection(), frappe.db.sql("select connection_id()")[0][0]
	database, dropped, stop = (
		frappe.conf.db_name,
		[],
		threading.Event(),
	)  # frappe's locals stay in this thread

	def watch() -> None:
		with admin.cursor() as cursor:
			if not wait_until(cursor, written, at_least, stop):
				return
			cursor.execute(
				"select ID from information_schema.PROCESSLIST where DB = %s and ID not in (%s, connection_id())",
				(database, ours),
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


@pytest.fixture
def notification_on_learners():
	"""A Notification on new learners, committed: the import then writes them one by one through the
	controller, which gives the fault seconds to strike in. Removed afterwards with every learner it made."""
	new_learner = notification(
		"Jauns izglītojamais (kļūmes)", LEARNER, "New", "Jauns izglītojamais {{ doc.name }}"
	)
	frappe.db.commit()
	try:
		yield
	finally:
		frappe.db.rollback()
		for name in frappe.get_all(LEARNER, {"first_name": ("like", FIRST_NAMES)}, pluck="name"):
			frappe.delete_doc(LEARNER, name, force=True, ignore_permissions=True)
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


def worker(*options: str) -> subprocess.Popen:
	"""An RQ worker of the bench for the long queue (learner imports), in a process group of its own."""
	return subprocess.Popen(
		["bench", "worker", "--queue", "long", *options],
		cwd=sites_path().parent,
		stdin=subprocess.DEVNULL,
		stdout=subprocess.DEVNULL,
		stderr=subprocess.DEVNULL,
		start_new_session=True,
	)


def test_a_background_import_whose_worker_is_killed_imports_nothing_and_runs_again(
	world, api, notification_on_learners
):
	coordinator = api(world.user("a_coord"))
	rows = [
		learner_row(world.school_a, 7000 + serial, first_name=f"Kļūme{serial}")
		for serial in range(BACKGROUND_ROWS)
	]
	url = coordinator.upload("izglitojamie-fons.xlsx", workbook(rows))
	name = coordinator.post(f"/api/method/{IMPORT}.check_file", {"file_url": url}).message["name"]
	started = coordinator.post(f"/api/method/{IMPORT}.start_import", {"learner_import": name})
	assert started.message["status"] == "In Progress" and started.message["background"], started.text[:300]

	running = worker()
	try:
		admin = watching_connection()
		assert wait_until(admin.cursor(), WRITTEN, BACKGROUND_ROWS // 2), "the worker wrote nothing"
	finally:
		# the worker and the work horse it forked for the job, as the OOM killer or a power cut would
		for process in [psutil.Process(running.pid), *psutil.Process(running.pid).children(recursive=True)]:
			process.kill()
		running.wait()
		admin.close()
	# the server notices the dead connection: it rolls back what it wrote and frees its lock
	deadline = time.monotonic() + 60
	while not frappe.db.sql("select is_free_lock(%s)", lock_name(name))[0][0]:
		assert time.monotonic() < deadline, "the killed worker's connection lives on"
		time.sleep(0.1)

	status = coordinator.call(f"{IMPORT}.get_status", learner_import=name).message
	assert (status["status"], status["message"]) == (
		"Failed",
		"The import stopped before it finished: the background worker running it ended. Nothing was imported; start the import again.",
	)
	assert imported() == []

	again = coordinator.post(f"/api/method/{IMPORT}.start_import", {"learner_import": name})
	assert again.message["status"] == "In Progress", again.text[:300]
	assert worker("--burst").wait(timeout=600) == 0
	assert coordinator.call(f"{IMPORT}.get_status", learner_import=name).message["status"] == "Imported"
	codes = imported()
	assert len(codes) == len(set(codes)) == BACKGROUND_ROWS
