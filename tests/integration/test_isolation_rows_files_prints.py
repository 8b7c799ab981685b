"""Channels the first scope model missed, tried over HTTP as users of one partner on the other's records (both
ways) with the same call on their own records as the control: child rows, files and prints."""

import json

import frappe
import pytest

from pumpurs_app.access import SCOPED_CHILD_DOCTYPES, SCOPED_DOCTYPES
from tests.integration.records import MUNICIPAL, OTHER, VOCATIONAL


def test_every_child_table_of_a_scoped_doctype_is_scoped():
	for parent in SCOPED_DOCTYPES:
		for df in frappe.get_meta(parent).get_table_fields():
			assert SCOPED_CHILD_DOCTYPES.get(df.options) == parent, (parent, df.options)


# --- 1. child rows ------------------------------------------------------------------------------------


def child_rows(client, child: str) -> set[str]:
	parent = SCOPED_CHILD_DOCTYPES[child]
	rest = client.get(
		f"/api/resource/{child}", {"parent": parent, "fields": ["parent"], "limit_page_length": 0}
	)
	listed = client.call(
		"frappe.client.get_list", doctype=child, parent=parent, fields=["parent"], limit_page_length=0
	)
	assert rest.status == listed.status == 200, (child, rest.text[:300], listed.text[:300])
	assert sorted(r["parent"] for r in rest.data) == sorted(r["parent"] for r in listed.message)
	return {r["parent"] for r in rest.data}


@pytest.mark.parametrize("side", [MUNICIPAL, VOCATIONAL])
def test_child_rows_only_of_the_users_own_records(world, api, partner_records, side):
	mine, theirs = partner_records[side], partner_records[OTHER[side]]
	tried = 0
	for role, user in mine.users.items():
		client = api(user)
		for child, parent in SCOPED_CHILD_DOCTYPES.items():
			if not frappe.has_permission(parent, "read", user=user):
				continue
			parents = child_rows(client, child)
			assert theirs.records.get(parent) not in parents, (role, child)
			assert all(frappe.has_permission(parent, "read", doc=name, user=user) for name in parents)
			tried += 1
		# the control: a parent the user reads brings its rows
		guardians = child_rows(client, "Learner Guardian")
		assert mine.records["Learner"] in guardians, role
	assert tried >= 20


def test_a_child_row_by_name_is_refused(world, api, partner_records):
	theirs = partner_records[VOCATIONAL]
	row = frappe.get_all(
		"Learner Guardian", {"parent": theirs.records["Learner"], "parenttype": "Learner"}, pluck="name"
	)[0]
	# the control: a guardian of the user's own school's learner
	own = frappe.get_all(
		"Learner Guardian", {"parent": world.learners["a7"], "parenttype": "Learner"}, pluck="name"
	)[0]
	row_by_name_refused(api(world.user("a_author")), "Learner Guardian", "guardian_name", row, own)


def row_by_name_refused(client, child: str, fieldname: str, theirs: str, own: str) -> None:
	"""Another partner's child row asked for by its name is refused, over REST and by frappe.client.get_value;
	the control, a row of the user's own record, is answered."""
	assert client.get(f"/api/resource/{child}/{theirs}").status == 403

	def value(name: str):
		return client.call(
			"frappe.client.get_value",
			doctype=child,
			parent=SCOPED_CHILD_DOCTYPES[child],
			fieldname=fieldname,
			filters={"name": name},
		)

	refused = value(theirs)
	assert refused.status in (200, 403) and not refused.message, refused.text[:300]
	assert value(own).message[fieldname]


