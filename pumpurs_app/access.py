"""Who sees what.

One place turns "user X works for partner P / at institution I as F" (the staff tables of Partner and
Educational Institution, and the institution's director) into the user's PuMPuRS roles and User Permissions,
and gives every permission hook, list query and report the same :class:`Scope` to filter by.

IKVD users (national roles) see everything and get no User Permissions. Everyone else sees the institutions
they work at, or, working for a partner, all of that partner's institutions — and nothing at all while they
are linked nowhere, whatever roles they hold.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import frappe
from frappe import _

ADMINISTRATOR = "PuMPuRS Administrator"
REGIONAL_COORDINATOR = "PuMPuRS Regional Coordinator"
PARTNER_COORDINATOR = "PuMPuRS Partner Coordinator"
INSTITUTION_COORDINATOR = "PuMPuRS Institution Coordinator"
DIRECTOR = "PuMPuRS Director"
PLAN_AUTHOR = "PuMPuRS Plan Author"
SPECIALIST = "PuMPuRS Specialist"
ACCOUNTANT = "PuMPuRS Accountant"
AUDITOR = "PuMPuRS Auditor"
# accounts of the other site in a federation (federation/exchange.py): no desk rights, one endpoint
SITE_ACCOUNT = "PuMPuRS Partner Site"  # at the hub: the account a partner's site sends with
HUB_ACCOUNT = "PuMPuRS National Hub"  # at a partner site: the account the hub delivers decisions with

# roles that see the whole programme (IKVD, and the site's own system managers)
NATIONAL_ROLES = frozenset({ADMINISTRATOR, REGIONAL_COORDINATOR, AUDITOR, "System Manager"})
# roles given and taken away by the staff tables
PARTNER_FUNCTION_ROLES = {"Coordinator": PARTNER_COORDINATOR, "Accountant": ACCOUNTANT}
INSTITUTION_FUNCTION_ROLES = {
	"Coordinator": INSTITUTION_COORDINATOR,
	"Plan Author": PLAN_AUTHOR,
	"Specialist": SPECIALIST,
	"Accountant": ACCOUNTANT,
}
LOCAL_ROLES = frozenset({DIRECTOR, *PARTNER_FUNCTION_ROLES.values(), *INSTITUTION_FUNCTION_ROLES.values()})

PARTNER = "Partner"
INSTITUTION = "Educational Institution"
# records of a partner's own account (payment batches, bank statements): only the partner's own staff
MANAGED_PARTNER = "Managed Partner"
MANAGED_USER_PERMISSIONS = (PARTNER, INSTITUTION)

# doctype -> (field holding the scoping value, what that value is)
SCOPED_DOCTYPES: dict[str, tuple[str, str]] = {
	PARTNER: ("name", PARTNER),
	INSTITUTION: ("name", INSTITUTION),
	"Learner": ("institution", INSTITUTION),
	"Individual Support Plan": ("institution", INSTITUTION),
	"Support Consultation": ("institution", INSTITUTION),
	"Youth NGO Project": ("partner", PARTNER),
	"Compensation": ("institution", INSTITUTION),
	"Compensation Payment Batch": ("partner", MANAGED_PARTNER),
	"Compensation Bank Statement": ("partner", MANAGED_PARTNER),
}
# child table -> its parent: rows are seen through the parent's scope
SCOPED_CHILD_DOCTYPES: dict[str, str] = {
	"Partner Staff Member": PARTNER,
	"Institution Staff Member": INSTITUTION,
	"Learner Guardian": "Learner",
	"Support Plan Risk": "Individual Support Plan",
	"Support Plan Measure": "Individual Support Plan",
	"Youth NGO Project Participant": "Youth NGO Project",
	"Compensation Line": "Compensation",
	"Compensation Payment Line": "Compensation Payment Batch",
	"Compensation Bank Statement Line": "Compensation Bank Statement",
}


@dataclass(frozen=True)
class Scope:
	national: bool
	partners: frozenset[str] = frozenset()
	institutions: frozenset[str] = frozenset()
	# partners the user works for directly (not only through one of their institutions)
	managed_partners: frozenset[str] = frozenset()

	def allows(self, kind: str, value: str | None) -> bool:
		if self.national:
			return True
		return value in self.values(kind)

	def values(self, kind: str) -> frozenset[str]:
		return {
			PARTNER: self.partners,
			INSTITUTION: self.institutions,
			MANAGED_PARTNER: self.managed_partners,
		}[kind]


@dataclass(frozen=True)
class Links:
	"""A user's places of work as the staff tables record them."""

	partner_functions: frozenset[tuple[str, str]]  # (partner, function)
	institution_functions: frozenset[tuple[str, str]]  # (institution, function); "Director" included

	@property
	def roles(self) -> set[str]:
		roles = {PARTNER_FUNCTION_ROLES[f] for _p, f in self.partner_functions}
		roles |= {
			DIRECTOR if f == "Director" else INSTITUTION_FUNCTION_ROLES[f]
			for _i, f in self.institution_functions
		}
		return roles


