"""The national hub's IKVD queue in the desk: a plan partner A's site sent waits in the list of plans for
IKVD's decision; the regional coordinator opens it and returns it with a reason; the decision goes back to
partner A's site, where the plan is Returned to its author with that reason."""

import pytest

from pumpurs_app.rules import federation as rules
from tests.integration.browser.conftest import new_desk, recorded
from tests.integration.federation import HUB_DECIDER, PLAN

pytestmark = pytest.mark.browser
REVIEW = "IKVD Plan Review"


@pytest.fixture
def desk_at(request, browser, shots_dir):
	"""``desk_at(site, user)``: a logged-in tab at one of the federation's sites, closed when the test ends."""
	desks, shots = recorded(request)
	opened = []

	def open_tab(site, user: str):
		desk = new_desk(browser, site.url, user, False, shots_dir, shots)
		desks.append(desk)
		opened.append(desk)
		return desk

	yield open_tab
	for desk in opened:
		desk.page.context.close()


def test_ikvd_decides_a_partner_sites_plan_in_the_hubs_queue(federation, desk_at):
	a, hub = federation.a, federation.hub
	plan = federation.plan_at_ikvd_step(a, "a7", term="current_s2")
	assert federation.send_now(a, plan) == rules.SENT  # (this module runs no worker of its own)
	review = federation.review(a.partner, plan)

	# at partner A's site the plan waits, and its form says where IKVD decides
	author = desk_at(a, a.user("a_author"))
	author.open_form(PLAN, plan)
	waits = author.page.evaluate(
		'() => __("IKVD decides on this plan at the national hub; its decision is applied here when it arrives.")'
	)
	author.main.get_by_text(waits).wait_for(state="visible")
	author.shot("waits-at-partner-a")

	desk = desk_at(hub, HUB_DECIDER)
	desk.goto("ikvd-plan-review")
	row = desk.main.locator(".list-row-container").filter(has_text=review["learner_name"])
	row.wait_for(state="visible")
	shown = desk.page.evaluate('() => [__("Pending IKVD"), __("Return to Author")]')  # the decider's language
	assert shown[0] in row.inner_text()
	desk.shot("queue")
	row.locator("a.ellipsis").first.click()
	desk.wait_for_form(REVIEW, review["name"])
	assert shown[0] in desk.state_indicator().inner_text()
	desk.button(shown[1]).click()
	dialog = desk.dialog()
	reason = "Pievienojiet sociālā pedagoga konsultācijas"
	dialog.locator("textarea").fill(reason)
	dialog.locator(".modal-footer .btn-primary").click()
	desk.page.wait_for_function("() => cur_frm.doc.status === 'Returned'")
	desk.idle()
	desk.shot("returned")
	assert desk.errors == []

	decided = hub.login(HUB_DECIDER).doc(REVIEW, review["name"])
	assert (decided["decision_reason"], decided["decided_by"]) == (reason, HUB_DECIDER)
	assert federation.send_now(hub, review["name"], rules.IKVD_DECISION) == rules.SENT
	stored = a.login(a.user("a_author")).doc(PLAN, plan)
	assert (stored["workflow_state"], stored["decision_reason"]) == ("Returned", reason)
