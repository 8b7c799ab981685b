"""One record of every PuMPuRS DocType for each of the world's two partners, with child rows and attached
files, made through the real controllers and workflows by the partners' own staff and committed, so that
HTTP requests (other connections) see them. The permission tests try every channel as users of one partner
on the other's records; the fixture that builds them (``partner_records``) deletes them again at the end of
the test module.

The municipality (school A) and the state vocational school each get: a learner of their own with a
guardian and a signed application on file, an approved plan with risks and measures, a consultation, a
compensation claim with an evidence file, a confirmed payment batch with its SEPA file and payment list, and
a submitted bank statement of it; the municipality also a youth NGO project with the learner among its
participants (vocational schools have none).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import frappe
from frappe.model.workflow import apply_workflow

from pumpurs_app.reporting.doctype.pumpurs_consultation_totals import (
	pumpurs_consultation_totals as consultation_totals,
)
from pumpurs_app.rules import personal_code
from tests.integration import files
from tests.integration.plans import act, approve_all, make_plan

MUNICIPAL = "municipal"
VOCATIONAL = "vocational"
OTHER = {MUNICIPAL: VOCATIONAL, VOCATIONAL: MUNICIPAL}


@dataclass
class PartnerRecords:
	side: str
	partner: str
	institution: str
	users: dict[str, str]  # local role key -> user
	records: dict[str, str] = field(default_factory=dict)  # DocType -> name
	files: dict[str, str] = field(default_factory=dict)  # DocType -> URL of a private file attached to it
	# what else of this side's is personal or private: the learner's personal code and birth date (as the
	# desk and the API write dates), the payee's IBAN, the files' URLs
	secrets: set[str] = field(default_factory=set)

	@property
	def markers(self) -> set[str]:
		"""Texts found only in this side's records (names, phone, payee, topic, observation): a response that
		holds one of them shows this side's data."""
		return {text.format(side=self.side) for text in MARKERS}


# the personal data of each side's records, distinct per side
MARKERS = ("Ieraksts {side}", "Ilze {side}", "Saņēmēja {side}", "Tēma {side}", "Novērojums {side}")


PAYEE_IBAN = {MUNICIPAL: "LV97HABA0012345678910", VOCATIONAL: "LV80BANK0000435195001"}


def build(world) -> dict[str, PartnerRecords]:
	u = world.user
	sides = {
		MUNICIPAL: PartnerRecords(
			MUNICIPAL,
			world.municipality,
			world.school_a,
			{
				"partner coordinator": u("muni_coord"),
				"partner accountant": u("muni_accountant"),
				"institution coordinator": u("a_coord"),
				"director": u("a_director"),
				"plan author": u("a_author"),
				"specialist": u("a_specialist"),
				"institution accountant": u("a_accountant"),
			},
		),
		VOCATIONAL: PartnerRecords(
			VOCATIONAL,
			world.vocational_partner,
			world.vocational_school,
			{
				"partner coordinator": u("vet_coord"),
				"partner accountant": u("vet_accountant"),
				"institution coordinator": u("vet_icoord"),
				"director": u("vet_director"),
				"plan author": u("vet_author"),
				"specialist": u("vet_specialist"),
			},
		),
	}
	for side in sides.values():
		make_records(world, side)
	frappe.db.commit()
	return sides


