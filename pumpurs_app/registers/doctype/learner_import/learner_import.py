"""Learner Import: one upload of the Excel template, from the check to the import.

The desk (Learner list → "Import from Excel") calls, in order:

1. :func:`download_template` — the template with the user's institutions in its drop-down list;
2. :func:`check_file` — the uploaded workbook is read and checked whole; a Learner Import records the result
   (status *Validated*, or *Invalid* with an error workbook listing row, column and reason);
3. :func:`start_import` — checks the file again (the register may have changed meanwhile) and writes every
   learner in one transaction, or none. Files of more than ``INLINE_ROWS`` rows run as a background job that
   reports its progress over realtime (``learner_import_progress``); status *In Progress* until it ends
   *Imported*, *Invalid* or *Failed*.

A record per import keeps the history: who imported which file when, how many learners, and every error.
Each learner's timeline says "created via Learner Import IMP-…".
"""

import time

import frappe
from frappe import _
from frappe.utils import now_datetime, time_diff_in_seconds
from frappe.utils.background_jobs import get_job
from rq.job import JobStatus

from pumpurs_app.documents import ServerOnlyMethods
from pumpurs_app.registers.doctype.learner_import import importer
from pumpurs_app.rules import learner_import as rules
from pumpurs_app.rules import personal_code
from pumpurs_app.utils import reconnect_if_lost

INLINE_ROWS = 1000  # larger files are imported by a background job
RUNNABLE = ("Validated", "Failed")  # a failed import is started again: the file is checked again first
JOB = "learner_import::{}"
STARTING = 60  # seconds a job may take to reach the queue once its import is In Progress
SHOWN_ERRORS = 100  # errors returned to the dialog; the workbook has all of them
PROGRESS_EVENT = "learner_import_progress"


class LearnerImport(ServerOnlyMethods):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		duration: DF.Float
		error_count: DF.Int
		error_file: DF.Attach | None
		finished_on: DF.Datetime | None
		import_file: DF.Attach | None
		imported_count: DF.Int
		message: DF.SmallText | None
		row_count: DF.Int
		started_on: DF.Datetime | None
		status: DF.Literal["Validated", "Invalid", "In Progress", "Imported", "Failed"]
	# end: auto-generated types

	def content(self) -> bytes:
		return frappe.get_doc("File", {"file_url": self.import_file}).get_content()

	def record_check(self, result: rules.Result) -> None:
		"""Store what a check found: the counts, and the error workbook when there are errors."""
		self.row_count = result.row_count
		self.error_count = len(result.errors)
		if result.errors:
			self.status = "Invalid"
			self.error_file = self.attach_errors(result.errors)
		else:
			self.status = "Validated"

	def attach_errors(self, errors: list[rules.CellError]) -> str:
		file = frappe.get_doc(
			doctype="File",
			file_name=f"{self.name}-errors.xlsx",
			content=importer.error_workbook(errors),
			is_private=1,
			attached_to_doctype=self.doctype,
			attached_to_name=self.name,
			attached_to_field="error_file",
		)
		file.insert(ignore_permissions=True)
		return file.file_url

	def summary(self, errors: list[rules.CellError] | None = None, **extra) -> dict:
		return {
			"name": self.name,
			"status": self.status,
			"status_label": _(self.status, context=self.doctype),
			"row_count": self.row_count,
			"error_count": self.error_count,
			"imported_count": self.imported_count,
			"error_file": self.error_file,
			"message": self.message,
			"errors": importer.error_rows(errors[:SHOWN_ERRORS]) if errors else [],
			**extra,
		}

	def publish(self, stage: str, done: int, total: int) -> None:
		frappe.publish_realtime(
			PROGRESS_EVENT,
			{
				"name": self.name,
				"stage": stage,
				"done": done,
				"total": total,
				"percent": round(100 * done / max(total, 1)),
			},
			user=self.owner,
		)

	def run(self, method: str | None = None) -> dict:
		"""Check the file again and write every learner, in the current transaction; nothing if anything is
		wrong. Never commits: the request or the background job does, once."""
		importer.check_permission()
		started = time.monotonic()
		self.started_on = now_datetime()
		self.publish("checking", 0, self.row_count or 0)
		errors, written = [], None
		try:
			result = importer.check_content(
				self.content(), progress=lambda done, total: self.publish("checking", done, total)
			)
			self.record_check(result)
			errors = result.errors
			if not errors:
				written = importer.write(
					result.records,
					self.name,
					progress=lambda done, total: self.publish("writing", done, total),
					method=method,
				)
				errors = written.errors
				if errors:  # the controller refused what the rules let through: nothing was written
					self.status, self.error_count = "Invalid", len(errors)
					self.error_file = self.attach_errors(errors)
				else:
					self.status, self.imported_count = "Imported", len(written.names)
		except Exception as exc:  # a learner registered meanwhile by someone else, a lost connection, ...
			lost = reconnect_if_lost(exc)  # the server rolled everything back: nothing was imported
			self.status = "Failed"
			self.message = _failure(exc, lost)
			# the traceback may quote a row (a duplicate key is a personal code): the log keeps none
			self.log_error("Learner import failed", personal_code.redact(frappe.get_traceback()))
		self.finished_on = now_datetime()
		self.duration = time.monotonic() - started
		self.save(ignore_permissions=True)
		self.publish("done", self.imported_count or 0, self.row_count or 0)
		return self.summary(errors, method=written.method if written else None)


