"""The consultations' running totals that Support Delivered reads (PuMPuRS Consultation Totals): kept by every
save and deletion, as the specialists and coordinators make them, they equal a recount from the consultations
themselves; and they are nobody's to read but the report's."""

import frappe
import pytest

from pumpurs_app.reporting.doctype.pumpurs_consultation_totals.pumpurs_consultation_totals import (
	TOTALS,
	recount,
)
from tests.integration.http import Api
from tests.integration.plans import act
from tests.integration.reports.money_reports import approved_plan, consult, consultation_measure, day
from tests.integration.world import PASSWORD

COUNTED = ("consultations", "confirmed", "logged_minutes", "confirmed_minutes")
KEY = ("name", "partner", "institution", "school_term", "specialist_role", "specialist", "month")


def totals() -> dict[tuple, tuple]:
	rows = frappe.get_all(TOTALS, fields=[*KEY, *COUNTED])
	return {tuple(r[f] for f in KEY): tuple(r[f] for f in COUNTED) for r in rows}


def added(before: dict, after: dict, specialist: str) -> dict[int, tuple]:
	"""What the specialist's totals gained, by month."""
	gained = {}
	for sign, rows in ((-1, before), (1, after)):
		for key, values in rows.items():
			if key[5] == specialist:
				month = gained.setdefault(key[6].month, (0, 0, 0, 0))
				gained[key[6].month] = tuple(m + sign * v for m, v in zip(month, values, strict=True))
	return {month: values for month, values in gained.items() if any(values)}


def test_totals_kept_by_saves_and_deletions_equal_a_recount(world):
	a7 = approved_plan(world, "a7", [consultation_measure("Psychologist", 6)])
	b = approved_plan(world, "b2voc", [consultation_measure("Social Pedagogue", 5)], school="b")
	before = totals()
	made = [
		consult(world, a7, "a_specialist", day(world, 9, 4), minutes=40),
		consult(world, a7, "a_specialist", day(world, 9, 11), minutes=30, confirmed=False),
		consult(world, a7, "a_specialist", day(world, 10, 5), minutes=20, confirmed=False),
		consult(world, b, "b_specialist", day(world, 10, 7), minutes=35),
	]
	kept = totals()
	assert kept != before
	# moved to another month and made longer; a confirmation; a deletion; a save that changes nothing
	moved = frappe.get_doc("Support Consultation", made[1])
	moved.update({"consultation_date": day(world, 10, 12), "duration_minutes": 40})
	act(world.user("a_specialist"), moved.save)
	act(world.user("a_specialist"), frappe.get_doc("Support Consultation", made[2]).delete)
	act(world.user("b_specialist"), frappe.get_doc("Support Consultation", made[3]).save)
	kept = totals()
	assert added(before, kept, world.user("a_specialist")) == {9: (1, 1, 40, 40), 10: (1, 0, 40, 0)}
	assert added(before, kept, world.user("b_specialist")) == {10: (1, 1, 35, 35)}
	frappe.db.savepoint("recount")
	recount()
	assert totals() == kept
	frappe.db.rollback(save_point="recount")


@pytest.mark.parametrize("who", ["muni_coord", "a_director", "regional"])
def test_the_totals_are_closed_to_the_programmes_users(world, site, who):
	"""Only the report reads them, scoped as the consultations are (test_support_delivered): not a list, a
	count or a row through the REST API, whatever the user's reach."""
	api = Api(site).login(world.user(who), PASSWORD)
	assert api.get(f"/api/resource/{TOTALS}").status == 403
	response = api.call("frappe.desk.reportview.get_count", doctype=TOTALS, filters=[])
	assert response.status == 403
