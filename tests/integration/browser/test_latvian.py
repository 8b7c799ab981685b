"""The desk in Latvian: a user whose language is lv sees the Learner form and the plan's workflow actions in
Latvian, and the plan prints with the Latvian print format "IAP latviski"."""

import pytest

from tests.integration.browser.conftest import PLAN
from tests.integration.browser.desk import expect

pytestmark = pytest.mark.browser

LEARNER_LABELS = {
	"first_name": "Vārds",
	"last_name": "Uzvārds",
	"status": "Statuss",
	"date_of_birth": "Dzimšanas datums",
	"class_label": "Klase / grupa",
}


def test_latvian_user_sees_learner_form_and_workflow_actions_in_latvian(
	login, world, latvian_user, committed_plan
):
	plan = committed_plan()
	teacher = login(latvian_user("a_author2"))  # another plan author of the same school
	teacher.open_form("Learner", world.learners["a7"])
	assert teacher.page.evaluate("() => frappe.boot.lang") == "lv"
	teacher.shot("learner-form-in-latvian")
	shown = {field: teacher.label_of(field) for field in LEARNER_LABELS}
	assert shown == LEARNER_LABELS

	teacher.open_form(PLAN, plan)
	actions = teacher.workflow_actions()
	teacher.shot("plan-in-latvian")
	assert "Nosūtīt saskaņošanai" in actions and "Send for Approval" not in actions
	expect(teacher.field("learner").locator(".control-label")).to_have_text("Izglītojamais")

	# the grids: table labels and the option words in the rows (severity Medium is "Vidējs", not frappe's "Medijs")
	risks, measures = teacher.grid("risks"), teacher.grid("measures")
	expect(risks.locator(".control-label").first).to_have_text("Riski")
	expect(measures.locator(".control-label").first).to_have_text("Pasākumi")
	expect(teacher.grid_row("risks", 1)).to_contain_text("Augsts")
	expect(teacher.grid_row("risks", 2)).to_contain_text("Vidējs")
	expect(teacher.grid_row("risks", 2)).to_contain_text("Ekonomiskie riski")
	expect(teacher.grid_row("measures", 1)).to_contain_text("Konsultācija")
	expect(teacher.grid_row("measures", 1)).to_contain_text("Psihologs")
	expect(teacher.grid_row("measures", 2)).to_contain_text("Kompensācija")
	assert "Medijs" not in risks.inner_text()


def test_plan_prints_with_the_latvian_print_format(login, committed_plan):
	plan = committed_plan(approved=True)
	author = login("a_author")
	author.open_form(PLAN, plan)
	author.menu("Print")
	author.page.wait_for_url(f"**/app/print/{PLAN.replace(' ', '%20')}/{plan}")
	author.idle()
	expect(author.field("print_format").locator("input")).to_have_value("IAP latviski")  # the plan's default
	expect(author.field("language").locator("input")).to_have_value("lv")  # the format's own language
	preview = author.page.frame_locator(".print-format-container").locator("body")
	expect(preview).to_contain_text("Individuālais atbalsta plāns")
	expect(preview).to_contain_text(plan)
	author.shot("print-view")
