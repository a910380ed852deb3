"""wrap_model / observe with an in-memory exporter: what each call records, and that the
caller's value or exception is untouched."""

from __future__ import annotations

import asyncio
import functools
import os
import subprocess
import sys
import unittest

from frostbyte_telemetry import MemoryExporter, get_telemetry, init_telemetry, observe, shutdown_telemetry, wrap_model

from .support import META, ROOT, closed_port, schema_errors, spool_files, temp_dir


class WrapTest(unittest.TestCase):
    def setUp(self) -> None:
        self.memory = MemoryExporter()
        self.sdk = init_telemetry(exporter=self.memory, spool_dir=False, flush_on_exit=False)

    def tearDown(self) -> None:
        shutdown_telemetry()

    def events(self):
        self.assertTrue(get_telemetry().flush(10))
        events = self.memory.events
        for e in events:
            self.assertEqual(schema_errors(e), [], e)
        return events

    def test_sync_decorator_records_started_then_completed_and_returns_the_value_unchanged(self) -> None:
        returned = {"output": ["a", "b"], "usage": {"input_tokens": 7, "output_tokens": 2, "pages": 3}, "rationale": "two words", "confidence": 0.75, "metadata": {"lang": "en"}}

        @wrap_model(**META)
        def parse(text):
            return returned

        self.assertIs(parse("a b"), returned)
        self.assertEqual(parse.__name__, "parse")
        started, completed = self.events()
        self.assertEqual([started["status"], completed["status"]], ["started", "completed"])
        self.assertEqual(started["invocation_id"], completed["invocation_id"])
        self.assertNotEqual(started["id"], completed["id"])
        self.assertEqual(started["id"][14], "7")  # UUIDv7
        self.assertLess(started["id"], completed["id"])
        self.assertEqual((completed["input_tokens"], completed["output_tokens"]), (7, 2))
        self.assertEqual(completed["trace"], {"input": "a b", "output": ["a", "b"], "decision_rationale": "two words", "confidence_score": 0.75})
        self.assertEqual(completed["metadata"], {"lang": "en", "pages": 3, "token_source": "model"})
        self.assertGreaterEqual(completed["duration_ms"], 0)
        self.assertNotIn("trace", started)

    def test_async_functions_get_an_async_wrapper(self) -> None:
        @wrap_model(**dict(META, stage="embed", operation="embed"))
        async def embed(text):
            await asyncio.sleep(0.01)
            return [0.1, 0.2]

        self.assertTrue(asyncio.iscoroutinefunction(embed))
        self.assertEqual(asyncio.run(embed("hello")), [0.1, 0.2])
        started, completed = self.events()
        self.assertEqual(completed["status"], "completed")
        self.assertGreaterEqual(completed["duration_ms"], 9)
        # A vector is not text: no token estimate for the output.
        self.assertNotIn("output_tokens", completed)
        self.assertEqual(completed["input_tokens"], 2)  # "hello": ceil(5 / 4)
        self.assertEqual(completed["metadata"], {"token_source": "estimate"})

    def test_the_wrapper_form_and_a_sync_function_that_returns_a_coroutine(self) -> None:
        async def model(x, scale=1):
            return x * scale

        wrapped = wrap_model(functools.partial(model, scale=3), **META)
        self.assertEqual(asyncio.run(wrapped(2)), 6)
        _, completed = self.events()
        self.assertEqual(completed["status"], "completed")
        self.assertEqual(completed["trace"]["output"], 6)

    def test_an_exception_is_reraised_unchanged_after_a_failed_event(self) -> None:
        class CorruptDocumentError(Exception):
            pass

        raised = CorruptDocumentError("page 3 unreadable; mail ops@example.com, account 1234 5678 9012")

        @wrap_model(**META)
        def parse(path):
            raise raised

        @wrap_model(**META)
        async def parse_async(path):
            raise raised

        with self.assertRaises(CorruptDocumentError) as caught:
            parse("doc.pdf")
        self.assertIs(caught.exception, raised)
        with self.assertRaises(CorruptDocumentError) as caught_async:
            asyncio.run(parse_async("doc.pdf"))
        self.assertIs(caught_async.exception, raised)
        events = self.events()
        self.assertEqual([e["status"] for e in events], ["started", "failed", "started", "failed"])
        failed = events[1]
        self.assertEqual(failed["error"], {"type": "CorruptDocumentError", "message": "page 3 unreadable; mail <EMAIL>, account <NUMBER>"})
        self.assertEqual(failed["trace"], {"input": "doc.pdf"})

    def test_methods_keyword_arguments_and_several_arguments_are_captured_as_input(self) -> None:
        class Parser:
            @wrap_model(**META)
            def parse(self, text, *, mode="fast"):
                return len(text)

        self.assertEqual(Parser().parse("abc", mode="slow"), 3)

        @wrap_model(**META)
        def pair(a, b):
            return a + b

        self.assertEqual(pair(1, 2), 3)
        events = self.events()
        self.assertEqual(events[1]["trace"]["input"], {"args": ["abc"], "kwargs": {"mode": "slow"}})
        self.assertEqual(events[3]["trace"]["input"], [1, 2])

    def test_capture_switches_only_narrow(self) -> None:
        from frostbyte_telemetry import with_context

        @wrap_model(**META, capture={"input": False})
        def secret(text):
            return "ok"

        with with_context(capture={"input": True, "output": False}):
            secret("ssn 123-45-6789")
        _, completed = self.events()
        self.assertNotIn("trace", completed)  # model said no input, context said no output

    def test_observe_records_a_block_and_its_annotations(self) -> None:
        with observe(**META, input="question", metadata={"route": "a"}) as inv:
            inv.set_output({"output": "answer", "confidence": 1.5})
            inv.set_usage(input_tokens=11, output_tokens=3)
            inv.set_metadata("retries", 0)
            invocation_id = inv.invocation_id
        with self.assertRaises(ZeroDivisionError):
            with observe(**META):
                1 / 0  # noqa: B018 - the failure under test

        async def run_async():
            async with observe(**META) as inv:
                inv.set_rationale("because")

        asyncio.run(run_async())
        events = self.events()
        self.assertEqual(events[1]["invocation_id"], invocation_id)
        self.assertEqual(events[1]["trace"], {"input": "question", "output": "answer"})
        self.assertEqual(events[1]["metadata"], {"route": "a", "retries": 0, "token_source": "model", "invalid_confidence": 1.5})
        self.assertEqual(events[3]["error"]["type"], "ZeroDivisionError")
        self.assertEqual(events[5]["trace"], {"decision_rationale": "because"})

    def test_bad_names_fail_at_wrap_time_and_observe_runs_unrecorded(self) -> None:
        shutdown_telemetry()
        warnings = []
        init_telemetry(exporter=self.memory, spool_dir=False, flush_on_exit=False, warn=warnings.append)
        with self.assertRaisesRegex(ValueError, "model_name must be a slug"):
            wrap_model(lambda: 1, **dict(META, model_name="no spaces"))
        with observe(**dict(META, stage="")) as inv:
            inv.set_output(1)
        self.assertEqual(self.events(), [])
        self.assertEqual(get_telemetry().stats()["failures"], 1)
        self.assertEqual(len(warnings), 1)
        self.assertIn("stage must be a slug", warnings[0])

    def test_a_telemetry_failure_never_reaches_the_caller(self) -> None:
        shutdown_telemetry()

        def broken_redactor(value):
            raise RuntimeError("redactor bug")

        init_telemetry(exporter=self.memory, spool_dir=False, flush_on_exit=False, redactor=broken_redactor)

        @wrap_model(**META)
        def parse(text):
            return "secret output"

        self.assertEqual(parse("secret input"), "secret output")
        _, completed = self.events()
        self.assertEqual(completed["trace"], {"input": "[redaction failed]", "output": "[redaction failed]"})
        self.assertEqual(get_telemetry().stats()["failures"], 2)


