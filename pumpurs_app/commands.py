"""bench commands of pumpurs_app."""

from collections.abc import Mapping

import click
from frappe import _
from frappe.commands import get_site, pass_context

from pumpurs_app.rules.sites import is_development_site


@click.command("pumpurs-demo")
@click.option("--scale", type=click.Choice(["small", "project"]), default="small", show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when the site already has PuMPuRS data.")
@click.option(
	"--force", is_flag=True, help="Load the demo into a site that is not a development or test site."
)
@pass_context
def pumpurs_demo(context, scale: str, seed: int, if_empty: bool, force: bool) -> None:
	"""Generate realistic PuMPuRS demo data (partners, institutions, terms, users, learners, ...)."""
	import frappe

	from pumpurs_app import demo

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		if not force:
			refuse_unless_development_site(site, frappe.conf)
		if demo.is_loaded():
			if if_empty:
				click.echo("Demo data already loaded; nothing to do.")
				return
			raise click.ClickException("This site already has PuMPuRS data; use a new site for demo data.")
		counts = demo.load(scale, seed)
		click.echo("\nCreated: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
	finally:
		frappe.destroy()


def refuse_unless_development_site(site: str, conf: Mapping) -> None:
	"""The demo sets System Settings and publishes its users' password: only on a site made for that."""
	if not is_development_site(site, conf):
		raise click.ClickException(
			_(
				"{0} is not a development or test site (its site config sets neither developer_mode nor allow_tests and its name does not end in .localhost), and the demo changes its System Settings and creates about 80 users with a published password. To load it anyway, add --force."
			).format(site)
		)


@click.command("pumpurs-demo-logins")
@pass_context
def pumpurs_demo_logins(context) -> None:
	"""Print one demo login per role."""
	import frappe

	from pumpurs_app.demo.registers import DEMO_PASSWORD, SHOWCASE

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		click.echo(f"\n{'Role':34} {'Login':38} Where")
		for email, role, _first, _last, where in SHOWCASE:
			if frappe.db.exists("User", email):
				click.echo(f"{role:34} {email:38} {where}")
		click.echo(f"\nPassword for every demo login: {DEMO_PASSWORD}   (Administrator: admin)")
	finally:
		frappe.destroy()


commands = [pumpurs_demo, pumpurs_demo_logins]
