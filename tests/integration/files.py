"""Files as a user attaches them: uploaded by that user first (an attachment field takes only a file attached
to its record or one its user has just uploaded)."""

import frappe

from pumpurs_app.files import attachment_urls
from tests.integration.plans import act


def upload(user: str, file_name: str, content: bytes | None = None, **values) -> str:
	"""A private file uploaded by ``user`` (not attached to anything yet); its URL."""
	file = frappe.get_doc(
		doctype="File",
		file_name=file_name,
		content=content or f"%PDF-1.4 {file_name} {frappe.generate_hash(length=8)}".encode(),
		is_private=1,
		**values,
	)
	return act(user, file.insert).file_url


def uploaded(user: str, doc):
	"""The document with each attachment (of the document and of its rows) uploaded by ``user``."""
	for row, df, url in list(attachment_urls(doc)):
		if url:
			row.set(df.fieldname, upload(user, url.rsplit("/", 1)[-1]))
	return doc
