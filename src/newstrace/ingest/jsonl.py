"""JSON Lines (one article object per line) and .json files (an object, a list, or JSON lines).

JSONL is streamed line by line, never loaded whole: a line over `max_bytes` is skipped
without being kept in memory. `text` is kept exactly as the JSON string holds it (odd
whitespace, unusual Unicode, even lone surrogates), because every offset computed later
points into it. A bad line becomes one Skipped naming its line number; the others are read.
Gzip-compressed input (`.jsonl.gz`, or gzip on standard input) is decompressed as it streams.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import zlib
from collections.abc import Iterator
from typing import IO, Any

import orjson

from newstrace.ingest.common import (
    STDIN_PATH, ReadOptions, file_stem, find_title_span, fmt_size, input_key, os_reason,
    over_file_limit, read_small_file, skip, too_long,
)
from newstrace.ingest.decode import binary_reason
from newstrace.ingest.detect import GZIP_MAGIC
from newstrace.records import Article, Skipped

# Optional string fields copied from a JSON object onto the Article.
OPTIONAL_FIELDS = ("title", "url", "source", "published", "author", "language")
# Field names people use for the article text, named in the skip reason when `text` is missing.
_TEXT_ALIASES = ("content", "body", "article", "maintext", "full_text")
# Bytes read at a time while skipping the rest of an over-long line.
_DRAIN_CHUNK = 1 << 20
_UTF8_BOM = b"\xef\xbb\xbf"
_READ_ERRORS = (OSError, EOFError, zlib.error)


def read_jsonl(path: str, options: ReadOptions | None = None) -> Iterator[Article | Skipped]:
    """Read a JSON Lines file (plain or gzip), or standard input if `path` is "-"."""
    options = options or ReadOptions()
    if path == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        if stdin is None:  # a text stream (tests, embedding): re-encode it as UTF-8
            stdin = io.BytesIO(sys.stdin.read().encode("utf-8", "surrogatepass"))
        yield from _read_stream(stdin, STDIN_PATH, "jsonl", options)
        return
    f = _open_at(path)
    if isinstance(f, Skipped):
        yield f
        return
    with f:
        yield from _read_stream(f, path, "jsonl", options)


def read_jsonl_range(path: str, start: int, end: int, first_line: int,
                     options: ReadOptions | None = None) -> Iterator[Article | Skipped]:
    """The lines of an uncompressed JSON Lines file between byte `start` and byte `end`, both at
    the start of a line, the first being line `first_line + 1` (a shard, `ingest.shards`): the
    same records, with the same line numbers and ids, as reading the whole file gives there."""
    options = options or ReadOptions()
    f = _open_at(path, start)
    if isinstance(f, Skipped):
        yield f
        return
    with f:
        yield from _read_lines(_Range(f, end - start), path, "jsonl", options, first_line, part=True)


def _open_at(path: str, start: int = 0) -> IO[bytes] | Skipped:
    """The file open for reading at byte `start`, or a Skipped naming it and why."""
    try:
        f = open(path, "rb")
    except OSError as exc:
        return skip(path, os_reason(exc, path))
    if start:
        try:
            f.seek(start)
        except OSError as exc:
            f.close()
            return skip(path, os_reason(exc, path))
    return f


class _Range:
    """`readline` over the next `left` bytes of a file, and no further."""

    def __init__(self, f: IO[bytes], left: int) -> None:
        self.f = f
        self.left = left

    def readline(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        line = self.f.readline(self.left if size < 0 else min(size, self.left))
        self.left -= len(line)
        return line


def _read_stream(raw: IO[bytes], path: str, fmt: str, options: ReadOptions) -> Iterator[Article | Skipped]:
    """Articles from a byte stream of JSON lines, decompressing it if it is gzip."""
    stream: IO[bytes] = raw
    try:
        start = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    except _READ_ERRORS as exc:
        yield skip(path, os_reason(exc) if isinstance(exc, OSError) else str(exc))
        return
    if start == GZIP_MAGIC:
        stream = gzip.GzipFile(fileobj=raw, mode="rb")
    yield from _read_lines(stream, path, fmt, options)


def _read_lines(stream: IO[bytes] | _Range, path: str, fmt: str, options: ReadOptions,
                first_line: int = 0, part: bool = False) -> Iterator[Article | Skipped]:
    """The line loop: one Article or Skipped per non-blank line (numbered after `first_line`;
    a `part` of a file is not reported empty: the file may have records in its other parts)."""
    stem = file_stem(path)
    max_bytes = options.max_bytes
    n = first_line  # lines read
    records = 0  # non-blank lines among them
    while True:
        where = f"line {n + 1}"
        try:
            line = stream.readline(max_bytes + 1)
            if not line:
                if not records and not part:
                    yield skip(path, "empty file" if n == 0 else "empty file: only blank lines")
                return
            n += 1
            if len(line) > max_bytes and not line.endswith(b"\n"):
                size = len(line) + _drain_line(stream)
                records += 1
                yield skip(path, f"line is {fmt_size(size)}, over the {fmt_size(max_bytes)} limit "
                                 f"for one line (--max-bytes)", where)
                continue
        except _READ_ERRORS as exc:
            yield skip(path, f"truncated or corrupt input: {exc}", where)
            return
        if n == 1:
            line = line.removeprefix(_UTF8_BOM)
            reason = binary_reason(line)
            if reason is not None:
                yield skip(path, reason)
                return
        if not line.strip():
            continue
        records += 1
        ref = f"line {n}"
        if options.seen(input_key(path, ref)):
            continue
        yield _from_json(line.rstrip(b"\r\n"), path, ref, fmt, f"{stem}-{n}", options)


def _drain_line(stream: IO[bytes]) -> int:
    """Skip the rest of the current line without keeping it; returns how many bytes it had."""
    total = 0
    while True:
        chunk = stream.readline(_DRAIN_CHUNK)
        total += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return total


def parse_json(data: bytes) -> Any:
    """Parse JSON bytes; raises ValueError with a short message (no input echoed) if malformed.

    orjson is tried first for speed; the standard library decides on what it rejects
    (lone surrogates, NaN, huge integers) and gives the error position.
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at column {exc.start + 1})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}" if exc.lineno > 1 else f"column {exc.colno}"
        raise ValueError(f"{exc.msg} ({where})") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _from_json(data: bytes, path: str, ref: str, fmt: str, default_id: str,
               options: ReadOptions) -> Article | Skipped:
    try:
        obj = parse_json(data)
    except ValueError as exc:
        return skip(path, f"malformed JSON: {exc}", ref)
    return article_from_object(obj, path, ref, fmt, default_id, options)


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null", int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _optional_str(value: Any) -> str | None:
    """A metadata value as a string: strings as given, lists of strings joined, numbers as text."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ", ".join(v.strip() for v in value if v.strip()) or None
    return None


def article_from_object(obj: Any, path: str, ref: str | None, fmt: str, default_id: str,
                        options: ReadOptions) -> Article | Skipped:
    """An Article from one decoded JSON object, or a Skipped saying what is wrong with it."""
    if not isinstance(obj, dict):
        return skip(path, f"not a JSON object: found {_type_name(obj)}", ref)
    text = obj.get("text")
    if "text" not in obj:
        alias = next((k for k in _TEXT_ALIASES if isinstance(obj.get(k), str)), None)
        hint = f" (there is a \"{alias}\" field; name it \"text\")" if alias else ""
        return skip(path, f"no \"text\" field{hint}", ref)
    if not isinstance(text, str):
        return skip(path, f"\"text\" is {_type_name(text)}, not a string", ref)
    if not text.strip():
        return skip(path, "\"text\" is empty", ref)
    raw_id = obj.get("id")
    if isinstance(raw_id, str) and raw_id.strip():
        article_id = raw_id
    elif isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool):
        article_id = str(raw_id)
    else:
        article_id = default_id
    fields = {name: _optional_str(obj.get(name)) for name in OPTIONAL_FIELDS}
    article = Article(
        id=article_id,
        text=text,
        input_path=path,
        input_ref=ref,
        input_format=fmt,
        encoding="utf-8",
        title_span=find_title_span(text, fields["title"]),
        **fields,
    )
    return too_long(article, options) or article


def read_json(path: str, options: ReadOptions | None = None) -> Iterator[Article | Skipped]:
    """Read a .json file: one article object, a list of them, or JSON lines."""
    options = options or ReadOptions()
    if options.seen(input_key(path, None)):
        return
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        yield skip(path, os_reason(exc, path))
        return
    if size > options.max_bytes:
        # too big to load whole; if it is JSON lines under a .json name it can still stream
        yield from _read_big_json(path, size, options)
        return
    data = read_small_file(path, options)
    if isinstance(data, Skipped):
        yield data
        return
    data = data.removeprefix(_UTF8_BOM)
    if not data.strip():
        yield skip(path, "empty file")
        return
    reason = binary_reason(data)
    if reason is not None:
        yield skip(path, reason)
        return
    stem = file_stem(path)
    try:
        value = parse_json(data)
    except ValueError as exc:
        if _first_line_is_object(data):
            yield from _read_lines(io.BytesIO(data), path, "json", options)
        else:
            yield skip(path, f"malformed JSON: {exc}")
        return
    if isinstance(value, list):
        if not value:
            yield skip(path, "the JSON file holds an empty list")
        for i, item in enumerate(value, 1):
            ref = f"item {i}"
            if not options.seen(input_key(path, ref)):
                yield article_from_object(item, path, ref, "json", f"{stem}-{i}", options)
        return
    if isinstance(value, dict):
        yield article_from_object(value, path, None, "json", stem, options)
        return
    yield skip(path, f"the JSON file holds {_type_name(value)}, not an article object or a list of them")


def _first_line_is_object(data: bytes) -> bool:
    """True if the first non-blank line of `data` is a complete JSON object (JSON lines)."""
    for line in io.BytesIO(data):
        if line.strip():
            try:
                return isinstance(parse_json(line), dict)
            except ValueError:
                return False
    return False


def _read_big_json(path: str, size: int, options: ReadOptions) -> Iterator[Article | Skipped]:
    try:
        with open(path, "rb") as f:
            first = f.readline(options.max_bytes + 1)
            if first.endswith(b"\n") and _first_line_is_object(first.removeprefix(_UTF8_BOM)):
                f.seek(0)
                yield from _read_lines(f, path, "json", options)
                return
    except OSError as exc:
        yield skip(path, os_reason(exc, path))
        return
    reason = over_file_limit(size, options, "for one JSON file")
    yield skip(path, f"{reason}; write large collections as JSON Lines, one article per line")
