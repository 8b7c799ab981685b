"""HTTP requests to the real frappe WSGI application, as a logged-in user.

Each request runs in its own thread, as a web worker would: frappe initialises the site from the request
(``X-Frappe-Site-Name``), opens its own database connection, checks the session cookie and tears everything
down afterwards, without touching the test's own connection or transaction.
"""

import json
import threading
from dataclasses import dataclass
from typing import Any

from werkzeug.test import Client


@dataclass
class Response:
	status: int
	body: bytes
	headers: dict

	@property
	def json(self) -> Any:
		return json.loads(self.body or b"null")

	@property
	def text(self) -> str:
		return self.body.decode("utf-8", "replace")

	@property
	def message(self) -> Any:
		return self.json.get("message")

	@property
	def data(self) -> Any:
		return self.json.get("data")

	def error_text(self) -> str:
		"""Frappe's server messages (what the desk shows the user), flattened to text."""
		payload = self.json or {}
		messages = [
			json.loads(m).get("message", "") for m in json.loads(payload.get("_server_messages", "[]"))
		]
		return " ".join(messages + [payload.get("exception", "") or ""])


class Api:
	def __init__(self, site: str) -> None:
		from frappe.app import application

		self.site = site
		self.client = Client(application, use_cookies=True)

	def request(self, method: str, path: str, **kwargs) -> Response:
		headers = {"X-Frappe-Site-Name": self.site, "Accept": "application/json", **kwargs.pop("headers", {})}
		result = {}

		def run() -> None:
			result["response"] = self.client.open(path, method=method, headers=headers, **kwargs)

		worker = threading.Thread(target=run)
		worker.start()
		worker.join()
		response = result["response"]
		return Response(response.status_code, response.get_data(), dict(response.headers))

	def get(self, path: str, params: dict | None = None) -> Response:
		query = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in (params or {}).items()}
		return self.request("GET", path, query_string=query)

	def post(self, path: str, data: dict | None = None) -> Response:
		return self.request("POST", path, json=data or {})

	def put(self, path: str, data: dict) -> Response:
		return self.request("PUT", path, json=data)

	def delete(self, path: str) -> Response:
		return self.request("DELETE", path)

	def upload(self, file_name: str, content: bytes, **fields) -> str:
		"""A private file uploaded as the desk's uploader does (committed by the request); its URL."""
		import io

		data = {"is_private": "1", **fields, "file": (io.BytesIO(content), file_name)}
		response = self.request("POST", "/api/method/upload_file", data=data)
		assert response.status == 200, f"upload of {file_name} failed: {response.text[:300]}"
		return response.message["file_url"]

	def login(self, user: str, password: str) -> "Api":
		response = self.post("/api/method/login", {"usr": user, "pwd": password})
		assert response.status == 200, f"login of {user} failed: {response.text[:300]}"
		return self

	def call(self, method: str, **params) -> Response:
		"""A whitelisted method, as the desk calls it (GET for reads)."""
		return self.get(f"/api/method/{method}", params)
