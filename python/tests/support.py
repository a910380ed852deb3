"""What the tests share: a schema check against the generated JSON Schema, the real
server's coordinates (from the environment the vitest driver sets), reading events back
through its API, and a recording proxy in front of it."""

from __future__ import annotations

import gzip
import http.client
import http.server
import json
import os
import re
import socket
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA_PATH = os.path.join(ROOT, "schemas", "telemetry", "model_events.schema.json")

ENDPOINT = os.environ.get("FMO_ENDPOINT")
API_KEY = os.environ.get("FMO_API_KEY")
ADMIN_TOKEN = os.environ.get("FMO_TEST_ADMIN_TOKEN")
TENANT = os.environ.get("FMO_TEST_TENANT")
MANIFEST = os.environ.get("FMO_TEST_MANIFEST")
HAVE_SERVER = bool(ENDPOINT and API_KEY and ADMIN_TOKEN and TENANT)

needs_server = unittest.skipUnless(
    HAVE_SERVER,
    "needs a real server: FMO_ENDPOINT, FMO_API_KEY, FMO_TEST_ADMIN_TOKEN, FMO_TEST_TENANT "
    "(packages/server/test/e2e/python-middleware.test.ts sets them)",
)

META = dict(model_name="py-test-model", model_version="1.0.0", stage="parse", operation="parse")


def unique(prefix: str = "py") -> str:
    return "%s-%s" % (prefix, os.urandom(5).hex())


def temp_dir() -> str:
    return tempfile.mkdtemp(prefix="fmo-py-")


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def spool_files(directory: str) -> List[str]:
    return sorted(n for n in os.listdir(directory) if n.endswith(".jsonl")) if os.path.isdir(directory) else []


# ---- the ingest schema ------------------------------------------------------------------

with open(SCHEMA_PATH) as _fh:
    INPUT_SCHEMA = json.load(_fh)

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def schema_errors(value: Any, schema: Optional[Dict[str, Any]] = None, path: str = "") -> List[str]:
    """The subset of JSON Schema the generated ModelEventInput schema uses: enough to
    catch a field the server would refuse the event for."""
    s = INPUT_SCHEMA if schema is None else schema
    errors: List[str] = []
    if "anyOf" in s:
        if all(schema_errors(value, sub, path) for sub in s["anyOf"]):
            errors.append("%s: matches none of anyOf" % path)
        return errors
    t = s.get("type")
    kinds = {"string": str, "object": dict, "array": list, "boolean": bool, "null": type(None)}
    if t == "integer":
        if not (isinstance(value, int) and not isinstance(value, bool)):
            return ["%s: not an integer" % path]
    elif t == "number":
        if not (isinstance(value, (int, float)) and not isinstance(value, bool)):
            return ["%s: not a number" % path]
    elif t in kinds and not isinstance(value, kinds[t]):
        return ["%s: not %s" % (path, t)]
    if "const" in s and value != s["const"]:
        errors.append("%s: not %r" % (path, s["const"]))
    if isinstance(value, str):
        if "minLength" in s and len(value) < s["minLength"]:
            errors.append("%s: shorter than %d" % (path, s["minLength"]))
        if "maxLength" in s and len(value) > s["maxLength"]:
            errors.append("%s: longer than %d" % (path, s["maxLength"]))
        if "pattern" in s and re.search(s["pattern"], value) is None:
            errors.append("%s: does not match %s" % (path, s["pattern"]))
        if s.get("format") == "date-time" and _DATE_TIME.match(value) is None:
            errors.append("%s: not a date-time" % path)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in s and value < s["minimum"]:
            errors.append("%s: below %s" % (path, s["minimum"]))
        if "maximum" in s and value > s["maximum"]:
            errors.append("%s: above %s" % (path, s["maximum"]))
    if isinstance(value, dict):
        for key in s.get("required", []):
            if key not in value:
                errors.append("%s/%s: required" % (path, key))
        if "maxProperties" in s and len(value) > s["maxProperties"]:
            errors.append("%s: more than %d properties" % (path, s["maxProperties"]))
        props = s.get("properties", {})
        for key, v in value.items():
            if key in props:
                errors.extend(schema_errors(v, props[key], "%s/%s" % (path, key)))
            elif s.get("additionalProperties") is False:
                errors.append("%s/%s: not allowed" % (path, key))
    # JSON itself: NaN or Infinity anywhere would make the body unparseable.
    json.dumps(value, allow_nan=False)
    return errors


# ---- the real server ----------------------------------------------------------------------


def server_events(document_id: str, expect: int, timeout: float = 15.0) -> List[Dict[str, Any]]:
    """The stored events of one document, read as the admin through GET /v1/events, once
    at least ``expect`` are there (the writer stores them asynchronously after the 202)."""
    deadline = time.monotonic() + timeout
    while True:
        query = urllib.parse.urlencode({"tenant_id": TENANT, "document_id": document_id, "limit": 1000})
        req = urllib.request.Request("%s/v1/events?%s" % (ENDPOINT, query), headers={"Authorization": "Bearer %s" % ADMIN_TOKEN})
        with urllib.request.urlopen(req, timeout=10) as res:
            events = json.loads(res.read())["events"]
        if len(events) >= expect or time.monotonic() > deadline:
            return events
        time.sleep(0.1)


def record(document_id: str, events: int) -> None:
    """Tells the vitest driver which documents to check, and how many events each has."""
    if MANIFEST:
        with open(MANIFEST, "a") as fh:
            fh.write(json.dumps({"document_id": document_id, "events": events}) + "\n")


class RecordingProxy:
    """A small HTTP proxy in front of the real server. It records what the SDK sends
    (headers, event counts), can answer the next requests with an error status, and can
    be stopped and started again on the same port — the server "going away" for the SDK
    while the real server keeps running."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urllib.parse.urlsplit(upstream)
        self.requests: List[Dict[str, Any]] = []
        self.failures: List[int] = []
        self.lock = threading.Lock()
        self.port = closed_port()
        self._server: Optional[http.server.ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    def fail_next(self, count: int, status: int) -> None:
        with self.lock:
            self.failures.extend([status] * count)

    def start(self) -> None:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the stdlib's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                raw = gzip.decompress(body) if self.headers.get("Content-Encoding") == "gzip" else body
                with proxy.lock:
                    proxy.requests.append({
                        "encoding": self.headers.get("Content-Encoding"),
                        "authorization": self.headers.get("Authorization"),
                        "events": len(json.loads(raw)["events"]),
                        "bytes": len(body),
                        "raw_bytes": len(raw),
                    })
                    fail = proxy.failures.pop(0) if proxy.failures else None
                if fail is not None:
                    self._answer(fail, {"Retry-After": "0"}, b'{"statusCode":%d,"error":"injected","message":"injected by the test proxy"}' % fail)
                    return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "content-encoding", "authorization")}
                conn.request("POST", self.path, body=body, headers=headers)
                res = conn.getresponse()
                data = res.read()
                conn.close()
                self._answer(res.status, {}, data)

            def _answer(self, status: int, headers: Dict[str, str], data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
