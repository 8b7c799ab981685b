"""A logged-in user's browser tab on the desk (/app), driven the way a person uses it.

Fields are found by their fieldname (``data-fieldname``, what frappe renders for every control), buttons and
menu items by their visible label, so the tests break when the UI a user sees changes, not when frappe
reshuffles its CSS. After each step the tab waits until frappe has no request in flight and no freeze overlay.
"""

import re
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlencode

from playwright.sync_api import ConsoleMessage, Download, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# frappe counts its own requests (jQuery ajaxSend/ajaxComplete) and freezes the page while it saves; an open
# grid-row editor holds one freeze of its own (the dark backdrop) for as long as it is open
IDLE = """() => !!(window.frappe && frappe.request && frappe.dom)
	&& !frappe.request.ajax_count
	&& document.body.getAttribute("data-ajax-state") !== "triggered"
	&& frappe.dom.freeze_count <= (document.querySelector("#freeze.grid-form") ? 1 : 0)"""
BUSY = """() => ({requests: frappe.request.ajax_count, freezes: frappe.dom.freeze_count,
	ajax_state: document.body.getAttribute("data-ajax-state"), overlay: !!document.querySelector("#freeze")})"""
TIMEOUT = 30_000
# a query report has loaded when its latest run has come back (frappe aborts a run that a newer one replaces)
REPORT_READY = """name => { const report = frappe.query_report;
	return !!(report && report.report_name === name && report.last_ajax && report.last_ajax.state() === "resolved"); }"""
REPORT = """() => { const report = frappe.query_report;
	return {
		filters: report.get_filter_values(),
		columns: report.columns ? report.columns.map((column) => column.fieldname) : [],
		hidden: report.columns ? report.columns.map((column) => !!column.hidden) : [],
		rows: JSON.parse(JSON.stringify(report.data || [])),
		visible: report.datatable && report.data && report.data.length ? [...report.datatable.bodyRenderer.visibleRowIndices] : [],
		chart: report.chart_options ? JSON.parse(JSON.stringify(report.chart_options.data)) : null,
	}; }"""
# frappe charts shorten an x-axis label that does not fit its slot and end it with ".."
CUT_LABELS = """() => [...document.querySelectorAll(".widget.dashboard-widget-box svg .x.axis text")]
	.map((label) => label.textContent).filter((text) => text.endsWith(".."))"""
# a number card's title that does not fit its box (frappe ends it with an ellipsis)
CUT_TITLES = """() => [...document.querySelectorAll(".number-widget-box .widget-title, .number-widget-box .widget-title *")]
	.filter((title) => title.scrollWidth > title.clientWidth + 1).map((title) => title.textContent.trim())"""
# frappe charts draw after the report has rendered, one bar per label and dataset, and grow them from nothing
CHART_DRAWN = """([bars, grown]) => { const drawn = [...frappe.query_report.$chart[0].querySelectorAll("svg rect.bar")];
	return drawn.length === bars && (!grown || drawn.some((bar) => parseFloat(bar.getAttribute("height")) > 0)); }"""


