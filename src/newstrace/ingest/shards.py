"""Shards: the input cut into pieces that a worker reads by itself (`--executor ray`).

`plan_shards` walks the inputs as `read_paths` does (same folders, same order, same skips for
paths that cannot be read) without reading any article, and yields, in that order, `Skipped`
records and `Shard`s:

- consecutive files (text, HTML, JSON, feeds, WARC) grouped up to `SHARD_FILES` files or
  `SHARD_BYTES` bytes, so a folder of many small files makes few shards and a large WARC file
  is a shard of its own (a compressed WARC cannot be cut without reading it);
- an uncompressed JSON Lines file over `SPLIT_FROM` bytes cut into byte ranges of
  `SHARD_RECORDS` lines (or `SHARD_BYTES` bytes), each starting at a line, with the number of
  the line it starts at, so the records, their line numbers and ids are the ones reading the
  whole file gives. Planning counts the file's line breaks once (a sequential read); nothing
  is parsed.

`read_shard` gives a shard's records exactly as `read_paths` gives them there, so a run over
shards, taken in plan order, reads what a run over the paths reads. A shard's `key` names it
for resuming: it changes when any of its files changes (size or modification time).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from newstrace.ingest import _read_any, _storable, read_path
from newstrace.ingest.common import ReadOptions, os_reason, skip
from newstrace.ingest.detect import GZIP_MAGIC, detect_kind
from newstrace.ingest.jsonl import read_jsonl_range
from newstrace.records import Article, Skipped

# Records (files, or lines of a JSON Lines file) per shard: a few hundred keeps every worker
# busy while the driver takes the results in input order, and makes a lost shard cheap to redo.
SHARD_RECORDS = 256
# Files per shard: fewer, since a file may hold many articles (a feed, a small WARC file), and a
# folder of a few hundred files is then spread over every worker.
SHARD_FILES = 32
# Bytes per shard, at most (a single larger file is a shard of its own).
SHARD_BYTES = 64 * 1024 * 1024
# JSON Lines files larger than this are cut into ranges (a few dozen news articles): a small input
# is spread over the workers too.
SPLIT_FROM = 64 * 1024
# Bytes read at a time while counting a JSON Lines file's lines.
_SCAN_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Shard:
    """Files read whole, in order; or (`end` >= 0) one JSON Lines file's lines from byte `start`
    to byte `end`, the first being line `first_line + 1`."""

    key: str
    files: tuple[tuple[str, bool], ...]  # (path, named by the user rather than found in a folder)
    start: int = 0
    end: int = -1
    first_line: int = 0
    records: int = 0  # files, or lines of the range: for progress and the shard log

    @property
    def label(self) -> str:
        """What a message about the shard names: its file(s) and, for a range, the lines."""
        first = self.files[0][0]
        if self.end >= 0:
            return f"{first} (lines {self.first_line + 1}-{self.first_line + self.records})"
        if len(self.files) == 1:
            return first
        return f"{first} and {len(self.files) - 1} more files"


def plan_shards(paths: Sequence[str], options: ReadOptions | None = None, records: int | None = None,
                max_bytes: int | None = None, split_from: int | None = None) -> Iterator[Shard | Skipped]:
    """The inputs as shards and skips, in the order `read_paths` reads them (see the module),
    at most `records` records (default: `SHARD_FILES` files, `SHARD_RECORDS` lines) and
    `max_bytes` (`SHARD_BYTES`) a shard;
    JSON Lines files over `split_from` bytes (`SPLIT_FROM`) cut into ranges.

    Standard input ("-") cannot be cut into shards that another machine reads: it raises
    ValueError."""
    options = options or ReadOptions()
    files, lines = (records, records) if records else (SHARD_FILES, SHARD_RECORDS)
    max_bytes = max_bytes or SHARD_BYTES
    split_from = min(max_bytes, split_from or SPLIT_FROM)
    group: list[tuple[str, bool, int, int]] = []  # path, explicit, size, mtime_ns
    size = 0

    def flush() -> Iterator[Shard]:
        nonlocal group, size
        if group:
            yield _group_shard(group)
        group, size = [], 0

    for path in paths:
        if path == "-":
            raise ValueError("standard input cannot be read in shards: save it to a file, or use --executor local")
        for item in _read_any(str(path), options, _listed):
            if isinstance(item, Skipped):
                yield from flush()
                yield _storable(item)
                continue
            file, explicit, st = item
            if st.st_size > split_from and _plain_jsonl(file, explicit):
                yield from flush()
                yield from _ranges(file, explicit, st, lines, max_bytes)
                continue
            if group and (len(group) >= files or size + st.st_size > max_bytes):
                yield from flush()
            group.append((file, explicit, st.st_size, st.st_mtime_ns))
            size += st.st_size
    yield from flush()


def read_shard(shard: Shard, options: ReadOptions | None = None) -> Iterator[Article | Skipped]:
    """A shard's records, as `read_paths` gives them (ids, line numbers, skips)."""
    options = options or ReadOptions()
    if shard.end >= 0:
        path = shard.files[0][0]
        items: Iterator[Article | Skipped] = read_jsonl_range(path, shard.start, shard.end, shard.first_line, options)
        for item in items:
            yield _storable(item)
        return
    for path, explicit in shard.files:
        for item in read_path(path, options, explicit):
            yield _storable(item)


