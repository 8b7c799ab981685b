"""Browser tests: Debian's Chromium, driven by Playwright, against the test site's web server.

`dev/test` starts the server (``bench serve``) and passes its address as PUMPURS_TEST_URL. The browser talks
to that server process, which has its own database connections: everything the browser must see is committed
here first (the world, a fresh learner per test, plans made ahead), and everything a test creates is deleted
again when it ends. Without /usr/bin/chromium every browser test is skipped with one reason; Playwright's own
browser downloads are never used.

Screenshots of the key steps (and of every open tab when a test fails) go to PUMPURS_BROWSER_ARTIFACTS
(dev/test: the bench's state folder) or a temporary folder; a failing test's report lists their paths.
"""

import os
import random
import shutil
import tempfile
from pathlib import Path

import frappe
import pytest
from frappe.utils import getdate

from pumpurs_app.reporting.doctype.pumpurs_consultation_totals import (
	pumpurs_consultation_totals as consultation_totals,
)
from pumpurs_app.rules import personal_code
from tests.integration import plans
from tests.integration import world as world_module
from tests.integration.browser.desk import Desk

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
	"--no-sandbox",  # containers have no user namespaces for it (and CI runs as root)
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--disable-dev-shm-usage",  # small /dev/shm in containers
]
PLAN = "Individual Support Plan"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
	"""When a browser test fails, photograph every tab it had open and list the screenshots of its steps and
	the pages' script errors in its report."""
	outcome = yield
	report = outcome.get_result()
	desks = getattr(item, "browser_desks", None)
	if not desks or not report.failed or report.when == "teardown":
		return
	shots = item.browser_shots
	for desk in desks:
		try:
			desk.shot(f"failed-{desk.user.split('@')[0]}")
		except Exception as error:  # a crashed tab still lets the others be photographed
			shots.append(f"(no screenshot of {desk.user}: {error})")
	report.sections.append(("browser screenshots", "\n".join(shots)))
	errors = [f"{desk.user}: {error}" for desk in desks for error in desk.errors]
	if errors:
		report.sections.append(("browser script errors", "\n".join(errors)))


# --- the browser ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def base_url() -> str:
	url = os.environ.get("PUMPURS_TEST_URL")
	if not url:
		pytest.skip("browser tests need the test server: run them through dev/test (PUMPURS_TEST_URL unset)")
	return url.rstrip("/")


@pytest.fixture(scope="session")
def browser(base_url):
	if not os.access(CHROMIUM, os.X_OK):
		pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
	from playwright.sync_api import sync_playwright

	with sync_playwright() as playwright:
		# launch() gives Chromium a fresh temporary profile (user-data-dir) and removes it on close
		chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
		yield chromium
		chromium.close()


@pytest.fixture(scope="package")
def desk_site(site, world):
	"""The test site as a desk user finds it: set up (frappe would send everyone to its setup wizard).

	Only while the browser tests run: with the setup complete and no System Manager besides Administrator,
	frappe's User.validate makes any System User that is saved a System Manager, which the other tests,
	saving users to change their roles, must not meet."""
	was = frappe.db.get_single_value("System Settings", "setup_complete")
	set_setup_complete(1)
	yield site
	frappe.db.rollback()
	set_setup_complete(was)


def set_setup_complete(value) -> None:
	frappe.db.set_single_value("System Settings", "setup_complete", value)
	frappe.db.commit()
	frappe.clear_cache()


@pytest.fixture(scope="session")
def artifacts() -> Path:
	default = Path(tempfile.gettempdir()) / f"pumpurs-browser-tests-{os.getuid()}"
	return Path(os.environ.get("PUMPURS_BROWSER_ARTIFACTS") or default)


@pytest.fixture
def shots_dir(request, artifacts) -> Path:
	folder = artifacts / request.node.name.replace("/", "-")
	shutil.rmtree(folder, ignore_errors=True)
	return folder


