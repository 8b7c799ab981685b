"""The risk catalogue the programme reported by (IKVD's four risk groups and their examples), installed once;
the administrator edits it from then on."""

import frappe

from pumpurs_app.rules import support_plans as plans

# English name (the record's name), Latvian name, risk group
RISK_FACTORS = [
	("Unexcused absences", "Neattaisnoti kavējumi", plans.LEARNING),
	("Learning difficulties", "Mācīšanās grūtības", plans.LEARNING),
	("Low learning motivation", "Zema mācību motivācija", plans.LEARNING),
	("Conflicts with classmates or teachers", "Konflikti ar klasesbiedriem vai pedagogiem", plans.LEARNING),
	("Violence", "Vardarbība", plans.LEARNING),
	("Special needs", "Speciālās vajadzības", plans.SOCIAL),
	("Long illness", "Ilgstoša slimība", plans.SOCIAL),
	("Pregnancy or small children", "Grūtniecība vai mazi bērni", plans.SOCIAL),
	("Marriage or relationships", "Laulība vai attiecības", plans.SOCIAL),
	("Addiction", "Atkarības", plans.SOCIAL),
	("Ill parents or relatives", "Slimi vecāki vai tuvinieki", plans.SOCIAL),
	("Hard to get to school", "Grūtības nokļūt izglītības iestādē", plans.ECONOMIC),
	("Material conditions", "Materiālie apstākļi", plans.ECONOMIC),
	("Duties at home", "Pienākumi mājās", plans.ECONOMIC),
	("Family crisis", "Krīze ģimenē", plans.FAMILY),
	("Parents working abroad", "Vecāki strādā ārzemēs", plans.FAMILY),
	("Lack of parental support", "Vecāku atbalsta trūkums", plans.FAMILY),
]


def create_risk_factors() -> None:
	for name, name_lv, group in RISK_FACTORS:
		if not frappe.db.exists("Risk Factor", name):
			frappe.get_doc(
				doctype="Risk Factor", factor_name=name, factor_name_lv=name_lv, risk_group=group
			).insert(ignore_permissions=True)
