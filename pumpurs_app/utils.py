"""Small helpers shared by controllers."""

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import frappe
from frappe import _
from frappe.model.naming import make_autoname
from frappe.utils import get_fullname, now_datetime

from pumpurs_app.automations import run_after_save_events
from pumpurs_app.rules import RuleViolation

# the app's Frappe modules (its DocTypes are those whose module is one of these)
APP_MODULES = frozenset((Path(__file__).parent / "modules.txt").read_text().splitlines()) - {""}


def translated(exc: RuleViolation, context: str | None = None) -> str:
	"""The violation's message in the user's language; string parameters (option values such as "General")
	are translated too, in the context of the DocType they come from."""
	params = {k: _(v, context=context) if isinstance(v, str) else v for k, v in exc.params.items()}
	return _(exc.message).format(**params)


@contextmanager
def rules_enforced(context: str | None = None) -> Iterator[None]:
	"""Turn a :class:`RuleViolation` raised inside the block into a translated ``frappe.ValidationError``.

	``context`` is the DocType whose option values appear in the message."""
	try:
		yield
	except RuleViolation as exc:
		frappe.throw(translated(exc, context), frappe.ValidationError)


def check_unique_rows(rows, fields: tuple[str, ...], message: str) -> None:
	"""Refuse child rows that repeat the same values in ``fields``; ``message`` gets those values."""
	seen = set()
	for row in rows or []:
		key = tuple(row.get(f) for f in fields)
		if key in seen:
			frappe.throw(
				message.format(*(_(v, context=row.doctype) if isinstance(v, str) else v for v in key))
			)
		seen.add(key)


def sync_latvian_name(source: str, latvian: str) -> None:
	"""Catalogue records (risk factors, compensation types) are named in English; a Translation record
	shows Latvian users the Latvian name wherever frappe translates link titles."""
	name = frappe.db.get_value("Translation", {"language": "lv", "source_text": source})
	translation = frappe.get_doc("Translation", name) if name else frappe.new_doc("Translation")
	translation.update({"language": "lv", "source_text": source, "translated_text": latvian})
	translation.save(ignore_permissions=True)


def drop_latvian_name(source: str) -> None:
	for name in frappe.get_all(
		"Translation", filters={"language": "lv", "source_text": source}, pluck="name"
	):
		frappe.delete_doc("Translation", name, ignore_permissions=True)


def keep_stored(doc, fields: tuple[str, ...]) -> None:
	"""Fields only the system writes keep their stored values (none on a new document), whatever a form or an
	API request sends; frappe enforces neither read-only fields nor who writes what."""
	before = doc.get_doc_before_save()
	for field in fields:
		doc.set(field, before.get(field) if before else None)


def set_many_with_audit(doctype: str, names: list[str], values: dict, comment: str) -> None:
	"""Change fields that no person edits (money states set by payment batches and bank statements) straight in
	the database, leaving the trail a save would — a Version with the changes and a timeline comment — for
	many documents at once (a batch of thousands of claims): one UPDATE and multi-row INSERTs. What the site's
	own automations would do after a save of each still happens (``automations.run_after_save_events``)."""
	if not names:
		return
	before = {
		row.name: row
		for row in frappe.get_all(doctype, filters={"name": ("in", names)}, fields=["name", *values])
	}
	now, user = now_datetime(), frappe.session.user
	table = frappe.qb.DocType(doctype)
	update = (
		frappe.qb.update(table)
		.set(table.modified, now)
		.set(table.modified_by, user)
		.where(table.name.isin(names))
	)
	for field, value in values.items():
		update = update.set(table[field], value)
	update.run()
	versions, comments, by = [], [], get_fullname(user)
	for name, version, remark in zip(names, hash_names(len(names)), hash_names(len(names)), strict=True):
		changed = [
			[field, before[name].get(field), value]
			for field, value in values.items()
			if before[name].get(field) != value
		]
		versions.append(
			(
				version,
				user,
				user,
				now,
				now,
				0,
				0,
				doctype,
				name,
				frappe.as_json({"changed": changed}, indent=None),
			)
		)
		comments.append((remark, user, user, now, now, 0, 0, "Workflow", doctype, name, comment, user, by))
	insert_rows("Version", (*STANDARD_FIELDS, "ref_doctype", "docname", "data"), versions)
	insert_rows("Comment", COMMENT_FIELDS, comments)
	run_after_save_events(doctype, {name: dict(before[name]) for name in names})
	frappe.publish_realtime("list_update", {"doctype": doctype, "user": user}, after_commit=True)


