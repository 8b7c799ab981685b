"""One approval engine for the records that pass a workflow of decisions (Individual Support Plan,
Compensation): who may change a draft, that what waits for a decision stays as it was sent, the checks and
records of every transition, and the decider's reason for returning or rejecting.

A DocType takes part by deriving from :class:`ApprovedRecord` and giving its :class:`Approval` table (the
steps that wait for a decision and where each decider is written down, where a return and a rejection lead)
and its three messages; its own rules (four eyes, what must be on file before sending, what follows a
transition) go into the three hooks, which do nothing by default.
"""

from dataclasses import dataclass

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import now_datetime

from pumpurs_app import access
from pumpurs_app.documents import ScopedRecord


@dataclass(frozen=True)
class Step:
	"""A state in which the record waits for one decision, and the fields that keep who took it and when."""

	state: str
	by: str
	on: str


@dataclass(frozen=True)
class Approval:
	"""A DocType's table of steps, in order, and the states around them."""

	steps: tuple[Step, ...]
	drafts: tuple[str, ...]  # the author's (or the institution coordinator's) to change and to send
	returned: str  # where a decider sends the record back to its author
	rejected: str
	author: str  # the field naming who wrote the record, read from the stored record

	@property
	def waiting(self) -> tuple[str, ...]:
		return tuple(step.state for step in self.steps)

	@property
	def stamp_fields(self) -> tuple[str, ...]:
		"""Written by the transitions alone, never by a form or an API call."""
		return tuple(field for step in self.steps for field in (step.by, step.on))

	def step(self, state: str | None) -> Step | None:
		return next((step for step in self.steps if step.state == state), None)

	def sends(self, old: str | None, new: str) -> bool:
		"""The author sends the record for a decision."""
		return old in self.drafts and new in self.waiting

	def sends_back(self, old: str | None, new: str) -> bool:
		"""A decider returns or rejects the record: either needs a reason."""
		return new == self.rejected or (new == self.returned and old in self.waiting)


class ApprovedRecord(ScopedRecord):
	"""Base of the records that pass an approval workflow. Frappe's workflow says who may edit in each state
	only to the browser, and checks a transition's role site-wide and its self-approval by the owner alone:
	the server enforces the rest here, whichever channel saves the record."""

	approval: Approval
	# what the engine tells the user, in the DocType's words: lazy translations (frappe._lt), since a class
	# attribute is made once and shown in each user's language
	draft_not_yours: object
	locked: object  # {0}: the state the record waits in
	reason_missing: object

	def content_signature(self) -> str:
		"""What the deciders decide on, as one comparable string."""
		raise NotImplementedError

	# --- hooks ------------------------------------------------------------------------------------------

	def check_transition(self, actor: str, before: Document, old: str, new: str) -> None:
		"""Refuse a transition ``actor`` may not make, or the record may not take yet (four eyes, limits)."""

	def check_ready_to_send(self) -> None:
		"""Refuse sending the record for a decision while something is missing."""

	def after_transition(self, actor: str, old: str, new: str) -> None:
		"""What else a transition records."""

	# --- the engine -------------------------------------------------------------------------------------

	def on_change(self) -> None:
		from pumpurs_app.support_plans.reminders import announce_waiting

		announce_waiting(self)

	def check_edit_rights(self) -> None:
		"""A draft is its author's or the institution coordinator's, to change and to send (whoever decides on
		it must not have shaped it); what waits for a decision stays as it was sent, transitions included."""
		before = self.get_doc_before_save()
		if not before or self.flags.ignore_permissions:
			return
		if before.workflow_state in self.approval.drafts:
			if not may_change_draft(self, before.get(self.approval.author), frappe.session.user):
				frappe.throw(str(self.draft_not_yours), frappe.PermissionError)
		elif self.content_signature() != before.content_signature():
			frappe.throw(str(self.locked).format(_(before.workflow_state)), frappe.PermissionError)

	def handle_transition(self) -> None:
		"""Checks and records of a workflow transition, whichever channel applied it."""
		before = self.get_doc_before_save()
		old, new = (before.workflow_state if before else None), self.workflow_state
		if not before or old == new:
			return
		actor = frappe.session.user
		access.check_acts_here(self, old, new)
		self.check_transition(actor, before, old, new)
		if self.approval.sends(old, new):
			self.check_ready_to_send()
			self.decision_reason = None  # an earlier return's reason is answered by sending again
		if self.approval.sends_back(old, new):
			if not (self.decision_reason or "").strip():
				frappe.throw(str(self.reason_missing))
			self.add_comment("Workflow", f"{_(new)}: {self.decision_reason}")
		elif step := self.approval.step(old):
			self.set(step.by, actor)
			self.set(step.on, now_datetime())
		self.after_transition(actor, old, new)


def may_change_draft(doc: Document, author: str | None, user: str) -> bool:
	return (
		user == author
		or access.is_national(user)
		or access.INSTITUTION_COORDINATOR in access.roles_here(user, doc.institution, doc.partner)
	)


def write_decision(
	doc: Document, values: dict, *, field: str, states: tuple[str, ...], not_decider: str, not_waiting: str
) -> None:
	"""A decider writes what their decision needs (its reason) before the workflow action applies it: the
	action reloads the record, so this is saved first, by someone who may write ``field``, while the record
	waits in one of ``states``."""
	doc.check_permission("write")
	if not doc.has_permlevel_access_to(field, permission_type="write"):
		frappe.throw(not_decider, frappe.PermissionError)
	if doc.workflow_state not in states:
		frappe.throw(not_waiting)
	doc.update(values)
	doc.save()


def set_decision_reason(doc: ApprovedRecord, reason: str, *, not_decider: str, not_waiting: str) -> None:
	"""The decider's reason for returning or rejecting the record, while it waits at one of its steps (behind
	each DocType's whitelisted endpoint, which names the record after what it is)."""
	write_decision(
		doc,
		{"decision_reason": (reason or "").strip()},
		field="decision_reason",
		states=doc.approval.waiting,
		not_decider=not_decider,
		not_waiting=not_waiting,
	)
