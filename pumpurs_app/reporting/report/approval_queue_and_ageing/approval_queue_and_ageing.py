"""Documents waiting at each approval step and for how long: support plans at the director, the partner's
coordinator and IKVD; compensations waiting for verification and for approval.

For each step: how many wait, the oldest and the average wait in days, and how many have waited 0–3, 4–7,
8–14 and over 14 days, counted from ``pending_since`` (set whenever a document reaches a waiting state; the
last change stands in for it on a document that has none). "Show documents" lists every waiting document
under its step, oldest first.

The counts are grouped in SQL by step and day through ``frappe.get_list``, so each user counts only the
documents of their own institutions or partner (frappe#31063)."""

from datetime import date

import frappe
from frappe import _
from frappe.utils import getdate, today

from pumpurs_app.reporting import report_utils
from pumpurs_app.rules import compensations as comp_rules
from pumpurs_app.rules import support_plans as plan_rules

PLAN = "Individual Support Plan"
COMPENSATION = "Compensation"
STEPS = (
	(PLAN, plan_rules.PENDING_DIRECTOR),
	(PLAN, plan_rules.PENDING_PARTNER),
	(PLAN, plan_rules.PENDING_IKVD),
	(COMPENSATION, comp_rules.SUBMITTED),
	(COMPENSATION, comp_rules.VERIFIED),
)
# (first day, last day) of each ageing bucket; None: no upper end
BUCKETS = (("days_0_3", 0, 3), ("days_4_7", 4, 7), ("days_8_14", 8, 14), ("days_over_14", 15, None))
SINCE = "date(ifnull(pending_since, modified))"


def execute(filters: dict | None = None) -> tuple[list, list, None, dict]:
	filters = frappe._dict(filters or {})
	day = getdate(today())
	waiting = {step: [] for step in STEPS}  # step -> [(days, documents)]
	for doctype in (PLAN, COMPENSATION):
		for r in frappe.get_list(
			doctype,
			filters=conditions(doctype, filters),
			fields=["workflow_state as state", f"{SINCE} as since", "count(*) as documents"],
			group_by=f"workflow_state, {SINCE}",
			order_by="workflow_state",
			limit=0,
		):
			waiting[(doctype, r.state)].append((days_since(r.since, day), int(r.documents)))
	documents = waiting_documents(filters, day) if filters.get("show_documents") else {}
	rows = []
	for step in STEPS:
		rows.append(step_row(step, waiting[step]))
		rows += documents.get(step, [])
	rows.append(total_row(rows))
	return columns(), rows, None, chart(rows)


def conditions(doctype: str, filters) -> dict:
	states = [state for dt, state in STEPS if dt == doctype]
	result = {"docstatus": 0, "workflow_state": ("in", states)}
	terms = report_utils.terms_of(filters)
	if terms is not None:
		result["school_term"] = ("in", terms or [""])
	for field in ("partner", "institution"):
		if filters.get(field):
			result[field] = filters[field]
	return result


def days_since(since, day: date) -> int:
	return max((day - getdate(since)).days, 0) if since else 0


def step_label(step: tuple[str, str]) -> str:
	return {
		(PLAN, plan_rules.PENDING_DIRECTOR): _(
			"Plans waiting for the director", context="Approval Queue and Ageing"
		),
		(PLAN, plan_rules.PENDING_PARTNER): _(
			"Plans waiting for the partner's coordinator", context="Approval Queue and Ageing"
		),
		(PLAN, plan_rules.PENDING_IKVD): _("Plans waiting for IKVD", context="Approval Queue and Ageing"),
		(COMPENSATION, comp_rules.SUBMITTED): _(
			"Compensations waiting for verification", context="Approval Queue and Ageing"
		),
		(COMPENSATION, comp_rules.VERIFIED): _(
			"Compensations waiting for approval", context="Approval Queue and Ageing"
		),
	}[step]


def short_label(step: tuple[str, str]) -> str:
	"""Who the documents wait for, short enough for the chart's axis."""
	return {
		(PLAN, plan_rules.PENDING_DIRECTOR): _("Director", context="Approval Queue and Ageing"),
		(PLAN, plan_rules.PENDING_PARTNER): _("Partner's coordinator", context="Approval Queue and Ageing"),
		(PLAN, plan_rules.PENDING_IKVD): _("IKVD", context="Approval Queue and Ageing"),
		(COMPENSATION, comp_rules.SUBMITTED): _("Verification", context="Approval Queue and Ageing"),
		(COMPENSATION, comp_rules.VERIFIED): _("Approval", context="Approval Queue and Ageing"),
	}[step]


def bucket_of(days: int) -> str:
	return next(key for key, first, last in BUCKETS if days >= first and (last is None or days <= last))


