"""frappe's own refusal of a document permission, as a test sees it: Document.check_permission raises
frappe.PermissionError without a message, and puts what the user is shown in frappe.flags.error_message."""

from contextlib import contextmanager

import frappe
import pytest


def insufficient_permission(doctype: str, ptype: str) -> str:
	"""frappe's text for a refused document permission (in English)."""
	return f"Insufficient Permission for {doctype} (<strong>{ptype}</strong>)"


@contextmanager
def no_permission(doctype: str, ptype: str):
	"""The block is refused by frappe's permission check of a ``doctype`` document for ``ptype``; yields the
	exception info, as ``pytest.raises`` does."""
	frappe.flags.error_message = None
	try:
		# frappe raises it without a message (nothing to match): its text is in frappe.flags.error_message
		with pytest.raises(frappe.PermissionError) as refusal:
			yield refusal
		assert frappe.flags.error_message == insufficient_permission(doctype, ptype)
	finally:
		frappe.flags.error_message = None
