"""Who changes the staff tables of partners and institutions.

A place in a staff table (or an institution's director field) is what gives a user their roles and scope
there, so nobody gives themself one: a partner's coordinator who listed themself as an institution's
accountant could approve claims and then pay them. Somebody else adds, changes or removes a user's own
entries; IKVD's national roles, which manage the staff tables, are the exception (the caller decides).
"""

from collections.abc import Iterable

from pumpurs_app.rules.errors import RuleViolation

# one entry of a staff table: (user, function, specialist role or None); the director field is "Director"
StaffEntry = tuple[str, str, str | None]


def own_entries(user: str, entries: Iterable[StaffEntry]) -> list[StaffEntry]:
	return sorted((entry for entry in entries if entry[0] == user), key=lambda e: (e[1], e[2] or ""))


def check_not_own_entries(
	user: str, before: Iterable[StaffEntry], after: Iterable[StaffEntry], place: str
) -> None:
	"""Refuse a change that adds, changes or removes one of ``user``'s own entries at ``place``."""
	if own_entries(user, before) != own_entries(user, after):
		raise RuleViolation(
			"You cannot add, change or remove your own entry in the staff of {place}: ask another coordinator of the partner or IKVD to do it.",
			place=place,
		)
