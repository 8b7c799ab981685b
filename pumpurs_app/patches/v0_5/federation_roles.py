"""The roles of the accounts partner sites and the national hub use with each other."""

from pumpurs_app.setup.roles import create_missing_roles


def execute() -> None:
	create_missing_roles()
