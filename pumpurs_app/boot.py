"""What the desk needs to know at login (number cards filter by the current term; a partner site's plan forms
say that IKVD decides at the hub)."""

from frappe.utils import getdate, nowdate

from pumpurs_app.federation.exchange import mode
from pumpurs_app.registers.doctype.school_term.school_term import current_term
from pumpurs_app.rules.school_terms import school_year_of


def boot_session(bootinfo) -> None:
	bootinfo.pumpurs = {
		"current_term": current_term(),
		"current_school_year": school_year_of(getdate(nowdate())),
		"federation_mode": mode(),
	}
