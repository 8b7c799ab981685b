"""Every whitelisted method of frappe and of the app that takes a DocType, a record or a document, read from
their source (functions and Document methods decorated with ``frappe.whitelist``), and the arguments that aim
one of them at a given record."""

import ast
import json
from dataclasses import dataclass, replace
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
	"learner": "Learner",
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
	"create_doc",
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
	"erasure",
)


@dataclass(frozen=True)
class Method:
	path: str  # dotted path of the function, or of the Document class for a document method
	name: str
	params: tuple[str, ...]
	required: tuple[str, ...]
	http: tuple[str, ...]  # allowed HTTP methods; () for any
	document_class: str | None = None  # the Document subclass, for methods called on a record
	route: str | None = None  # a REST route (/api/resource/<doctype>/<name>) instead of /api/method/<path>

	@property
	def destructive(self) -> bool:
		return any(word in self.name for word in DESTRUCTIVE)

	@property
	def label(self) -> str:
		if self.route:
			return f"{self.http[0]} {self.route}"
		return self.path + (f".{self.name}" if self.document_class else "")


def scan(package_dir: Path) -> list[Method]:
	found = []
	for path in sorted(package_dir.rglob("*.py")):
		if "tests" in path.parts or path.name.startswith("test_") or "patches" in path.parts:
			continue
		module = ".".join(path.relative_to(package_dir.parent).with_suffix("").parts).removesuffix(
			".__init__"
		)
		tree = ast.parse(path.read_text(encoding="utf-8"))
		helpers = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
		for node in tree.body:
			functions = [(node, None)] if isinstance(node, ast.FunctionDef) else []
			if isinstance(node, ast.ClassDef):
				functions = [(fn, node.name) for fn in node.body if isinstance(fn, ast.FunctionDef)]
			for fn, cls in functions:
				for decorator in fn.decorator_list:
					call = decorator if isinstance(decorator, ast.Call) else None
					if ast.unparse(call.func if call else decorator) not in ("frappe.whitelist", "whitelist"):
						continue
					positional = tuple(a.arg for a in fn.args.args if a.arg != "self")
					required = positional[: len(positional) - len(fn.args.defaults)]
					params = positional + tuple(a.arg for a in fn.args.kwonlyargs)
					params += tuple(sorted(request_params(fn, helpers) - set(params)))
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


# --- request parameters read from frappe.form_dict -------------------------------------------------------

FORM_DICT = {"frappe.form_dict", "frappe.local.form_dict"}
DICT_METHODS = {"get", "update", "pop", "setdefault", "items", "keys", "values", "copy"}


def request_params(fn: ast.FunctionDef, helpers: dict[str, ast.FunctionDef], depth: int = 0) -> set[str]:
	"""What a function reads from the request besides its own parameters: keys of ``frappe.form_dict``,
	directly or through a dict made from it (``args = get_form_params()``, ``frappe._dict(form_dict)``), in
	its body, in the helper that made the dict and in the helpers of its module it hands that dict to
	(reportview's ``get``, ``get_count``, ``export_query``, ``delete_items``; ``upload_file``)."""
	dicts, keys = set(FORM_DICT), set()
	for node in ast.walk(fn):
		if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
			made = made_from_request(node.value, helpers, dicts, depth)
			if made is not None:
				dicts.add(node.targets[0].id)
				keys |= made
	return keys | keys_read(fn, dicts) | handed_on(fn, dicts, helpers, depth)


def made_from_request(
	value: ast.expr, helpers: dict[str, ast.FunctionDef], dicts: set[str], depth: int
) -> set[str] | None:
	"""None if ``value`` is not the request's dict; else the keys read while making it (by a helper)."""
	text = ast.unparse(value)
	if text in dicts or any(f"({d})" in text for d in FORM_DICT):
		return set()
	if (
		depth < 3
		and isinstance(value, ast.Call)
		and isinstance(value.func, ast.Name)
		and value.func.id in helpers
	):
		helper = helpers[value.func.id]
		returned = {ast.unparse(n.value) for n in ast.walk(helper) if isinstance(n, ast.Return) and n.value}
		local = set(FORM_DICT)
		for node in ast.walk(helper):
			if (
				isinstance(node, ast.Assign)
				and len(node.targets) == 1
				and isinstance(node.targets[0], ast.Name)
			):
				if made_from_request(node.value, {}, local, depth + 1) is not None:
					local.add(node.targets[0].id)
		if returned & local:
			return keys_read(helper, local) | handed_on(helper, local, helpers, depth + 1)
	return None


def keys_read(fn: ast.FunctionDef, dicts: set[str]) -> set[str]:
	keys = set()
	for node in ast.walk(fn):
		if isinstance(node, ast.Attribute) and ast.unparse(node.value) in dicts:
			if node.attr not in DICT_METHODS:
				keys.add(node.attr)
		elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in dicts:
			if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
				keys.add(node.slice.value)
		elif (
			isinstance(node, ast.Call)
			and isinstance(node.func, ast.Attribute)
			and node.func.attr in ("get", "pop", "setdefault")
			and ast.unparse(node.func.value) in dicts
			and node.args
			and isinstance(node.args[0], ast.Constant)
		):
			keys.add(node.args[0].value)
	return {k for k in keys if isinstance(k, str) and k.isidentifier()}


