"""Append-only on-disk queue of batches for when the server cannot be reached.

Same layout and rules as the TypeScript SDK's Spool (packages/sdk/src/export/spool.ts),
so either SDK can replay what the other left:

  ``<segment-id>.<pid>-<tag>.jsonl``  one ``{"events":[...]}`` line per batch, fsynced per batch
  ``<segment-id>.offset``             bytes of that file the server has acknowledged

Segment ids are UUIDv7, so sorted names replay oldest first. A segment whose owner
(``pid-tag`` in its name) is gone is claimed with an atomic rename, so of two processes
starting at once exactly one replays it. The offset only moves past a line after the
server acknowledged it; a crash between the ack and the offset write replays that one
batch again, which the server absorbs (event ids are idempotency keys). A torn last line
(crash mid-write) was never acknowledged to anyone and is skipped.

Used by the export thread only; no locking inside.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable, Dict, List, Optional, Set

from .ids import uuid7

_SEGMENT_NAME = re.compile(r"^([0-9a-f-]{36})\.(\d+)-([0-9a-f]+)\.jsonl$")
_OFFSET_NAME = re.compile(r"^(.+)\.offset$")

# Spool owners alive in this process (instances that have not closed their spool).
_live_tags: Set[str] = set()


class _Segment:
    __slots__ = ("dir", "id", "path", "offset", "size", "_fh")

    def __init__(self, directory: str, segment_id: str, path: str, offset: int, size: int) -> None:
        self.dir = directory
        self.id = segment_id
        self.path = path
        self.offset = offset
        self.size = size
        self._fh: Optional[Any] = None

    @property
    def offset_path(self) -> str:
        return os.path.join(self.dir, self.id + ".offset")

    def handle(self) -> Any:
        if self._fh is None:
            self._fh = open(self.path, "a+b")
        return self._fh

    def close(self) -> None:
        if self._fh is not None:
            fh, self._fh = self._fh, None
            fh.close()


class SpoolEntry:
    __slots__ = ("segment", "end", "events")

    def __init__(self, segment: _Segment, end: int, events: List[Dict[str, Any]]) -> None:
        self.segment = segment
        self.end = end
        self.events = events


class Spool:
    def __init__(self, directory: str, max_bytes: int = 1024 ** 3, segment_bytes: int = 64 * 1024 ** 2, warn: Optional[Callable[[str], None]] = None) -> None:
        os.makedirs(directory, exist_ok=True)
        self.dir = directory
        self.tag = os.urandom(4).hex()
        self.owner = "%d-%s" % (os.getpid(), self.tag)
        self.max_bytes = max_bytes
        self.segment_bytes = segment_bytes
        self.warn = warn or (lambda m: None)
        self._segments: List[_Segment] = []
        self._active: Optional[_Segment] = None
        self._closed = False
        _live_tags.add(self.tag)
        self._claim_leftovers()

    @property
    def pending_bytes(self) -> int:
        return sum(s.size - s.offset for s in self._segments)

    @property
    def is_empty(self) -> bool:
        return self.pending_bytes == 0

    def append(self, events: List[Dict[str, Any]]) -> bool:
        """Appends one batch as one line and fsyncs it. False (nothing written) when the
        spool is at its size cap or closed."""
        if self._closed:
            return False
        if not events:
            return True
        line = (json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        if self.pending_bytes + len(line) > self.max_bytes:
            return False
        segment = self._active or self._new_segment()
        fh = segment.handle()
        fh.write(line)
        fh.flush()
        _datasync(fh.fileno())
        segment.size += len(line)
        if segment.size >= self.segment_bytes:
            self._active = None  # sealed; the next append starts a new segment
        return True

    def next(self) -> Optional[SpoolEntry]:
        """The oldest unacknowledged batch, or None when everything is acknowledged."""
        while self._segments:
            segment = self._segments[0]
            if segment.offset >= segment.size:
                if segment is self._active:
                    return None
                self._remove(segment)
                continue
            line = _read_line(segment.path, segment.offset, segment.size)
            if line is None:
                self.warn("spool segment %s ends in a torn line (crash mid-write); skipping %d bytes" % (segment.path, segment.size - segment.offset))
                segment.size = segment.offset
                continue
            end = segment.offset + len(line) + 1
            try:
                parsed = json.loads(line.decode("utf-8"))
                if not isinstance(parsed, dict) or not isinstance(parsed.get("events"), list):
                    raise ValueError("no events array")
                return SpoolEntry(segment, end, parsed["events"])
            except ValueError as error:
                self.warn("spool segment %s: unreadable line at byte %d skipped (%s)" % (segment.path, segment.offset, error))
                self._advance(segment, end)
        return None

    def commit(self, entry: SpoolEntry) -> None:
        """Marks ``entry`` acknowledged: the offset moves past it; drained segments go."""
        self._advance(entry.segment, entry.end)

    def close(self) -> None:
        """Closes files and gives up ownership, so a later instance can replay the rest."""
        if self._closed:
            return
        self._closed = True
        for s in list(self._segments):
            if s.offset >= s.size:
                self._remove(s)
            else:
                s.close()
        _live_tags.discard(self.tag)

    def _advance(self, segment: _Segment, end: int) -> None:
        segment.offset = end
        if segment.offset >= segment.size and segment is not self._active:
            self._remove(segment)
            return
        tmp = segment.offset_path + ".tmp"
        with open(tmp, "w") as fh:
            fh.write(str(end))
        os.replace(tmp, segment.offset_path)

    def _remove(self, segment: _Segment) -> None:
        segment.close()
        for path in (segment.path, segment.offset_path):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        if segment in self._segments:
            self._segments.remove(segment)
        if self._active is segment:
            self._active = None

    def _new_segment(self) -> _Segment:
        segment_id = uuid7()
        segment = _Segment(self.dir, segment_id, os.path.join(self.dir, "%s.%s.jsonl" % (segment_id, self.owner)), 0, 0)
        segment.handle()
        _fsync_dir(self.dir)  # the new file's directory entry must survive a crash too
        self._segments.append(segment)
        self._active = segment
        return segment

    def _claim_leftovers(self) -> None:
        names = sorted(os.listdir(self.dir))
        present = set()
        for name in names:
            m = _SEGMENT_NAME.match(name)
            if m is None:
                continue
            segment_id, pid, tag = m.group(1), int(m.group(2)), m.group(3)
            present.add(segment_id)
            if _owner_alive(pid, tag):
                continue
            path = os.path.join(self.dir, "%s.%s.jsonl" % (segment_id, self.owner))
            try:
                os.rename(os.path.join(self.dir, name), path)
            except FileNotFoundError:
                continue  # another process claimed it first
            size = os.stat(path).st_size
            offset = 0
            try:
                with open(os.path.join(self.dir, segment_id + ".offset")) as fh:
                    offset = int(fh.read().strip() or 0)
            except (OSError, ValueError):
                offset = 0
            self._segments.append(_Segment(self.dir, segment_id, path, min(offset, size), size))
        # Offsets whose segment is gone belong to a crash between the two unlinks.
        for name in names:
            m = _OFFSET_NAME.match(name)
            if m is not None and m.group(1) not in present:
                try:
                    os.unlink(os.path.join(self.dir, name))
                except FileNotFoundError:
                    pass
        self._segments.sort(key=lambda s: s.id)


def _owner_alive(pid: int, tag: str) -> bool:
    if pid == os.getpid():
        return tag in _live_tags
    try:
        os.kill(pid, 0)
        return True
    except PermissionError:
        return True  # alive, someone else's
    except OSError:
        return False


def _read_line(path: str, start: int, limit: int) -> Optional[bytes]:
    """The bytes from ``start`` up to the next newline (excluded), or None if the data up
    to ``limit`` has no newline (a torn write). A read handle of its own, so reads never
    share a buffer with the append handle."""
    with open(path, "rb") as fh:
        fh.seek(start)
        chunks = []
        pos = start
        chunk = 256 * 1024
        while pos < limit:
            buf = fh.read(min(chunk, limit - pos))
            if not buf:
                break
            nl = buf.find(b"\n")
            if nl >= 0:
                chunks.append(buf[:nl])
                return b"".join(chunks)
            chunks.append(buf)
            pos += len(buf)
            chunk *= 2
    return None


def _datasync(fd: int) -> None:
    sync = getattr(os, "fdatasync", None) or os.fsync
    sync(fd)


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not every platform can fsync a directory; the data fsync still holds
    finally:
        os.close(fd)
