"""Every whitelisted method of frappe and of the app that takes a DocType, a record or a document, read from
their source (functions and Document methods decorated with ``frappe.whitelist``), and the arguments that aim
one of them at a given record."""

import ast
import json
from dataclasses import dataclass
from pathlib import Path

import frappe

# parameters through which a method is told which DocType, record or document to act on
DOCTYPE_PARAMS = {"doctype", "dt", "reference_doctype", "ref_doctype"}
NAME_PARAMS = {"name", "dn", "docname", "doc_name", "reference_name", "old_name", "old", "source_name"}
RECORD_PARAMS = DOCTYPE_PARAMS | NAME_PARAMS | {"doc", "docs", "names", "docnames", "file_url", "parent"}
# the app's own methods name the record after what it is
APP_RECORD_PARAMS = {
	"plan": "Individual Support Plan",
	"support_plan": "Individual Support Plan",
	"source_name": "Individual Support Plan",
	"compensation": "Compensation",
	"learner_import": "Learner Import",
}
# calls that change or remove what they are aimed at: tried on the other partner's records only, never on
# the user's own (their effect on the other's records is checked afterwards)
DESTRUCTIVE = (
	"delete",
	"cancel",
	"submit",
	"rename",
	"remove",
	"merge",
	"amend",
	"bulk",
	"apply_workflow",
	"apply_action",
	"confirm_action",
	"close",
	"unlock",
	"update_reference",
	"relink",
	"set_permission",
	"send_now",
	"execute",
	"import",
	"reset",
	"move",
	"review",
	"mark_as_read",
	"update_order",
	"add_card",
	"unsubscribe",
	"export",
	"make_next_term_plan",
	"set_decision_reason",
	"set_override",
	"get_compensations",
	"start_import",
	"make_auto_repeat",
	"update_page",
	"submit_discussion",
	"delete_communication",
	"create_custom_format",
	"make_default",
	"hide",
	"zip_files",
	"unzip",
	"optimize",
	"add_subscribers",
	"save_report",
)


@dataclass(frozen=True)
class Method:
	path: str  # dotted path of the function, or of the Document class for a document method
	name: str
	params: tuple[str, ...]
	required: tuple[str, ...]
	http: tuple[str, ...]  # allowed HTTP methods; () for any
	document_class: str | None = None  # the Document subclass, for methods called on a record

	@property
	def destructive(self) -> bool:
		return any(word in self.name for word in DESTRUCTIVE)


def scan(package_dir: Path) -> list[Method]:
	found = []
	for path in sorted(package_dir.rglob("*.py")):
		if "tests" in path.parts or path.name.startswith("test_") or "patches" in path.parts:
			continue
		module = ".".join(path.relative_to(package_dir.parent).with_suffix("").parts).removesuffix(
			".__init__"
		)
		tree = ast.parse(path.read_text(encoding="utf-8"))
		for node in tree.body:
			functions = [(node, None)] if isinstance(node, ast.FunctionDef) else []
			if isinstance(node, ast.ClassDef):
				functions = [(fn, node.name) for fn in node.body if isinstance(fn, ast.FunctionDef)]
			for fn, cls in functions:
				for decorator in fn.decorator_list:
					call = decorator if isinstance(decorator, ast.Call) else None
					if ast.unparse(call.func if call else decorator) not in ("frappe.whitelist", "whitelist"):
						continue
					params = tuple(a.arg for a in fn.args.args if a.arg != "self")
					required = params[: len(params) - len(fn.args.defaults)]
					http = ()
					for keyword in call.keywords if call else ():
						if keyword.arg == "methods":
							http = tuple(ast.literal_eval(keyword.value))
					found.append(
						Method(
							f"{module}.{cls}" if cls else f"{module}.{fn.name}",
							fn.name,
							params,
							required,
							http,
							cls,
						)
					)
	return found


def record_methods() -> list[Method]:
	"""Whitelisted methods of frappe and of the app that take a DocType, a record or a document."""
	methods = scan(Path(frappe.__file__).parent) + scan(Path(frappe.get_app_path("pumpurs_app")))
	return [m for m in methods if set(m.params) & (RECORD_PARAMS | set(APP_RECORD_PARAMS))]


