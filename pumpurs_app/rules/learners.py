"""What a learner record must satisfy besides the target group: identity and consent."""

from dataclasses import dataclass
from datetime import date

from pumpurs_app.rules import personal_code
from pumpurs_app.rules.errors import RuleViolation
from pumpurs_app.rules.target_group import is_adult

PARENT = "Parent or Guardian"
ADULT_LEARNER = "Adult Learner"
ACTIVE = "Active"


@dataclass(frozen=True)
class Identity:
	personal_code: str
	date_of_birth: date
	is_adult: bool
	masked_code: str


def identify(code: str, date_of_birth: date | None, today: date) -> Identity:
	"""Normalise the personal code and settle the birth date: the code's own for old-format codes (an
	entered date must agree with it), the entered one for new-format codes, which carry none."""
	code = personal_code.normalize(code, today)
	from_code = personal_code.birth_date(code)
	if from_code and date_of_birth and date_of_birth != from_code:
		raise RuleViolation(
			"Date of birth {entered} does not match personal code {code} ({from_code}).",
			entered=date_of_birth.isoformat(),
			code=code,
			from_code=from_code.isoformat(),
		)
	born = from_code or date_of_birth
	if not born:
		raise RuleViolation("Enter the date of birth: a new-format personal code does not contain it.")
	if born > today:
		raise RuleViolation("The date of birth {born} is in the future.", born=born.isoformat())
	return Identity(code, born, is_adult(born, today), personal_code.mask(code))


def check_consent(signed_on: date | None, signed_by: str | None, born: date, today: date) -> None:
	"""The application is signed by a parent, or by the learner once adult, and not in the future."""
	if not signed_on:
		return
	if signed_on > today:
		raise RuleViolation(
			"The application cannot be signed in the future ({date}).", date=signed_on.isoformat()
		)
	if not signed_by:
		raise RuleViolation("Say who signed the application: a parent or guardian, or the adult learner.")
	if signed_by == ADULT_LEARNER and not is_adult(born, signed_on):
		raise RuleViolation(
			"The learner was not yet 18 on {date}: a parent or guardian must sign the application.",
			date=signed_on.isoformat(),
		)


def active_elsewhere(code: str) -> RuleViolation:
	"""The refusal of a learner whose personal code is active at an institution the user cannot see. Being in
	the programme means being at risk of leaving school: the words say neither where the child is nor that
	they are in the programme, beyond what any refusal must (``active_code`` is for the caller to report the
	case, never shown)."""
	return RuleViolation(
		"This learner cannot be registered here. The PuMPuRS coordinators have been told and will resolve it with you.",
		active_code=code,
	)


def derived_fields(identity: Identity, first_name: str, last_name: str, status: str) -> dict:
	"""What a learner record derives from what was entered — the same whether the Learner controller saves it
	or a bulk path (import, demo data) writes it."""
	return {
		"full_name": f"{(first_name or '').strip()} {(last_name or '').strip()}".strip(),
		"personal_code": identity.personal_code,
		"date_of_birth": identity.date_of_birth,
		"is_adult": int(identity.is_adult),
		"personal_code_masked": identity.masked_code,
		# a unique key while the learner is active: two active records cannot share a code
		"active_personal_code": identity.personal_code if status == ACTIVE else None,
	}
