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