# --- 2. files -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", [MUNICIPAL, VOCATIONAL])
def test_files_of_other_partners_are_neither_listed_nor_served(world, api, partner_records, side):
	mine, theirs = partner_records[side], partner_records[OTHER[side]]
	for role, user in mine.users.items():
		client = api(user)
		listed = client.get(
			"/api/resource/File", {"fields": ["file_url", "attached_to_doctype"], "limit_page_length": 0}
		)
		urls = {f["file_url"] for f in listed.data}
		assert not urls & set(theirs.files.values()), role
		for doctype, url in theirs.files.items():
			assert client.request("GET", url).status in (403, 404), (role, doctype)
		readable = {
			d: u
			for d, u in mine.files.items()
			if frappe.has_permission(d, "read", doc=mine.records[d], user=user)
		}
		assert readable and set(readable.values()) <= urls, role  # the control
		for url in readable.values():
			assert client.request("GET", url).status == 200, (role, url)


def own_learner_form(client, name: str) -> dict:
	doc = client.call("frappe.desk.form.load.getdoc", doctype="Learner", name=name).json["docs"][0]
	return {k: v for k, v in doc.items() if not k.startswith("__")}


def test_another_records_file_cannot_be_attached_by_its_url(world, api, partner_records):
	mine, theirs = partner_records[MUNICIPAL], partner_records[VOCATIONAL]
	director = api(mine.users["director"])
	stolen = theirs.files["Compensation Payment Batch"]  # the other partner's SEPA file (payees, IBANs)
	# into an attachment field of one's own record (frappe would attach a copy and then serve it)
	doc = own_learner_form(director, mine.records["Learner"])
	doc["application_file"] = stolen
	saved = director.post(
		"/api/method/frappe.desk.form.save.savedocs", {"doc": json.dumps(doc), "action": "Save"}
	)
	assert saved.status == 403 and "not attached to this" in saved.error_text()
	# a File record naming its URL, by upload or by the REST API
	upload = director.request(
		"POST",
		"/api/method/upload_file",
		data={
			"file_url": stolen,
			"doctype": "Learner",
			"docname": mine.records["Learner"],
			"is_private": "1",
		},
	)
	assert upload.status == 403, upload.text[:300]
	inserted = director.post("/api/resource/File", {"file_url": stolen, "is_private": 1})
	assert inserted.status == 403, inserted.text[:300]
	# into an attachment field of a frappe document the user may change (their own profile picture)
	profile = director.put(f"/api/resource/User/{mine.users['director']}", {"user_image": stolen})
	assert profile.status == 200
	assert director.request("GET", stolen).status in (403, 404)
	assert not frappe.get_all("File", {"file_url": stolen, "owner": mine.users["director"]})
	assert frappe.db.count("File", {"file_url": stolen}) == 1
	director.put(f"/api/resource/User/{mine.users['director']}", {"user_image": ""})
	# the control: a file the director uploads themself is taken
	doc["application_file"] = director.upload("iesniegums-jauns.pdf", b"%PDF-1.4 jauns")
	saved = director.post(
		"/api/method/frappe.desk.form.save.savedocs", {"doc": json.dumps(doc), "action": "Save"}
	)
	assert saved.status == 200, saved.text[:300]


def test_a_file_record_is_not_pointed_at_another_partners_file(world, api, partner_records):
	"""Frappe serves a private file to whoever owns a File record of its URL: one's own File changed to name
	another partner's file, or a folder naming it, would serve it."""
	mine, theirs = partner_records[MUNICIPAL], partner_records[VOCATIONAL]
	user = mine.users["partner accountant"]
	accountant = api(user)
	stolen = theirs.files["Compensation Bank Statement"]  # payees, IBANs, amounts
	own_url = accountant.upload("mans-izraksts.xml", b"<xml>mans</xml>")
	own = frappe.db.get_value("File", {"file_url": own_url, "owner": user})
	try:
		for response in (
			accountant.put(f"/api/resource/File/{own}", {"file_url": stolen}),
			accountant.post(
				"/api/method/frappe.client.set_value",
				{"doctype": "File", "name": own, "fieldname": "file_url", "value": stolen},
			),
			accountant.post(
				"/api/resource/File",
				{"file_name": "mape", "is_folder": 1, "folder": "Home", "file_url": stolen},
			),
		):
			assert response.status == 403, response.text[:300]
		assert accountant.request("GET", stolen).status in (403, 404)
		assert frappe.get_all("File", {"file_url": stolen}, pluck="owner") == [
			theirs.users["partner accountant"]
		]
		# the control: the accountant's own file is theirs to download
		assert accountant.request("GET", own_url).status == 200
	finally:
		frappe.db.rollback()
		made = frappe.get_all("File", {"owner": user, "file_url": ("in", [own_url, stolen])}, pluck="name")
		made += frappe.get_all("File", {"owner": user, "is_folder": 1, "file_name": "mape"}, pluck="name")
		for name in made:
			frappe.db.delete("File", {"name": name})  # the record only: the stolen URL's bytes are theirs
		frappe.db.commit()


