"""A tiny two-stage pipeline, instrumented: a word-count "parser" and a hashing "embedder".

    FMO_ENDPOINT=http://localhost:8000 FMO_API_KEY=<ingest key> python3 examples/quickstart.py

Each call sends a `started` and a `completed` event; the run shows up in the dashboard
under the key's tenant. Without a server the events wait in ./.fmo-spool for the next run.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from frostbyte_telemetry import get_telemetry, init_telemetry, shutdown_telemetry, with_context, wrap_model  # noqa: E402


@wrap_model(model_name="wordcount-parser", model_version="0.1.0", stage="parse", operation="parse")
def parse(text: str) -> dict:
    words = text.split()
    # The result shape the middleware reads usage and confidence from; callers get it unchanged.
    return {"output": {"words": len(words), "chunks": [" ".join(words[i : i + 8]) for i in range(0, len(words), 8)]},
            "usage": {"input_tokens": len(words), "pages": 1}, "confidence": 1.0}


@wrap_model(model_name="sha-embedder", model_version="0.1.0", stage="embed", operation="embed")
async def embed(chunk: str) -> list:
    digest = hashlib.sha256(chunk.encode()).digest()
    return [b / 255 for b in digest[:8]]


async def run(documents: dict) -> None:
    run_id = "run-" + uuid.uuid4().hex[:8]
    for document_id, text in documents.items():
        with with_context(pipeline_run_id=run_id, document_id=document_id):
            parsed = parse(text)["output"]
            vectors = await asyncio.gather(*(embed(c) for c in parsed["chunks"]))
            print("%s: %d words, %d vectors" % (document_id, parsed["words"], len(vectors)))


if __name__ == "__main__":
    init_telemetry()  # FMO_ENDPOINT, FMO_API_KEY, FMO_SPOOL_DIR, FMO_TELEMETRY=0
    asyncio.run(run({
        "quickstart-invoice-1": "Invoice 42 for the quarterly maintenance of the ingest cluster, due in thirty days.",
        "quickstart-memo-2": "Memo: the embedder moves to version two next week; the parser stays as it is for now.",
    }))
    get_telemetry().flush(10)
    print("telemetry:", get_telemetry().stats())
    shutdown_telemetry()