@pytest.fixture
def login(request, browser, base_url, desk_site, world, shots_dir):
	"""``login("a_author")`` → a :class:`Desk` tab of that world user, in a browser context of their own.

	``via_form=True`` logs in through the /login page as a person does; otherwise the session cookie comes
	from /api/method/login in the same browser context (faster, same session)."""
	contexts = []
	desks, shot_list = recorded(request)

	def open_tab(key: str, via_form: bool = False) -> Desk:
		desk = new_desk(browser, base_url, world.user(key), via_form, shots_dir, shot_list)
		contexts.append(desk.page.context)
		desks.append(desk)
		return desk

	yield open_tab

	for context in contexts:
		context.close()


@pytest.fixture(scope="module")
def desk_pool(browser, base_url, desk_site, world):
	"""Logged-in tabs kept for a whole test module: a new browser context loads the desk's scripts afresh, which
	tests that open many pages as the same few users need not wait for each time."""
	pool: dict[str, Desk] = {}
	yield pool
	for desk in pool.values():
		desk.page.context.close()


@pytest.fixture
def pooled_login(request, desk_pool, browser, base_url, world, shots_dir):
	"""``pooled_login("muni_coord")`` → that user's tab from the module's :func:`desk_pool` (made on first use),
	its screenshots and script errors recorded for this test."""
	desks, shot_list = recorded(request)

	def open_tab(key: str) -> Desk:
		if key not in desk_pool:
			desk_pool[key] = new_desk(browser, base_url, world.user(key), False, shots_dir, shot_list)
		desk = desk_pool[key]
		desk.shots, desk.shot_list = shots_dir, shot_list
		desk.errors.clear()
		desk.console.clear()
		if desk not in desks:
			desks.append(desk)
		return desk

	return open_tab


def recorded(request) -> tuple[list[Desk], list[str]]:
	"""The tabs and screenshots of a test, for its report when it fails (see pytest_runtest_makereport)."""
	if not hasattr(request.node, "browser_desks"):
		request.node.browser_desks, request.node.browser_shots = [], []
	return request.node.browser_desks, request.node.browser_shots


def new_desk(
	browser, base_url: str, user: str, via_form: bool, shots_dir: Path, shot_list: list[str]
) -> Desk:
	"""A tab of ``user``'s own, logged in (through the login page, or /api/method/login in the same context)."""
	context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900}, locale="en-GB")
	context.set_default_timeout(30_000)
	page = context.new_page()
	if via_form:
		page.goto("/login")
		page.locator("#login_email").fill(user)
		page.locator("#login_password").fill(world_module.PASSWORD)
		page.get_by_role("button", name="Login", exact=True).click()
		page.wait_for_url("**/app**")
	else:
		response = context.request.post("/api/method/login", form={"usr": user, "pwd": world_module.PASSWORD})
		assert response.ok, f"login of {user} failed: {response.status} {response.text()[:300]}"
	return Desk(page, user, shots_dir, shot_list)


# --- committed data the server can see --------------------------------------------------------------------


def committed(doctype: str, name: str):
	"""The record as the server committed it (a new transaction, not this test's old snapshot)."""
	frappe.db.rollback()
	return frappe.get_doc(doctype, name)


@pytest.fixture
def fresh_learner(site, world):
	"""``fresh_learner(institution)`` → a new active learner with a signed application, committed; the learner
	and every plan made for them are deleted after the test, so that no other test meets them."""
	made = []

	def make(
		institution: str = world_module.SCHOOL_A, education_type: str = "General", grade: int = 7
	) -> str:
		tag = random.randint(10_000, 99_999)
		learner = frappe.get_doc(
			doctype="Learner",
			first_name=f"Pārlūks {tag}",
			last_name="Kalniņš",
			personal_code=personal_code.make_new_format(tag),
			date_of_birth=getdate("2013-03-03"),
			institution=institution,
			education_type=education_type,
			grade=grade,
			class_label=f"{grade}.b",
			status="Active",
			consent_date=getdate("2024-09-02"),
			consent_given_by="Parent or Guardian",
			application_file="/private/files/test-iesniegums.pdf",
			guardians=[{"guardian_name": "Ilze Kalniņa", "relation": "Mother", "phone": "+371 20000001"}],
		).insert()
		frappe.db.commit()
		made.append(learner.name)
		return learner.name

	yield make

	frappe.db.rollback()
	for learner in made:
		delete_plans_of(learner)
		frappe.delete_doc("Learner", learner, force=True, ignore_permissions=True)
	frappe.db.commit()


