"""Business rules of the PuMPuRS programme that need no database.

Nothing in this package imports frappe: controllers gather values from a document, call a rule and act on
its answer. A rule that refuses something raises :class:`RuleViolation`, whose English message template is
translated by the caller (see ``pumpurs_app.utils.throw_violation``).
"""

from pumpurs_app.rules.errors import RuleViolation

__all__ = ["RuleViolation"]
