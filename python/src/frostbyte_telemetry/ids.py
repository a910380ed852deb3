"""UUIDv7 ids (RFC 9562), written by hand because the standard library has none before 3.14.

Ids are monotonic within the process: inside one millisecond the 12-bit ``rand_a`` field
is a counter, so id order is emission order (the tests and the server's keyset
pagination both lean on that). The counter starts at a random value below 2**11 so a
millisecond always has at least 2048 ids before it borrows the next millisecond.
"""

from __future__ import annotations

import os
import threading
import time

_lock = threading.Lock()
_last_ms = -1
_counter = 0
# One os.urandom call per 512 ids: the syscall per id was most of an id's cost.
_pool = b""
_pool_at = 0


def uuid7() -> str:
    global _last_ms, _counter, _pool, _pool_at
    with _lock:
        if _pool_at >= len(_pool):
            _pool = os.urandom(4096)
            _pool_at = 0
        rand = int.from_bytes(_pool[_pool_at : _pool_at + 8], "big")
        _pool_at += 8
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms = ms
            _counter = rand >> 53  # 11 random bits
        else:
            # Same millisecond (or the clock stepped back): count on from the last id.
            _counter += 1
            if _counter > 0xFFF:
                _last_ms += 1
                _counter = 0
            ms = _last_ms
        counter = _counter
    value = (ms & 0xFFFFFFFFFFFF) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | (rand & 0x3FFFFFFFFFFFFFFF)
    h = "%032x" % value
    return "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])


NIL_ID = "00000000-0000-0000-0000-000000000000"
