"""Each role's first screen after logging in: a user whose roles are all the app's lands on the PuMPuRS workspace,
its sidebar offers nothing else, its number cards are those of the role's work, and the charts' labels are
whole at the desk's default width. A screenshot of each."""

import pytest
from playwright.sync_api import expect

from pumpurs_app import desk as app_desk
from tests.integration.browser.desk import CUT_LABELS, CUT_TITLES

# world user -> the number cards of their work (desk.CARD_AUDIENCE; Active Plans This Term for all)
FIRST_SCREENS = {
	"a_author": {"Active Plans This Term"},
	"a_specialist": {"Active Plans This Term"},
	"a_coord": {"Active Plans This Term", "Compensations Approved Not Paid"},
	"a_director": {"Active Plans This Term", "Plans Awaiting My Approval", "Compensations Approved Not Paid"},
	"a_accountant": {
		"Active Plans This Term",
		"Compensations Approved Not Paid",
		"Unmatched Bank Transactions",
	},
	"muni_accountant": {
		"Active Plans This Term",
		"Compensations Approved Not Paid",
		"Unmatched Bank Transactions",
	},
	"muni_coord": {"Active Plans This Term", "Plans Awaiting My Approval", "Compensations Approved Not Paid"},
	"regional": {
		"Active Plans This Term",
		"Plans Awaiting My Approval",
		"Compensations Approved Not Paid",
		"Unmatched Bank Transactions",
	},
	"auditor": {"Active Plans This Term", "Compensations Approved Not Paid", "Unmatched Bank Transactions"},
}


# the workspace has drawn its blocks: every number card its number, every chart its drawing or empty state
DRAWN = """() => { const cards = [...document.querySelectorAll(".number-widget-box")];
	const charts = [...document.querySelectorAll(".widget.dashboard-widget-box")];
	return document.querySelector(".codex-editor") && cards.length > 0
		&& cards.every((card) => /\\d/.test(card.querySelector(".number")?.textContent || ""))
		&& charts.every((chart) => chart.querySelector("svg, .chart-empty-state, .empty-state")); }"""


@pytest.mark.parametrize("key", FIRST_SCREENS)
def test_a_pumpurs_user_lands_on_their_workspace(login, key):
	user = login(key, via_form=True)  # as a person does: the login page, then wherever the desk sends them
	user.page.wait_for_url("**/app/pumpurs")
	user.page.wait_for_function(DRAWN)
	user.idle()
	sidebar = user.page.locator(".desk-sidebar .sidebar-item-container .sidebar-item-label")
	expect(sidebar).to_have_text([app_desk.WORKSPACE])
	cards = user.page.locator(".number-widget-box .widget-title")
	expect(cards).to_have_count(len(FIRST_SCREENS[key]))
	assert {text.strip() for text in cards.all_text_contents()} == FIRST_SCREENS[key]
	assert user.page.evaluate(CUT_LABELS) == [] and user.page.evaluate(CUT_TITLES) == []
	user.shot(f"{key}-first-screen")
	assert not user.errors, user.errors


def test_the_first_screen_reads_whole_in_latvian(login, latvian_user):
	director = login(latvian_user("a_director"))  # the longest titles: "Plāni, kas gaida manu apstiprinājumu"
	director.goto("pumpurs")
	director.page.wait_for_function(DRAWN)
	director.idle()
	expect(director.page.locator(".number-widget-box .widget-title").first).to_contain_text("Aktīvie plāni")
	assert director.page.evaluate(CUT_LABELS) == [] and director.page.evaluate(CUT_TITLES) == []
	director.shot("a_director-first-screen-lv")
	assert not director.errors, director.errors