def _failure(exc: Exception, connection_lost: bool = False) -> str:
	if connection_lost:
		return _(
			"The connection to the database was lost while the file was being imported. Nothing was imported; start the import again."
		)
	if frappe.db.is_unique_key_violation(exc) or isinstance(
		exc, frappe.UniqueValidationError | frappe.DuplicateEntryError
	):
		return _(
			"Another user registered one of these learners while the file was being imported. Nothing was imported; check the file again."
		)
	return _("The import failed and nothing was imported: {0}").format(
		frappe.utils.strip_html(str(exc)) or type(exc).__name__
	)


# --- the desk's endpoints --------------------------------------------------------------------------------


@frappe.whitelist(methods=["GET"])
def download_template() -> None:
	"""The Excel template, with the institutions where the user may register learners in its list."""
	importer.check_permission()
	content = rules.build_template(importer.allowed_institutions(), latvian=lambda text: _(text, lang="lv"))
	frappe.response["type"] = "binary"
	frappe.response["filename"] = "izglitojamo-imports.xlsx"
	frappe.response["filecontent"] = content


@frappe.whitelist(methods=["POST"])
def check_file(file_url: str) -> dict:
	"""Check an uploaded workbook (a File the user uploaded) and record the result as a Learner Import."""
	importer.check_permission()
	file = frappe.get_doc("File", {"file_url": file_url})
	file.check_permission("read")
	if not file.is_private and not file.attached_to_doctype:
		file.is_private = 1  # the upload holds personal codes
		file.save(ignore_permissions=True)
	doc = frappe.new_doc("Learner Import")
	doc.import_file = file.file_url
	doc.insert(ignore_permissions=True)  # frappe attaches the uploaded file to it
	result = importer.check_content(file.get_content())
	doc.record_check(result)
	doc.save(ignore_permissions=True)
	return doc.summary(result.errors)


@frappe.whitelist(methods=["POST"])
def start_import(learner_import: str) -> dict:
	"""Import a checked file: now for small files, in a background job for larger ones."""
	importer.check_permission()
	doc = frappe.get_doc("Learner Import", learner_import)
	if doc.owner != frappe.session.user:
		frappe.throw(_("Only the user who uploaded the file can import it."), frappe.PermissionError)
	if has_stopped(doc):
		mark_stopped(doc)
		doc.save(ignore_permissions=True)
	if doc.status not in RUNNABLE:
		frappe.throw(
			_("This file cannot be imported: its status is {0}.").format(_(doc.status, context=doc.doctype))
		)
	if doc.row_count <= INLINE_ROWS:
		return doc.run()
	doc.status = "In Progress"
	doc.save(ignore_permissions=True)
	if stale := get_job(JOB.format(doc.name)):  # of a run that has ended: it would hold the job's name
		stale.delete()
	frappe.enqueue(
		"pumpurs_app.registers.doctype.learner_import.learner_import.run_in_background",
		queue="long",
		timeout=3600,
		job_id=JOB.format(doc.name),
		deduplicate=True,
		enqueue_after_commit=True,
		now=frappe.flags.in_test,
		learner_import=doc.name,
	)
	return doc.summary(background=True)


def run_in_background(learner_import: str) -> dict | None:
	"""The background job: runs as the user who started it; the job commits once, at the end. It holds a
	database lock while it runs, which the server frees when the job's connection ends — also when its worker
	is killed, and then the server rolls back what it wrote (``has_stopped``)."""
	if not frappe.db.sql("select get_lock(%s, 0)", lock_name(learner_import))[0][0]:
		return None  # another worker is running it
	frappe.set_user_lang(frappe.session.user)
	return frappe.get_doc("Learner Import", learner_import).run()


def lock_name(learner_import: str) -> str:
	"""The job's lock, named for the site's database too: locks are the server's."""
	return f"{frappe.conf.db_name}::{JOB.format(learner_import)}"


def has_stopped(doc) -> bool:
	"""Is an import In Progress no longer running: its job neither waits in the queue nor holds its lock?"""
	if doc.status != "In Progress":
		return False
	job = get_job(JOB.format(doc.name))
	if job is None and time_diff_in_seconds(now_datetime(), doc.modified) < STARTING:
		return False  # the job is on its way to the queue
	if job is not None and job.get_status() == JobStatus.QUEUED:
		return False
	return frappe.db.sql("select is_used_lock(%s)", lock_name(doc.name))[0][0] is None


def mark_stopped(doc) -> None:
	"""The import's job ended while it ran (its worker killed, or the server restarted: the database rolled its
	writes back), or never ran (Redis restarted before a worker took it from the queue). It counts as failed,
	and can be started again."""
	doc.status = "Failed"
	doc.message = _(
		"The import stopped before it finished: its background job ended (its worker stopped, or the job queue restarted and lost it). Nothing was imported; start the import again."
	)


@frappe.whitelist()
def get_status(learner_import: str) -> dict:
	doc = frappe.get_doc("Learner Import", learner_import)
	doc.check_permission("read")
	if has_stopped(doc):
		mark_stopped(doc)  # shown; recorded when it is started again (a GET request changes nothing)
	return doc.summary()