def get_links(user: str) -> Links:
	partner_staff = frappe.qb.DocType("Partner Staff Member")
	institution_staff = frappe.qb.DocType("Institution Staff Member")
	institution = frappe.qb.DocType(INSTITUTION)
	partner_rows = (
		frappe.qb.from_(partner_staff)
		.select(partner_staff.parent, partner_staff.function)
		.where((partner_staff.user == user) & (partner_staff.parenttype == PARTNER))
		.run()
	)
	institution_rows = (
		frappe.qb.from_(institution_staff)
		.select(institution_staff.parent, institution_staff.function)
		.where((institution_staff.user == user) & (institution_staff.parenttype == INSTITUTION))
		.run()
	)
	director_rows = (
		frappe.qb.from_(institution).select(institution.name).where(institution.director == user).run()
	)
	return Links(
		partner_functions=frozenset(map(tuple, partner_rows)),
		institution_functions=frozenset(map(tuple, institution_rows))
		| frozenset((name, "Director") for (name,) in director_rows),
	)


def is_national(user: str) -> bool:
	return user == "Administrator" or bool(NATIONAL_ROLES.intersection(frappe.get_roles(user)))


def get_scope(user: str | None = None) -> Scope:
	"""The user's scope, memoised for the request (cleared whenever staff links change)."""
	user = user or frappe.session.user
	if not hasattr(frappe.local, "pumpurs_scopes"):
		frappe.local.pumpurs_scopes = {}
	cache = frappe.local.pumpurs_scopes
	if user not in cache:
		cache[user] = _compute_scope(user)
	return cache[user]


def clear_scope_cache() -> None:
	frappe.local.pumpurs_scopes = {}


def _compute_scope(user: str) -> Scope:
	if is_national(user):
		return Scope(national=True)
	links = get_links(user)
	managed_partners = frozenset(p for p, _f in links.partner_functions)
	direct_institutions = frozenset(i for i, _f in links.institution_functions)
	institutions = set(direct_institutions)
	partners = set(managed_partners)
	if managed_partners:
		institutions |= set(
			frappe.get_all(INSTITUTION, filters={"partner": ("in", managed_partners)}, pluck="name")
		)
	if direct_institutions:
		partners |= set(
			frappe.get_all(INSTITUTION, filters={"name": ("in", direct_institutions)}, pluck="partner")
		)
	return Scope(False, frozenset(partners), frozenset(institutions), managed_partners)


# ---------------------------------------------------------------------------------------------------------
# permission hooks (hooks.py registers them for every doctype in SCOPED_DOCTYPES)


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""`permission_query_conditions`: the SQL filter every list, search, count and export goes through."""
	scope = get_scope(user)
	if scope.national:
		return ""
	field, kind = SCOPED_DOCTYPES[doctype]
	return sql_condition(scope, kind, f"`tab{doctype}`.`{field}`")


def child_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""Child rows (guardians, risks, measures, claim and payment lines, …) are read through their parent's
	scope: frappe checks only the parent DocType's read right for `get_list` on a child table."""
	scope = get_scope(user)
	if scope.national:
		return ""
	parent = SCOPED_CHILD_DOCTYPES[doctype]
	return (
		f"(`tab{doctype}`.`parenttype` = {frappe.db.escape(parent)} and `tab{doctype}`.`parent` in "
		f"(select `tab{parent}`.`name` from `tab{parent}` where {scoped_rows(scope, parent)}))"
	)


