"""bench commands of pumpurs_app."""

import click
from frappe.commands import get_site, pass_context


@click.command("pumpurs-demo")
@click.option("--scale", type=click.Choice(["small", "project"]), default="small", show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--if-empty", is_flag=True, help="Do nothing when the site already has PuMPuRS data.")
@pass_context
def pumpurs_demo(context, scale: str, seed: int, if_empty: bool) -> None:
	"""Generate realistic PuMPuRS demo data (partners, institutions, terms, users, learners, ...)."""
	import frappe

	from pumpurs_app import demo

	frappe.init(site=get_site(context))
	frappe.connect()
	try:
		if demo.is_loaded():
			if if_empty:
				click.echo("Demo data already loaded; nothing to do.")
				return
			raise click.ClickException("This site already has PuMPuRS data; use a new site for demo data.")
		counts = demo.load(scale, seed)
		click.echo("\nCreated: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
	finally:
		frappe.destroy()


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
