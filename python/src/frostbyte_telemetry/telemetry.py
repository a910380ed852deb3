"""The SDK: records each wrapped call as a ``started`` and a ``completed``/``failed``
event and hands them to the ``EventProcessor``.

On a caller's path it does only this: read the context variable, allocate one
``Invocation``, read two clocks, append twice to a deque. Ids, ISO timestamps, token
estimates, redaction and JSON happen on the export thread. Telemetry errors are counted
(``stats()["failures"]``) and swallowed; the model's own result or exception always
reaches the caller unchanged.
"""

from __future__ import annotations

import atexit
from typing import Any, Callable, Dict, Mapping, Optional

from .config import ResolvedConfig
from .context import current_context
from .event_builder import BuildEnv
from .exporter import EventExporter
from .http_exporter import HttpExporter
from .invocation import STARTED, Invocation, ModelMeta
from .processor import EventProcessor
from .redaction import fallback_redact


class TelemetrySdk:
    enabled = True

    def __init__(self, exporter: Optional[EventExporter] = None, redactor: Optional[Callable[[Any], Any]] = None, **settings: Any) -> None:
        c = ResolvedConfig(**settings)
        self.config = c
        h = c.http
        self.exporter = exporter or HttpExporter(
            c.endpoint,
            c.api_key,
            timeout_ms=h.get("timeout_ms", 10_000),
            max_attempts=h.get("max_attempts", 3),
            backoff_base_ms=h.get("backoff_base_ms", 100),
            backoff_max_ms=h.get("backoff_max_ms", 2_000),
            gzip_level=h.get("gzip_level", 1),
            warn=c.warn,
        )
        self._processor: EventProcessor
        env = BuildEnv(redact=redactor or fallback_redact, capture=c.capture, count_tokens=c.count_tokens, on_failure=lambda e: self._processor.count_failure(e))
        self._processor = EventProcessor(
            self.exporter,
            env,
            spool_dir=c.spool_dir,
            spool_max_bytes=c.spool_max_bytes,
            batch_size=c.batch_size,
            flush_interval_ms=c.flush_interval_ms,
            max_queue_size=c.max_queue_size,
            probe_interval_ms=c.probe_interval_ms,
            probe_max_interval_ms=c.probe_max_interval_ms,
            warn=c.warn,
        )
        self._is_shut = False
        if c.flush_on_exit:
            atexit.register(self._at_exit)

    def begin(self, meta: ModelMeta, input: Any, has_input: bool, capture: Optional[Mapping[str, bool]]) -> Optional[Invocation]:
        try:
            invocation = Invocation(meta, current_context(), input, has_input, capture)
            self._processor.enqueue(invocation, STARTED)
            return invocation
        except Exception as error:
            self._processor.count_failure(error)
            return None

    def end(self, invocation: Invocation, kind: int, result: Any, error: Optional[BaseException]) -> None:
        try:
            invocation.end()
            if not invocation.has_result:
                invocation.result = result
            invocation.error = error
            self._processor.enqueue(invocation, kind)
        except Exception as e:
            self._processor.count_failure(e)

    def warn(self, message: str) -> None:
        self.config.warn(message)

    def count_failure(self, error: Optional[BaseException] = None) -> None:
        self._processor.count_failure(error)

    def flush(self, timeout: float = 30.0) -> bool:
        """Sends (or spools) everything recorded so far and makes one spool replay pass."""
        return self._processor.flush(timeout)

    def shutdown(self, timeout: float = 5.0) -> None:
        """Flushes within ``timeout`` seconds, spools the rest, releases the spool, stops."""
        if self._is_shut:
            return
        self._is_shut = True
        try:
            atexit.unregister(self._at_exit)
        except Exception:
            pass
        self._processor.shutdown(timeout)

    def stats(self) -> Dict[str, Any]:
        return self._processor.stats()

    def _at_exit(self) -> None:
        self.shutdown(5.0)
