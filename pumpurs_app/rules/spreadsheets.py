"""Values written into spreadsheets the app hands out (payment lists, reports, error workbooks)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
	"""Text that a spreadsheet would run as a formula (it begins with = + - @, a tab or a carriage return)
	gets a leading apostrophe, so that names or notes typed by users can never execute as formulas.
	Numbers, dates and empty values are returned unchanged."""
	if isinstance(value, str) and value.startswith(FORMULA_STARTS):
		return "'" + value
	return value