# the database server dropped the connection: it restarted, or the connection was killed
CONNECTION_LOST = (2006, 2013)  # CR_SERVER_GONE_ERROR, CR_SERVER_LOST


def reconnect_if_lost(exc: Exception, wait: int = 60) -> bool:
	"""After ``exc``, is the database connection gone? Then connect again (waiting up to ``wait`` seconds for a
	restarting server) and forget the lost transaction — the server rolled it back, and what was to happen
	after its commit must not happen — so the caller can record what happened in a new one."""
	import pymysql

	lost = isinstance(exc, pymysql.err.InterfaceError) or (
		isinstance(exc, pymysql.err.OperationalError) and exc.args and exc.args[0] in CONNECTION_LOST
	)
	if not lost:
		return False
	deadline = time.monotonic() + wait
	while True:
		try:
			frappe.db.connect()
			frappe.db.rollback()
			return True
		except pymysql.err.OperationalError:
			if time.monotonic() > deadline:
				raise
			time.sleep(1)


@contextmanager
def connection_loss_explained(message: str):
	"""Work that loses its database connection (a restarting server) was rolled back whole by the server: say
	so in ``message`` — what to do again — instead of frappe's traceback, which cannot even be built without a
	connection. Reconnecting rolls back on the new connection too, so files written meanwhile are removed."""
	try:
		yield
	except Exception as exc:
		if reconnect_if_lost(exc):
			frappe.throw(message, title=_("The database connection was lost"))
		raise


STANDARD_FIELDS = ("name", "owner", "modified_by", "creation", "modified", "docstatus", "idx")
# a timeline comment's columns, for comments written in bulk
COMMENT_FIELDS = (
	*STANDARD_FIELDS,
	"comment_type",
	"reference_doctype",
	"reference_name",
	"content",
	"comment_email",
	"comment_by",
)


def hash_names(count: int) -> list[str]:
	"""``count`` distinct names as frappe gives child rows and Versions ("hash": a time prefix and six random
	characters). Made within the same moment they share the prefix, so a large batch would repeat some."""
	names: set[str] = set()
	while len(names) < count:
		names.add(make_autoname("hash"))
	return list(names)


BULK_CHUNK = 5000  # rows per INSERT statement


def insert_rows(
	doctype: str, fields: Sequence[str], rows: Sequence[Sequence], chunk: int = BULK_CHUNK
) -> None:
	"""The app's bulk writer (the learner import, money states, the demo): multi-row INSERTs whose values the
	database driver escapes. ``frappe.db.bulk_insert`` builds the same statement but renders every value
	through pypika, which costs about ten times the insert itself for thousands of rows."""
	columns = ", ".join(f"`{field}`" for field in fields)
	placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
	for start in range(0, len(rows), chunk):
		part = rows[start : start + chunk]
		frappe.db.sql(
			f"insert into `tab{doctype}` ({columns}) values {', '.join([placeholders] * len(part))}",
			[value for row in part for value in row],
		)


def content_signature(doc, fields: tuple[str, ...], tables: dict[str, tuple[str, ...]]) -> str:
	"""A document's content (the given fields and child-table columns) as one comparable string: what an
	approver decides on must not change while it waits for the decision."""
	import json

	content = {field: str(doc.get(field) or "") for field in fields}
	for table, columns in tables.items():
		content[table] = [[str(row.get(c) or "") for c in columns] for row in doc.get(table)]
	return json.dumps(content, sort_keys=True)
