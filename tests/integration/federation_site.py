"""Steps on the federation tests' sites (two partner sites and the national hub), each in a process of its own
(the test's process is connected to the test site): ``python -m tests.integration.federation_site SITE
SITES_PATH STEP [ARGUMENTS_JSON]`` commits the step and prints its result as JSON on the last line."""

import json
import sys

import frappe
from frappe.utils.password import get_decrypted_password, update_password

from pumpurs_app import access
from pumpurs_app.federation import exchange, hub, partner_site
from pumpurs_app.rules import federation as rules
from tests.integration import plans
from tests.integration import world as world_module

HUB_DECIDER = "ikvd.decider@hub.pumpurs.invalid"  # a regional coordinator the partner sites do not know


def prepare(mode: str, partner: str | None = None) -> dict:
	"""The shared test world, the site's mode, and a desk that is set up; the hub gets a decider of its own."""
	world = world_module.build()
	settings = frappe.get_single("PuMPuRS Settings")
	settings.update({"federation_mode": mode, "site_partner": partner})
	if mode == rules.PARTNER_SITE:  # the hub's address comes with the connection (configure)
		settings.update({"hub_url": "http://127.0.0.1", "hub_api_key": "none", "hub_api_secret": "none"})
	settings.save()
	frappe.db.set_single_value("System Settings", "setup_complete", 1)
	if mode == rules.NATIONAL_HUB and not frappe.db.exists("User", HUB_DECIDER):
		frappe.get_doc(
			doctype="User",
			email=HUB_DECIDER,
			first_name="Ilze",
			last_name="Lēmēja",
			send_welcome_email=0,
			roles=[{"role": access.REGIONAL_COORDINATOR}],
		).insert()
		update_password(HUB_DECIDER, world_module.PASSWORD)
	return {"users": world.users, "learners": world.learners, "terms": world.terms}


def register(partner: str) -> dict:
	"""IKVD's administrator gives a partner's site its key pair at the hub."""
	return hub.register_partner_site(partner)


def configure(hub_url: str, api_key: str, api_secret: str) -> dict:
	settings = frappe.get_single("PuMPuRS Settings")
	settings.update({"hub_url": hub_url, "hub_api_key": api_key, "hub_api_secret": api_secret})
	settings.save()
	return {}


def site_keys(partner: str) -> dict:
	"""The key pair the hub delivers decisions with at ``partner``'s site."""
	return {
		"api_key": frappe.db.get_value("PuMPuRS Partner Site", partner, "site_api_key"),
		"api_secret": get_decrypted_password("PuMPuRS Partner Site", partner, "site_api_secret"),
	}


def make_plan(learner: str, author: str, term: str) -> str:
	"""A draft plan written by ``author`` (a world user key), as the form would save it."""
	world = world_module.build()
	return plans.make_plan(world, learner=learner, author=author, term=term).name


def same_child_at_the_vocational_school(learner: str, twin: str) -> dict:
	"""The child ``twin`` of the municipality's school is also registered at the vocational school as
	``learner`` (two partners' sites know nothing of each other's registers): ``learner`` gets the twin's
	personal code, the twin leaves this site's municipality register."""
	world = world_module.build()
	code = frappe.db.get_value("Learner", world.learners[twin], "personal_code")
	frappe.db.set_value("Learner", world.learners[twin], {"status": "Left", "active_personal_code": None})
	frappe.db.set_value(
		"Learner", world.learners[learner], {"personal_code": code, "active_personal_code": code}
	)
	return {"personal_code": code}


def send_due() -> list:
	"""The scheduler's run of the outbox (every minute) once the messages' wait has passed."""
	frappe.db.set_value(
		"PuMPuRS Sync Log", {"status": rules.FAILED}, "next_attempt_on", frappe.utils.now_datetime()
	)
	exchange.send_due()
	return []


def fetch() -> int:
	"""The partner site's scheduler takes what the hub holds for it."""
	return partner_site.fetch_from_hub()


def figures(partner: str, term: str) -> dict:
	return partner_site.term_figures(partner, term)


def outbox(reference: str) -> list:
	return frappe.get_all(
		"PuMPuRS Sync Log",
		filters={"reference_name": reference},
		fields=[
			"name",
			"direction",
			"message_type",
			"status",
			"attempts",
			"sequence",
			"last_error",
			"payload",
		],
		order_by="name asc",
	)


def user(email: str) -> dict:
	return frappe.db.get_value("User", email, ["enabled", "full_name"], as_dict=True) or {}


def comments(reference: str) -> list:
	return frappe.get_all(
		"Comment", filters={"reference_name": reference, "comment_type": "Info"}, pluck="content"
	)


STEPS = {
	fn.__name__: fn
	for fn in (
		prepare,
		register,
		configure,
		site_keys,
		make_plan,
		same_child_at_the_vocational_school,
		send_due,
		fetch,
		figures,
		outbox,
		user,
		comments,
	)
}

if __name__ == "__main__":
	site, sites_path, step = sys.argv[1:4]
	arguments = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.flags.in_test = True
	frappe.set_user("Administrator")
	try:
		result = STEPS[step](**arguments)
		frappe.db.commit()
	finally:
		frappe.destroy()
	print(json.dumps(result, default=str))
