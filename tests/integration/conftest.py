"""Integration tests on a real Frappe site (MariaDB, Redis), as real users with real roles.

`dev/test` recreates the throwaway site and sets PUMPURS_TEST_SITE and PUMPURS_SITES_PATH. A shared "world"
(two partners, their institutions, users for every role, learners) is built once through the documents'
own controllers and committed, so that HTTP requests — served by frappe's WSGI application in another
thread with its own database connection — see it too. Every test's own changes are rolled back.
"""

import os

import frappe
import pytest
from frappe.cache_manager import user_cache_keys

from pumpurs_app import access
from tests.integration import records
from tests.integration import world as world_module
from tests.integration.federation import federation  # noqa: F401 (two partner sites and the hub)
from tests.integration.http import Api


def pytest_collection_modifyitems(items):
	for item in items:
		item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session", autouse=True)
def site():
	site_name = os.environ.get("PUMPURS_TEST_SITE")
	sites_path = os.environ.get("PUMPURS_SITES_PATH")
	if not site_name or not sites_path:
		pytest.exit(
			"integration tests run through dev/test (PUMPURS_TEST_SITE / PUMPURS_SITES_PATH unset)", 2
		)
	os.chdir(sites_path)
	frappe.init(site=site_name, sites_path=sites_path)
	frappe.connect()
	frappe.flags.in_test = True
	frappe.set_user("Administrator")
	yield site_name
	frappe.db.rollback()
	frappe.destroy()


@pytest.fixture(scope="session")
def world(site) -> world_module.World:
	built = world_module.build()
	frappe.db.commit()
	return built


@pytest.fixture(autouse=True)
def rollback(site):
	frappe.set_user("Administrator")
	frappe.local.lang = "en"
	yield
	frappe.db.rollback()
	reset_caches()


def reset_caches() -> None:
	"""What a rolled-back transaction leaves behind in Redis and in this process."""
	for key in user_cache_keys:
		frappe.cache.delete_key(key)
	frappe.set_user("Administrator")
	frappe.local.lang = "en"
	access.clear_scope_cache()


@pytest.fixture
def as_user():
	"""Act as a user in this process (controllers, permission hooks, get_list) for the rest of a block."""
	from contextlib import contextmanager

	@contextmanager
	def acting(user: str, lang: str = "en"):
		frappe.set_user(user)
		frappe.local.lang = lang
		access.clear_scope_cache()
		try:
			yield
		finally:
			frappe.set_user("Administrator")
			frappe.local.lang = "en"
			access.clear_scope_cache()

	return acting


@pytest.fixture
def api(world, site):
	"""Logged-in HTTP clients: ``api("user@...")`` returns an :class:`Api` bound to that user's session."""
	clients = {}

	def client(user: str) -> Api:
		if user not in clients:
			clients[user] = Api(site).login(user, world_module.PASSWORD)
		return clients[user]

	return client


@pytest.fixture(scope="module")
def partner_records(world):
	"""Every kind of PuMPuRS record of each of the two partners, committed for the test module (records.py)."""
	sides = records.build(world)
	yield sides
	records.purge(world, sides)
