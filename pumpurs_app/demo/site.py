"""A new site made for the demo (or the tests) is set up as a Latvian school's site would be: frappe's setup
wizard completed, Latvian regional settings, and a system manager of its own.

A real installation goes into a site whose setup is long done; this only stands in for it. Once setup is
complete, frappe makes the next desk user it saves a System Manager if the site has none, so one is created
here, in the site's own time zone.
"""

import frappe
from frappe.utils.password import update_password

SYSTEM_MANAGER = "sistema@pumpurs.demo"


def prepare_site(system_manager: str = SYSTEM_MANAGER, password: str | None = None) -> None:
	settings = frappe.get_single("System Settings")
	settings.update(
		{
			"country": "Latvia",
			"time_zone": "Europe/Riga",
			"language": "lv",
			"date_format": "dd.mm.yyyy",
			"time_format": "HH:mm",
			"number_format": "#.###,##",
			"currency_precision": "2",
			"first_day_of_the_week": "Monday",
			"setup_complete": 1,
		}
	)
	settings.flags.ignore_mandatory = True
	settings.save(ignore_permissions=True)
	if hasattr(frappe.local, "system_settings"):
		del frappe.local.system_settings  # this process would keep the old time zone
	frappe.db.set_default("currency", "EUR")
	if not frappe.db.exists("User", system_manager):
		# with System Manager from the start, so frappe (setup being complete) does not make someone else one
		frappe.get_doc(
			doctype="User",
			email=system_manager,
			first_name="Sistēmas",
			last_name="administrators",
			send_welcome_email=0,
			user_type="System User",
			roles=[{"role": "System Manager"}],
		).insert(ignore_permissions=True)
		if password:
			update_password(system_manager, password)
