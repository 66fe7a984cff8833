"""What every reader shares: the read options, limits, and small helpers for skips and spans.

Readers never raise for a bad input. A problem becomes one `Skipped` record naming the
file (and the line or record inside it), and reading goes on with the next one.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from newstrace.records import Article, Skipped, Span

LOGGER = logging.getLogger("newstrace.ingest")

# The path shown for JSON Lines read from standard input.
STDIN_PATH = "<stdin>"

# A title counts as standing in the text only if it starts a line within this many
# characters of the start: a headline repeated deep in the body is not the title.
TITLE_SEARCH_CHARS = 2000

# Suffixes stripped from a file name to get its stem, longest first ("x.warc.gz" -> "x").
_COMPOUND_SUFFIXES = (".warc.gz", ".jsonl.gz", ".ndjson.gz", ".json.gz", ".gz")


@dataclass(slots=True)
class ReadOptions:
    """Limits and the resume check that apply to every reader."""

    # cap for one single-article file (txt/html/json) and for one WARC record payload
    # or one JSONL line
    max_bytes: int = 20_000_000
    # cap for one article's text (spaCy's own default limit)
    max_chars: int = 1_000_000
    # given an input_key ("path#ref", see Article.input_key), True if already stored:
    # the record is dropped before any costly extraction (resume)
    seen: Callable[[str], bool] = field(default=lambda key: False)
    # folders never read as input (the run's own output folder): resolved paths
    exclude: tuple[str, ...] = ()


def input_key(path: str, ref: str | None) -> str:
    """The key `Article.input_key` will have for this record: checked against `seen`."""
    return f"{path or '-'}#{ref or ''}"


def file_stem(path: str) -> str:
    """The file name without directory and extension(s): the base of article ids."""
    if path == STDIN_PATH:
        return "stdin"
    name = os.path.basename(os.path.normpath(path)) or path
    lower = name.lower()
    for suffix in _COMPOUND_SUFFIXES:
        if lower.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    stem, _ = os.path.splitext(name)
    return stem or name


def fmt_size(n: int) -> str:
    """A byte count for people: "52.4 MB", "12.0 kB", "250 bytes"."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} bytes"


def os_reason(exc: OSError, path: str | None = None) -> str:
    """The OS's reason for a failed open or stat, in lower case ("no such file or directory")."""
    if path is not None and exc.errno == errno.ENOENT and os.path.islink(path):
        return "broken symbolic link (its target does not exist)"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    reason = exc.strerror or str(exc) or type(exc).__name__
    return reason[0].lower() + reason[1:] if reason else reason


def skip(path: str, reason: str, where: str | None = None, problem: bool = True) -> Skipped:
    """Make a Skipped record and log it (debug level: the run summary reports it)."""
    LOGGER.debug("skipped %s%s: %s", path, f" ({where})" if where else "", reason)
    return Skipped(path=path, reason=reason, where=where, problem=problem)


def too_long(article: Article, options: ReadOptions) -> Skipped | None:
    """A Skipped record if the article's text is over `max_chars`, else None."""
    n = len(article.text)
    if n <= options.max_chars:
        return None
    return skip(article.input_path or "-",
                f"article text is {n} characters, over the limit of {options.max_chars} (--max-chars)",
                article.input_ref)


def over_file_limit(size: int, options: ReadOptions, what: str = "for one article") -> str | None:
    """The reason a single-article file of `size` bytes is refused, or None if it fits."""
    if size <= options.max_bytes:
        return None
    return (f"file is {fmt_size(size)}, over the {fmt_size(options.max_bytes)} limit "
            f"{what} (--max-bytes)")


def read_small_file(path: str, options: ReadOptions, what: str = "for one article") -> bytes | Skipped:
    """Read a whole single-article file, refusing it via stat (before reading) if too big."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            reason = over_file_limit(st.st_size, options, what)
            if reason:
                return skip(path, reason)
            # the file may grow, or stat may not know its size (pipes, /proc): cap the read too
            data = f.read(options.max_bytes + 1)
    except OSError as exc:
        return skip(path, os_reason(exc, path))
    reason = over_file_limit(len(data), options, what)
    if reason:
        return skip(path, reason)
    return data


def read_nonempty_file(path: str, options: ReadOptions, what: str = "for one article") -> bytes | Skipped:
    """`read_small_file`, and an empty file is a `Skipped` too (text of it is checked later)."""
    data = read_small_file(path, options, what)
    if isinstance(data, bytes) and not data.strip():
        return skip(path, "empty file")
    return data


def find_title_span(text: str, title: str | None) -> Span | None:
    """Where `title` stands in `text`: at the start of a line near the top, else None."""
    if not title:
        return None
    title = title.strip()
    if not title:
        return None
    limit = min(len(text), TITLE_SEARCH_CHARS + len(title))
    start = text.find(title, 0, limit)
    while start != -1:
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip(" \t#>*"):
            return Span(start, start + len(title))
        start = text.find(title, start + 1, limit)
    return None
