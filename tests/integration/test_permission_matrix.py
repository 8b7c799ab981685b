"""The README's permission matrix is what the site does: for a user holding each role, what they may read,
create, change, delete, decide and export on every DocType and report of the app, and over which scope.

The matrix is computed from the site as these users (frappe's own permission checks, the workflows, the
reports' roles, the scope from the staff tables) and compared with the README, cell by cell; on a difference
the test prints the whole matrix as it should read."""

from pathlib import Path

import frappe

from pumpurs_app import access
from pumpurs_app.federation import hub
from pumpurs_app.setup import workflows

README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN, END = "<!-- permission matrix: begin -->", "<!-- permission matrix: end -->"
# column -> (role, the world's user holding it; an accountant works for a school or for a partner)
COLUMNS = {
	"IKVD administrator": (access.ADMINISTRATOR, ["ikvd_admin"]),
	"IKVD regional coordinator": (access.REGIONAL_COORDINATOR, ["regional"]),
	"Auditor": (access.AUDITOR, ["auditor"]),
	"Partner coordinator": (access.PARTNER_COORDINATOR, ["muni_coord"]),
	"Institution coordinator": (access.INSTITUTION_COORDINATOR, ["a_coord"]),
	"Director": (access.DIRECTOR, ["a_director"]),
	"Plan author": (access.PLAN_AUTHOR, ["a_author"]),
	"Specialist": (access.SPECIALIST, ["a_specialist"]),
	"Accountant": (access.ACCOUNTANT, ["a_accountant", "muni_accountant"]),
}
RIGHTS = {"r": "read", "c": "create", "w": "write", "d": "delete", "e": "export"}
# the workflow actions that decide on a document (sending one's own draft decides nothing)
DECISIONS = {
	workflows.APPROVE,
	workflows.REJECT,
	workflows.RETURN,
	workflows.VERIFY,
	workflows.RETURN_FOR_CORRECTION,
}


def app_doctypes() -> list[str]:
	modules = frappe.get_all("Module Def", {"app_name": "pumpurs_app"}, pluck="name")
	return frappe.get_all(
		"DocType", {"module": ("in", modules), "istable": 0, "issingle": 0}, pluck="name", order_by="name"
	)


def app_reports() -> list[str]:
	modules = frappe.get_all("Module Def", {"app_name": "pumpurs_app"}, pluck="name")
	return frappe.get_all("Report", {"module": ("in", modules)}, pluck="name", order_by="name")


def deciders(doctype: str) -> set[str]:
	"""Roles that decide on a document of this DocType: a workflow's deciding steps, confirming (submit), or
	IKVD's decision at the hub (hub.decide)."""
	if doctype == hub.REVIEW:
		return {hub.DECIDER}
	workflow = frappe.db.get_value("Workflow", {"document_type": doctype, "is_active": 1})
	if workflow:
		return {t.allowed for t in frappe.get_doc("Workflow", workflow).transitions if t.action in DECISIONS}
	if frappe.get_meta(doctype).is_submittable:
		return {p.role for p in frappe.get_meta(doctype).permissions if p.submit and not p.permlevel}
	return set()


def cell(letters: list[str]) -> str:
	return " ".join(letters) or "—"


def computed(world, as_user) -> dict[str, dict[str, str]]:
	rows: dict[str, dict[str, str]] = {"**scope**": {}}
	for column, (role, keys) in COLUMNS.items():
		users = [world.user(key) for key in keys]
		for user in users:
			assert role in frappe.get_roles(user), (user, role)
		scopes = []
		for user in users:
			access.clear_scope_cache()
			scope = access.get_scope(user)
			scopes.append(
				"all" if scope.national else ("partner" if scope.managed_partners else "institution")
			)
		rows["**scope**"][column] = " or ".join(dict.fromkeys(scopes))
		user = users[0]
		for doctype in app_doctypes():
			letters = [k for k, ptype in RIGHTS.items() if frappe.has_permission(doctype, ptype, user=user)]
			if role in deciders(doctype):
				letters.insert(letters.index("e") if "e" in letters else len(letters), "a")
			rows.setdefault(doctype, {})[column] = cell(letters)
		codes = 1 in frappe.get_meta("Learner").get_permlevel_access("read", user=user)
		rows.setdefault("Learner: full personal code", {})[column] = cell(["r"] if codes else [])
		with as_user(user):  # a report tells only the session's user whether they may run it
			for report in app_reports():
				doc = frappe.get_doc("Report", report)
				letters = ["r", "e"] if doc.is_permitted() else []
				if letters and not frappe.has_permission(doc.ref_doctype, "export", user=user):
					letters.remove("e")
				rows.setdefault(f"{report} (report)", {})[column] = cell(letters)
	return rows


def as_markdown(rows: dict[str, dict[str, str]]) -> str:
	lines = ["| | " + " | ".join(COLUMNS) + " |", "| --- |" + " --- |" * len(COLUMNS)]
	lines += [f"| {row} | " + " | ".join(cells[c] for c in COLUMNS) + " |" for row, cells in rows.items()]
	return "\n".join(lines)


def documented() -> dict[str, dict[str, str]]:
	text = README.read_text(encoding="utf-8")
	assert BEGIN in text and END in text, f"the README has no permission matrix between {BEGIN} and {END}"
	table = text.split(BEGIN, 1)[1].split(END, 1)[0]
	lines = [line for line in table.splitlines() if line.startswith("|")]
	if not lines:
		return {}
	header = [c.strip() for c in lines[0].strip("|").split("|")][1:]
	rows = {}
	for line in lines[2:]:
		cells = [c.strip() for c in line.strip("|").split("|")]
		rows[cells[0]] = dict(zip(header, cells[1:], strict=True))
	return rows


def test_the_readmes_permission_matrix_is_what_the_site_does(world, as_user):
	rows = computed(world, as_user)
	expected = documented()
	differences = [
		f"{row} / {column}: README says {expected.get(row, {}).get(column)!r}, the site does {value!r}"
		for row, cells in rows.items()
		for column, value in cells.items()
		if expected.get(row, {}).get(column) != value
	]
	differences += [f"{row}: in the README, not on the site" for row in expected if row not in rows]
	assert not differences, (
		"\n".join(differences) + "\n\nThe matrix as the site has it:\n" + as_markdown(rows)
	)
