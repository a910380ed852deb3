"""Against the real server (started by packages/server/test/e2e/python-middleware.test.ts):
delivery, gzip and batching, retries, refusals, and the spool across an outage and a
restart, with no event lost or stored twice."""

from __future__ import annotations

import asyncio
import os
import shutil
import unittest

from frostbyte_telemetry import get_telemetry, init_telemetry, shutdown_telemetry, with_context, wrap_model

from .support import API_KEY, ENDPOINT, META, RecordingProxy, closed_port, needs_server, record, server_events, spool_files, temp_dir, unique


@wrap_model(**META)
def word_count(text):
    return {"output": len(text.split()), "confidence": 0.9}


@wrap_model(**dict(META, stage="embed", operation="embed"))
async def embed(text):
    return [float(len(text))]


def calls(document_id, n):
    with with_context(document_id=document_id):
        for i in range(n):
            word_count("word %d" % i)


@needs_server
class ServerTest(unittest.TestCase):
    def tearDown(self) -> None:
        shutdown_telemetry()

    def test_events_are_stored_with_their_context_error_and_trace(self) -> None:
        doc = unique("doc")
        init_telemetry(endpoint=ENDPOINT, api_key=API_KEY, spool_dir=temp_dir(), flush_on_exit=False)
        with with_context(document_id=doc, pipeline_run_id="run-py"):
            word_count("three little words")
            asyncio.run(embed("abc"))
            with self.assertRaises(ValueError):
                wrap_model(lambda: (_ for _ in ()).throw(ValueError("bad page")), **META)()
        self.assertTrue(get_telemetry().flush(15))
        stats = get_telemetry().stats()
        self.assertEqual((stats["exported"], stats["rejected"], stats["spooled"]), (6, 0, 0))
        events = server_events(doc, 6)
        record(doc, 6)
        self.assertEqual(sorted(e["status"] for e in events), ["completed", "completed", "failed", "started", "started", "started"])
        self.assertTrue(all(e["pipeline_run_id"] == "run-py" for e in events))
        failed = [e for e in events if e["status"] == "failed"][0]
        self.assertEqual(failed["error"], {"type": "ValueError", "message": "bad page"})
        by_invocation = {}
        for e in events:
            by_invocation.setdefault(e["invocation_id"], []).append(e["status"])
        self.assertEqual(len(by_invocation), 3)
        parsed = [e for e in events if e["status"] == "completed" and e["stage"] == "parse"][0]
        self.assertTrue(parsed["has_trace"])
        self.assertEqual(parsed["confidence_score"], 0.9)

    def test_batches_are_gzipped_bearer_authorised_and_capped_at_batch_size(self) -> None:
        doc = unique("doc")
        proxy = RecordingProxy(ENDPOINT)
        proxy.start()
        try:
            init_telemetry(endpoint=proxy.url, api_key=API_KEY, spool_dir=temp_dir(), flush_on_exit=False, batch_size=100)
            calls(doc, 250)
            self.assertTrue(get_telemetry().flush(15))
        finally:
            proxy.stop()
        self.assertEqual(sum(r["events"] for r in proxy.requests), 500)
        self.assertGreaterEqual(len(proxy.requests), 5)
        for r in proxy.requests:
            self.assertEqual((r["encoding"], r["authorization"]), ("gzip", "Bearer " + API_KEY))
            self.assertLessEqual(r["events"], 100)
            self.assertLess(r["bytes"] * 3, r["raw_bytes"])
        self.assertEqual(len({e["id"] for e in server_events(doc, 500)}), 500)
        record(doc, 500)

    def test_5xx_and_429_are_retried_in_place(self) -> None:
        doc = unique("doc")
        proxy = RecordingProxy(ENDPOINT)
        proxy.start()
        proxy.fail_next(1, 503)
        proxy.fail_next(1, 429)
        try:
            init_telemetry(endpoint=proxy.url, api_key=API_KEY, spool_dir=temp_dir(), flush_on_exit=False, http={"backoff_base_ms": 10})
            calls(doc, 5)
            self.assertTrue(get_telemetry().flush(15))
        finally:
            proxy.stop()
        self.assertEqual(len(proxy.requests), 3)
        stats = get_telemetry().stats()
        self.assertEqual((stats["exported"], stats["spooled"], stats["mode"]), (10, 0, "live"))
        self.assertEqual(len(server_events(doc, 10)), 10)
        record(doc, 10)

    def test_other_4xx_are_not_retried_counted_and_logged_once(self) -> None:
        proxy = RecordingProxy(ENDPOINT)
        proxy.start()
        warnings = []
        try:
            init_telemetry(endpoint=proxy.url, api_key="not-a-key", spool_dir=temp_dir(), flush_on_exit=False, warn=warnings.append)
            calls(unique("doc"), 3)
            self.assertTrue(get_telemetry().flush(15))
            calls(unique("doc"), 3)
            self.assertTrue(get_telemetry().flush(15))
        finally:
            proxy.stop()
        self.assertEqual(len(proxy.requests), 2)
        stats = get_telemetry().stats()
        self.assertEqual((stats["rejected"], stats["spooled"], stats["exported"]), (12, 0, 0))
        self.assertEqual(len(warnings), 1)
        self.assertIn("HTTP 401", warnings[0])

    def test_an_outage_is_spooled_and_replayed_in_order_when_the_server_is_back(self) -> None:
        doc = unique("doc")
        spool = temp_dir()
        proxy = RecordingProxy(ENDPOINT)  # not started: its port is closed
        init_telemetry(endpoint=proxy.url, api_key=API_KEY, spool_dir=spool, flush_on_exit=False, probe_interval_ms=50, http={"max_attempts": 1})
        calls(doc, 30)
        self.assertTrue(get_telemetry().flush(15))
        stats = get_telemetry().stats()
        self.assertEqual((stats["spooled"], stats["mode"]), (60, "spool"))
        self.assertEqual(len(spool_files(spool)), 1)
        calls(doc, 10)  # still down: behind the first batch, on disk
        proxy.start()
        try:
            self.assertTrue(get_telemetry().flush(15))
            stats = get_telemetry().stats()
            self.assertEqual((stats["replayed"], stats["mode"], stats["spool_bytes"], stats["dropped"]), (80, "live", 0, 0))
            calls(doc, 5)
            self.assertTrue(get_telemetry().flush(15))
            self.assertEqual(get_telemetry().stats()["exported"], 10)
        finally:
            proxy.stop()
        events = server_events(doc, 90)
        self.assertEqual(len(events), 90)
        self.assertEqual(len({e["id"] for e in events}), 90)
        record(doc, 90)

    def test_a_spool_left_by_a_stopped_process_is_replayed_once_on_the_next_start(self) -> None:
        doc = unique("doc")
        spool = temp_dir()
        init_telemetry(endpoint="http://127.0.0.1:%d" % closed_port(), api_key=API_KEY, spool_dir=spool, flush_on_exit=False, http={"max_attempts": 1})
        calls(doc, 20)
        shutdown_telemetry()
        files = spool_files(spool)
        self.assertEqual(len(files), 1)
        # Keep a copy, as a crash between the server's ack and the offset write would.
        backup = temp_dir()
        shutil.copy(os.path.join(spool, files[0]), backup)

        init_telemetry(endpoint=ENDPOINT, api_key=API_KEY, spool_dir=spool, flush_on_exit=False)
        self.assertTrue(get_telemetry().flush(15))
        self.assertEqual(get_telemetry().stats()["replayed"], 40)
        shutdown_telemetry()
        self.assertEqual(spool_files(spool), [])
        self.assertEqual(len(server_events(doc, 40)), 40)

        # The same batch again (owner long gone): the server absorbs it as duplicates.
        shutil.copy(os.path.join(backup, files[0]), spool)
        init_telemetry(endpoint=ENDPOINT, api_key=API_KEY, spool_dir=spool, flush_on_exit=False)
        self.assertTrue(get_telemetry().flush(15))
        self.assertEqual(get_telemetry().stats()["replayed"], 40)
        events = server_events(doc, 41, timeout=1.0)
        self.assertEqual(len(events), 40)
        self.assertEqual(len({e["id"] for e in events}), 40)
        record(doc, 40)


if __name__ == "__main__":
    unittest.main()
