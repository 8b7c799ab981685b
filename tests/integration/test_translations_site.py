"""Our Latvian translations on a real site: shown to Latvian users, and never changing what frappe itself
says elsewhere (translations are global, so a context-free entry would override frappe's own)."""

import csv

import frappe


def rows(path: str) -> list[list[str]]:
	with open(path, newline="", encoding="utf-8") as f:
		return [row for row in csv.reader(f) if row]


def test_context_free_entries_agree_with_frappes_own():
	frappes = {
		r[0]: r[1]
		for r in rows(frappe.get_app_path("frappe", "translations", "lv.csv"))
		if len(r) < 3 or not r[2]
	}
	ours = [
		r
		for r in rows(frappe.get_app_path("pumpurs_app", "translations", "lv.csv"))
		if len(r) < 3 or not r[2]
	]
	clashes = [(r[0], frappes[r[0]], r[1]) for r in ours if r[0] in frappes and frappes[r[0]] != r[1]]
	assert not clashes, "give these a DocType context instead of overriding frappe:\n" + "\n".join(
		map(str, clashes)
	)


def test_latvian_users_get_latvian_labels_and_messages(world, as_user):
	with as_user(world.user("a_coord"), lang="lv"):
		assert frappe._("Learner") == "Izglītojamais"
		assert frappe._("Status", context="Learner") == "Statuss"
		assert frappe._("Left", context="Learner") == "Pārtraucis mācības"
		assert frappe._("Left") != "Pārtraucis mācības"  # frappe's own "Left" (alignment) is untouched
		assert frappe._("Send for Approval") == "Nosūtīt saskaņošanai"
