"""Faults in the middle of work: the database drops the connection of a request that is writing (as a MariaDB
restart does), killed from another connection once the request's transaction has written enough rows. The
work fails cleanly — nothing half-written, a clear message — and is done exactly once when started again."""

import os
import threading
import time
from contextlib import contextmanager

import frappe
import pymysql
import pytest

from tests.integration.learner_files import learner_row, workbook

LEARNER = "Learner"
IMPORT = "pumpurs_app.registers.doctype.learner_import.learner_import"
ROWS = 400
FIRST_NAMES = "Imports7%"  # learner_row's first names for serials 7000...


@contextmanager
def connections_dropped(written: str, at_least: int):
	"""Drop every connection to the test site's database but this test's own, as a restart does, once the
	uncommitted rows that the query ``written`` counts (read uncommitted: another transaction's) reach
	``at_least``; yields the list of dropped connection ids."""
	admin = pymysql.connect(
		host=frappe.conf.db_host or "127.0.0.1",
		port=int(frappe.conf.db_port or 3306),
		user=os.environ["PUMPURS_DB_ADMIN_USER"],
		password=os.environ["PUMPURS_DB_ADMIN_PASSWORD"],
		database=frappe.conf.db_name,
		autocommit=True,
	)
	ours = frappe.db.sql("select connection_id()")[0][0]
	database, dropped, stop = (
		frappe.conf.db_name,
		[],
		threading.Event(),
	)  # frappe's locals stay in this thread

	def watch() -> None:
		with admin.cursor() as cursor:
			cursor.execute("set session transaction isolation level read uncommitted")
			while not stop.is_set() and not dropped:
				cursor.execute(written)
				if cursor.fetchone()[0] < at_least:
					time.sleep(0.01)
					continue
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
	notification = frappe.get_doc(
		doctype="Notification",
		name="Jauns izglītojamais (kļūmes)",
		subject="Jauns izglītojamais {{ doc.name }}",
		document_type=LEARNER,
		event="New",
		channel="System Notification",
		enabled=1,
		recipients=[{"receiver_by_document_field": "owner"}],
		message="{{ doc.name }}",
	).insert()
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
		frappe.delete_doc("Notification", notification.name, ignore_permissions=True)
		frappe.db.commit()
		frappe.cache.hdel("notifications", LEARNER)


def imported() -> list[str]:
	frappe.db.rollback()  # a fresh snapshot: the requests committed on their own connections
	return frappe.get_all(LEARNER, {"first_name": ("like", FIRST_NAMES)}, pluck="personal_code")


def test_a_learner_import_whose_connection_is_lost_imports_nothing_and_runs_again(
	world, api, notification_on_learners
):
	coordinator = api(world.user("a_coord"))
	rows = [learner_row(world.school_a, 7000 + serial) for serial in range(ROWS)]
	url = coordinator.upload("izglitojamie-klume.xlsx", workbook(rows))
	checked = coordinator.post(f"/api/method/{IMPORT}.check_file", {"file_url": url})
	assert checked.status == 200 and checked.message["status"] == "Validated", checked.text[:300]
	name = checked.message["name"]

	written = f"select count(*) from `tabLearner` where first_name like '{FIRST_NAMES}'"
	with connections_dropped(written, at_least=ROWS // 2) as dropped:  # half the learners are written
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
