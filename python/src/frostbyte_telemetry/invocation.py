"""What a wrapped model is (``ModelMeta``) and one call of it (``Invocation``)."""

from __future__ import annotations

import re
import threading
import time
from typing import Any, Dict, Mapping, Optional

from .context import TelemetryContext
from .ids import uuid7

STARTED = 0
COMPLETED = 1
FAILED = 2

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")
_SLUG_LIMITS = (("model_name", 128), ("model_version", 64), ("stage", 64), ("operation", 64))


class ModelMeta:
    """Checked once, when the model is wrapped; read-only afterwards."""

    __slots__ = ("model_name", "model_version", "stage", "operation", "capture", "metadata")

    def __init__(
        self,
        model_name: str,
        model_version: str,
        stage: str,
        operation: str,
        capture: Optional[Mapping[str, bool]] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self.model_name = model_name
        self.model_version = model_version
        self.stage = stage
        self.operation = operation
        self.capture = dict(capture) if capture is not None else None
        # Copied, so a later mutation by the caller cannot change events.
        self.metadata = dict(metadata) if metadata is not None else None


def check_meta(meta: ModelMeta) -> Optional[str]:
    """Why the ingest schema would reject events of this model, or None if it is fine."""
    for key, limit in _SLUG_LIMITS:
        value = getattr(meta, key)
        if not isinstance(value, str) or not (0 < len(value) <= limit) or _SLUG.match(value) is None:
            return "%s must be a slug (letters, digits, . _ : / @ + -) of 1..%d characters, got %r" % (key, limit, value)
    return None


_id_lock = threading.Lock()


class Invocation:
    """One model call, start to end. Both queued events point at this record, so the
    caller's path allocates one object and formats nothing: ids, ISO timestamps, token
    estimates, redaction and JSON happen later, on the export thread.

    Invariant: fields the ``started`` event reads (meta, context, start_wall_ns) are never
    written after construction, so building it after the call ended is safe.
    """

    __slots__ = (
        "meta", "context", "call_capture", "start_wall_ns", "start_mono_ns", "duration_ns",
        "input", "has_input", "result", "has_result", "error", "usage", "rationale", "confidence", "extra", "_id",
    )

    def __init__(self, meta: ModelMeta, context: Optional[TelemetryContext], input: Any, has_input: bool, call_capture: Optional[Mapping[str, bool]]) -> None:
        self.meta = meta
        self.context = context
        self.call_capture = call_capture
        self.start_wall_ns = time.time_ns()
        self.start_mono_ns = time.perf_counter_ns()
        self.duration_ns = 0
        # Referenced, not copied: see "Mutation caveat" in the README.
        self.input = input
        self.has_input = has_input
        self.result: Any = None
        self.has_result = False
        self.error: Optional[BaseException] = None
        self.usage: Optional[Mapping[str, Any]] = None
        self.rationale: Optional[str] = None
        self.confidence: Any = None
        self.extra: Optional[Dict[str, Any]] = None
        self._id: Optional[str] = None

    @property
    def invocation_id(self) -> str:
        """Shared by the ``started`` and the final event; made on first read, which is
        usually on the export thread, so a lock keeps a caller's read and the exporter's
        from minting two."""
        if self._id is None:
            with _id_lock:
                if self._id is None:
                    self._id = uuid7()
        return self._id

    def end(self) -> None:
        self.duration_ns = time.perf_counter_ns() - self.start_mono_ns

    # The handle `observe()` yields: annotate the invocation from inside the block.
    def set_input(self, value: Any) -> None:
        self.input = value
        self.has_input = True

    def set_output(self, value: Any) -> None:
        """The block's result; a ``{"output": ..., "usage": ...}`` dict is read like a
        wrapped model's return value."""
        self.result = value
        self.has_result = True

    def set_usage(self, input_tokens: Optional[int] = None, output_tokens: Optional[int] = None, pages: Optional[int] = None) -> None:
        self.usage = {"input_tokens": input_tokens, "output_tokens": output_tokens, "pages": pages}

    def set_rationale(self, rationale: str) -> None:
        self.rationale = rationale

    def set_confidence(self, confidence: float) -> None:
        self.confidence = confidence

    def set_metadata(self, key: str, value: Any) -> None:
        if self.extra is None:
            self.extra = {}
        self.extra[key] = value


class DetachedHandle:
    """What ``observe()`` yields when nothing is recorded (no-op, or a bad meta)."""

    invocation_id = "00000000-0000-0000-0000-000000000000"

    def set_input(self, value: Any) -> None:
        pass

    def set_output(self, value: Any) -> None:
        pass

    def set_usage(self, input_tokens: Optional[int] = None, output_tokens: Optional[int] = None, pages: Optional[int] = None) -> None:
        pass

    def set_rationale(self, rationale: str) -> None:
        pass

    def set_confidence(self, confidence: float) -> None:
        pass

    def set_metadata(self, key: str, value: Any) -> None:
        pass


DETACHED_HANDLE = DetachedHandle()

_RESULT_KEYS = frozenset(("output", "usage", "rationale", "confidence", "metadata"))


def is_model_result(value: Any) -> bool:
    """True for a dict of the ``{"output", "usage"?, "rationale"?, "confidence"?,
    "metadata"?}`` shape (``output`` present, no other keys) — the TS SDK's rule."""
    return type(value) is dict and "output" in value and all(k in _RESULT_KEYS for k in value)
