"""Every string a user sees ships in Latvian: DocType names, labels, options, descriptions, role names,
workspace and report names, and every message in the code (``_("...")`` and rule violations)."""

import ast
import csv
import json
import re
from pathlib import Path

from pumpurs_app.rules import matching

APP = Path(__file__).resolve().parents[2] / "pumpurs_app"


def latvian() -> dict[tuple[str, str], str]:
	"""(source, context) -> translation; context is "" or the DocType a generic word belongs to."""
	with open(APP / "translations" / "lv.csv", newline="", encoding="utf-8") as f:
		return {(row[0], row[2] if len(row) > 2 else ""): row[1] for row in csv.reader(f) if row}


def doctype_strings() -> set[tuple[str, str]]:
	"""(string, doctype): the desk translates labels and options with their DocType as context."""
	strings = set()
	for path in APP.glob("*/doctype/*/*.json"):
		meta = json.loads(path.read_text())
		strings.add((meta["name"], ""))
		for field in meta.get("fields", []):
			values = [field.get("label"), field.get("description")]
			if field.get("fieldtype") == "Select" and field.get("options"):
				values += field["options"].split("\n")
			strings |= {(value, meta["name"]) for value in values if value}
	return strings


def record_strings() -> set[str]:
	"""Names of reports, workspaces, roles and other records shipped as JSON."""
	strings = set()
	for path in APP.glob("*/report/*/*.json"):
		meta = json.loads(path.read_text())
		strings.add(meta["name"])
	for path in APP.glob("*/workspace/*/*.json"):
		meta = json.loads(path.read_text())
		strings.add(meta["label"])
		strings |= {s["label"] for s in meta.get("shortcuts", [])}
		strings |= {link["label"] for link in meta.get("links", [])}
	return strings


def code_strings() -> set[tuple[str, str]]:
	"""Literal first arguments of ``_()`` and ``_lt()`` (with their literal ``context=``, if any), ``RuleViolation()`` and
	role constants."""
	strings = set()
	for path in APP.rglob("*.py"):
		if "demo" in path.parts:
			continue
		tree = ast.parse(path.read_text())
		for node in ast.walk(tree):
			if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
				name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
				if name in ("_", "_lt", "RuleViolation") and isinstance(node.args[0].value, str):
					context = next(
						(
							k.value.value
							for k in node.keywords
							if k.arg == "context" and isinstance(k.value, ast.Constant)
						),
						"",
					)
					strings.add((node.args[0].value, context))
			if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
				if isinstance(node.value.value, str) and node.value.value.startswith("PuMPuRS "):
					strings.add((node.value.value, ""))
	return strings


# __("literal"), or __("literal", args, "context")
JS_CALL = re.compile(r"""__\(\s*"((?:[^"\\]|\\.)*)"(?:\s*,\s*(?:null|\[[^\]]*\])\s*,\s*"([^"]*)")?""")
# words the desk's scripts use as frappe itself does: frappe's own translations apply
FRAPPE_WORDS = {"From", "To", "Status", "Import"}


def js_strings() -> set[tuple[str, str]]:
	"""Literal first arguments of ``__()`` in the desk's scripts, with their literal context, if any."""
	strings = set()
	for path in APP.rglob("*.js"):
		for text, context in JS_CALL.findall(path.read_text()):
			if text not in FRAPPE_WORDS:
				strings.add((text.replace('\\"', '"'), context))
	return strings


def test_js_strings_are_found():
	found = js_strings()
	assert ("{0} compensations added", "") in found
	assert ("Group by", "Risk Profile") in found


def test_every_user_visible_string_has_a_latvian_translation():
	lv = latvian()
	wanted = doctype_strings() | code_strings() | js_strings() | {(s, "") for s in record_strings()}
	wanted |= {(reason, "") for reason in matching.REASONS}
	missing = sorted(f"{s}  [{c}]" if c else s for s, c in wanted if (s, "") not in lv and (s, c) not in lv)
	assert not missing, "missing in translations/lv.csv:\n" + "\n".join(missing)


def test_translations_keep_placeholders():
	for (source, _context), target in latvian().items():
		for placeholder in ("{0}", "{1}", "{2}"):
			assert (placeholder in source) == (placeholder in target), (source, target)
		named = {part.split("}")[0] for part in source.split("{")[1:] if "}" in part}
		for name in named:
			assert "{" + name + "}" in target, (source, target)