def step_row(step: tuple[str, str], waiting: list[tuple[int, int]]) -> dict:
	doctype, state = step
	count = sum(n for _days, n in waiting)
	row = {
		"label": step_label(step),
		"indent": 0,
		"is_total": 0,
		"document_type": _(doctype),
		"state": _(state),
		"documents": count,
		"oldest_days": max((days for days, _n in waiting), default=0),
		"total_days": sum(days * n for days, n in waiting),
		**{key: 0 for key, _first, _last in BUCKETS},
	}
	for days, n in waiting:
		row[bucket_of(days)] += n
	row["average_days"] = round(row["total_days"] / count, 1) if count else 0.0
	return row


def total_row(rows: list[dict]) -> dict:
	steps = [r for r in rows if r["indent"] == 0]
	count = sum(r["documents"] for r in steps)
	total_days = sum(r["total_days"] for r in steps)
	return {
		"label": _("Total", context="Approval Queue and Ageing"),
		"indent": 0,
		"is_total": 1,
		"documents": count,
		"oldest_days": max((r["oldest_days"] for r in steps), default=0),
		"total_days": total_days,
		"average_days": round(total_days / count, 1) if count else 0.0,
		**{key: sum(r[key] for r in steps) for key, _first, _last in BUCKETS},
	}


def waiting_documents(filters, day: date) -> dict[tuple[str, str], list[dict]]:
	"""Each waiting document (oldest first) as a row under its step."""
	result = {step: [] for step in STEPS}
	for doctype in (PLAN, COMPENSATION):
		for d in frappe.get_list(
			doctype,
			filters=conditions(doctype, filters),
			fields=[
				"name",
				"workflow_state",
				"pending_since",
				"modified",
				"learner_name",
				"institution",
				"partner",
				"school_term",
			],
			order_by="ifnull(pending_since, modified) asc, name asc",
			limit=0,
		):
			since = d.pending_since or d.modified
			days = days_since(since, day)
			result[(doctype, d.workflow_state)].append(
				{
					"label": d.learner_name,
					"indent": 1,
					"is_total": 0,
					"document_type": _(doctype),
					"state": _(d.workflow_state),
					"reference_doctype": doctype,
					"document": d.name,
					"institution": d.institution,
					"partner": d.partner,
					"school_term": d.school_term,
					"waiting_since": since,
					"days": days,
					"average_days": None,
				}
			)
	return result


def columns() -> list[dict]:
	def column(fieldname: str, label: str, fieldtype: str = "Int", width: int = 90, **more) -> dict:
		return {"fieldname": fieldname, "label": label, "fieldtype": fieldtype, "width": width, **more}

	return [
		column("label", _("Step / Learner", context="Approval Queue and Ageing"), "Data", 300),
		column("document_type", _("Document Type", context="Approval Queue and Ageing"), "Data", 170),
		column("state", _("Waiting In", context="Approval Queue and Ageing"), "Data", 170),
		column("documents", _("Documents Waiting", context="Approval Queue and Ageing")),
		column("oldest_days", _("Oldest (Days)", context="Approval Queue and Ageing")),
		column(
			"average_days", _("Average (Days)", context="Approval Queue and Ageing"), "Float", precision=1
		),
		column("days_0_3", _("0–3 Days", context="Approval Queue and Ageing")),
		column("days_4_7", _("4–7 Days", context="Approval Queue and Ageing")),
		column("days_8_14", _("8–14 Days", context="Approval Queue and Ageing")),
		column("days_over_14", _("Over 14 Days", context="Approval Queue and Ageing")),
		# each waiting document (with "Show documents")
		column(
			"reference_doctype", _("Document Type", context="Approval Queue and Ageing"), "Data", hidden=1
		),
		column(
			"document",
			_("Document", context="Approval Queue and Ageing"),
			"Dynamic Link",
			170,
			options="reference_doctype",
		),
		column("days", _("Days Waiting", context="Approval Queue and Ageing")),
		column("waiting_since", _("Waiting Since", context="Approval Queue and Ageing"), "Datetime", 150),
		column(
			"institution",
			_("Educational Institution", context="Approval Queue and Ageing"),
			"Link",
			200,
			options="Educational Institution",
		),
		column("partner", _("Partner", context="Approval Queue and Ageing"), "Link", 200, options="Partner"),
		column(
			"school_term",
			_("School Term", context="Approval Queue and Ageing"),
			"Link",
			110,
			options="School Term",
		),
	]


def chart(rows: list[dict]) -> dict:
	"""Waiting documents per step (plans first, then compensations), each bar split by how long they have
	waited."""
	steps = [r for r in rows if r["indent"] == 0 and not r["is_total"]]
	names = {key: label for key, label in zip([b[0] for b in BUCKETS], bucket_labels(), strict=True)}
	return {
		"data": {
			"labels": [short_label(step) for step in STEPS],
			"datasets": [
				{"name": names[key], "values": [r[key] for r in steps]} for key, _first, _last in BUCKETS
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
	}


def bucket_labels() -> list[str]:
	return [
		_("0–3 Days", context="Approval Queue and Ageing"),
		_("4–7 Days", context="Approval Queue and Ageing"),
		_("8–14 Days", context="Approval Queue and Ageing"),
		_("Over 14 Days", context="Approval Queue and Ageing"),
	]
