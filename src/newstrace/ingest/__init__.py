"""Ingestion: turn files, folders and standard input into `Article` records.

One entry point, `read_paths`, over one reader per format (text, html, jsonl, feed, warc),
each a generator `read_xxx(path, options)`. Nothing here raises for a bad input: every
problem becomes a `Skipped` record naming the file (and the line or record in it), and
reading goes on. The style follows trafilatura: a bad page is logged and passed over; a
batch never crashes on one page.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from newstrace.ingest.common import (
    LOGGER, STDIN_PATH, ReadOptions, input_key, os_reason, skip,
)
from newstrace.ingest.detect import detect_kind
from newstrace.ingest.feed import read_feed
from newstrace.ingest.html import read_html
from newstrace.ingest.jsonl import read_json, read_jsonl
from newstrace.ingest.text import read_text
from newstrace.ingest.warc import read_warc
from newstrace.records import Article, Skipped, safe_path

__all__ = ["ReadOptions", "read_paths", "read_path", "READERS",
           "read_text", "read_html", "read_jsonl", "read_json", "read_feed", "read_warc"]

# Folders nested deeper than this are not entered (a guard against pathological trees).
MAX_DEPTH = 100

Reader = Callable[[str, ReadOptions], Iterator[Article | Skipped]]

READERS: dict[str, Reader] = {
    "txt": read_text,
    "html": read_html,
    "jsonl": read_jsonl,
    "json": read_json,
    "feed": read_feed,
    "warc": read_warc,
}


def read_paths(paths: Sequence[str], options: ReadOptions | None = None) -> Iterator[Article | Skipped]:
    """Articles from files, folders (recursively, in sorted order) and "-" (JSONL on stdin).

    Yields an `Article` per article read and a `Skipped` per input, or part of one, that did
    not become an article. Never raises for a bad input. Records `options.seen` reports as
    already stored are dropped silently, before any costly extraction.
    """
    options = options or ReadOptions()
    for path in paths:
        if path == "-":
            yield from _guarded(STDIN_PATH, read_jsonl("-", options))
            continue
        for item in _read_any(str(path), options):
            yield _storable(item)


def _storable(item: Article | Skipped) -> Article | Skipped:
    """A record whose file name was not valid UTF-8 gets it (and an id made from it) escaped, so
    it can be stored, exported and printed; the file itself was read under its real name."""
    if isinstance(item, Skipped):
        item.path = safe_path(item.path)
    elif item.input_path is not None:
        item.input_path = safe_path(item.input_path)
        item.id = safe_path(item.id)
    return item


def read_path(path: str, options: ReadOptions | None = None, explicit: bool = True) -> Iterator[Article | Skipped]:
    """Read one file whatever its format (detected from its name and first bytes).

    `explicit` is False for files found in a folder: those with an unknown extension are
    skipped rather than sniffed.
    """
    yield from _guarded(path, _read_file(path, options or ReadOptions(), explicit))


def _read_file(path: str, options: ReadOptions, explicit: bool) -> Iterator[Article | Skipped]:
    if options.seen(input_key(path, None)):
        return  # a single-article file already stored: no need to even open it
    kind = detect_kind(path, explicit=explicit)
    if isinstance(kind, Skipped):
        yield kind
        return
    yield from READERS[kind](path, options)


def _guarded(path: str, items: Iterator[Article | Skipped]) -> Iterator[Article | Skipped]:
    """Pass a reader's records on; an unexpected error ends that file with a Skipped, not the run."""
    try:
        yield from items
    except Exception as exc:  # noqa: BLE001 -- a reader bug must not end the batch
        LOGGER.warning("unexpected error while reading %s", path, exc_info=True)
        yield skip(path, f"unexpected error while reading: {type(exc).__name__}: {exc}")


# What a walk does with each regular file it finds: (path, explicit) -> records. Reading
# (`read_path`) by default; planning shards (`ingest.shards`) lists the files instead.
Visit = Callable[[str, ReadOptions, bool], Iterator[Any]]


def _read_any(path: str, options: ReadOptions, visit: Visit = read_path) -> Iterator[Any]:
    """A path the user named: a folder is walked, a file is read, anything else is skipped."""
    try:
        st = os.stat(path)
    except OSError as exc:
        yield skip(path, os_reason(exc, path))
        return
    except ValueError as exc:  # an embedded NUL byte in the path
        yield skip(path, f"invalid path: {exc}")
        return
    if _excluded(path, options):
        yield skip(path, OWN_OUTPUT, problem=False)
    elif stat.S_ISDIR(st.st_mode):
        yield from _walk(path, options, visit)
    elif stat.S_ISREG(st.st_mode):
        yield from visit(path, options, True)
    else:
        yield skip(path, f"not a regular file ({_file_type(st.st_mode)})")


OWN_OUTPUT = "newstrace's own output folder, not read as input"


def _excluded(path: str, options: ReadOptions) -> bool:
    """Whether `path` is, or lies inside, a folder never read as input (the output folder)."""
    if not options.exclude:
        return False
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    return any(real == ex or real.startswith(ex.rstrip(os.sep) + os.sep) for ex in options.exclude)


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "named pipe"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special file"


def _walk(root: str, options: ReadOptions, visit: Visit = read_path) -> Iterator[Any]:
    """Every file under `root`, depth first in name order, skipping hidden names (".x").

    Symbolic links to folders are followed; one that leads back into a folder being read
    (a loop), or to a folder already read, is skipped with a reason instead.
    """
    try:
        st = os.stat(root)
    except OSError as exc:
        yield skip(root, os_reason(exc, root))
        return
    ident = (st.st_dev, st.st_ino)
    yield from _walk_folder(root, options, visited={ident}, ancestors=(ident,), visit=visit)


def _walk_folder(folder: str, options: ReadOptions, visited: set[tuple[int, int]],
                 ancestors: tuple[tuple[int, int], ...], visit: Visit = read_path) -> Iterator[Any]:
    if len(ancestors) > MAX_DEPTH:
        yield skip(folder, f"folder nested more than {MAX_DEPTH} levels deep")
        return
    try:
        with os.scandir(folder) as it:
            names = sorted(entry.name for entry in it if not entry.name.startswith("."))
    except OSError as exc:
        yield skip(folder, os_reason(exc, folder))
        return
    for name in names:
        path = os.path.join(folder, name)
        try:
            st = os.stat(path)
        except OSError as exc:
            yield skip(path, os_reason(exc, path))
            continue
        if stat.S_ISDIR(st.st_mode):
            ident = (st.st_dev, st.st_ino)
            if _excluded(path, options):
                yield skip(path, OWN_OUTPUT, problem=False)
            elif ident in ancestors:
                yield skip(path, "directory loop: a link back to a folder that contains it")
            elif ident in visited:
                yield skip(path, "folder already read through another link", problem=False)
            else:
                visited.add(ident)
                yield from _walk_folder(path, options, visited, (*ancestors, ident), visit)
        elif stat.S_ISREG(st.st_mode):
            yield from visit(path, options, False)
        else:
            yield skip(path, f"not a regular file ({_file_type(st.st_mode)})")
