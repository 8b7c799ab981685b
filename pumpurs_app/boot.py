"""What the desk needs to know at login (number cards filter by the current term)."""

from pumpurs_app.registers.doctype.school_term.school_term import current_term


def boot_session(bootinfo) -> None:
	bootinfo.pumpurs = {"current_term": current_term()}