def scoped_rows(scope: Scope, doctype: str) -> str:
	"""SQL condition on `tab<doctype>` selecting the records of a scoped DocType that the scope holds."""
	field, kind = SCOPED_DOCTYPES[doctype]
	return sql_condition(scope, kind, f"`tab{doctype}`.`{field}`") or "1=1"


def sql_condition(scope: Scope, kind: str, column: str) -> str:
	if scope.national:
		return ""
	values = scope.values(kind)
	if not values:
		return "1=0"
	return f"{column} in ({', '.join(frappe.db.escape(v) for v in sorted(values))})"


WRITE_PTYPES = frozenset({"write", "create", "delete", "submit", "cancel", "amend"})


def may(doctype: str, name: str, ptype: str = "read", user: str | None = None) -> bool:
	"""May the user act on this scoped record, or on this row of one (through its parent)? Asked quietly:
	frappe's own check of a record leaves a message naming it, which the refusal then shows the user — the
	parent a file or a row belongs to, say."""
	user = user or frappe.session.user
	if doctype in SCOPED_CHILD_DOCTYPES:
		row = frappe.db.get_value(doctype, name, ["parenttype", "parent"], as_dict=True)
		if not row or row.parenttype != SCOPED_CHILD_DOCTYPES[doctype]:
			return False
		doctype, name = row.parenttype, row.parent
		ptype = "write" if ptype in WRITE_PTYPES else "read"
	if not frappe.has_permission(doctype, ptype, user=user):
		return False
	scope = get_scope(user)
	return scope.national or scope.allows(SCOPED_DOCTYPES[doctype][1], place_of(doctype, name))


def place_of(doctype: str, name: str) -> str | None:
	"""The stored scoping value of a record (its institution or partner); None if there is no such record."""
	field = SCOPED_DOCTYPES[doctype][0]
	if field == "name":
		return name if frappe.db.exists(doctype, name) else None
	return frappe.db.get_value(doctype, name, field)


PLACES = (PARTNER, INSTITUTION)


def foreign_links(doc, scope: Scope, places: bool) -> list[str]:
	"""Scoped records a document (or one of its rows) links to that the scope does not hold: partners and
	institutions, or (``places=False``) every other kind of record."""
	linked: dict[str, set[str]] = {}
	for row in [doc, *doc.get_all_children()]:
		for df in row.meta.get_link_fields():
			if df.options in SCOPED_DOCTYPES and (df.options in PLACES) == places and row.get(df.fieldname):
				linked.setdefault(df.options, set()).add(row.get(df.fieldname))
	foreign = []
	for doctype, names in linked.items():
		field, kind = SCOPED_DOCTYPES[doctype]
		places_of = dict(
			frappe.get_all(doctype, filters={"name": ("in", names)}, fields=["name", field], as_list=True)
		)
		foreign += sorted(name for name in names if not scope.allows(kind, places_of.get(name)))
	return foreign


def has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool | None:
	"""`has_permission`: a document outside the user's scope is refused on every channel (form, print, API).

	A stored record is judged by where it is stored, whatever a request sends with it (a printed, cancelled
	or method-called document can arrive as JSON); one that is not stored yet by where it is being put and by
	every scoped record it links to. Returns None (no objection) inside the scope, so role permissions still
	decide, and False outside it: it never raises, so a caller that asks with ``throw=False`` gets an answer."""
	user = user or frappe.session.user
	scope = get_scope(user)
	if scope.national:
		return None
	field, kind = SCOPED_DOCTYPES[doc.doctype]
	sent = doc.get(field) if field != "name" else None
	stored = None if doc.is_new() else frappe.db.get_value(doc.doctype, doc.name, [field], as_dict=True)
	if stored is not None:
		place = stored[field]
		if not scope.allows(kind, place) or (
			field != "name" and sent != place and not scope.allows(kind, sent)
		):
			return False
		return None
	# not stored: a new record, or one sent whole by a request
	if field == "name":
		if doc.doctype == INSTITUTION and doc.get("partner") in scope.managed_partners:
			return None  # a new institution of the partner the user works for
		return False
	# the records it links to first: frappe fills a record's place from them (fetch_from) before asking, so a
	# place outside the scope may be a linked record's, which the user did not send and may not see
	if foreign := foreign_links(doc, scope, places=False):
		message = _("{0} is not a record of your institutions, so you cannot save a {1} with it.")
		explain_refusal(doc, ptype, user, message.format(frappe.bold(foreign[0]), _(doc.doctype)))
		return False
	if foreign := ([sent] if sent and not scope.allows(kind, sent) else []) or foreign_links(
		doc, scope, True
	):
		message = _("{0} is not one of your institutions or partners, so you cannot save a {1} there.")
		explain_refusal(doc, ptype, user, message.format(frappe.bold(foreign[0]), _(doc.doctype)))
		return False
	return None