def test_a_file_of_a_record_is_neither_renamed_nor_merged(world, api, partner_records):
	"""Frappe lets whoever may change a File merge it, with force, into any other File (another partner's)."""
	mine, theirs = partner_records[MUNICIPAL], partner_records[VOCATIONAL]

	def file_of(side):
		return frappe.db.get_value(
			"File", {"file_url": side.files["Compensation"], "attached_to_doctype": "Compensation"}
		)

	own, target = file_of(mine), file_of(theirs)
	coordinator = api(mine.users["institution coordinator"])  # uploaded the evidence: owns its File
	for path, params in (
		("frappe.rename_doc", {"doctype": "File", "old": own, "new": target, "merge": 1, "force": 1}),
		("frappe.rename_doc", {"doctype": "File", "old": own, "new": f"{own}-x", "force": 1}),
	):
		response = coordinator.post(f"/api/method/{path}", params)
		assert response.status == 403, response.text[:300]
	assert file_of(mine) == own and file_of(theirs) == target
	assert not frappe.db.count("Comment", {"reference_doctype": "File", "reference_name": target})


def test_application_on_file_and_evidence_need_this_records_own_file(world, as_user):
	from tests.integration.files import upload
	from tests.integration.money import new_claim

	other_director = world.user("vet_director")
	someone_elses = upload(other_director, "iesniegums.pdf")
	learner = frappe.get_doc("Learner", world.learners["b9"])  # no application yet
	learner.update({"consent_date": "2024-09-02", "consent_given_by": "Parent or Guardian"})
	learner.application_file = someone_elses
	with (
		as_user(world.user("b_director")),
		pytest.raises(frappe.PermissionError, match="not attached to this"),
	):
		learner.save()
	claim = new_claim(world)
	claim.lines[0].evidence = upload(world.user("a_director"), "biletes.pdf")  # not the enterer's upload
	with as_user(world.user("a_coord")), pytest.raises(frappe.PermissionError, match="not attached to this"):
		claim.insert()


def test_files_of_pumpurs_records_are_private(world, as_user):
	file = frappe.get_doc(
		doctype="File",
		file_name="publisks.pdf",
		content=b"%PDF-1.4 publisks",
		is_private=0,
		attached_to_doctype="Learner",
		attached_to_name=world.learners["a7"],
	)
	with as_user(world.user("a_director")), pytest.raises(frappe.ValidationError, match="private"):
		file.insert()


# --- 3. prints of documents sent whole ------------------------------------------------------------------


def test_an_unsaved_document_is_not_printed(world, api, partner_records):
	theirs = partner_records[VOCATIONAL]
	author = api(world.user("a_author"))
	unsaved = {
		"doctype": "Individual Support Plan",
		"__islocal": 1,
		"name": "new-individual-support-plan-1",
		"learner": theirs.records["Learner"],
		"institution": world.school_a,
		"school_term": world.terms["current_s1"],
		"plan_author": world.user("a_author"),
	}
	response = author.post(
		"/api/method/frappe.www.printview.get_html_and_style",
		{"doc": json.dumps(unsaved), "print_format": "IAP latviski"},
	)
	assert response.status != 200 and "Ieraksts vocational" not in response.text
	assert "Save the document before printing it" in response.error_text()