class NoopTest(unittest.TestCase):
    def test_before_init_wrapped_functions_just_run(self) -> None:
        shutdown_telemetry()
        calls = []

        @wrap_model(**META)
        def parse(text):
            calls.append(text)
            return text.upper()

        @wrap_model(**META)
        async def embed(text):
            return [1.0]

        self.assertEqual(parse("a"), "A")
        self.assertEqual(asyncio.run(embed("a")), [1.0])
        with observe(**META) as inv:
            inv.set_output("x")
        self.assertEqual(inv.invocation_id, "00000000-0000-0000-0000-000000000000")
        self.assertFalse(get_telemetry().enabled)
        self.assertEqual(calls, ["a"])
        self.assertEqual(get_telemetry().stats()["emitted"], 0)

    def test_the_kill_switch_wins_over_code(self) -> None:
        memory = MemoryExporter()
        for value in ("0", "false", "OFF", "no"):
            telemetry = init_telemetry(exporter=memory, spool_dir=False, flush_on_exit=False, enabled=True, env={"FMO_TELEMETRY": value})
            self.assertFalse(telemetry.enabled, value)

            @wrap_model(**META)
            def parse(text):
                return text

            self.assertEqual(parse("a"), "a")
        self.assertEqual(memory.events, [])
        self.assertTrue(init_telemetry(exporter=memory, spool_dir=False, flush_on_exit=False, env={"FMO_TELEMETRY": "1"}).enabled)
        shutdown_telemetry()

    def test_events_left_at_exit_are_flushed_by_atexit(self) -> None:
        # A real interpreter that never calls flush or shutdown: the atexit hook must
        # hand its events to the spool (the endpoint is a closed port).
        spool = temp_dir()
        script = (
            "from frostbyte_telemetry import init_telemetry, wrap_model\n"
            "f = wrap_model(lambda x: x, model_name='m', model_version='1', stage='parse', operation='parse')\n"
            "init_telemetry(endpoint='http://127.0.0.1:%d', spool_dir=%r, http={'max_attempts': 1})\n"
            "for i in range(10): f(i)\n" % (closed_port(), spool)
        )
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python", "src"))
        env.pop("FMO_TELEMETRY", None)
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0, done.stderr)
        files = spool_files(spool)
        self.assertEqual(len(files), 1)
        with open(os.path.join(spool, files[0])) as fh:
            spooled = sum(len(__import__("json").loads(line)["events"]) for line in fh)
        self.assertEqual(spooled, 20)


if __name__ == "__main__":
    unittest.main()
