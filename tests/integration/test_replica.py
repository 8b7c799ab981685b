"""Reads on a replica: with frappe's ``read_from_replica`` on, the desk's list counts and lists and every
report are served by a second MariaDB server that follows the site's database (dev/test starts it with
dev/lib.sh's ``replica_up``: a read-only server on PUMPURS_REPLICA_PORT, replicating from the first through
its binary log); saves still go to the first. Over HTTP, as users of one partner and of IKVD."""

import os
import time
from datetime import date

import frappe
import pymysql
import pytest
from frappe.installer import update_site_config

from pumpurs_app.rules import personal_code
from tests.integration.learners import new_learner

SETTINGS = ("read_from_replica", "replica_host", "replica_db_port")
FILTERS = {"Learner History": lambda world: {"learner": world.learners["a7"]}}  # a learner's, or nothing
CARDS = (
	"pumpurs_app.reporting.cards.plans_awaiting_my_approval",
	"pumpurs_app.reporting.cards.unmatched_bank_transactions",
	"pumpurs_app.reporting.ikvd_workbook.download",
)


@pytest.fixture
def replica(world):
	"""The replica server (an admin connection to it), with the test site reading from it."""
	port = os.environ.get("PUMPURS_REPLICA_PORT")
	if not port:
		pytest.fail("no replica server: run the whole integration suite or this file through dev/test")
	server = pymysql.connect(host="127.0.0.1", port=int(port), user="root", password="", autocommit=True)
	for key, value in zip(SETTINGS, (1, "127.0.0.1", int(port)), strict=True):
		update_site_config(key, value)
	try:
		yield server
	finally:
		server.cursor().execute("START SLAVE")  # a no-op unless a test stopped it
		for key in SETTINGS:
			update_site_config(key, "None")
			frappe.local.conf.pop(key, None)
		server.close()


def replica_status(server) -> dict:
	with server.cursor(pymysql.cursors.DictCursor) as cursor:
		cursor.execute("SHOW SLAVE STATUS")
		return cursor.fetchone() or {}


def selects_on(server) -> int:
	with server.cursor() as cursor:
		cursor.execute("SHOW GLOBAL STATUS LIKE 'Com_select'")
		return int(cursor.fetchone()[1])


def wait_until(check, seconds: float = 30):
	deadline = time.monotonic() + seconds
	while not check():
		assert time.monotonic() < deadline, "the replica did not catch up"
		time.sleep(0.2)


def caught_up(server) -> bool:
	status = replica_status(server)
	return status.get("Slave_SQL_Running") == "Yes" and status.get("Seconds_Behind_Master") == 0


def test_counts_and_lists_are_read_from_the_replica_and_saves_go_to_the_primary(world, api, replica):
	coordinator = api(world.user("muni_coord"))

	def desk_count() -> int:
		response = coordinator.call("frappe.desk.reportview.get_count", doctype="Learner", filters=[])
		assert response.status == 200, response.error_text()
		return response.message

	def desk_list() -> list[str]:
		response = coordinator.call(
			"frappe.desk.reportview.get", doctype="Learner", fields=["`tabLearner`.`name`"], page_length=500
		)
		assert response.status == 200, response.error_text()
		return [row[0] for row in response.message["values"]]

	wait_until(lambda: caught_up(replica))
	before = desk_count()
	replica.cursor().execute("STOP SLAVE SQL_THREAD")  # the replica keeps what it has until started again
	learner = new_learner(world, personal_code=personal_code.make_old_format(date(2012, 9, 9), 777)).insert()
	frappe.db.commit()
	try:
		# the primary has the new learner; the desk, reading the replica, does not yet
		assert frappe.db.count("Learner", {"institution": world.school_a, "name": learner.name}) == 1
		assert desk_count() == before
		assert learner.name not in desk_list()
		# a save over HTTP goes to the primary: its change is there at once, while the replica stands still
		response = coordinator.put(f"/api/resource/Learner/{learner.name}", {"class_label": "8.r"})
		assert response.status == 200, response.error_text()
		frappe.db.rollback()  # a fresh snapshot: the request committed on its own connection
		assert frappe.db.get_value("Learner", learner.name, "class_label") == "8.r"
		assert replica_status(replica)["Slave_SQL_Running"] == "No"

		replica.cursor().execute("START SLAVE SQL_THREAD")
		wait_until(lambda: desk_count() == before + 1)
		assert learner.name in desk_list()
	finally:
		frappe.delete_doc("Learner", learner.name, force=True)
		frappe.db.commit()
	wait_until(lambda: desk_count() == before)


def test_every_report_and_card_answers_from_the_replica_as_from_the_primary(world, api, replica):
	"""Each report, the workspace's own number cards and IKVD's workbook, as a partner's coordinator and as
	IKVD's regional coordinator: the replica (a read-only server: a report that wrote would fail there)
	serves their queries, and the answer, refusals included, equals the primary's."""
	modules = frappe.get_all("Module Def", {"app_name": "pumpurs_app"}, pluck="name")
	reports = frappe.get_all("Report", {"module": ("in", modules)}, pluck="name")
	wait_until(lambda: caught_up(replica))
	for user in ("muni_coord", "regional"):
		client = api(world.user(user))
		for report in reports:
			filters = FILTERS[report](world) if report in FILTERS else {}
			selects = selects_on(replica)
			on_replica = run_report(client, report, filters)
			update_site_config("read_from_replica", 0)
			try:
				on_primary = run_report(client, report, filters)
			finally:
				update_site_config("read_from_replica", 1)
			assert on_replica == on_primary, f"{report} as {user}"
			if on_replica[0] == 200:
				assert selects_on(replica) > selects, f"{report} as {user}: no query reached the replica"
			roles = {row.role for row in frappe.get_doc("Report", report).roles}
			permitted = not roles or bool(roles & set(frappe.get_roles(world.user(user))))
			assert on_replica[0] == (200 if permitted else 403), f"{report} as {user}"
		for method in CARDS:
			selects = selects_on(replica)
			on_replica = client.call(method)
			assert selects_on(replica) > selects, f"{method} as {user}: no query reached the replica"
			assert on_replica.status == 200, on_replica.text[:300]
			update_site_config("read_from_replica", 0)
			try:
				assert answer(client.call(method)) == answer(on_replica), f"{method} as {user}"
			finally:
				update_site_config("read_from_replica", 1)


def run_report(client, report: str, filters: dict) -> tuple[int, list | None]:
	response = client.call("frappe.desk.query_report.run", report_name=report, filters=filters)
	return response.status, response.message["result"] if response.status == 200 else None


def answer(response):
	"""A method's answer; of a file (the workbook), that it is one: an .xlsx is a zip."""
	if response.headers.get("Content-Type", "").startswith("application/json"):
		return response.message
	return response.body[:2] == b"PK"