def test_a_stored_document_sent_whole_is_printed_as_stored(world, api, partner_records):
	mine, theirs = partner_records[MUNICIPAL], partner_records[VOCATIONAL]
	author = api(world.user("a_author"))
	plan = frappe.get_doc("Individual Support Plan", mine.records["Individual Support Plan"]).as_dict()
	plan["learner"] = theirs.records["Learner"]  # another school's learner, by ID
	response = author.post(
		"/api/method/frappe.www.printview.get_html_and_style",
		{"doc": frappe.as_json(plan), "print_format": "IAP latviski"},
	)
	assert response.status == 200, response.text[:300]
	assert "Ieraksts vocational" not in response.message["html"]
	assert "Ieraksts municipal" in response.message["html"]  # the control: the stored plan's learner


# --- 4. the programme's own tables ----------------------------------------------------------------------


def test_a_staff_row_of_another_partners_school_is_refused(world, api):
	theirs = frappe.get_all(
		"Institution Staff Member", {"parent": world.vocational_school}, pluck="name", limit=1
	)[0]
	own = frappe.get_all("Institution Staff Member", {"parent": world.school_a}, pluck="name", limit=1)[0]
	# the control: a school of the coordinator's own partner
	row_by_name_refused(api(world.user("muni_coord")), "Institution Staff Member", "user", theirs, own)


@pytest.fixture
def cap_override_of_the_vocational_partner(world):
	"""An override of a compensation type's caps for the vocational partner, committed for the server."""
	kind = frappe.get_doc("Compensation Type", frappe.get_all("Compensation Type", pluck="name", limit=1)[0])
	row = kind.append(
		"overrides", {"partner": world.vocational_partner, "valid_from": "2020-01-01", "cap_per_month": 40}
	)
	kind.save(ignore_permissions=True)
	frappe.db.commit()
	try:
		yield kind.name, row.name
	finally:
		frappe.db.rollback()
		frappe.db.delete("Compensation Cap Override", {"name": row.name})
		frappe.db.commit()


def test_programme_tables_are_changed_by_ikvd_only(world, api, cap_override_of_the_vocational_partner):
	"""Compensation Cap Override (a partner's caps, public in its binding regulations) and PuMPuRS Programme
	Target are read by every partner's users, to work out caps and targets (another partner's override must not
	hide the compensation type, as frappe's User Permission on Partner would); only IKVD's administrator changes
	them — no partner's user changes another's caps (or its own)."""
	kind, row = cap_override_of_the_vocational_partner
	targets = frappe.get_single("PuMPuRS Settings").as_dict()
	targets["programme_targets"] = [
		*targets["programme_targets"],
		{"school_year": "2099/2100", "target_plans": 1},
	]
	for key in ("muni_coord", "muni_accountant", "a_director", "vet_coord", "vet_accountant"):
		client = api(world.user(key))
		assert client.get(f"/api/resource/Compensation Type/{kind}").status == 200, key
		changed = client.post(
			"/api/method/frappe.client.set_value",
			{
				"doctype": "Compensation Cap Override",
				"name": row,
				"fieldname": "cap_per_month",
				"value": 4000,
			},
		)
		assert changed.status == 403, (key, changed.text[:300])
		saved = client.post("/api/method/frappe.client.save", {"doc": frappe.as_json(targets)})
		assert saved.status == 403, (key, saved.text[:300])
	frappe.db.rollback()
	assert frappe.db.get_value("Compensation Cap Override", row, "cap_per_month") == 40
	assert not frappe.db.exists("PuMPuRS Programme Target", {"school_year": "2099/2100"})

	# the control: IKVD's administrator changes the override
	ikvd = api(world.user("ikvd_admin"))
	changed = ikvd.post(
		"/api/method/frappe.client.set_value",
		{"doctype": "Compensation Cap Override", "name": row, "fieldname": "cap_per_month", "value": 45},
	)
	assert changed.status == 200, changed.text[:300]
	frappe.db.rollback()
	assert frappe.db.get_value("Compensation Cap Override", row, "cap_per_month") == 45
