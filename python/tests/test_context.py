"""with_context: merging, and that it follows asyncio tasks and (bound) threads without
leaking between them."""

from __future__ import annotations

import asyncio
import threading
import unittest
from concurrent.futures import ThreadPoolExecutor

from frostbyte_telemetry import MemoryExporter, bind_context, current_context, get_telemetry, init_telemetry, shutdown_telemetry, with_context, wrap_model

from .support import META


class ContextTest(unittest.TestCase):
    def setUp(self) -> None:
        self.memory = MemoryExporter()
        init_telemetry(exporter=self.memory, spool_dir=False, flush_on_exit=False)

        @wrap_model(**META)
        def parse(doc):
            return doc

        self.parse = parse

    def tearDown(self) -> None:
        shutdown_telemetry()

    def completed_by_input(self):
        self.assertTrue(get_telemetry().flush(10))
        return {e["trace"]["input"]: e for e in self.memory.events if e["status"] == "completed"}

    def test_inner_values_win_attributes_merge_and_capture_off_stays_off(self) -> None:
        with with_context(tenant_id="acme", pipeline_run_id="run-1", attributes={"a": 1}, capture={"output": False}):
            with with_context(document_id="doc-1", attributes={"b": 2}, capture={"output": True}) as ctx:
                self.assertEqual((ctx.tenant_id, ctx.pipeline_run_id, ctx.document_id), ("acme", "run-1", "doc-1"))
                self.parse("x")
            self.assertIsNone(current_context().document_id)
        self.assertIsNone(current_context())
        e = self.completed_by_input()["x"]
        self.assertEqual((e["tenant_id"], e["pipeline_run_id"], e["document_id"]), ("acme", "run-1", "doc-1"))
        self.assertEqual(e["metadata"]["a"], 1)
        self.assertEqual(e["metadata"]["b"], 2)
        self.assertNotIn("output", e["trace"])

    def test_each_asyncio_task_keeps_its_own_context(self) -> None:
        @wrap_model(**META)
        async def embed(doc):
            await asyncio.sleep(0.005)  # interleave the tasks
            return doc

        async def one(doc):
            with with_context(document_id=doc):
                await asyncio.sleep(0)
                return await embed(doc)

        async def main():
            with with_context(tenant_id="acme"):
                # Tasks created inside inherit the tenant; each sets its own document.
                return await asyncio.gather(*(asyncio.create_task(one("doc-%d" % i)) for i in range(20)))

        asyncio.run(main())
        by_input = self.completed_by_input()
        self.assertEqual(len(by_input), 20)
        for doc, e in by_input.items():
            self.assertEqual((e["document_id"], e["tenant_id"]), (doc, "acme"))

    def test_threads_get_the_context_they_are_handed_and_nothing_else(self) -> None:
        seen = {}

        def work(name):
            seen[name] = current_context()
            self.parse(name)

        with with_context(tenant_id="acme", document_id="parent-doc"):
            plain = threading.Thread(target=work, args=("plain",))
            bound = threading.Thread(target=bind_context(work), args=("bound",))
            plain.start(), bound.start()
            plain.join(), bound.join()
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(bind_context(work), ["pool-%d" % i for i in range(8)]))

        def own(i):
            with with_context(document_id="own-%d" % i):
                self.parse("own-%d" % i)

        threads = [threading.Thread(target=own, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertIsNone(seen["plain"])  # Python's rule: a new thread starts with an empty context
        by_input = self.completed_by_input()
        self.assertNotIn("document_id", by_input["plain"])
        for name in ["bound"] + ["pool-%d" % i for i in range(8)]:
            self.assertEqual(by_input[name]["document_id"], "parent-doc", name)
        for i in range(8):
            self.assertEqual(by_input["own-%d" % i]["document_id"], "own-%d" % i)
            self.assertNotIn("tenant_id", by_input["own-%d" % i])


if __name__ == "__main__":
    unittest.main()
