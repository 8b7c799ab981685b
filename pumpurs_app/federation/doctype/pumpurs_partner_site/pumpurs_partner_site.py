from pumpurs_app.documents import ServerOnlyMethods


class PuMPuRSPartnerSite(ServerOnlyMethods):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		connected_on: DF.Datetime | None
		hub_user: DF.Link | None
		partner: DF.Link
		site_api_key: DF.Data | None
		site_api_secret: DF.Password | None
		site_url: DF.Data | None
	# end: auto-generated types
	pass
