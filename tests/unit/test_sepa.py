import re
import xml.etree.ElementTree as ElementTree
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema

from pumpurs_app.rules import RuleViolation
from pumpurs_app.rules.sepa import (
	PaymentLine,
	aggregate,
	build_pain001,
	check_schema,
	end_to_end_id,
	remittance_text,
	sepa_text,
	strip_personal_codes,
)

D = Decimal
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
XSD = xmlschema.XMLSchema(Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd")
SCHOOL_IBAN = "LV80BANK0000435195001"
PARENT_IBAN = "LV97HABA0012345678910"
OTHER_IBAN = "DE89370400440532013000"
OLD_CODE = "161175-19997"
NEW_CODE = "32345678901"


def pay(
	key: str, amount: str, iban: str = PARENT_IBAN, name: str = "Jānis Bērziņš", text: str = ""
) -> PaymentLine:
	return PaymentLine(key, name, iban, None, D(amount), text or f"PuMPuRS kompensācija {key}")


def build(payments, **kwargs) -> ElementTree.Element:
	xml = build_pain001(
		kwargs.pop("debtor_name", "Jelgavas 4. sākumskola"),
		kwargs.pop("debtor_iban", SCHOOL_IBAN),
		kwargs.pop("debtor_bic", None),
		kwargs.pop("message_id", "KPB-2026-00003"),
		kwargs.pop("execution_date", date(2026, 10, 5)),
		payments,
		created=datetime(2026, 10, 1, 9, 30),
		**kwargs,
	)
	XSD.validate(xml.decode())  # our own check against the schema, not only sepaxml's
	return ElementTree.fromstring(xml)


def texts(document, path: str) -> list[str]:
	return [node.text for node in document.findall(path, NS)]


def test_file_is_valid_and_sums_are_exact():
	payments = [
		pay(f"KPB-2026-00003-{n:04d}", amount) for n, amount in enumerate(["0.10", "0.20", "1234.56"], 1)
	]
	document = build(payments)
	assert texts(document, ".//p:GrpHdr/p:MsgId") == ["KPB-2026-00003"]
	assert texts(document, ".//p:GrpHdr/p:CreDtTm") == ["2026-10-01T09:30:00"]
	assert texts(document, ".//p:GrpHdr/p:NbOfTxs") == ["3"]
	assert texts(document, ".//p:GrpHdr/p:CtrlSum") == ["1234.86"]
	assert texts(document, ".//p:PmtInf/p:CtrlSum") == ["1234.86"]
	assert texts(document, ".//p:PmtInf/p:ReqdExctnDt") == ["2026-10-05"]
	assert texts(document, ".//p:PmtInf/p:PmtInfId") == ["KPB-2026-00003-001"]
	assert texts(document, ".//p:PmtInf/p:BtchBookg") == ["false"]  # one statement line per payment
	assert texts(document, ".//p:InstdAmt") == ["0.10", "0.20", "1234.56"]
	assert sum(D(amount) for amount in texts(document, ".//p:InstdAmt")) == D("1234.86")
	assert texts(document, ".//p:EndToEndId") == [p.key for p in payments]
	assert texts(document, ".//p:Cdtr/p:Nm") == ["Janis Berzins"] * 3  # SEPA basic Latin
	assert texts(document, ".//p:Ustrd")[0] == "PuMPuRS kompensacija KPB-2026-00003-0001"
	# the debtor's bank is unknown to schwifty for this IBAN: the agent is "not provided"
	assert texts(document, ".//p:DbtrAgt/p:FinInstnId/p:Othr/p:Id") == ["NOTPROVIDED"]


def test_bics_when_known():
	payment = PaymentLine("K-1", "Anna", PARENT_IBAN, "habalv22", D("5.00"), "Biļetes")
	document = build([payment], debtor_iban=PARENT_IBAN, batch_booking=True)
	assert texts(document, ".//p:DbtrAgt/p:FinInstnId/p:BIC") == ["HABALV22XXX"]  # derived from the IBAN
	assert texts(document, ".//p:CdtrAgt/p:FinInstnId/p:BIC") == ["HABALV22"]
	assert texts(document, ".//p:BtchBookg") == ["true"]
	with pytest.raises(RuleViolation, match="another country"):
		build([PaymentLine("K-1", "Anna", PARENT_IBAN, "COBADEFFXXX", D("5.00"), "x")])


def test_no_personal_code_reaches_the_file():
	text = f"Kompensācija skolēnam {OLD_CODE}, p.k. 16117519997 un {NEW_CODE}; ceļš 32123-45678"
	document = build([pay("K-1", "3.00", text=text)])
	for remittance in texts(document, ".//p:Ustrd"):
		assert "19997" not in remittance and NEW_CODE not in remittance
		assert remittance == "Kompensacija skolenam, p.k. un, cels 32123-45678"


def test_strip_personal_codes_keeps_other_numbers():
	assert strip_personal_codes(f"a {OLD_CODE} b") == "a b"
	assert strip_personal_codes("x 32123456789y") == "x y"
	assert strip_personal_codes("160575 12345") == ""
	# IBANs, registration numbers (4/9…), invoice numbers and dates stay
	kept = f"{PARENT_IBAN} 40003521600 90000074738 Rēķins 2026001 05.10.2026 1234567890123"
	assert strip_personal_codes(kept) == kept


def test_end_to_end_ids_are_safe_short_unique_and_stable():
	assert end_to_end_id("KPB-2026-00003-0001") == "KPB-2026-00003-0001"
	odd = ["KPB 2026/00003#0001", "KPB 2026/00003#0002", "Ā" * 50, "KPB-2026-00003-0001-" + "9" * 30]
	ids = [end_to_end_id(key) for key in odd]
	assert len(set(ids)) == len(odd)
	for value in ids:
		assert len(value) <= 35
		assert all(char.isascii() and (char.isalnum() or char == "-") for char in value)
	assert ids == [end_to_end_id(key) for key in odd]
	assert ids[0].startswith("KPB-2026-00003-0001-")


def test_aggregation_per_iban_sums_exactly_and_maps_back():
	lines = [
		pay("L-1", "0.10", text="Oktobra biļetes"),
		pay("L-2", "12.35", OTHER_IBAN, "Anna Liepa"),
		pay(
			"L-3", "0.20", iban="lv97 haba 0012 3456 7891 0", name=" JĀNIS  BĒRZIŅŠ", text="Novembra biļetes"
		),
		pay("L-4", "1.00", text="Oktobra biļetes"),  # same text once only
	]
	result = aggregate(lines, per_iban=True)
	assert [(p.key, p.amount, keys) for p, keys in result] == [
		("L-1", D("1.30"), ["L-1", "L-3", "L-4"]),
		("L-2", D("12.35"), ["L-2"]),
	]
	first = result[0][0]
	assert first.payee_name == "Jānis Bērziņš" and first.iban == PARENT_IBAN
	assert first.remittance == "Oktobra biļetes; Novembra biļetes"
	single = aggregate(lines, per_iban=False)
	assert [(p.key, keys) for p, keys in single] == [
		("L-1", ["L-1"]),
		("L-2", ["L-2"]),
		("L-3", ["L-3"]),
		("L-4", ["L-4"]),
	]
	document = build([p for p, _keys in result])
	assert texts(document, ".//p:CtrlSum") == ["13.65", "13.65"]
	assert texts(document, ".//p:EndToEndId") == ["L-1", "L-2"]


def test_long_remittance_is_cut_with_an_ellipsis():
	parts = [f"Kompensācija KMP-2026-{n:05d} par oktobri, personas kods {OLD_CODE}" for n in range(10)]
	text = remittance_text(parts)
	assert len(text) <= 140 and text.endswith("…")
	assert "19997" not in text
	assert remittance_text(["Īss teksts"]) == "Īss teksts"
	lines = [pay(f"L-{n}", "1.00", text=part) for n, part in enumerate(parts)]
	((payment, keys),) = aggregate(lines, per_iban=True)
	assert payment.remittance == text and len(keys) == 10
	(ustrd,) = texts(build([payment]), ".//p:Ustrd")
	assert len(ustrd) <= 140 and ustrd.endswith("...")


def test_sepa_text_limits_characters_and_length():
	assert sepa_text('SIA "Ābols & Co" <info@x.lv>; Rīga', 70) == "SIA Abols Co info x.lv, Riga"
	long_name = "Pašvaldības aģentūra " * 6
	assert len(long_name) > 70
	document = build([pay("K-1", "1.00", name=long_name)], debtor_name=long_name)
	for name in texts(document, ".//p:Nm"):
		assert len(name) <= 70 and name.startswith("Pasvaldibas agentura")


def test_refusals():
	with pytest.raises(RuleViolation, match="at least one payment"):
		build([])
	with pytest.raises(RuleViolation, match="not a valid IBAN"):
		build([pay("K-1", "1.00", iban="LV80BANK0000435195002")])
	with pytest.raises(RuleViolation, match="not a valid IBAN"):
		build([pay("K-1", "1.00")], debtor_iban="LV00")
	for amount in ("0.00", "-1.00"):
		with pytest.raises(RuleViolation, match="greater than zero"):
			build([pay("K-1", amount)])
		with pytest.raises(RuleViolation, match="greater than zero"):
			aggregate([pay("K-1", amount)], per_iban=True)
	with pytest.raises(RuleViolation, match="more than two decimals"):
		build([pay("K-1", "1.001")])
	with pytest.raises(RuleViolation, match="no payee name"):
		build([pay("K-1", "1.00", name="  ")])
	with pytest.raises(RuleViolation, match="no remittance text"):
		build([PaymentLine("K-1", "Anna", PARENT_IBAN, None, D("1.00"), OLD_CODE)])
	with pytest.raises(RuleViolation, match="Message ID"):
		build([pay("K-1", "1.00")], message_id="KPB/2026 00003")
	with pytest.raises(RuleViolation, match="appears twice"):
		aggregate([pay("K-1", "1.00"), pay("K-1", "2.00")], per_iban=False)
	with pytest.raises(RuleViolation, match="same end-to-end ID"):
		build([pay("K-1", "1.00"), pay("K-1", "2.00")])


def test_five_thousand_payments():
	payments = [
		pay(f"KPB-2026-00042-{n:04d}", f"{n % 97 + 1}.{n % 100:02d}", text=f"Kompensācija {OLD_CODE}")
		for n in range(5000)
	]
	document = build(payments)
	expected = sum((p.amount for p in payments), D("0.00"))
	assert texts(document, ".//p:GrpHdr/p:NbOfTxs") == ["5000"]
	assert D(texts(document, ".//p:GrpHdr/p:CtrlSum")[0]) == expected
	assert sum(D(amount) for amount in texts(document, ".//p:InstdAmt")) == expected
	ids = texts(document, ".//p:EndToEndId")
	assert len(set(ids)) == 5000 and ids[17] == "KPB-2026-00042-0017"
	assert set(texts(document, ".//p:Ustrd")) == {"Kompensacija"}


def test_a_file_that_fails_the_schema_is_refused_with_the_schemas_reason():
	"""The file is checked against the schema with libxml2 (xmlschema, above, agrees on the good one)."""
	xml = build_pain001(
		"Jelgavas 4. sākumskola", SCHOOL_IBAN, None, "KPB-1", date(2026, 10, 5), [pay("L1", "12.50")]
	)
	check_schema(xml)
	tampered = re.sub(rb"<CtrlSum>[^<]+</CtrlSum>", b"<CtrlSum>vienpadsmit</CtrlSum>", xml, count=1)
	with pytest.raises(RuleViolation, match="does not pass the pain.001.001.03 schema: .*CtrlSum"):
		check_schema(tampered)
