from datetime import date
from decimal import Decimal

import pytest

from pumpurs_app.rules.spreadsheets import safe_cell


@pytest.mark.parametrize(
	"value", ["=1+1", "+37120000000", "-5", "@SUM(A1)", "\t=cmd", '=HYPERLINK("http://x")', "\uff1d1+1"]
)
def test_formula_like_text_is_neutralised(value):
	assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
	"value", ["Jānis Bērziņš", "LV80BANK0000435195001", "", None, 12, Decimal("-5.00"), date(2026, 1, 1)]
)
def test_other_values_pass_unchanged(value):
	assert safe_cell(value) == value
