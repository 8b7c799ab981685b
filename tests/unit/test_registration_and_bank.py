import pytest

from pumpurs_app.rules import RuleViolation, bank, registration


def test_registration_number_of_legal_entity():
	assert registration.normalize_registration_number("LV 4000 3521 600") == "40003521600"
	assert registration.normalize_registration_number("90000074738") == "90000074738"
	with pytest.raises(RuleViolation, match="not a valid"):
		registration.normalize_registration_number("40003521601")
	with pytest.raises(RuleViolation, match="personal code"):
		registration.normalize_registration_number("161175-19997")


def test_institution_code_is_ten_digits():
	assert registration.normalize_institution_code("41 129 00387") == "4112900387"
	for bad in ("411290038", "41129003871", "41129O0387", ""):
		with pytest.raises(
			RuleViolation, match=rf"^{bad} is not a valid institution registration code \(ten digits\)\.$"
		):
			registration.normalize_institution_code(bad)


def test_iban_is_validated_and_compacted():
	assert bank.normalize_iban("lv80 bank 0000 4351 9500 1") == "LV80BANK0000435195001"
	with pytest.raises(RuleViolation, match="not a valid IBAN"):
		bank.normalize_iban("LV80BANK0000435195002")  # one digit off: checksum
	with pytest.raises(RuleViolation, match="not a LV IBAN"):
		bank.normalize_iban("DE89370400440532013000", country="LV")


def test_bic_derived_from_iban_or_checked():
	assert bank.normalize_bic("", "LV97HABA0012345678910") == "HABALV22XXX"
	assert bank.normalize_bic("habalv22", "LV97HABA0012345678910") == "HABALV22"
	with pytest.raises(RuleViolation, match="not a valid BIC"):
		bank.normalize_bic("HAB", "LV97HABA0012345678910")
	with pytest.raises(RuleViolation, match="another country"):
		bank.normalize_bic("COBADEFFXXX", "LV97HABA0012345678910")
