"""Client-side redaction: a small, fail-closed mask, not the real redactor.

The server redacts every trace again with the full ``@frostbyte/redact`` rules
(packages/server/src/ingest/server-redactor.ts) — that pass is the authoritative one.
This one exists so that the commonest identifiers (emails; card, phone and account
numbers) never leave the process in the clear even on the way there, and it matches
the TypeScript SDK's fallback redactor pattern for pattern.
"""

from __future__ import annotations

import re
from typing import Any, Callable

Redactor = Callable[[Any], Any]

# The lookbehind makes a match start only where a run of local-part characters starts.
# Without it, a long run with no "@" (a 30 000-character rationale) is rescanned from
# every position: quadratic, 2 s for 30 KB. With it each run is scanned once; the
# matches are the same, because the leftmost match of a run always starts at its start.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Nine or more digits, optionally separated by single spaces or hyphens.
_DIGIT_RUN = re.compile(r"\+?\d(?:[ -]?\d){8,}")


def redact_text(text: str) -> str:
    return _DIGIT_RUN.sub("<NUMBER>", _EMAIL.sub("<EMAIL>", text))


def fallback_redact(value: Any) -> Any:
    """Masks emails and runs of 9+ digits in every string of a JSON-shaped value
    (``to_json`` has already turned the value into dicts, lists and scalars)."""
    return _walk(value, 0)


def _walk(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if depth > 32:
        return value
    if isinstance(value, list):
        return [_walk(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, depth + 1) for k, v in value.items()}
    return value
