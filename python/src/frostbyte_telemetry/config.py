"""Settings: what the code passes, then the ``FMO_*`` environment, then defaults — the
same variables and defaults as the TypeScript SDK (packages/sdk/src/config.ts)."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Mapping, Optional, Union

_OFF = ("0", "false", "off", "no")


def _stderr_warn(message: str) -> None:
    print("[fmo-telemetry] " + message, file=sys.stderr)


class ResolvedConfig:
    def __init__(
        self,
        enabled: Optional[bool] = None,
        endpoint: Optional[str] = None,
        api_key: Optional[str] = None,
        spool_dir: Union[str, bool, None] = None,
        spool_max_bytes: Optional[int] = None,
        capture: Optional[Mapping[str, bool]] = None,
        count_tokens: Optional[bool] = None,
        batch_size: Optional[int] = None,
        flush_interval_ms: Optional[float] = None,
        max_queue_size: Optional[int] = None,
        probe_interval_ms: Optional[float] = None,
        probe_max_interval_ms: Optional[float] = None,
        http: Optional[Mapping[str, Any]] = None,
        flush_on_exit: Optional[bool] = None,
        warn: Optional[Callable[[str], None]] = None,
        env: Optional[Mapping[str, str]] = None,
    ) -> None:
        e = os.environ if env is None else env
        kill = e.get("FMO_TELEMETRY")
        # FMO_TELEMETRY=0 wins over code: it is the operator's kill switch.
        self.enabled = not (kill is not None and kill.strip().lower() in _OFF) and enabled is not False
        self.endpoint = endpoint or e.get("FMO_ENDPOINT") or "http://localhost:8000"
        self.api_key = api_key or e.get("FMO_API_KEY") or None
        if spool_dir is False:
            self.spool_dir: Optional[str] = None
        elif isinstance(spool_dir, str) and spool_dir:
            self.spool_dir = spool_dir
        else:
            self.spool_dir = e.get("FMO_SPOOL_DIR") or "./.fmo-spool"
        self.spool_max_bytes = int(_positive(spool_max_bytes, 1024 ** 3))
        self.capture = dict(capture) if capture is not None else None
        # No tokenizer in the standard library: "counting" is the chars/4 estimate.
        self.count_tokens = count_tokens is not False
        self.batch_size = int(_positive(batch_size, 500))
        self.flush_interval_ms = _positive(flush_interval_ms, 25)
        self.max_queue_size = int(_positive(max_queue_size, 100_000))
        self.probe_interval_ms = _positive(probe_interval_ms, 500)
        self.probe_max_interval_ms = _positive(probe_max_interval_ms, 15_000)
        self.http = dict(http or {})
        self.flush_on_exit = flush_on_exit is not False
        self.warn = warn or _stderr_warn


def _positive(value: Optional[float], fallback: float) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 and value == value and value != float("inf"):
        return value
    return fallback