def delete_plans_of(learner: str) -> None:
	"""Plans and what the workflow left around them (the plans may be submitted, so not through delete_doc)."""
	purge(PLAN, frappe.get_all(PLAN, filters={"learner": learner}, pluck="name"))


def purge(doctype: str, names, file_urls=()) -> None:
	"""Delete documents the browser made, submitted or not, with their rows, files (those attached to them and
	``file_urls``) and everything frappe keeps about them (comments, versions, workflow actions, to-dos,
	notifications, queued e-mails, access logs)."""
	names = sorted(set(names))
	if not names:
		return
	# the files first: deleting one leaves an "Attachment Removed" comment on its document
	file_urls = [url for url in file_urls if url]
	files = frappe.get_all(
		"File", filters={"attached_to_doctype": doctype, "attached_to_name": ("in", names)}, pluck="name"
	)
	files += (
		frappe.get_all("File", filters={"file_url": ("in", file_urls)}, pluck="name") if file_urls else []
	)
	for file in set(files):
		frappe.delete_doc("File", file, force=True, ignore_permissions=True)
	for table in frappe.get_meta(doctype).get_table_fields():
		frappe.db.delete(table.options, {"parent": ("in", names), "parenttype": doctype})
	for about, type_field, name_field in (
		("Comment", "reference_doctype", "reference_name"),
		("Workflow Action", "reference_doctype", "reference_name"),
		("ToDo", "reference_type", "reference_name"),
		("Version", "ref_doctype", "docname"),
		("Notification Log", "document_type", "document_name"),
		("Access Log", "export_from", "reference_document"),
	):
		frappe.db.delete(about, {type_field: doctype, name_field: ("in", names)})
	mails = frappe.get_all(
		"Email Queue", filters={"reference_doctype": doctype, "reference_name": ("in", names)}, pluck="name"
	)
	if mails:
		frappe.db.delete("Email Queue Recipient", {"parent": ("in", mails)})
		frappe.db.delete("Email Queue", {"name": ("in", mails)})
	frappe.db.delete(doctype, {"name": ("in", names)})
	if doctype == consultation_totals.CONSULTATION:  # deleted past their controller, which keeps the totals
		consultation_totals.recount()


@pytest.fixture
def committed_plan(world, fresh_learner):
	"""``committed_plan()`` → a municipal school's plan written by its author (and, with ``approved=True``,
	approved by the whole chain) through the controllers in this process, committed for the browser."""

	def make(approved: bool = False) -> str:
		learner = fresh_learner()
		plan = frappe.get_doc(
			{
				"doctype": PLAN,
				"learner": learner,
				"school_term": world.terms["current_s1"],
				"plan_author": world.user("a_author"),
				"risks": plans.DEFAULT_RISKS,
				"measures": plans.DEFAULT_MEASURES,
			}
		)
		plans.act(world.user("a_author"), plan.insert)
		if approved:
			plans.approve_all(world, plan.name)
		frappe.db.commit()
		return plan.name

	return make


@pytest.fixture
def latvian_user(world):
	"""``latvian_user("a_author2")`` switches a world user's language to Latvian until the test ends."""
	changed = []

	def switch(key: str) -> str:
		user = world.user(key)
		changed.append((user, frappe.db.get_value("User", user, "language")))
		set_language(user, "lv")
		return key

	yield switch

	frappe.db.rollback()
	for user, language in changed:
		set_language(user, language)


def set_language(user: str, language: str | None) -> None:
	# not through User.save(): on a site whose setup is complete and that has no System Manager but
	# Administrator (this one), frappe's User.validate makes the saved user a System Manager
	frappe.db.set_value("User", user, "language", language)
	frappe.db.commit()
	frappe.clear_cache(user=user)