def make_records(world, side: PartnerRecords) -> None:
	municipal = side.side == MUNICIPAL
	r, who = side.records, side.users
	r["Partner"], r["Educational Institution"] = side.partner, side.institution
	learner = make_learner(world, side)
	r["Learner"], side.files["Learner"] = learner.name, learner.application_file
	world.learners[f"records_{side.side}"] = learner.name

	plan = make_plan(
		world,
		learner=f"records_{side.side}",
		author="a_author" if municipal else "vet_author",
		risks=[
			{
				"risk_factor": "Unexcused absences",
				"severity": "High",
				"observation": f"Novērojums {side.side}",
			},
			{"risk_factor": "Hard to get to school", "severity": "Medium"},
		],
		measures=[
			{
				"measure_kind": "Consultation",
				"risk_factor": "Unexcused absences",
				"specialist_role": "Psychologist" if municipal else "Teacher",
				"planned_hours": 6,
			},
			{
				"measure_kind": "Compensation",
				"risk_factor": "Hard to get to school",
				"compensation_type": "Public transport tickets",
				"planned_amount": 120,
			},
		],
	)
	plan = approve_all(world, plan.name, municipal=municipal)
	r["Individual Support Plan"] = plan.name

	term_start = frappe.db.get_value("School Term", plan.school_term, "start_date")
	consultation = frappe.get_doc(
		doctype="Support Consultation",
		support_plan=plan.name,
		measure=next(m.name for m in plan.measures if m.measure_kind == "Consultation"),
		specialist=who["specialist"],
		consultation_date=term_start + timedelta(days=3),
		start_time="10:00:00",
		duration_minutes=40,
		mode="In person",
		topic=f"Tēma {side.side}",
	)
	act(who["specialist"], consultation.insert)
	r["Support Consultation"] = consultation.name

	if municipal:
		project = frappe.get_doc("Youth NGO Project", world.ngo_project)
		project.append("participants", {"learner": learner})
		act(who["partner coordinator"], project.save)
		r["Youth NGO Project"] = project.name

	claim = make_claim(world, side, plan)
	r["Compensation"] = claim.name
	side.files["Compensation"] = claim.lines[0].evidence
	batch = pay(world, side, claim.name)
	r["Compensation Payment Batch"] = batch.name
	side.files["Compensation Payment Batch"] = batch.sepa_file
	statement = reconcile(world, side, batch)
	r["Compensation Bank Statement"] = statement.name
	side.files["Compensation Bank Statement"] = statement.statement_file
	born = learner.date_of_birth
	side.secrets = {
		learner.personal_code,
		str(born),
		born.strftime("%d.%m.%Y"),
		born.strftime("%d-%m-%Y"),
		claim.payee_iban,
		*side.files.values(),
	}


def make_learner(world, side: PartnerRecords):
	"""Registered by the director, with the signed application uploaded by them."""
	municipal = side.side == MUNICIPAL
	director = side.users["director"]
	learner = frappe.get_doc(
		doctype="Learner",
		first_name=f"Ieraksts {side.side}",
		last_name="Kalniņa",
		personal_code=personal_code.make_old_format(date(2012, 2, 2) if municipal else date(2009, 3, 3), 450),
		institution=side.institution,
		education_type="General" if municipal else "Vocational",
		grade=8 if municipal else 2,
		class_label=f"records-{side.side}",
		status="Active",
		consent_date=date(2024, 9, 2),
		consent_given_by="Parent or Guardian",
		application_file=files.upload(director, f"iesniegums-{side.side}.pdf"),
		guardians=[{"guardian_name": f"Ilze {side.side}", "relation": "Mother", "phone": "+371 29999999"}],
	)
	act(director, learner.insert)
	return frappe.get_doc("Learner", learner.name)


def make_claim(world, side: PartnerRecords, plan):
	"""A claim entered, verified and approved by the side's own staff."""
	municipal = side.side == MUNICIPAL
	entered_by = side.users["institution coordinator"]
	start = frappe.db.get_value("School Term", plan.school_term, "start_date")
	claim = frappe.get_doc(
		doctype="Compensation",
		support_plan=plan.name,
		measure=next(m.name for m in plan.measures if m.measure_kind == "Compensation"),
		period_from=start,
		period_to=start + timedelta(days=9),
		payee_kind="Guardian",
		payee_name=f"Saņēmēja {side.side}",
		payee_iban=PAYEE_IBAN[side.side],
		lines=[
			{
				"line_date": start + timedelta(days=2),
				"description": "Biļetes",
				"quantity": 2,
				"unit_price": 1.5,
				"evidence": files.upload(entered_by, "biletes.pdf"),
			}
		],
	)
	act(entered_by, claim.insert)
	for action, who in (
		("Submit for Verification", entered_by),
		("Verify", side.users["institution accountant" if municipal else "partner accountant"]),
		("Approve", side.users["director"]),
	):
		act(who, apply_workflow, frappe.get_doc("Compensation", claim.name).as_dict(), action)
	return frappe.get_doc("Compensation", claim.name)