class Desk:
	def __init__(self, page: Page, user: str, shots: Path, shot_list: list[str]) -> None:
		self.page = page
		self.user = user
		self.shots = shots
		self.shot_list = shot_list
		self.errors: list[str] = []  # uncaught script errors on the page (client-script bugs)
		self.console: list[str] = []  # what the page logged as an error (failed requests, caught exceptions)
		self.downloads: list[Download] = []  # files the tab, or a tab it opened, downloaded
		page.on("pageerror", lambda error: self.errors.append(f"{error.name}: {error.message}"))
		page.on("console", self._console)
		page.on("download", lambda download: self.downloads.append(download))
		page.context.on(
			"page", lambda tab: tab.on("download", lambda download: self.downloads.append(download))
		)

	def _console(self, message: ConsoleMessage) -> None:
		if message.type != "error":
			return
		url = (message.location or {}).get("url") or ""
		if "/socket.io/" in url:
			return  # the test server (bench serve) runs no realtime server: the desk's socket keeps retrying
		self.console.append(f"{message.text} ({url})" if url else message.text)

	# --- waiting and evidence -----------------------------------------------------------------------------

	def idle(self) -> None:
		try:
			self.page.wait_for_function(IDLE, timeout=TIMEOUT)
			self.page.wait_for_timeout(150)  # let frappe's refresh handlers that follow a response run
			self.page.wait_for_function(IDLE, timeout=TIMEOUT)
		except PlaywrightTimeoutError as error:
			raise AssertionError(f"the desk did not settle: {self.page.evaluate(BUSY)}") from error

	def shot(self, step: str) -> str:
		self.shots.mkdir(parents=True, exist_ok=True)
		path = self.shots / f"{len(self.shot_list) + 1:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', step)}.png"
		self.page.screenshot(path=str(path), full_page=True)
		self.shot_list.append(str(path))
		return str(path)

	# --- navigation ---------------------------------------------------------------------------------------

	def goto(self, route: str) -> None:
		self.page.goto(f"/app/{route}")
		self.page.wait_for_function(
			"() => !!(window.frappe && frappe.boot && frappe.container)", timeout=TIMEOUT
		)
		self.idle()

	def open_form(self, doctype: str, name: str) -> None:
		self.goto(f"{slug(doctype)}/{quote(name)}")
		self.wait_for_form(doctype, name)

	def new_form(self, doctype: str) -> None:
		self.goto(f"{slug(doctype)}/new")
		self.page.wait_for_function(
			"dt => window.cur_frm && cur_frm.doctype === dt && cur_frm.is_new()", arg=doctype, timeout=TIMEOUT
		)
		self.idle()

	def wait_for_form(self, doctype: str, name: str) -> None:
		self.page.wait_for_function(
			"([dt, dn]) => window.cur_frm && cur_frm.doctype === dt && cur_frm.docname === dn && !cur_frm.is_dirty()",
			arg=[doctype, name],
			timeout=TIMEOUT,
		)
		self.idle()

	def open_report(self, name: str, **filters) -> dict:
		"""Open a query report (``filters`` as the address's query string, as a link to a report gives them) and
		return what it shows: filters, columns (and which are hidden), rows, the indices of the rows the table
		shows (a tree's collapsed rows are not), the chart's data."""
		self.goto(f"query-report/{quote(name)}" + (f"?{urlencode(filters)}" if filters else ""))
		self.page.wait_for_function(REPORT_READY, arg=name, timeout=TIMEOUT)
		self.idle()
		return self.report()

	def report(self) -> dict:
		return self.page.evaluate(REPORT)

	def export_report(self) -> tuple[str, bytes]:
		"""Export the open report to Excel through its menu, as a user does; the downloaded file."""
		self.menu("Export")
		dialog = self.dialog()
		expect(dialog.locator('[data-fieldname="file_format"] select')).to_have_value("Excel")
		download = dialog.locator(".modal-footer").get_by_role("button", name="Download", exact=True)
		return self.download(download.click)

	def chart_bars(self, chart: dict) -> list[float]:
		"""Wait until the report's chart has drawn a bar for every value (and grown those that are not zero);
		their heights."""
		bars = len(chart["labels"]) * len(chart["datasets"])
		grown = any(value for dataset in chart["datasets"] for value in dataset["values"])
		self.page.wait_for_function(CHART_DRAWN, arg=[bars, grown], timeout=TIMEOUT)
		return self.page.evaluate(
			"""() => [...frappe.query_report.$chart[0].querySelectorAll("svg rect.bar")]
				.map((bar) => parseFloat(bar.getAttribute("height")) || 0)"""
		)

	def download(self, action: Callable[[], object], timeout: int = TIMEOUT) -> tuple[str, bytes]:
		"""Run ``action`` (a click) and return the name and content of the file it downloads — in this tab, or in
		a tab it opens (``window.open`` of a file that frappe sends as an attachment)."""
		seen = len(self.downloads)
		action()
		deadline = time.monotonic() + timeout / 1000
		while len(self.downloads) == seen:
			if time.monotonic() > deadline:
				raise AssertionError(f"nothing was downloaded within {timeout} ms")
			self.page.wait_for_timeout(100)
		download = self.downloads[seen]
		failure = download.failure()
		assert failure is None, f"the download of {download.url} failed: {failure}"
		return download.suggested_filename, Path(download.path()).read_bytes()

	def doc(self, field: str | None = None):
		"""What the open form holds (frappe's model in the page, after the last refresh)."""
		doc = self.page.evaluate("() => cur_frm && JSON.parse(JSON.stringify(cur_frm.doc))")
		return doc.get(field) if field else doc

	# --- the current page ---------------------------------------------------------------------------------

	@property
	def main(self) -> Locator:
		"""The visible page (frappe keeps earlier pages in the DOM, hidden)."""
		return self.page.locator(".page-container:visible")

	def field(self, fieldname: str) -> Locator:
		return self.main.locator(f'.frappe-control[data-fieldname="{fieldname}"]').first

	def label_of(self, fieldname: str) -> str:
		return self.field(fieldname).locator(".control-label, label").first.inner_text().strip()

	def fill_link(
		self, fieldname: str, text: str, pick: str | None = None, scope: Locator | None = None
	) -> None:
		"""Type into a Link field and choose the suggestion showing ``pick`` (default: the typed text)."""
		control = (scope or self.main).locator(f'.frappe-control[data-fieldname="{fieldname}"]').first
		box = control.locator("input:visible").first
		box.click()
		box.fill(text)
		option = control.get_by_role("option").filter(has_text=pick or text).first
		option.wait_for(state="visible", timeout=TIMEOUT)
		option.click()
		self.idle()

	def fill(self, fieldname: str, value: str, scope: Locator | None = None) -> None:
		control = (scope or self.main).locator(f'.frappe-control[data-fieldname="{fieldname}"]').first
		box = control.locator("input:visible, textarea:visible").first
		box.fill(value)
		box.press("Tab")
		self.idle()

	def select(
		self, fieldname: str, value: str, scope: Locator | None = None, by_value: bool = False
	) -> None:
		"""Choose an option of a Select field by its label (or, ``by_value``, by the value it stores)."""
		control = (scope or self.main).locator(f'.frappe-control[data-fieldname="{fieldname}"]').first
		select = control.locator("select")
		select.focus()  # as a click on it does: the field the user was in takes its value first
		self.idle()
		if by_value:
			select.locator(f'option[value="{value}"]').wait_for(state="attached", timeout=TIMEOUT)
			select.select_option(value=value)
		else:
			select.select_option(label=value)
		self.idle()

	def user_date(self, day: date | str) -> str:
		"""A date as this user types it (the system's date format)."""
		return self.page.evaluate("day => frappe.datetime.str_to_user(day)", str(day))

	def user_number(self, value: float, decimals: int = 2) -> str:
		"""A number as this user types it (the system's number format: 1,50 in Latvia)."""
		return self.page.evaluate(
			"([value, decimals]) => format_number(value, null, decimals)", [value, decimals]
		)

	def fill_date(self, fieldname: str, day: date | str, scope: Locator | None = None) -> None:
		"""Type a date into a Date field in the user's format and close the date picker."""
		control = (scope or self.main).locator(f'.frappe-control[data-fieldname="{fieldname}"]').first
		box = control.locator("input:visible").first
		text = self.user_date(day)
		box.fill(text)
		# leave the field as a click elsewhere does: frappe takes the date on blur, and the picker closes (Tab
		# would move on into the next field's picker or open a grid row; Escape would close a row's editor)
		box.evaluate("input => input.blur()")
		self.idle()
		expect(box).to_have_value(text)

	def attach(
		self, fieldname: str, name: str, content: bytes, mime: str, scope: Locator | None = None
	) -> None:
		"""Upload a file into an Attach field through frappe's file uploader, as from the user's device (on a form,
		frappe then saves the document: fill in what it needs first, and see :meth:`saved`)."""
		control = (scope or self.main).locator(f'.frappe-control[data-fieldname="{fieldname}"]').first
		control.get_by_role("button", name="Attach", exact=True).click()
		uploader = (
			self.page.locator(".modal.show .modal-dialog")
			.filter(has=self.page.locator(".file-uploader"))
			.last
		)
		uploader.wait_for(state="visible", timeout=TIMEOUT)
		uploader.locator('input[type="file"]').set_input_files(
			files=[{"name": name, "mimeType": mime, "buffer": content}]
		)
		uploader.locator(".modal-footer").get_by_role("button", name="Upload", exact=True).click()
		uploader.wait_for(state="hidden", timeout=TIMEOUT)
		control.locator(".attached-file-link").wait_for(state="visible", timeout=TIMEOUT)
		self.idle()

	def button(self, label: str) -> Locator:
		"""A button of the page head (Save, Update, custom buttons) by its label."""
		return self.main.locator(".page-head").get_by_role("button", name=label, exact=True).first

	def group_button(self, group: str, label: str) -> None:
		"""A custom button inside a button group of the page head (frm.add_custom_button(label, fn, group))."""
		self.button(group).click()
		self.main.locator(".page-head .inner-group-button .dropdown-menu").get_by_text(
			label, exact=True
		).click()

	def confirm(self) -> None:
		"""Answer Yes to the confirmation frappe shows (frappe.confirm, submitting, cancelling)."""
		dialog = self.dialog()
		dialog.locator(".modal-footer").get_by_role("button", name="Yes", exact=True).click()
		dialog.wait_for(state="hidden", timeout=TIMEOUT)
		self.idle()

	def submit(self) -> None:
		"""Submit the saved document with frappe's Submit button and its confirmation."""
		self.button("Submit").click()
		self.confirm()
		self.page.wait_for_function(
			"() => window.cur_frm && cur_frm.doc.docstatus === 1 && !cur_frm.is_dirty()", timeout=TIMEOUT
		)
		self.idle()

	def save(self, label: str = "Save") -> None:
		self.button(label).click()
		self.saved()

	def saved(self) -> None:
		"""Wait until the form is saved (also after frappe saves it by itself: attaching a file saves the form)."""
		self.idle()
		self.page.wait_for_function(
			"() => window.cur_frm && !cur_frm.is_new() && !cur_frm.is_dirty()", timeout=TIMEOUT
		)
		self.idle()

	def actions_button(self) -> Locator:
		return self.main.locator(".page-head .actions-btn-group > button")

	def workflow_actions(self) -> list[str]:
		"""The labels in the Actions menu (the workflow transitions this user may take now)."""
		self.actions_button().click()
		items = self.main.locator(".page-head .actions-btn-group .dropdown-menu .menu-item-label")
		items.first.wait_for(state="visible", timeout=TIMEOUT)
		labels = [label.strip() for label in items.all_inner_texts()]
		self.page.keyboard.press("Escape")
		workflow_help = self.page.evaluate('() => __("Help")')  # frappe's own item, under the transitions
		return [label for label in labels if label != workflow_help]

	def workflow_action(self, label: str, expect_dialog: bool = False) -> None:
		self.actions_button().click()
		item = self.main.locator(".page-head .actions-btn-group .dropdown-menu .menu-item-label").filter(
			has_text=re.compile(f"^{re.escape(label)}$")
		)
		item.click()
		if not expect_dialog:
			self.idle()

	def menu(self, label: str) -> None:
		"""An item of the page's ⋯ menu (Print, Email, Reload, ...)."""
		self.main.locator(".page-head .menu-btn-group > button").click()
		item = self.main.locator(".page-head .menu-btn-group .dropdown-menu .menu-item-label").filter(
			has_text=re.compile(f"^{re.escape(label)}$")
		)
		item.click()
		self.idle()

	def dialog(self) -> Locator:
		dialog = self.page.locator(".modal.show .modal-dialog").last
		dialog.wait_for(state="visible", timeout=TIMEOUT)
		return dialog

	def state_indicator(self) -> Locator:
		return self.main.locator(".page-head .indicator-pill").first

	def shown_value(self, fieldname: str) -> Locator:
		"""A read-only field's displayed value, opening its collapsed section first."""
		control = self.field(fieldname)
		if not control.is_visible():
			section = self.main.locator(".form-section").filter(
				has=self.page.locator(f'[data-fieldname="{fieldname}"]')
			)
			section.locator(".section-head").first.click()
		return control.locator(".control-value")

	# --- child tables -------------------------------------------------------------------------------------

	def grid(self, table: str) -> Locator:
		return self.field(table)

	def grid_row(self, table: str, idx: int) -> Locator:
		return self.grid(table).locator(f'.grid-body .grid-row[data-idx="{idx}"]')

	def add_row(self, table: str) -> int:
		rows = self.grid(table).locator(".grid-body .grid-row").count()
		self.grid(table).get_by_role("button", name="Add Row").click()
		self.grid_row(table, rows + 1).wait_for(state="visible", timeout=TIMEOUT)
		return rows + 1

	def cell(self, table: str, idx: int, fieldname: str) -> Locator:
		"""Click a grid cell so that it becomes editable, and return its column."""
		column = self.grid_row(table, idx).locator(f'.grid-static-col[data-fieldname="{fieldname}"]')
		column.click()
		column.locator("input, select, textarea").first.wait_for(state="visible", timeout=TIMEOUT)
		return column

	def fill_cell(self, table: str, idx: int, fieldname: str, value: str, link: bool = False) -> None:
		column = self.cell(table, idx, fieldname)
		if link:
			self.fill_link(fieldname, value, scope=column)
			return
		select = column.locator("select")
		if select.count():
			select.select_option(label=value)
		else:
			box = column.locator("input:visible, textarea:visible").first
			box.fill(value)
			box.press("Tab")
		self.idle()

	def row_form(self, table: str, idx: int) -> Locator:
		"""The row's own editor (grids that are not edited in place open it on Add Row)."""
		form = self.grid_row(table, idx).locator(".form-in-grid")
		if not form.is_visible():
			self.grid_row(table, idx).locator(".btn-open-row").click()
		form.wait_for(state="visible", timeout=TIMEOUT)
		return form

	def close_row_form(self, table: str, idx: int) -> None:
		if not self.grid(table).locator(f'.grid-row-open[data-idx="{idx}"]').count():
			self.idle()  # already closed (saving the form, as attaching a file does, redraws the grid)
			return
		collapse = self.grid_row(table, idx).locator(".grid-collapse-row").first
		if collapse.is_visible():
			collapse.click()
		else:  # a submitted document's row form has no toolbar; Escape closes it (frappe's shortcut)
			self.page.keyboard.press("Escape")
		self.grid_row(table, idx).locator(".form-in-grid").wait_for(state="hidden", timeout=TIMEOUT)
		self.idle()


def slug(doctype: str) -> str:
	return doctype.lower().replace(" ", "-")


__all__ = ["Desk", "expect", "slug"]
