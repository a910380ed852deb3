"""Moves events from the in-memory queue to the exporter on one background thread.

Delivery has two modes, as in the TypeScript SDK's EventProcessor. ``live``: batches go
to the exporter. When a batch fails with a retryable error, the processor switches to
``spool``: that batch and every later one are appended to the spool, and a probe replays
the spool oldest first, with capped exponential backoff and jitter (0.5 s → 15 s). Only
an empty spool switches back to ``live``, so events reach the server in the order they
were emitted and none is acknowledged-then-lost.

Threading: callers only ``append`` to a deque (atomic under the GIL) and, once per
batching window, set an Event. Everything else — building events, HTTP, the spool, the
counters — belongs to the export thread, so none of it needs a lock.
"""

from __future__ import annotations

import collections
import random
import threading
import time
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from .event_builder import BuildEnv, build_event
from .exporter import EventExporter, ExportResult
from .invocation import Invocation
from .spool import Spool

# Events per spool line when moving the queue to disk in bulk (the server's batch limit).
SPOOL_CHUNK = 5000


class EventProcessor:
    def __init__(
        self,
        exporter: EventExporter,
        build_env: BuildEnv,
        spool_dir: Optional[str],
        spool_max_bytes: int = 1024 ** 3,
        batch_size: int = 500,
        flush_interval_ms: float = 25,
        max_queue_size: int = 100_000,
        probe_interval_ms: float = 500,
        probe_max_interval_ms: float = 15_000,
        warn: Callable[[str], None] = lambda m: None,
    ) -> None:
        self._exporter = exporter
        self._env = build_env
        self._spool_dir = spool_dir
        self._spool_max_bytes = spool_max_bytes
        self._batch_size = batch_size
        self._window = flush_interval_ms / 1000
        self._max_queue = max_queue_size
        self._probe_interval = probe_interval_ms / 1000
        self._probe_max = probe_max_interval_ms / 1000
        self._warn = warn
        self._warned: set = set()

        self._queue: Deque[Tuple[Invocation, int]] = collections.deque()
        self._wake = threading.Event()
        self._armed = False
        self._full_lock = threading.Lock()
        self._cond = threading.Condition()
        self._flush_requested = 0
        self._flush_done = 0
        self._closing = False

        # Owned by the export thread.
        self._spool: Optional[Spool] = None
        self.mode = "live"
        self._probe_delay = self._probe_interval
        self._next_probe = 0.0
        self._drained = 0
        self._dropped_full = 0
        self._c: Dict[str, int] = {"exported": 0, "dropped": 0, "rejected": 0, "spooled": 0, "replayed": 0, "failures": 0}

        self._thread = threading.Thread(target=self._run, name="fmo-telemetry-export", daemon=True)
        self._thread.start()

    # ---- caller side ---------------------------------------------------------------

    def enqueue(self, invocation: Invocation, kind: int) -> None:
        """The hot path: an append and, once per batching window, an Event.set()."""
        q = self._queue
        if len(q) >= self._max_queue or self._closing:
            with self._full_lock:
                self._dropped_full += 1
            return
        q.append((invocation, kind))
        if not self._armed:
            self._armed = True
            self._wake.set()
        elif len(q) == self._batch_size:
            self._wake.set()  # a full batch need not wait out the window

    def count_failure(self, _error: Optional[BaseException] = None) -> None:
        with self._full_lock:
            self._c["failures"] += 1

    def flush(self, timeout: float = 30.0) -> bool:
        """Delivers (or spools) everything queued so far, then makes one replay pass over
        the spool. True when that finished within ``timeout`` seconds."""
        if not self._thread.is_alive():
            return False
        with self._cond:
            self._flush_requested += 1
            target = self._flush_requested
        self._wake.set()
        with self._cond:
            return self._cond.wait_for(lambda: self._flush_done >= target or not self._thread.is_alive(), timeout)

    def shutdown(self, timeout: float = 5.0) -> None:
        """Flushes within ``timeout``, then spools whatever is left and stops the thread."""
        deadline = time.monotonic() + timeout
        if self._closing:
            return
        self.flush(timeout)
        self._closing = True
        self._exporter.shutdown()  # a request still in flight gives up; its batch is spooled
        self._wake.set()
        self._thread.join(max(0.1, deadline - time.monotonic()))

    def stats(self) -> Dict[str, Any]:
        with self._full_lock:
            counters = dict(self._c)
            dropped_full = self._dropped_full
        spool = self._spool
        return {
            "emitted": self._drained + len(self._queue) + dropped_full,
            "exported": counters["exported"],
            "dropped": counters["dropped"] + dropped_full,
            "rejected": counters["rejected"],
            "spooled": counters["spooled"],
            "replayed": counters["replayed"],
            "failures": counters["failures"],
            "queued": len(self._queue),
            "spool_bytes": spool.pending_bytes if spool is not None else 0,
            "mode": self.mode,
        }

    # ---- export thread ---------------------------------------------------------------

    def _run(self) -> None:
        self._open_spool()
        while True:
            timeout = None
            if self.mode == "spool":
                timeout = max(0.0, self._next_probe - time.monotonic())
            self._wake.wait(timeout)
            self._wake.clear()
            if self._closing:
                break
            if 0 < len(self._queue) < self._batch_size and not self._flush_pending():
                # The batching window: gather more, unless a full batch or a flush comes first.
                self._wake.wait(self._window)
                self._wake.clear()
                if self._closing:
                    break
            # Read after the window: a flush asked for before this point is answered by
            # the drain below, which takes everything enqueued before it was asked.
            with self._cond:
                flushing = self._flush_requested > self._flush_done
                target = self._flush_requested
            try:
                self._armed = False  # before draining: an append from now on wakes us again
                self._drain()
                if self.mode == "spool" and (flushing or time.monotonic() >= self._next_probe):
                    self._replay()
                elif flushing and self._spool is not None and not self._spool.is_empty:
                    self._replay()
                self._exporter.force_flush()
            except Exception as error:  # never let the export thread die
                self.count_failure(error)
            with self._cond:
                self._flush_done = max(self._flush_done, target)
                self._cond.notify_all()
        self._final()
        with self._cond:
            self._flush_done = self._flush_requested
            self._cond.notify_all()

    def _flush_pending(self) -> bool:
        with self._cond:
            return self._flush_requested > self._flush_done

    def _drain(self) -> None:
        while self._queue and not self._closing:
            self._deliver(self._take(self._batch_size if self.mode == "live" else SPOOL_CHUNK))

    def _take(self, n: int) -> List[Dict[str, Any]]:
        q = self._queue
        items = []
        while q and len(items) < n:
            items.append(q.popleft())
        self._drained += len(items)
        events = []
        for invocation, kind in items:
            try:
                events.append(build_event(invocation, kind, self._env))
            except Exception as error:
                self.count_failure(error)
                self._c["dropped"] += 1
        return events

    def _deliver(self, events: List[Dict[str, Any]]) -> None:
        if not events:
            return
        if self.mode == "spool":
            self._to_spool(events)
            return
        result = self._export(events)
        if result.ok:
            self._account(result, len(events), "exported")
        elif result.retryable:
            self._enter_spool_mode()
            self._to_spool(events)
        else:
            self._c["rejected"] += len(events)

    def _export(self, events: List[Dict[str, Any]]) -> ExportResult:
        try:
            return self._exporter.export(events)
        except Exception as error:
            # An exporter should return a failed result, but one that raises must not lose the batch.
            self.count_failure(error)
            return ExportResult(False, retryable=True, error=repr(error))

    def _account(self, result: ExportResult, sent: int, counter: str) -> None:
        self._c["rejected"] += result.rejected
        self._c[counter] += result.accepted if result.accepted or result.rejected else sent

    def _to_spool(self, events: List[Dict[str, Any]]) -> None:
        written = False
        spool = self._spool
        if spool is not None:
            try:
                written = spool.append(events)
                if not written:
                    self._warn_once("spool-full", "spool at %s is full (%d bytes); dropping batches" % (spool.dir, self._spool_max_bytes))
            except OSError as error:
                self.count_failure(error)
                self._warn_once("spool-io", "spool write failed: %s" % error)
        else:
            self._warn_once("no-spool", "the server is unreachable and no spool directory is set; dropping batches")
        if written:
            self._c["spooled"] += len(events)
        else:
            self._c["dropped"] += len(events)

    def _enter_spool_mode(self) -> None:
        if self.mode == "spool":
            return
        self.mode = "spool"
        self._probe_delay = self._probe_interval
        self._next_probe = time.monotonic() + self._probe_interval

    def _replay(self) -> None:
        """Replays the spool oldest first until it is empty (→ live) or a send fails
        (→ next probe after a backoff)."""
        spool = self._spool
        if spool is None:
            self.mode = "live"
            return
        while not self._closing:
            # New events keep arriving during a long replay: they go behind the backlog,
            # on disk, so memory stays bounded and order holds.
            if len(self._queue) >= self._batch_size:
                self.mode = "spool"
                self._drain()
            entry = spool.next()
            if entry is None:
                if self._queue and self.mode == "spool":
                    self._drain()
                    continue
                self.mode = "live"
                self._probe_delay = self._probe_interval
                return
            result = self._export(entry.events)
            if result.ok:
                self._account(result, len(entry.events), "replayed")
            elif result.retryable:
                self.mode = "spool"
                delay = self._probe_delay * (0.5 + random.random() / 2)
                self._probe_delay = min(self._probe_max, self._probe_delay * 2)
                self._next_probe = time.monotonic() + delay
                return
            else:
                self._c["rejected"] += len(entry.events)  # refused for good: do not block the spool on it
            spool.commit(entry)

    def _final(self) -> None:
        """Shutting down: what is still in memory goes to disk, for the next run."""
        self.mode = "spool"
        try:
            while self._queue:
                self._deliver(self._take(SPOOL_CHUNK))
        except Exception as error:
            self.count_failure(error)
        if self._spool is not None:
            try:
                self._spool.close()
            except OSError as error:
                self.count_failure(error)

    def _open_spool(self) -> None:
        if self._spool_dir is None:
            return
        try:
            self._spool = Spool(self._spool_dir, max_bytes=self._spool_max_bytes, warn=self._warn)
        except OSError as error:
            self.count_failure(error)
            self._warn("spool directory %s is unusable (%s); batches that cannot be sent will be dropped" % (self._spool_dir, error))
            return
        if not self._spool.is_empty:
            # A previous run left batches: they go first, before anything live.
            self.mode = "spool"
            self._next_probe = 0.0

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self._warn(message)
