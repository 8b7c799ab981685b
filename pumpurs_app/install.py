"""Install hooks: defaults an administrator may later edit are created here once; patches upgrade them."""

from pumpurs_app.setup.roles import create_missing_roles


def before_install() -> None:
	# DocType permissions name these roles, so they exist before the DocTypes are synced
	create_missing_roles()


def after_install() -> None:
	pass
