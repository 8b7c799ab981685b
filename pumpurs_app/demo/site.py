"""A new site made for the demo (or the tests) is set up as a Latvian school's site would be: frappe's setup
wizard completed, Latvian regional settings, and a system manager of its own.

A real installation goes into a site whose setup is long done; this only stands in for it. The system manager
must exist before setup counts as complete: frappe otherwise makes the next desk user it saves one.
"""

import frappe
from frappe.utils.password import update_password

SYSTEM_MANAGER = "sistema@pumpurs.demo"


def prepare_site(system_manager: str = SYSTEM_MANAGER, password: str | None = None) -> None:
	if not frappe.db.exists("User", system_manager):
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
	frappe.db.set_default("currency", "EUR")