def handed_on(
	fn: ast.FunctionDef, dicts: set[str], helpers: dict[str, ast.FunctionDef], depth: int
) -> set[str]:
	"""Keys read by the module's helpers a request dict is passed to (as their first parameters)."""
	keys = set()
	if depth > 3:
		return keys
	for node in ast.walk(fn):
		if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in helpers:
			helper = helpers[node.func.id]
			names = [a.arg for a in helper.args.args]
			for position, arg in enumerate(node.args[: len(names)]):
				if ast.unparse(arg) in dicts:
					keys |= keys_read(helper, {names[position]})
					keys |= handed_on(helper, {names[position]}, helpers, depth + 1)
	return keys


def rest_routes() -> list[Method]:
	"""The REST API's routes to a DocType or a record (frappe.api.v1), as methods."""
	from frappe.api.v1 import url_rules

	found = []
	for rule in url_rules:
		if "<doctype>" not in rule.rule or not callable(rule.endpoint):
			continue
		params = ("doctype", "name") if "<path:name>" in rule.rule else ("doctype",)
		for http in sorted(rule.methods - {"HEAD", "OPTIONS"}):
			found.append(
				Method(
					f"frappe.api.v1.{rule.endpoint.__name__}",
					rule.endpoint.__name__,
					params,
					params,
					(http,),
					route="/api/resource" + rule.rule.split("/resource", 1)[1],
				)
			)
	return found


def record_methods() -> list[Method]:
	"""Whitelisted methods of frappe and of the app that take a DocType, a record or a document, every
	whitelisted method of a Document (called on a record through run_doc_method and through the REST API's
	``POST /api/resource/<doctype>/<name>``), and the REST API's other record routes."""
	methods = scan(Path(frappe.__file__).parent) + scan(Path(frappe.get_app_path("pumpurs_app")))
	found = [
		m for m in methods if m.document_class or set(m.params) & (RECORD_PARAMS | set(APP_RECORD_PARAMS))
	]
	routes = rest_routes()
	run_method = next(r for r in routes if r.name == "execute_doc_method")
	found += [replace(m, http=run_method.http, route=run_method.route) for m in methods if m.document_class]
	return found + [r for r in routes if r is not run_method]


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
		if method.route:  # the record in the URL (_doctype, _name), the method and its arguments in the body
			return {"_doctype": target.doctype, "_name": target.name, "run_method": method.name, **args}
		return {
			"dt": target.doctype,
			"dn": target.name,
			"method": method.name,
			"args": json.dumps(args, ensure_ascii=False),
		}
	if method.route:
		return route_arguments(method, target, user)
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


def route_arguments(method: Method, target: Target, user: str) -> dict:
	"""The REST API's own parameters: the record in the URL (_doctype, _name), a list filtered to it, a body
	for a write."""
	args = {"_doctype": target.doctype}
	if "name" in method.params:
		args["_name"] = target.name
	if method.name == "document_list":
		args |= {
			"fields": json.dumps(["*"]),
			"filters": json.dumps([[target.doctype, "name", "=", target.name]]),
		}
		if target.parent_doctype:
			args["parent"] = target.parent_doctype
	elif method.name == "create_doc":
		args["data"] = json.dumps({k: v for k, v in target.sent_doc.items() if k != "name"}, default=str)
	elif method.name == "update_doc":  # the record's own text, unchanged
		field = generic("fieldname", target, user)
		args["data"] = json.dumps({field: target.doc.get(field)}, default=str, ensure_ascii=False)
	return args


# parameters that take a second record: another partner's, while the call is aimed at one's own
CROSS_PARAMS = ("new", "new_name", "file_url", "value")


def cross_arguments(method: Method, own: Target, theirs: dict[str, Target], user: str) -> dict | None:
	"""The method aimed at one's own record with another partner's record in a second parameter: merged
	into theirs, their file attached, a link of one's own record set to their record."""
	args = arguments(method, own, user)
	if args is None:
		return None
	if method.document_class and method.name == "rename" and own.doctype in theirs:
		inner = {"name": theirs[own.doctype].name, "merge": 1, "force": 1}
		if method.route:
			return {**args, **inner}
		return {**args, "args": json.dumps(inner)}
	param = next((p for p in CROSS_PARAMS if p in args), None)
	if param in ("new", "new_name") and own.doctype in theirs:
		return {**args, param: theirs[own.doctype].name, "merge": "1", "force": "1"}
	if param == "file_url" and "File" in theirs:
		return {**args, "file_url": theirs["File"].file_url}
	if param == "value" and "fieldname" in args:
		for df in frappe.get_meta(own.doctype).get_link_fields():
			if df.options in theirs and df.options != own.doctype and not df.read_only:
				return {**args, "fieldname": df.fieldname, "value": theirs[df.options].name}
	return None


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
	if param in ("parent", "parent_doctype", "parenttype"):
		return target.parent_doctype
	if param == "items" and method.name == "delete_items":
		return [target.name]
	if param == "file_format_type":
		return "CSV"
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
		"name": f"{target.name}-x",  # a record method's new name (rename)
		"file_format_type": "CSV",
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
