"""Support Consultations counted per partner, institution, term, specialist role, specialist and month: what
the *Support Delivered* and *Programme Indicators* reports add up. The programme logs close to a million consultations; grouping them
all took most of the report's 3 s for the whole programme, its totals are a few tens of thousands of rows.

They are kept up to date in the transaction of every save and deletion of a consultation (``update`` and
``remove``, called by its controller), so that they never go stale as frappe's prepared reports do, and made
again from the consultations themselves by ``recount`` — after writes that bypass the controller (the demo's
bulk loader) and by the patch that introduced them; ``test_consultation_totals`` proves that the totals kept
up to date equal a recount."""

import hashlib

import frappe
from frappe.utils import cint, getdate, now_datetime

from pumpurs_app import access
from pumpurs_app.documents import ServerOnlyMethods

TOTALS = "PuMPuRS Consultation Totals"
CONSULTATION = "Support Consultation"
KEY = ("partner", "institution", "school_term", "specialist_role", "specialist")


class PuMPuRSConsultationTotals(ServerOnlyMethods):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		confirmed: DF.Int
		confirmed_minutes: DF.Int
		consultations: DF.Int
		institution: DF.Link | None
		logged_minutes: DF.Int
		month: DF.Date | None
		partner: DF.Link | None
		school_term: DF.Link | None
		specialist: DF.Link | None
		specialist_role: DF.Data | None
	# end: auto-generated types
	pass


def scoped_query(terms: list[str] | None, filters: dict):
	"""(query, table): the totals the session user may count — scoped as frappe scopes the consultations
	themselves (only reports read the totals) — of the ``terms`` (None: all) and the filters' partner,
	institution, specialist role and specialist."""
	frappe.has_permission(CONSULTATION, "read", throw=True)
	totals = frappe.qb.DocType(TOTALS)
	query = frappe.qb.from_(totals)
	scope = access.get_scope()
	if not scope.national:
		field, kind = access.SCOPED_DOCTYPES[CONSULTATION]
		query = query.where(totals[field].isin(sorted(scope.values(kind)) or [""]))
	if terms is not None:
		query = query.where(totals.school_term.isin(terms or [""]))
	for field in ("partner", "institution", "specialist_role", "specialist"):
		if filters.get(field):
			query = query.where(totals[field] == filters[field])
	return query, totals


def update(consultation) -> None:
	"""A consultation saved (`on_update`): what it counted before out, what it counts now in — nothing when
	what it counts did not change (a topic corrected, say)."""
	before = consultation.get_doc_before_save()
	if before and counted(before) == counted(consultation):
		return
	if before:
		add(before, -1)
	add(consultation, 1)


def remove(consultation) -> None:
	"""A consultation deleted (`after_delete`)."""
	add(consultation, -1)


def counted(consultation) -> tuple:
	"""Where a consultation counts — its key and month — and its minutes and confirmation."""
	return (
		*(consultation.get(field) or None for field in KEY),
		getdate(consultation.consultation_date).replace(day=1),
		cint(consultation.duration_minutes),
		cint(consultation.learner_confirmed),
	)


def add(consultation, sign: int) -> None:
	"""One consultation counted in (``sign`` 1) or out (-1). One statement, which locks the row it changes
	until the transaction ends: two people's saves at once are added up, never lost."""
	*key, month, minutes, confirmed = counted(consultation)
	name = hashlib.sha1("|".join([*(v or "" for v in key), month.isoformat()]).encode()).hexdigest()
	now, user = now_datetime(), frappe.session.user
	frappe.db.sql(
		f"""insert into `tab{TOTALS}` (name, creation, modified, owner, modified_by, docstatus, idx,
			{", ".join(KEY)}, month, consultations, confirmed, logged_minutes, confirmed_minutes)
		values (%s, %s, %s, %s, %s, 0, 0, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
		on duplicate key update consultations = consultations + values(consultations),
			confirmed = confirmed + values(confirmed), logged_minutes = logged_minutes + values(logged_minutes),
			confirmed_minutes = confirmed_minutes + values(confirmed_minutes), modified = values(modified),
			modified_by = values(modified_by)""",
		(
			name,
			now,
			now,
			user,
			user,
			*key,
			month,
			sign,
			sign * confirmed,
			sign * minutes,
			sign * minutes * confirmed,
		),
	)
	if sign < 0:
		frappe.db.sql(f"delete from `tab{TOTALS}` where name = %s and consultations = 0", name)


def recount() -> None:
	"""The totals made again from every consultation, in the current transaction. Each row's name is the
	same digest of its key that ``add`` computes, so that later saves find it."""
	month = "date_format(consultation_date, '%Y-%m-01')"  # the statement has no parameters: % is plain
	key = ", ".join(KEY)
	stored = ", ".join(f"nullif({field}, '')" for field in KEY)  # an empty value is stored as add() stores it
	frappe.db.sql(f"delete from `tab{TOTALS}`")
	frappe.db.sql(
		f"""insert into `tab{TOTALS}` (name, creation, modified, owner, modified_by, docstatus, idx, {key},
			month, consultations, confirmed, logged_minutes, confirmed_minutes)
		select sha1(concat_ws('|', {", ".join(f"ifnull({f}, '')" for f in KEY)}, {month})), now(6), now(6),
			'Administrator', 'Administrator', 0, 0, {stored}, {month}, count(*), sum(learner_confirmed),
			sum(duration_minutes), sum(duration_minutes * learner_confirmed)
		from `tab{CONSULTATION}` group by {stored}, {month}"""
	)
