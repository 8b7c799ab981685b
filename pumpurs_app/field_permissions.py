"""Filters, sorting and grouping by a field the user may not read are refused on PuMPuRS DocTypes.

Frappe 15 applies field-level (permlevel) permissions to the fields a query *returns*, not to its filters,
order or grouping (frappe 16's query builder checks them): a user who may read learners but not their
personal codes could narrow a list down with ``personal_code like '0103%'`` until one learner is left, on
any channel that takes filters — lists, counts, reports, link search, number cards. Every such channel goes
through ``frappe.model.db_query.DatabaseQuery``, so its filter and order/group checks are extended here for
the DocTypes of this app (frappe is pinned to the version these lines follow, see dev/lib.sh). Queries that
ignore permissions (the app's own server code) are not affected.

``apply()`` runs before every request and background job (hooks.py) and when this module is imported.
"""

import re

import frappe
from frappe import _
from frappe.model.db_query import DatabaseQuery
from frappe.utils import get_filter

from pumpurs_app.utils import APP_MODULES

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# a plain column, which frappe itself drops when hidden: name, `tabLearner`.`name`, name as id
COLUMN = re.compile(r"\s*(`?tab[\w -]+`?\.)?`?\w+`?(\s+as\s+`?\w+`?)?\s*", re.IGNORECASE)


def hidden_fields(doctype: str, user: str, parent: str | None = None) -> set[str]:
	"""Fields of an app DocType at a permission level the user may not read (for a child table: the table
	fields of its parent at such a level hide all of its columns)."""
	meta = frappe.get_meta(doctype)
	if meta.module not in APP_MODULES:
		return set()
	if meta.istable:
		if not parent:
			return set()
		parent_meta = frappe.get_meta(parent)
		readable = set(parent_meta.get_permlevel_access("read", user=user))
		tables = [df for df in parent_meta.get_table_fields() if df.options == doctype]
		if tables and all(df.permlevel and df.permlevel not in readable for df in tables):
			return {df.fieldname for df in meta.fields} | {"name", "parent"}
		return set()
	readable = set(meta.get_permlevel_access("read", user=user))
	return {df.fieldname for df in meta.fields if df.permlevel and df.permlevel not in readable}


def refuse_hidden(query: DatabaseQuery, doctype: str, text: str, computed: bool = False) -> None:
	hidden = hidden_fields(doctype, query.user, parent=query.doctype if doctype != query.doctype else None)
	if named := hidden.intersection(WORD.findall(text or "")):
		message = (
			_("You cannot compute with {1} of {0}: you may not see it.")
			if computed
			else _("You cannot filter, sort or group {0} by {1}: you may not see it.")
		)
		frappe.throw(message.format(_(doctype), ", ".join(sorted(named))), frappe.PermissionError)


def query_doctypes(query: DatabaseQuery) -> list[str]:
	return [query.doctype] + [t[4:-1] for t in getattr(query, "tables", []) if t[4:-1] != query.doctype]


frappe_build_filter_conditions = DatabaseQuery.build_filter_conditions
frappe_validate_order_by_and_group_by = DatabaseQuery.validate_order_by_and_group_by
frappe_apply_fieldlevel_read_permissions = DatabaseQuery.apply_fieldlevel_read_permissions


def build_filter_conditions(self, filters, conditions: list, ignore_permissions=None):
	if not (self.flags.ignore_permissions if ignore_permissions is None else ignore_permissions):
		from frappe.boot import get_additional_filters_from_hooks

		config = get_additional_filters_from_hooks()
		for f in [filters] if isinstance(filters, dict) else filters or []:
			if isinstance(f, str):  # a condition written in SQL: any table of the query
				for doctype in query_doctypes(self):
					refuse_hidden(self, doctype, f)
			else:
				parsed = get_filter(self.doctype, f, config)
				refuse_hidden(self, parsed.doctype or self.doctype, parsed.fieldname)
	return frappe_build_filter_conditions(self, filters, conditions, ignore_permissions)


def validate_order_by_and_group_by(self, parameters: str):
	if parameters and not self.flags.ignore_permissions:
		for doctype in query_doctypes(self):
			refuse_hidden(self, doctype, parameters)
	return frappe_validate_order_by_and_group_by(self, parameters)


def apply_fieldlevel_read_permissions(self):
	"""Frappe drops a hidden field asked for as a column, but keeps an expression that holds a ``*``
	(``sum(personal_code like '0103%')*1``): an expression may not name a hidden field at all."""
	if not self.flags.ignore_permissions:
		for field in self.fields or []:
			if isinstance(field, str) and not COLUMN.fullmatch(field):
				for doctype in query_doctypes(self):
					refuse_hidden(self, doctype, field, computed=True)
	return frappe_apply_fieldlevel_read_permissions(self)


def apply() -> None:
	DatabaseQuery.build_filter_conditions = build_filter_conditions
	DatabaseQuery.validate_order_by_and_group_by = validate_order_by_and_group_by
	DatabaseQuery.apply_fieldlevel_read_permissions = apply_fieldlevel_read_permissions


apply()
