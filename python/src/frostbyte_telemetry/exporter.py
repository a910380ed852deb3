"""Where batches go: ``export``, ``force_flush``, ``shutdown`` — OpenTelemetry's
three-method exporter contract, as in the TypeScript SDK (packages/sdk/src/export/)."""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Optional, Sequence


class ExportResult:
    """``ok``: the server took the batch (``accepted`` counts first deliveries and
    duplicates, ``rejected`` the items it refused one by one). Not ``ok``: ``retryable``
    says whether trying again later may succeed (network, 5xx, 408, 429 → spool) or the
    server refused the batch for good (other 4xx → counted as rejected, dropped)."""

    __slots__ = ("ok", "retryable", "accepted", "duplicates", "rejected", "error")

    def __init__(self, ok: bool, retryable: bool = False, accepted: int = 0, duplicates: int = 0, rejected: int = 0, error: Optional[str] = None) -> None:
        self.ok = ok
        self.retryable = retryable
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
        self.error = error

    def __repr__(self) -> str:
        return "ExportResult(ok=%r, retryable=%r, accepted=%r, duplicates=%r, rejected=%r, error=%r)" % (
            self.ok, self.retryable, self.accepted, self.duplicates, self.rejected, self.error,
        )


class EventExporter:
    """Called from the SDK's export thread only, one batch at a time."""

    def export(self, events: Sequence[Dict[str, Any]]) -> ExportResult:
        raise NotImplementedError

    def force_flush(self) -> None:
        pass

    def shutdown(self) -> None:
        pass


class MemoryExporter(EventExporter):
    """Keeps every exported event in memory: for tests of code that is instrumented."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: List[Dict[str, Any]] = []
        self.batches = 0

    def export(self, events: Sequence[Dict[str, Any]]) -> ExportResult:
        with self._lock:
            self._events.extend(events)
            self.batches += 1
        return ExportResult(True, accepted=len(events))

    @property
    def events(self) -> List[Dict[str, Any]]:
        with self._lock:
            return list(self._events)

    def reset(self) -> None:
        with self._lock:
            self._events.clear()
            self.batches = 0
