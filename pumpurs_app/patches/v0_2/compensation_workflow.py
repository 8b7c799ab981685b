"""Sites installed before compensations existed get the compensation workflow (new sites get it at install)."""

from pumpurs_app.setup.workflows import create_compensation_workflow


def execute() -> None:
	create_compensation_workflow()
