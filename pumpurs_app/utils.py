"""Small helpers shared by controllers."""

from collections.abc import Iterator
from contextlib import contextmanager

import frappe
from frappe import _

from pumpurs_app.rules import RuleViolation


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
			frappe.throw(message.format(*(_(v, context=row.doctype) if isinstance(v, str) else v for v in key)))
		seen.add(key)


def sync_latvian_name(source: str, latvian: str) -> None:
	"""Catalogue records (risk factors, compensation types) are named in English; a Translation record
	shows Latvian users the Latvian name wherever frappe translates link titles."""
	name = frappe.db.get_value("Translation", {"language": "lv", "source_text": source})
	translation = frappe.get_doc("Translation", name) if name else frappe.new_doc("Translation")
	translation.update({"language": "lv", "source_text": source, "translated_text": latvian})
	translation.save(ignore_permissions=True)


def drop_latvian_name(source: str) -> None:
	for name in frappe.get_all("Translation", filters={"language": "lv", "source_text": source}, pluck="name"):
		frappe.delete_doc("Translation", name, ignore_permissions=True)


def set_with_audit(doc, values: dict, comment: str) -> None:
	"""Change fields that no person edits (money states set by payment batches and bank statements) straight
	in the database, leaving the same trail a save would: a Version with the changes and a timeline comment."""
	changed = [[field, doc.get(field), value] for field, value in values.items() if doc.get(field) != value]
	if not changed:
		return
	doc.db_set(values, notify=True)
	frappe.get_doc(
		doctype="Version", ref_doctype=doc.doctype, docname=doc.name, data=frappe.as_json({"changed": changed})
	).insert(ignore_permissions=True)
	doc.add_comment("Workflow", comment)


def content_signature(doc, fields: tuple[str, ...], tables: dict[str, tuple[str, ...]]) -> str:
	"""A document's content (the given fields and child-table columns) as one comparable string: what an
	approver decides on must not change while it waits for the decision."""
	import json

	content = {field: str(doc.get(field) or "") for field in fields}
	for table, columns in tables.items():
		content[table] = [[str(row.get(c) or "") for c in columns] for row in doc.get(table)]
	return json.dumps(content, sort_keys=True)
