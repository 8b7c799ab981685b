"""Support Delivered reads consultations counted per institution, term, specialist and month: count the
consultations the site holds once."""

from pumpurs_app.reporting.doctype.pumpurs_consultation_totals import pumpurs_consultation_totals


def execute() -> None:
	pumpurs_consultation_totals.recount()