def pay(world, side: PartnerRecords, claim: str):
	"""A partner's accountant who had no hand in the claim pays it in a batch: added, exported, confirmed (the
	vocational partner's accountant verified it, so their colleague pays it)."""
	municipal = side.side == MUNICIPAL
	accountant = side.users["partner accountant"] if municipal else world.user("vet_accountant2")
	batch = frappe.get_doc(
		doctype="Compensation Payment Batch",
		partner=side.partner,
		execution_date=frappe.db.get_value("Compensation", claim, "period_to") + timedelta(days=5),
		lines=[{"compensation": claim}],
	)
	act(accountant, batch.insert)
	act(accountant, frappe.get_doc("Compensation Payment Batch", batch.name).export)
	act(accountant, frappe.get_doc("Compensation Payment Batch", batch.name).submit)
	return frappe.get_doc("Compensation Payment Batch", batch.name)


def reconcile(world, side: PartnerRecords, batch):
	from tests.integration.payments import camt053

	line = batch.lines[0]
	account = frappe.db.get_value("Partner", side.partner, "iban")
	content = camt053(
		account, [(line.amount, line.end_to_end_id, line.payee_iban, batch.execution_date, False, None)]
	)
	accountant = side.users["partner accountant"]
	statement = frappe.get_doc(
		doctype="Compensation Bank Statement",
		partner=side.partner,
		statement_file=files.upload(accountant, f"izraksts-{side.side}.xml", content),
	)
	act(accountant, statement.insert)
	act(accountant, frappe.get_doc("Compensation Bank Statement", statement.name).submit)
	return frappe.get_doc("Compensation Bank Statement", statement.name)


def purge(world, sides: dict[str, PartnerRecords]) -> None:
	"""Delete what build() made, with the versions, comments, workflow actions and files that point at it, and
	commit."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	for side in sides.values():
		if project := side.records.get("Youth NGO Project"):
			doc = frappe.get_doc("Youth NGO Project", project)
			doc.participants = [p for p in doc.participants if p.learner != side.records["Learner"]]
			doc.save(ignore_permissions=True)
		for doctype in (*OWN_RECORDS, "Learner"):
			name = side.records.get(doctype)
			if not name or not frappe.db.exists(doctype, name):
				continue
			for linked, fields in LINKED.items():
				frappe.db.delete(linked, {fields[0]: doctype, fields[1]: name})
			for file in frappe.get_all(
				"File", {"attached_to_doctype": doctype, "attached_to_name": name}, pluck="name"
			):
				frappe.delete_doc("File", file, force=True, ignore_permissions=True)
			# as a whole, past the controllers (an exported batch refuses to be deleted, rightly)
			for df in frappe.get_meta(doctype).get_table_fields():
				frappe.db.delete(df.options, {"parent": name, "parenttype": doctype})
			frappe.db.delete(doctype, {"name": name})
		world.learners.pop(f"records_{side.side}", None)
	consultation_totals.recount()  # as after any deletion past the consultations' controller (README)
	frappe.db.commit()


# made for the fixture, deleted with it (in this order); partners, institutions and the NGO project stay
OWN_RECORDS = (
	"Compensation Bank Statement",
	"Compensation Payment Batch",
	"Compensation",
	"Support Consultation",
	"Individual Support Plan",
)
# (doctype field, name field) of what frappe keeps about a record
LINKED = {
	"Version": ("ref_doctype", "docname"),
	"Comment": ("reference_doctype", "reference_name"),
	"Workflow Action": ("reference_doctype", "reference_name"),
	"ToDo": ("reference_type", "reference_name"),
}
