"""The learner import template's columns: their headings in Latvian and English, which are required, what
kind of value each takes and the choices of the choice columns; the template's sheets and the file's limits."""

from dataclasses import dataclass

from pumpurs_app.rules import learners, target_group
from pumpurs_app.rules.spreadsheets import MB, WorkbookLimits

DATA_SHEET = "Izglītojamie"
LISTS_SHEET = "Saraksti"
MAX_ROWS = 50_000  # learners in one file; larger registers are imported in several files
# The template filled with 50,000 learners is 2.3 MB and unpacks to 36 MB (the 10,000 of
# benchmarks/learner_import.py: 0.6 MB). It has 15 columns; cells in further columns are reported one by one
# as outside the template, up to column BL.
LIMITS = WorkbookLimits(max_bytes=10 * MB, max_unzipped_bytes=64 * MB, max_rows=MAX_ROWS + 1, max_columns=64)
MAX_TEXT = 140  # frappe's Data fields are varchar(140)
ACTIVE = "Active"


@dataclass(frozen=True)
class Column:
	key: str  # a Learner field, or guardian_* for the one guardian a row may carry
	latvian: str  # the heading in the template
	english: str  # the heading's English name: accepted in a file, shown to English-speaking users
	hint: str  # English help shown as the heading's comment (with its Latvian translation)
	required: bool = False  # the column must exist and every row needs a value
	kind: str = "text"  # text, code, date, int, choice


# The template's columns, in order. Choices are the Learner's stored option values (see CHOICES).
COLUMNS: tuple[Column, ...] = (
	Column("first_name", "Vārds", "First Name", "Required.", required=True),
	Column("last_name", "Uzvārds", "Last Name", "Required.", required=True),
	Column(
		"personal_code",
		"Personas kods",
		"Personal Code",
		"Required. DDMMYY-CNNNN or a new code starting with 32.",
		required=True,
		kind="code",
	),
	Column(
		"date_of_birth",
		"Dzimšanas datums",
		"Date of Birth",
		"DD.MM.YYYY. Required for new-format personal codes (starting with 32); otherwise taken from the code.",
		kind="date",
	),
	Column(
		"institution",
		"Izglītības iestāde",
		"Educational Institution",
		"Required. One of your institutions, as in the list.",
		required=True,
	),
	Column(
		"education_type",
		"Izglītības veids",
		"Education Type",
		"Required. Choose from the list.",
		required=True,
		kind="choice",
	),
	Column(
		"grade",
		"Klase / kurss",
		"Grade / Vocational Year",
		"Required. A number: grade 1–12 of general education, year 1–4 of vocational education.",
		required=True,
		kind="int",
	),
	Column("class_label", "Klase / grupa", "Class / Group", "For example 7.b or MT-21."),
	Column("status", "Statuss", "Status", "Choose from the list; empty means Active.", kind="choice"),
	Column(
		"consent_date", "Iesnieguma parakstīšanas datums", "Application Signed On", "DD.MM.YYYY.", kind="date"
	),
	Column(
		"consent_given_by",
		"Parakstīja",
		"Signed By",
		"Choose from the list. Required when the application is signed.",
		kind="choice",
	),
	Column(
		"guardian_name",
		"Vecāka vai aizbildņa vārds, uzvārds",
		"Guardian Name",
		"One parent or guardian; name and relation go together.",
	),
	Column("guardian_relation", "Radniecība", "Guardian Relation", "Choose from the list.", kind="choice"),
	Column("guardian_phone", "Vecāka vai aizbildņa tālrunis", "Guardian Phone", "For example +371 20000000."),
	Column("guardian_email", "Vecāka vai aizbildņa e-pasts", "Guardian Email", ""),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
GUARDIAN_KEYS = ("guardian_name", "guardian_relation", "guardian_phone", "guardian_email")

# stored option value -> its Latvian label (the same words as translations/lv.csv; a unit test keeps them so)
CHOICES: dict[str, dict[str, str]] = {
	"education_type": {target_group.GENERAL: "Vispārējā", target_group.VOCATIONAL: "Profesionālā"},
	"status": {
		ACTIVE: "Aktīvs",
		"Left": "Pārtraucis mācības",
		"Graduated": "Absolvējis",
		"Transferred": "Pārcelts",
	},
	"consent_given_by": {
		learners.PARENT: "Vecāks vai aizbildnis",
		learners.ADULT_LEARNER: "Pilngadīgs izglītojamais",
	},
	"guardian_relation": {
		"Mother": "Māte",
		"Father": "Tēvs",
		"Guardian": "Aizbildnis",
		"Foster Parent": "Audžuvecāks",
		"Other": "Cits",
	},
}


def header_key(text) -> str:
	"""How a heading is compared: case, spaces and a trailing required-marker ``*`` do not matter."""
	return " ".join(str(text).replace("*", " ").casefold().split())


# what a heading may say: the Latvian heading, its English name or the Learner field name
HEADINGS: dict[str, str] = {}
for _column in COLUMNS:
	for _alias in (_column.latvian, _column.english, _column.key):
		HEADINGS[header_key(_alias)] = _column.key
