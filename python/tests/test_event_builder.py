"""The client-side trims and conversions: every event stays valid against the generated
ingest schema, whatever a model returns or raises."""

from __future__ import annotations

import dataclasses
import math
import unittest

from frostbyte_telemetry import MemoryExporter, get_telemetry, init_telemetry, observe, shutdown_telemetry, wrap_model
from frostbyte_telemetry.redaction import redact_text

from .support import META, schema_errors


class SchemaTrimTest(unittest.TestCase):
    def setUp(self) -> None:
        self.memory = MemoryExporter()
        init_telemetry(exporter=self.memory, spool_dir=False, flush_on_exit=False)

    def tearDown(self) -> None:
        shutdown_telemetry()

    def final(self):
        self.assertTrue(get_telemetry().flush(10))
        events = self.memory.events
        for e in events:
            self.assertEqual(schema_errors(e), [], e)
        return events[-1]

    def test_long_error_messages_and_types_are_cut(self) -> None:
        error_type = type("E" * 300, (Exception,), {})

        @wrap_model(**META)
        def fail():
            raise error_type("x" * 10_000)

        with self.assertRaises(error_type):
            fail()
        e = self.final()
        self.assertEqual(len(e["error"]["message"]), 4000)
        self.assertTrue(e["error"]["message"].endswith("…"))
        self.assertEqual(len(e["error"]["type"]), 200)

    def test_long_rationale_is_cut_and_confidence_outside_0_1_moves_to_metadata(self) -> None:
        for confidence, kept in ((1.5, 1.5), (-0.1, -0.1), (math.nan, "nan"), (math.inf, "inf")):
            with observe(**META) as inv:
                inv.set_output({"output": "x", "rationale": "r" * 30_000, "confidence": confidence})
            e = self.final()
            self.assertEqual(len(e["trace"]["decision_rationale"]), 20_000)
            self.assertNotIn("confidence_score", e["trace"])
            self.assertEqual(e["metadata"]["invalid_confidence"], kept)

    def test_metadata_keeps_at_most_64_keys_and_drops_over_long_keys(self) -> None:
        with observe(**META, metadata={"k%03d" % i: i for i in range(100)}) as inv:
            inv.set_metadata("x" * 200, "too long a key")
        e = self.final()
        self.assertEqual(len(e["metadata"]), 64)
        self.assertIs(e["metadata"]["metadata_truncated"], True)
        self.assertNotIn("x" * 200, e["metadata"])

    def test_token_reports_out_of_range_fall_back_to_the_estimate(self) -> None:
        with observe(**META, input="a" * 40) as inv:
            inv.set_output({"output": "b" * 8, "usage": {"input_tokens": -1, "output_tokens": 10 ** 9}})
        e = self.final()
        self.assertEqual((e["input_tokens"], e["output_tokens"]), (10, 2))
        self.assertEqual(e["metadata"]["token_source"], "estimate")

    def test_without_counting_tokens_stay_absent(self) -> None:
        shutdown_telemetry()
        init_telemetry(exporter=self.memory, spool_dir=False, flush_on_exit=False, count_tokens=False)
        with observe(**META, input="some text") as inv:
            inv.set_output("more text")
        e = self.final()
        self.assertNotIn("input_tokens", e)
        self.assertNotIn("metadata", e)

    def test_odd_python_values_become_json(self) -> None:
        @dataclasses.dataclass
        class Page:
            number: int
            text: str

        class Opaque:
            def __repr__(self):
                return "<Opaque>"

        value = {"page": Page(1, "mail a@b.io"), "raw": b"\x00\x01", "tags": {"x"}, 3: (1.0, math.nan), "obj": Opaque()}

        @wrap_model(**META)
        def parse(doc):
            return value

        self.assertIs(parse(value), value)
        e = self.final()
        self.assertEqual(
            e["trace"]["output"],
            {"page": {"number": 1, "text": "mail <EMAIL>"}, "raw": {"bytes": 2}, "tags": ["x"], "3": [1.0, "nan"], "obj": "<Opaque>"},
        )

    def test_the_fallback_redactor_masks_emails_and_long_digit_runs_only(self) -> None:
        self.assertEqual(redact_text("call +44 20 7946 0958 or j.doe@corp.example"), "call <NUMBER> or <EMAIL>")
        self.assertEqual(redact_text("card 4111-1111-1111-1111, order 12345678"), "card <NUMBER>, order 12345678")

    def test_redaction_stays_linear_on_long_runs_without_an_at_sign(self) -> None:
        # Was quadratic (2 s for this input) before the email pattern's lookbehind.
        import time

        for text in ("r" * 30_000, ("x" * 50 + "@") * 600, "1 " * 20_000):
            t0 = time.perf_counter()
            redact_text(text)
            self.assertLess(time.perf_counter() - t0, 0.5, text[:20])


if __name__ == "__main__":
    unittest.main()