def explain_refusal(doc, ptype: str | None, user: str, message: str) -> None:
	"""Someone who may create such records is putting one outside their institutions: tell them why, naming
	only what they sent themselves. The reason joins frappe's own log of the permission check, which frappe
	shows the user when the check that refused them raises (a save, a form, an API call) and drops when the
	caller asked quietly (``throw=False``) or about another user."""
	if ptype in ("create", "write", "submit") and frappe.permissions.get_role_permissions(
		doc.doctype, user
	).get(ptype):
		frappe.permissions.push_perm_check_log(message)


# ---------------------------------------------------------------------------------------------------------
# keeping roles and User Permissions in step with the staff tables


def staff_users(doc) -> set[str]:
	"""Users a Partner or Educational Institution document links (staff rows and the director)."""
	if not doc:
		return set()
	users = {row.user for row in doc.get("staff") or [] if row.user}
	if doc.get("director"):
		users.add(doc.director)
	return users


def partner_staff_users(partners: Iterable[str]) -> set[str]:
	partners = [p for p in partners if p]
	if not partners:
		return set()
	return set(
		frappe.get_all(
			"Partner Staff Member", filters={"parenttype": PARTNER, "parent": ("in", partners)}, pluck="user"
		)
	)


def sync_users(users: Iterable[str]) -> None:
	for user in sorted(set(users)):
		sync_user(user)


def sync_user(user: str, roles: bool = True) -> None:
	"""Make the user's User Permissions (and, unless told not to, their local PuMPuRS roles) match their
	links. Idempotent."""
	if frappe.flags.pumpurs_skip_staff_sync:  # bulk loads (demo data) resync everyone once at the end
		return
	if user in ("Administrator", "Guest") or not frappe.db.exists("User", user):
		return
	if roles:
		_sync_roles(user, get_links(user).roles)
	clear_scope_cache()
	scope = get_scope(user)
	wanted = set()
	if not scope.national:
		wanted = {(PARTNER, p) for p in scope.partners} | {(INSTITUTION, i) for i in scope.institutions}
	existing = frappe.get_all(
		"User Permission",
		filters={"user": user, "allow": ("in", MANAGED_USER_PERMISSIONS)},
		fields=["name", "allow", "for_value", "apply_to_all_doctypes"],
	)
	have = set()
	for row in existing:
		key = (row.allow, row.for_value)
		if key in wanted and row.apply_to_all_doctypes and key not in have:
			have.add(key)
		else:
			frappe.delete_doc("User Permission", row.name, ignore_permissions=True, force=True)
	for allow, value in sorted(wanted - have):
		frappe.get_doc(
			doctype="User Permission", user=user, allow=allow, for_value=value, apply_to_all_doctypes=1
		).insert(ignore_permissions=True)
	clear_scope_cache()


def _sync_roles(user: str, wanted: set[str]) -> None:
	user_doc = frappe.get_doc("User", user)
	current = {row.role for row in user_doc.roles if row.role in LOCAL_ROLES}
	if current == wanted:
		return
	user_doc.set("roles", [row for row in user_doc.roles if row.role not in current - wanted])
	for role in sorted(wanted - current):
		user_doc.append("roles", {"role": role})
	user_doc.flags.ignore_permissions = True
	user_doc.flags.pumpurs_syncing = True
	user_doc.save()


