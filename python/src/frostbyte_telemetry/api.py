"""The public API: ``init_telemetry`` / ``shutdown_telemetry``, ``wrap_model``, ``observe``.

Until ``init_telemetry()`` runs (or with ``FMO_TELEMETRY=0``) everything here is a
no-op: wrapped functions just run, ``observe`` yields a handle that records nothing —
the OpenTelemetry API/SDK split, so a library can be instrumented without a backend.
Wrapping at import time is fine: the wrapper looks the SDK up on every call.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, Dict, Mapping, Optional, TypeVar, Union

from .ids import NIL_ID
from .invocation import COMPLETED, DETACHED_HANDLE, FAILED, ModelMeta, check_meta
from .telemetry import TelemetrySdk

F = TypeVar("F", bound=Callable[..., Any])


class NoopTelemetry:
    """What is registered before ``init_telemetry()``: records nothing."""

    enabled = False

    def flush(self, timeout: float = 30.0) -> bool:
        return True

    def shutdown(self, timeout: float = 5.0) -> None:
        pass

    def stats(self) -> Dict[str, Any]:
        return {"emitted": 0, "exported": 0, "dropped": 0, "rejected": 0, "spooled": 0, "replayed": 0, "failures": 0, "queued": 0, "spool_bytes": 0, "mode": "live"}


NOOP_TELEMETRY = NoopTelemetry()

# The registered SDK, or None for the no-op. A plain module global: reading it is the
# cheapest thing a wrapped call can do to learn whether to record.
_sdk: Optional[TelemetrySdk] = None
_init_lock = threading.Lock()


def init_telemetry(**settings: Any) -> Union[TelemetrySdk, NoopTelemetry]:
    """Creates the SDK from ``settings`` and the ``FMO_*`` environment, registers it, and
    shuts down one registered before. With ``FMO_TELEMETRY=0`` (or ``enabled=False``) the
    no-op stays registered. Settings: endpoint, api_key, spool_dir (False: none),
    spool_max_bytes, capture, count_tokens, batch_size, flush_interval_ms,
    max_queue_size, probe_interval_ms, probe_max_interval_ms, http (timeout_ms,
    max_attempts, backoff_base_ms, backoff_max_ms, gzip_level), flush_on_exit, warn, env,
    exporter (e.g. MemoryExporter), redactor (replaces the fallback redactor)."""
    global _sdk
    from .config import ResolvedConfig

    probe = {k: v for k, v in settings.items() if k in ("enabled", "env")}
    telemetry = TelemetrySdk(**settings) if ResolvedConfig(**probe).enabled else None
    with _init_lock:
        previous, _sdk = _sdk, telemetry
    if previous is not None and previous is not telemetry:
        previous.shutdown()
    return telemetry if telemetry is not None else NOOP_TELEMETRY


def shutdown_telemetry(timeout: float = 5.0) -> None:
    """Flushes and stops the registered SDK (within ``timeout`` seconds; what is left goes
    to the spool) and puts the no-op back."""
    global _sdk
    with _init_lock:
        current, _sdk = _sdk, None
    if current is not None:
        current.shutdown(timeout)


def get_telemetry() -> Union[TelemetrySdk, NoopTelemetry]:
    return _sdk if _sdk is not None else NOOP_TELEMETRY


def wrap_model(
    fn: Optional[Callable[..., Any]] = None,
    *,
    model_name: str,
    model_version: str,
    stage: str,
    operation: str,
    capture: Optional[Mapping[str, bool]] = None,
    metadata: Optional[Mapping[str, Any]] = None,
) -> Any:
    """Records each call of ``fn`` as one invocation. A decorator
    (``@wrap_model(model_name=..., ...)``) or a wrapper (``wrap_model(fn, model_name=...)``);
    ``async def`` functions get an async wrapper. Raises ValueError here, at wrap time,
    if the names would be rejected by the ingest schema.

    The call's arguments are the captured input (one positional argument as itself,
    several as a list, keyword arguments as ``{"args": [...], "kwargs": {...}}``; a
    method's ``self``/``cls`` is left out). The return value may be a plain value or
    ``{"output": ..., "usage": {"input_tokens", "output_tokens", "pages"}, "rationale",
    "confidence", "metadata"}``; the caller gets it back unchanged either way.
    """
    meta = ModelMeta(model_name, model_version, stage, operation, capture, metadata)
    problem = check_meta(meta)
    if problem is not None:
        raise ValueError("frostbyte_telemetry.wrap_model: " + problem)
    if fn is None:
        return lambda f: _wrap(f, meta)
    return _wrap(fn, meta)


def _wrap(fn: F, meta: ModelMeta) -> F:
    if not callable(fn):
        raise TypeError("frostbyte_telemetry.wrap_model: expected a function, got %r" % (fn,))
    skip_self = _takes_self(fn)

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def wrapped_async(*args: Any, **kwargs: Any) -> Any:
            sdk = _sdk
            if sdk is None:
                return await fn(*args, **kwargs)
            inv = sdk.begin(meta, *_input_of(args[1:] if skip_self else args, kwargs), None)
            try:
                result = await fn(*args, **kwargs)
            except BaseException as error:
                if inv is not None:
                    sdk.end(inv, FAILED, None, error)
                raise
            if inv is not None:
                sdk.end(inv, COMPLETED, result, None)
            return result

        return wrapped_async  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        sdk = _sdk
        if sdk is None:
            return fn(*args, **kwargs)
        inv = sdk.begin(meta, *_input_of(args[1:] if skip_self else args, kwargs), None)
        try:
            result = fn(*args, **kwargs)
        except BaseException as error:
            if inv is not None:
                sdk.end(inv, FAILED, None, error)
            raise
        if inv is not None:
            if inspect.iscoroutine(result):
                # A plain function that returns a coroutine (a partial of an async one):
                # the call ends when the coroutine does.
                return _finish(sdk, inv, result)
            sdk.end(inv, COMPLETED, result, None)
        return result

    return wrapped  # type: ignore[return-value]


async def _finish(sdk: TelemetrySdk, inv: Any, coroutine: Any) -> Any:
    try:
        result = await coroutine
    except BaseException as error:
        sdk.end(inv, FAILED, None, error)
        raise
    sdk.end(inv, COMPLETED, result, None)
    return result


def _input_of(args: tuple, kwargs: Dict[str, Any]) -> tuple:
    if not kwargs:
        if not args:
            return None, False
        return (args[0] if len(args) == 1 else args), True
    if not args:
        return kwargs, True
    return {"args": args, "kwargs": kwargs}, True


def _takes_self(fn: Callable[..., Any]) -> bool:
    """A function defined in a class body whose first parameter is ``self`` or ``cls``:
    the instance is not the model's input."""
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return False
    return bool(params) and params[0] in ("self", "cls") and "." in getattr(fn, "__qualname__", "")