@dataclass(frozen=True)
class Target:
	doctype: str
	parent_doctype: str | None
	name: str
	doc: dict  # the record as stored
	file_url: str | None
	search: str  # a text of the record to search for
	# a document sent as JSON names the record (and what it links to) but carries none of its contents: an
	# attacker does not have them, and a response echoing them back would prove nothing
	sent_whole: bool = False

	@property
	def sent_doc(self) -> dict:
		if self.sent_whole:
			return self.doc
		meta = frappe.get_meta(self.doctype)
		keep = {
			"doctype",
			"name",
			"docstatus",
			"modified",
			"parent",
			"parenttype",
			"parentfield",
			"workflow_state",
		}
		keep |= {df.fieldname for df in meta.get_link_fields()}
		return {k: v for k, v in self.doc.items() if k in keep}


def arguments(method: Method, target: Target, user: str) -> dict | None:
	"""The method's arguments aimed at ``target``; None when the method cannot be aimed at it."""
	if method.document_class:
		if method.document_class not in ("Document", target.doctype.replace(" ", "")):
			return None
		args = {p: generic(p, target, user) for p in method.required}
		if None in args.values():
			return None
		return {
			"dt": target.doctype,
			"dn": target.name,
			"method": method.name,
			"args": json.dumps(args, ensure_ascii=False),
		}
	app_doctypes = {APP_RECORD_PARAMS[p] for p in method.params if p in APP_RECORD_PARAMS}
	if app_doctypes and target.doctype not in app_doctypes:
		return None
	args = {}
	for param in method.params:
		value = specific(param, method, target, user)
		if value is None and param in method.required:
			value = generic(param, target, user)
		if value is None:
			if param in method.required:
				return None
			continue
		args[param] = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
	if not set(args) & (RECORD_PARAMS | set(APP_RECORD_PARAMS) | {"filters", "current_filters", "txt"}):
		return None
	return args


def specific(param: str, method: Method, target: Target, user: str):
	"""A value that aims the method at the target, for the parameters that name what to act on."""
	if param in DOCTYPE_PARAMS:
		return target.doctype
	if param in APP_RECORD_PARAMS or param in NAME_PARAMS:
		if param == "name" and "doc" in method.params:
			return target.name  # the print view's (doc=DocType, name=record)
		return target.name
	if param == "doc":
		return target.doctype if "name" in method.params else target.sent_doc
	if param == "action" and method.name == "savedocs":
		return "Save"
	if param in ("docs",):
		return [target.sent_doc]
	if param in ("names", "docnames"):
		return [target.name]
	if param == "parent":
		return target.parent_doctype
	if param in ("filters", "current_filters"):
		return [[target.doctype, "name", "=", target.name]]
	if param == "file_url":
		return target.file_url
	if param == "txt":
		return target.search
	if param == "fields":
		return ["*"]
	if param == "fieldname" and method.name == "get_value":
		return ["*"]
	return None


def generic(param: str, target: Target, user: str):
	"""Plain values for the other parameters a method requires."""
	text_field = next(
		(
			df.fieldname
			for df in frappe.get_meta(target.doctype).fields
			if df.fieldtype in ("Data", "Small Text") and not df.read_only and target.doc.get(df.fieldname)
		),
		"name",
	)
	values = {
		"fieldname": text_field,
		"field": text_field,
		"value": target.doc.get(text_field),
		"user": user,
		"assign_to": [user],
		"action": "Approve",
		"content": "Pārbaude",
		"comment": "Pārbaude",
		"reason": "Pārbaude",
		"tag": "pārbaude",
		"tags": "pārbaude",
		"title": "Pārbaude",
		"reply": "Pārbaude",
		"label": "Pārbaude",
		"following": 1,
		"like": "Yes",
		"add": "Yes",
		"stats": ["name"],
		"start": "2020-01-01",
		"end": "2035-12-31",
		"field_map": {"start": "creation", "end": "modified"},
		"searchfield": "name",
		"page_len": 20,
		"page_length": 20,
		"prev": 0,
		"perm_type": "read",
		"new_name": f"{target.name}-x",
		"new": f"{target.name}-x",
		"points": 1,
		"to_user": user,
		"email": user,
		"filename": "pārbaude.txt",
		"filedata": "cMSBcmJhdWRl",
		"doc_name": target.name,
		"route": "/",
		"print_format": "Standard",
		"report_settings": {},
		"user_settings": {},
		"values": {},
		"listview_settings": {},
		"removed_listview_fields": [],
		"items": [],
		"current_state": target.doc.get("workflow_state") or "Draft",
		"states": [],
		"workflow_state_field": "workflow_state",
		"comment_email": user,
		"comment_by": user,
		"permission_to": "read",
		"type": "location_field",
		"school_year": None,
	}
	return values.get(param)
