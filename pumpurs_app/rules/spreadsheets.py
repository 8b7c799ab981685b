"""Values written into spreadsheets the app hands out (payment lists, reports, error workbooks)."""

# formula starters, also in their full-width forms, which spreadsheets accept too
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value):
	"""A value that is safe to put in a spreadsheet cell or CSV field.

	Text starting with a formula character gets a leading apostrophe, as OWASP recommends. The apostrophe is
	visible, but it survives every consumer — Excel, LibreOffice, a CSV saved from either and opened again —
	whereas Excel's own "quote prefix" cell style is lost the moment the sheet is saved as CSV. Numbers, dates
	and other text are returned unchanged, so a negative number stays a number."""
	if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
		return "'" + value
	return value
