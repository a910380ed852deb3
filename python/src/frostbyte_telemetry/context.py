"""Who and what a model call belongs to, carried by ``contextvars``.

A ``ContextVar`` follows the code the way ``AsyncLocalStorage`` does in the TypeScript
SDK: every asyncio task starts with a copy of its creator's context, so stages deep in
a pipeline need not thread tenant and document ids through their signatures. Plain
threads start with an *empty* context (that is Python's rule, not ours); hand work to a
thread with :func:`bind_context` or ``contextvars.copy_context().run``.
"""

from __future__ import annotations

import contextvars
import functools
from typing import Any, Callable, Mapping, Optional, TypeVar

T = TypeVar("T")


# `capture` everywhere is a mapping like {"input": False}. Every level (global config,
# model, context, call) can only turn capture *off*: a model marked sensitive stays
# uncaptured whatever a caller's context says.
CaptureOptions = Mapping[str, bool]


class TelemetryContext:
    """Immutable: merging makes a new one, so a context handed to a task cannot change
    under it."""

    __slots__ = ("tenant_id", "pipeline_run_id", "document_id", "attributes", "capture")

    def __init__(
        self,
        tenant_id: Optional[str] = None,
        pipeline_run_id: Optional[str] = None,
        document_id: Optional[str] = None,
        attributes: Optional[Mapping[str, Any]] = None,
        capture: Optional[Mapping[str, bool]] = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.pipeline_run_id = pipeline_run_id
        self.document_id = document_id
        self.attributes = dict(attributes) if attributes is not None else None
        self.capture = dict(capture) if capture is not None else None

    def merged(self, child: "TelemetryContext") -> "TelemetryContext":
        """Inner values win; attributes merge key by key; capture switches accumulate,
        so an outer "off" stays off."""
        attributes = self.attributes
        if child.attributes is not None:
            attributes = {**(attributes or {}), **child.attributes}
        capture = self.capture
        if child.capture is not None:
            if capture is None:
                capture = child.capture
            else:
                capture = {
                    "input": capture.get("input") is not False and child.capture.get("input") is not False,
                    "output": capture.get("output") is not False and child.capture.get("output") is not False,
                }
        return TelemetryContext(
            tenant_id=child.tenant_id if child.tenant_id is not None else self.tenant_id,
            pipeline_run_id=child.pipeline_run_id if child.pipeline_run_id is not None else self.pipeline_run_id,
            document_id=child.document_id if child.document_id is not None else self.document_id,
            attributes=attributes,
            capture=capture,
        )

    def __repr__(self) -> str:
        fields = ", ".join("%s=%r" % (k, getattr(self, k)) for k in self.__slots__ if getattr(self, k) is not None)
        return "TelemetryContext(%s)" % fields


_current: contextvars.ContextVar[Optional[TelemetryContext]] = contextvars.ContextVar("frostbyte_telemetry_context", default=None)


def current_context() -> Optional[TelemetryContext]:
    """The context of the running code (thread or task), if any."""
    return _current.get()


class with_context:  # noqa: N801 - reads as a function at the call site: `with with_context(...)`
    """Runs a block with this context merged over the current one.

    Example::

        with with_context(tenant_id="acme", pipeline_run_id=run_id, document_id=doc.id):
            parse(doc)          # both events carry the three ids
            await embed(chunks)  # so do tasks created in here
    """

    __slots__ = ("_context", "_tokens")

    def __init__(
        self,
        tenant_id: Optional[str] = None,
        pipeline_run_id: Optional[str] = None,
        document_id: Optional[str] = None,
        attributes: Optional[Mapping[str, Any]] = None,
        capture: Optional[Mapping[str, bool]] = None,
    ) -> None:
        self._context = TelemetryContext(tenant_id, pipeline_run_id, document_id, attributes, capture)
        # A stack, so one instance can be entered again (nested or after it was left).
        self._tokens: list = []

    def __enter__(self) -> TelemetryContext:
        parent = _current.get()
        ctx = self._context if parent is None else parent.merged(self._context)
        self._tokens.append(_current.set(ctx))
        return ctx

    def __exit__(self, *exc: object) -> None:
        _current.reset(self._tokens.pop())

    async def __aenter__(self) -> TelemetryContext:
        return self.__enter__()

    async def __aexit__(self, *exc: object) -> None:
        self.__exit__(*exc)


def bind_context(fn: Callable[..., T]) -> Callable[..., T]:
    """Returns ``fn`` bound to a copy of the caller's context, for a thread or an
    executor: ``pool.submit(bind_context(parse), doc)``."""
    ctx = contextvars.copy_context()

    @functools.wraps(fn)
    def bound(*args: Any, **kwargs: Any) -> T:
        # A fresh copy per call: Context.run refuses to enter one context twice at once.
        return ctx.copy().run(fn, *args, **kwargs)

    return bound