def resync_all() -> None:
	"""Rebuild every user's roles and User Permissions from the staff tables (`bench execute`)."""
	users = set(frappe.get_all("Partner Staff Member", pluck="user"))
	users |= set(frappe.get_all("Institution Staff Member", pluck="user"))
	users |= set(frappe.get_all(INSTITUTION, filters={"director": ("is", "set")}, pluck="director"))
	users |= set(
		frappe.get_all("User Permission", filters={"allow": ("in", MANAGED_USER_PERMISSIONS)}, pluck="user")
	)
	users |= set(
		frappe.get_all(
			"Has Role", filters={"role": ("in", LOCAL_ROLES), "parenttype": "User"}, pluck="parent"
		)
	)
	sync_users(users)


def remove_user_permissions_for(doctype: str, name: str) -> set[str]:
	"""Before a Partner or Institution is deleted: drop the User Permissions that point at it."""
	rows = frappe.get_all(
		"User Permission", filters={"allow": doctype, "for_value": name}, fields=["name", "user"]
	)
	for row in rows:
		frappe.delete_doc("User Permission", row.name, ignore_permissions=True, force=True)
	return {row.user for row in rows}


def on_user_update(doc, method=None) -> None:
	"""Roles changed by hand (say, someone became an IKVD auditor): recompute their User Permissions.

	Roles given by hand are kept; only the staff tables add and remove local roles."""
	if doc.flags.pumpurs_syncing:
		return
	before = doc.get_doc_before_save()
	old_roles = {r.role for r in before.roles} if before else set()
	if old_roles != {r.role for r in doc.roles}:
		sync_user(doc.name, roles=False)


def roles_here(user: str, institution: str | None, partner: str | None) -> set[str]:
	"""The roles the staff tables give a user at this institution, or for this partner."""
	links = get_links(user)
	roles = {PARTNER_FUNCTION_ROLES[f] for p, f in links.partner_functions if p == partner}
	roles |= {
		DIRECTOR if f == "Director" else INSTITUTION_FUNCTION_ROLES[f]
		for i, f in links.institution_functions
		if i == institution
	}
	return roles


def check_acts_here(doc, old_state: str, new_state: str) -> None:
	"""Roles are site-wide and a user's scope joins all their places of work: frappe has checked that the
	user has a role this transition allows; here they must hold it at this document's institution or
	partner (a director at one school who writes plans at another does not approve there)."""
	user = frappe.session.user
	if doc.flags.ignore_permissions or is_national(user):
		return
	from frappe.model.workflow import get_workflow_name

	workflow = frappe.get_cached_doc("Workflow", get_workflow_name(doc.doctype))
	allowed = {t.allowed for t in workflow.transitions if t.state == old_state and t.next_state == new_state}
	if allowed and not allowed & roles_here(user, doc.get("institution"), doc.get("partner")):
		frappe.throw(
			_("You are not a {0} at {1}, so you cannot take this step.").format(
				" / ".join(sorted(_(role) for role in allowed)), doc.get("institution") or doc.get("partner")
			),
			frappe.PermissionError,
		)


def keep_stored_place(doc, method=None) -> None:
	"""`validate` of every scoped DocType: a record is changed only by someone whose scope holds it as
	stored, not only as sent (a request naming one's own institution must not take over another's record)."""
	before = doc.get_doc_before_save()
	if not before or doc.flags.ignore_permissions:
		return
	field, kind = SCOPED_DOCTYPES[doc.doctype]
	if not get_scope().allows(kind, before.get(field)):
		frappe.throw(
			_("You cannot change records outside your institutions."),
			frappe.PermissionError,
			title=_("Outside your institutions"),
		)


def check_in_scope(doc) -> None:
	"""For documents whose institution is derived (from the learner or the plan) while they are validated:
	refuse one that ends up outside the acting user's institutions, without naming where it would be."""
	if doc.flags.ignore_permissions:
		return
	field, kind = SCOPED_DOCTYPES[doc.doctype]
	if not get_scope().allows(kind, doc.get(field)):
		frappe.throw(
			_(
				"You can save a {0} only for the learners, plans and accounts of your own institutions."
			).format(_(doc.doctype)),
			frappe.PermissionError,
			title=_("Outside your institutions"),
		)
