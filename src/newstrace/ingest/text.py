"""Plain-text and Markdown articles: one file, one article.

The decoded file is the article text, verbatim: nothing is stripped or rewritten, so the
offsets of everything found later point into the file as the user has it. The title is the
first non-empty line, which stays inside the text (`title_span` says where). An optional
front-matter block (`---` lines around `key: value` pairs) gives metadata instead; the text
is then everything after its closing `---` line.
"""

from __future__ import annotations

from collections.abc import Iterator

from newstrace.ingest.common import (
    ReadOptions, file_stem, find_title_span, input_key, read_small_file, skip, too_long,
)
from newstrace.ingest.decode import decode_bytes
from newstrace.ingest.detect import suffix_of
from newstrace.records import Article, Skipped, Span

FRONT_MATTER_FENCE = "---"
# Front-matter keys that fill Article fields ("date" is a common alias of "published").
FRONT_MATTER_KEYS = ("id", "title", "source", "url", "published", "date", "author", "language")
_MARKDOWN_SUFFIXES = (".md", ".markdown")


def split_front_matter(text: str) -> tuple[dict[str, str], int] | None:
    """Parse a leading `---` block: its `key: value` pairs and where the text after it starts.

    None if the text does not open with `---` or the block is never closed.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return None
    meta: dict[str, str] = {}
    offset = len(lines[0])
    for line in lines[1:]:
        offset += len(line)
        stripped = line.strip()
        if stripped == FRONT_MATTER_FENCE:
            return meta, offset
        key, sep, value = stripped.partition(":")
        if not sep or stripped.startswith("#"):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        key = key.strip().lower()
        if value and key in FRONT_MATTER_KEYS:
            meta[key] = value
    return None


def first_line_title(text: str, markdown: bool = False) -> tuple[str, Span] | None:
    """The first non-empty line, stripped (and without Markdown `#`s), and its span in `text`."""
    pos = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        stripped = content.strip()
        if markdown:
            stripped = stripped.lstrip("#").strip() or stripped
        if stripped:
            start = pos + content.find(stripped)
            return stripped, Span(start, start + len(stripped))
        pos += len(line)
    return None


def read_text(path: str, options: ReadOptions | None = None) -> Iterator[Article | Skipped]:
    """Read one .txt/.md file as one article (or one Skipped)."""
    options = options or ReadOptions()
    if options.seen(input_key(path, None)):
        return
    data = read_small_file(path, options)
    if isinstance(data, Skipped):
        yield data
        return
    decoded = decode_bytes(data)
    if isinstance(decoded, str):
        yield skip(path, decoded)
        return
    text = decoded.text
    if not text.strip():
        yield skip(path, "empty file")
        return
    markdown = suffix_of(path) in _MARKDOWN_SUFFIXES
    meta: dict[str, str] = {}
    front = split_front_matter(text)
    if front is not None:
        meta, body_start = front
        text = text[body_start:]
        if not text.strip():
            yield skip(path, "empty file: only front matter, no text after it")
            return
    title: str | None = meta.get("title")
    title_span = find_title_span(text, title) if title else None
    if title is None:
        found = first_line_title(text, markdown)
        if found is not None:
            title, title_span = found
    article = Article(
        id=meta.get("id") or file_stem(path),
        text=text,
        title=title,
        source=meta.get("source"),
        url=meta.get("url"),
        published=meta.get("published") or meta.get("date"),
        author=meta.get("author"),
        language=meta.get("language"),
        input_path=path,
        input_ref=None,
        input_format="txt",
        encoding=decoded.encoding,
        title_span=title_span,
    )
    yield too_long(article, options) or article