class observe:  # noqa: N801 - reads as a function at the call site: `with observe(...)`
    """One model invocation around a block, for calls that are not a function of their own::

        with observe(model_name="nomic-embed-text", model_version="1.5", stage="embed",
                     operation="embed", input=chunks) as inv:
            vectors = client.embed(chunks)
            inv.set_usage(input_tokens=reply.tokens)
            inv.set_output(vectors)

    An exception in the block records a ``failed`` event and propagates unchanged. Also
    ``async with``. A bad name is reported once and the block runs unrecorded — never an
    exception into the caller.
    """

    __slots__ = ("_meta", "_input", "_has_input", "_capture", "_sdk", "_inv")

    _warned: set = set()

    def __init__(
        self,
        *,
        model_name: str,
        model_version: str,
        stage: str,
        operation: str,
        input: Any = NIL_ID,
        capture: Optional[Mapping[str, bool]] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self._meta = ModelMeta(model_name, model_version, stage, operation, None, metadata)
        self._has_input = input is not NIL_ID
        self._input = input if self._has_input else None
        self._capture = capture
        self._sdk: Optional[TelemetrySdk] = None
        self._inv: Any = None

    def __enter__(self) -> Any:
        sdk = _sdk
        if sdk is None:
            return DETACHED_HANDLE
        problem = check_meta(self._meta)
        if problem is not None:
            sdk.count_failure(ValueError(problem))
            if problem not in observe._warned:
                observe._warned.add(problem)
                sdk.warn("observe(): %s; this block is not recorded" % problem)
            return DETACHED_HANDLE
        self._sdk = sdk
        self._inv = sdk.begin(self._meta, self._input, self._has_input, self._capture)
        return self._inv if self._inv is not None else DETACHED_HANDLE

    def __exit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> bool:
        sdk, inv = self._sdk, self._inv
        self._sdk = self._inv = None
        if sdk is not None and inv is not None:
            if exc is not None:
                sdk.end(inv, FAILED, None, exc)
            else:
                sdk.end(inv, COMPLETED, inv.result, None)
        return False  # never swallow the block's exception

    async def __aenter__(self) -> Any:
        return self.__enter__()

    async def __aexit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> bool:
        return self.__exit__(exc_type, exc, tb)