def _listed(path: str, options: ReadOptions, explicit: bool) -> Iterator[object]:
    """The walk's visit when planning: the file, not its records."""
    try:
        st = os.stat(path)
    except OSError as exc:
        yield skip(path, os_reason(exc, path))
        return
    yield path, explicit, st


def _plain_jsonl(path: str, explicit: bool) -> bool:
    """A JSON Lines file that is not compressed (only those can be cut at byte offsets)."""
    if detect_kind(path, explicit) != "jsonl":
        return False
    try:
        with open(path, "rb") as f:
            return f.read(2) != GZIP_MAGIC
    except OSError:
        return False


def _signature(parts: list[tuple[str, int, int]]) -> str:
    h = hashlib.sha1()
    for path, size, mtime in parts:
        h.update(f"{path}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:16]


def _group_shard(group: list[tuple[str, bool, int, int]]) -> Shard:
    files = tuple((p, e) for p, e, _, _ in group)
    sig = _signature([(p, s, m) for p, _, s, m in group])
    first = group[0][0]
    return Shard(key=f"files:{first}:{len(group)}:{sig}", files=files, records=len(group))


def _ranges(path: str, explicit: bool, st: os.stat_result, records: int, max_bytes: int) -> Iterator[Shard]:
    """Byte ranges of a JSON Lines file, each `records` lines or `max_bytes` bytes at most
    (a longer line is a range of its own), each starting at a line."""
    sig = _signature([(path, st.st_size, st.st_mtime_ns)])
    start = 0  # byte where the current range starts
    first_line = 0  # lines before it
    lines = 0  # lines in it so far
    pos = 0
    last_break = -1  # position just after the last line break seen

    def shard(end: int) -> Shard:
        return Shard(key=f"jsonl:{path}:{start}-{end}:{sig}", files=((path, explicit),), start=start,
                     end=end, first_line=first_line, records=lines)

    with open(path, "rb") as f:
        while True:
            chunk = f.read(_SCAN_CHUNK)
            if not chunk:
                break
            at = 0
            while True:
                nl = chunk.find(b"\n", at)
                if nl < 0:
                    break
                lines += 1
                last_break = pos + nl + 1
                at = nl + 1
                if lines >= records or last_break - start >= max_bytes:
                    yield shard(last_break)
                    start, first_line, lines = last_break, first_line + lines, 0
            pos += len(chunk)
    if pos > start:  # the last range (its last line may lack a line break)
        lines += pos > last_break
        yield shard(pos)
