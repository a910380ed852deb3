"""Invocation → the wire event (``ModelEventInput``). Runs on the export thread only.

Everything the ingest schema would reject a whole event for is trimmed here, the same
way the TypeScript SDK does it (packages/sdk/src/event-builder.ts): error message 4000
characters, rationale 20000, metadata 64 keys of at most 128 characters, confidence
outside [0, 1] moved to ``metadata.invalid_confidence``.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from typing import Any, Callable, Dict, Mapping, Optional

from .ids import uuid7
from .invocation import COMPLETED, STARTED, Invocation, is_model_result

MAX_ERROR_TYPE = 200
MAX_ERROR_MESSAGE = 4000
MAX_RATIONALE = 20000
MAX_METADATA_KEYS = 64
MAX_METADATA_KEY = 128
MAX_TOKENS = 100_000_000
MAX_DEPTH = 32


class BuildEnv:
    __slots__ = ("redact", "capture", "count_tokens", "on_failure")

    def __init__(self, redact: Callable[[Any], Any], capture: Optional[Mapping[str, bool]], count_tokens: bool, on_failure: Callable[[BaseException], None]) -> None:
        self.redact = redact
        self.capture = capture
        self.count_tokens = count_tokens
        self.on_failure = on_failure


def build_event(inv: Invocation, kind: int, env: BuildEnv) -> Dict[str, Any]:
    ctx = inv.context
    meta = inv.meta
    is_start = kind == STARTED
    wall_ns = inv.start_wall_ns if is_start else inv.start_wall_ns + inv.duration_ns
    iso = iso_at(wall_ns)
    event: Dict[str, Any] = {
        "id": uuid7(),
        "invocation_id": inv.invocation_id,
        "timestamp": iso,
        "emitted_at": iso,
        "stage": meta.stage,
        "model_name": meta.model_name,
        "model_version": meta.model_version,
        "operation": meta.operation,
        "status": "started" if is_start else ("completed" if kind == COMPLETED else "failed"),
    }
    if ctx is not None:
        if ctx.tenant_id is not None:
            event["tenant_id"] = ctx.tenant_id
        if ctx.pipeline_run_id is not None:
            event["pipeline_run_id"] = ctx.pipeline_run_id
        if ctx.document_id is not None:
            event["document_id"] = ctx.document_id

    metadata: Dict[str, Any] = {}
    if meta.metadata:
        metadata.update(meta.metadata)
    if ctx is not None and ctx.attributes:
        metadata.update(ctx.attributes)
    if is_start:
        _set_metadata(event, metadata)
        return event

    event["duration_ms"] = round(inv.duration_ns / 1e6, 3)
    result = inv.result if kind == COMPLETED else None
    shaped = result if is_model_result(result) else None
    output = shaped["output"] if shaped is not None else result
    usage = inv.usage if inv.usage is not None else (shaped.get("usage") if shaped is not None else None)
    if not isinstance(usage, Mapping):
        usage = None
    if shaped is not None and isinstance(shaped.get("metadata"), Mapping):
        metadata.update(shaped["metadata"])
    if inv.extra:
        metadata.update(inv.extra)
    pages = usage.get("pages") if usage is not None else None
    if _is_number(pages):
        metadata["pages"] = pages

    # Tokens: the model's own report wins; otherwise an estimate (no tokenizer here).
    sources = set()
    input_tokens = _token_count(usage.get("input_tokens") if usage else None, inv.input if inv.has_input else None, env, sources)
    if input_tokens is not None:
        event["input_tokens"] = input_tokens
    if kind == COMPLETED:
        output_tokens = _token_count(usage.get("output_tokens") if usage else None, output, env, sources)
        if output_tokens is not None:
            event["output_tokens"] = output_tokens
    if sources:
        metadata["token_source"] = "+".join(s for s in ("estimate", "model") if s in sources)

    capture_input = _allows(env.capture, meta.capture, ctx.capture if ctx else None, inv.call_capture, key="input")
    capture_output = _allows(env.capture, meta.capture, ctx.capture if ctx else None, inv.call_capture, key="output")
    trace: Dict[str, Any] = {}
    if capture_input and inv.has_input and inv.input is not None:
        trace["input"] = _redact(to_json(inv.input), env)
    if kind == COMPLETED:
        if capture_output and output is not None:
            trace["output"] = _redact(to_json(output), env)
        rationale = inv.rationale if inv.rationale is not None else (shaped.get("rationale") if shaped is not None else None)
        if isinstance(rationale, str):
            trace["decision_rationale"] = truncate(str(_redact(rationale, env)), MAX_RATIONALE)
        confidence = inv.confidence if inv.confidence is not None else (shaped.get("confidence") if shaped is not None else None)
        if _is_number(confidence):
            if 0 <= confidence <= 1:
                trace["confidence_score"] = confidence
            else:
                metadata["invalid_confidence"] = confidence if math.isfinite(confidence) else str(confidence)
    else:
        event["error"] = _describe_error(inv.error, env)
    if trace:
        event["trace"] = trace
    _set_metadata(event, metadata)
    return event


def shrink_event(event: Dict[str, Any], max_field_chars: int) -> Dict[str, Any]:
    """Replaces a too-large captured input/output with a preview, so one huge document
    cannot get a whole batch refused."""
    trace = event.get("trace")
    if not trace:
        return event
    shrunk = dict(trace)
    for field in ("input", "output"):
        if field in shrunk:
            text = json.dumps(shrunk[field], ensure_ascii=False)
            if len(text) > max_field_chars:
                shrunk[field] = {"truncated": True, "chars": len(text), "preview": text[:max_field_chars]}
    metadata = dict(event.get("metadata") or {})
    metadata["trace_truncated"] = True
    out = dict(event, trace=shrunk)
    _set_metadata(out, metadata)
    return out


def iso_at(wall_ns: int) -> str:
    ms = int(round(wall_ns / 1e6))
    dt = datetime.datetime.fromtimestamp(ms // 1000, tz=datetime.timezone.utc)
    return "%s.%03dZ" % (dt.strftime("%Y-%m-%dT%H:%M:%S"), ms % 1000)


def to_json(value: Any, depth: int = 0) -> Any:
    """A JSON-shaped copy of a Python value: dicts with string keys, lists, finite
    numbers, strings, booleans, None. Dataclasses become dicts; bytes and anything
    else unknown become a short description, so a capture never fails to serialise."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= MAX_DEPTH:
        return "[nested too deep]"
    if isinstance(value, Mapping):
        return {str(k): to_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v, depth + 1) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"bytes": len(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json(dataclasses.asdict(value), depth + 1)
    tolist = getattr(value, "tolist", None)  # numpy arrays, without importing numpy
    if callable(tolist):
        try:
            return to_json(tolist(), depth + 1)
        except Exception:
            pass
    return truncate(repr(value), 1000)


def _redact(value: Any, env: BuildEnv) -> Any:
    try:
        return env.redact(value)
    except Exception as error:
        env.on_failure(error)
        return "[redaction failed]"  # fail closed: never send what could not be redacted


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _token_count(reported: Any, value: Any, env: BuildEnv, sources: set) -> Optional[int]:
    if isinstance(reported, int) and not isinstance(reported, bool) and 0 <= reported <= MAX_TOKENS:
        sources.add("model")
        return reported
    if not env.count_tokens or value is None:
        return None
    text = _text_of(value)
    if text is None:
        return None
    sources.add("estimate")
    # chars / 4, rounded up: the usual rule of thumb for English with BPE tokenizers.
    return min(-(-len(text) // 4), MAX_TOKENS)


def _text_of(value: Any) -> Optional[str]:
    """The text a model read or wrote, or None for what is not text (a vector, bytes)."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (bool, int, float, bytes, bytearray, memoryview)):
        return None
    if isinstance(value, (list, tuple)):
        if not value or _is_number(value[0]):
            return None
        if all(isinstance(v, str) for v in value):
            return "\n".join(value)
    try:
        return json.dumps(to_json(value), ensure_ascii=False)
    except Exception:
        return None


def _allows(*levels: Optional[Mapping[str, bool]], key: str) -> bool:
    for level in levels:
        if level is not None and level.get(key) is False:
            return False
    return True


def _describe_error(error: Optional[BaseException], env: BuildEnv) -> Dict[str, str]:
    error_type = type(error).__name__ if error is not None else "Error"
    try:
        message = str(error) if error is not None else ""
    except Exception:
        message = ""
    redacted = _redact(message, env)
    return {
        "type": truncate(error_type, MAX_ERROR_TYPE) or "Error",
        "message": truncate(redacted if isinstance(redacted, str) else str(redacted), MAX_ERROR_MESSAGE),
    }


def _set_metadata(event: Dict[str, Any], metadata: Dict[str, Any]) -> None:
    if not metadata:
        event.pop("metadata", None)
        return
    keys = [k for k in metadata]
    if len(keys) <= MAX_METADATA_KEYS and all(isinstance(k, str) and len(k) <= MAX_METADATA_KEY for k in keys):
        event["metadata"] = {k: to_json(v) for k, v in metadata.items()}
        return
    kept: Dict[str, Any] = {}
    for k in keys:
        name = str(k)
        if len(name) > MAX_METADATA_KEY:
            continue
        if len(kept) == MAX_METADATA_KEYS - 1:
            kept["metadata_truncated"] = True
            break
        kept[name] = to_json(metadata[k])
    event["metadata"] = kept


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
