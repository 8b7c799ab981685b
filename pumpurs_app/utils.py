"""Small helpers shared by controllers."""

from collections.abc import Iterator
from contextlib import contextmanager

import frappe
from frappe import _

from pumpurs_app.rules import RuleViolation


def translated(exc: RuleViolation) -> str:
	"""The violation's message in the user's language (string parameters such as option values too)."""
	params = {k: _(v) if isinstance(v, str) else v for k, v in exc.params.items()}
	return _(exc.message).format(**params)


@contextmanager
def rules_enforced(title: str | None = None) -> Iterator[None]:
	"""Turn a :class:`RuleViolation` raised inside the block into a translated ``frappe.ValidationError``."""
	try:
		yield
	except RuleViolation as exc:
		frappe.throw(translated(exc), frappe.ValidationError, title=title)


def check_unique_rows(rows, fields: tuple[str, ...], message: str) -> None:
	"""Refuse child rows that repeat the same values in ``fields``; ``message`` gets those values."""
	seen = set()
	for row in rows or []:
		key = tuple(row.get(f) for f in fields)
		if key in seen:
			frappe.throw(message.format(*(_(v) if isinstance(v, str) else v for v in key)))
		seen.add(key)
