"""``POST {endpoint}/v1/events`` with ``{"events": [...]}``, gzip, a bearer key.

Retries network errors, 5xx, 408 and 429 with capped exponential backoff and full
jitter (honouring ``Retry-After``); other 4xx are final and logged once per status.
One keep-alive connection, used only by the export thread.
"""

from __future__ import annotations

import email.utils
import gzip
import http.client
import json
import random
import threading
import time
import urllib.parse
from typing import Any, Callable, Dict, Iterator, Optional, Sequence, Set, Tuple

from .event_builder import shrink_event
from .exporter import EventExporter, ExportResult

MAX_BATCH_EVENTS = 5000  # the server's per-request limit (packages/contracts/src/api.ts)


class HttpExporter(EventExporter):
    def __init__(
        self,
        endpoint: str,
        api_key: Optional[str] = None,
        timeout_ms: float = 10_000,
        max_attempts: int = 3,
        backoff_base_ms: float = 100,
        backoff_max_ms: float = 2_000,
        max_body_bytes: int = 8 * 1024 * 1024,
        gzip_level: int = 1,
        warn: Optional[Callable[[str], None]] = None,
    ) -> None:
        self.url = endpoint.rstrip("/") + "/v1/events"
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("FMO_ENDPOINT must be an http(s) URL like http://localhost:8000, got %r" % endpoint)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._path = parts.path
        self._timeout = timeout_ms / 1000
        self._max_attempts = max(1, int(max_attempts))
        self._backoff_base = backoff_base_ms / 1000
        self._backoff_max = backoff_max_ms / 1000
        self._max_body_bytes = max_body_bytes
        # Level 1: JSON still shrinks ~8x, at a fraction of level 9's CPU.
        self._gzip_level = gzip_level
        self._warn = warn or (lambda m: None)
        self._warned: Set[str] = set()
        self._headers = {"Content-Type": "application/json"}
        if gzip_level > 0:
            self._headers["Content-Encoding"] = "gzip"
        if api_key:
            self._headers["Authorization"] = "Bearer " + api_key
        self._conn: Optional[http.client.HTTPConnection] = None
        self._stopped = threading.Event()
        self.requests = 0  # bodies sent (each attempt counts); read by tests and the bench

    def export(self, events: Sequence[Dict[str, Any]]) -> ExportResult:
        if self._stopped.is_set():
            return ExportResult(False, retryable=True, error="exporter is shut down")
        total = ExportResult(True)
        for body, count in self._bodies(events):
            r = self._send(body, count)
            if not r.ok:
                # Chunks already sent were acknowledged; sending them again with the rest
                # is safe because the server deduplicates on event id.
                return r
            total.accepted += r.accepted
            total.duplicates += r.duplicates
            total.rejected += r.rejected
        return total

    def _bodies(self, events: Sequence[Dict[str, Any]]) -> Iterator[Tuple[bytes, int]]:
        """One serialisation for the common batch; only a batch over the size or count
        cap is packed event by event into several bodies."""
        if len(events) <= MAX_BATCH_EVENTS:
            body = _dumps({"events": list(events)})
            if len(body) <= self._max_body_bytes:
                yield body, len(events)
                return
        parts = []
        size = 12
        for event in events:
            item = _dumps(event)
            if len(item) > self._max_body_bytes // 4:
                item = _dumps(shrink_event(event, 64 * 1024))
            if parts and (size + len(item) + 1 > self._max_body_bytes or len(parts) >= MAX_BATCH_EVENTS):
                yield b'{"events":[' + b",".join(parts) + b"]}", len(parts)
                parts, size = [], 12
            parts.append(item)
            size += len(item) + 1
        if parts:
            yield b'{"events":[' + b",".join(parts) + b"]}", len(parts)

    def _send(self, body: bytes, count: int) -> ExportResult:
        payload = gzip.compress(body, self._gzip_level) if self._gzip_level > 0 else body
        last_error = "not sent"
        for attempt in range(self._max_attempts):
            if self._stopped.is_set():
                break
            retry_after: Optional[float] = None
            try:
                status, headers, text = self._post(payload)
                if 200 <= status < 300:
                    return self._accepted(text, count)
                last_error = "HTTP %d: %s" % (status, text[:200])
                if status not in (408, 429) and status < 500:
                    self._warn_once(
                        "status-%d" % status,
                        "ingest refused a batch with HTTP %d (%s); such batches are not retried" % (status, text[:200]),
                    )
                    return ExportResult(False, retryable=False, rejected=count, error=last_error)
                retry_after = _parse_retry_after(headers.get("retry-after"))
            except (OSError, http.client.HTTPException) as error:
                self._close_connection()
                last_error = "%s: %s" % (type(error).__name__, error)
            if attempt + 1 < self._max_attempts:
                cap = min(self._backoff_max, self._backoff_base * 2 ** attempt)
                delay = min(self._backoff_max, retry_after if retry_after is not None else random.random() * cap)
                if self._stopped.wait(delay):
                    break
        return ExportResult(False, retryable=True, error=last_error)

    def _post(self, payload: bytes) -> Tuple[int, Dict[str, str], str]:
        for fresh in (False, True):
            conn = self._connection()
            try:
                self.requests += 1
                conn.request("POST", self._path, body=payload, headers=self._headers)
                res = conn.getresponse()
                text = res.read().decode("utf-8", "replace")
                headers = {k.lower(): v for k, v in res.getheaders()}
                if headers.get("connection", "").lower() == "close":
                    self._close_connection()
                return res.status, headers, text
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed while idle: one immediate
                # retry on a new connection, which is not a failed attempt.
                self._close_connection()
                if fresh:
                    raise
        raise AssertionError("unreachable")

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._host, self._port, timeout=self._timeout)
        return self._conn

    def _close_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def _accepted(self, text: str, count: int) -> ExportResult:
        try:
            reply = json.loads(text) if text else {}
        except ValueError:
            reply = {}  # a 2xx without a JSON body still means the batch was taken
        if not isinstance(reply, dict):
            reply = {}
        rejected = reply.get("rejected") if isinstance(reply.get("rejected"), list) else []
        if rejected:
            first = rejected[0]
            detail = first.get("errors", first) if isinstance(first, dict) else first
            self._warn_once("rejected", "ingest rejected %d event(s); first: %s" % (len(rejected), json.dumps(detail)[:300]))
        duplicates = reply.get("duplicates") if isinstance(reply.get("duplicates"), int) else 0
        # The server's `accepted` already includes the duplicates (its metrics subtract
        # them: routes/v1/events.ts). A reply without counts (a proxy's 2xx) means all.
        accepted = reply["accepted"] if isinstance(reply.get("accepted"), int) else count - len(rejected)
        return ExportResult(True, accepted=accepted, duplicates=duplicates, rejected=len(rejected))

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self._warn(message)

    def shutdown(self) -> None:
        self._stopped.set()
        self._close_connection()


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _parse_retry_after(value: Optional[str]) -> Optional[float]:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        at = email.utils.parsedate_to_datetime(value)
        return max(0.0, at.timestamp() - time.time())
    except (TypeError, ValueError):
        return None
