"""RSS, Atom and RDF feeds: one article per entry, via feedparser.

An entry's text is its full content if the feed carries it, else its summary; HTML in
either becomes plain text with paragraph breaks. The feed's title is the articles' source.
feedparser is lenient: a feed it flags as ill-formed ("bozo") is still read if it yielded
entries; only a file with no entries at all is refused, with feedparser's reason.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import feedparser

from newstrace.ingest.common import (
    ReadOptions, file_stem, find_title_span, input_key, read_nonempty_file, skip, too_long,
)
from newstrace.ingest.html import html_to_text
from newstrace.records import Article, Skipped

# Length of the hex digest that makes an entry's id unique within its feed.
ID_HASH_CHARS = 10
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def _plain(value: str, content_type: str | None) -> str:
    """Entry content as plain text: HTML converted (paragraph breaks kept), text as is."""
    ctype = (content_type or "text/html").lower()
    if ctype.startswith(_HTML_TYPES) or "<" in value:
        return html_to_text(value)
    return value.strip()


def _iso(parsed: Any) -> str | None:
    """An ISO 8601 UTC timestamp from feedparser's parsed date (a time.struct_time in UTC)."""
    try:
        return datetime(*parsed[:6], tzinfo=timezone.utc).isoformat()
    except (TypeError, ValueError):
        return None


def _entry_text(entry: Any) -> str:
    for content in entry.get("content") or ():
        value = content.get("value")
        if isinstance(value, str) and value.strip():
            text = _plain(value, content.get("type"))
            if text.strip():
                return text
    summary = entry.get("summary")
    if isinstance(summary, str) and summary.strip():
        detail = entry.get("summary_detail") or {}
        return _plain(summary, detail.get("type"))
    return ""


def read_feed(path: str, options: ReadOptions | None = None) -> Iterator[Article | Skipped]:
    """Read an RSS/Atom/RDF feed file: one Article (or Skipped) per entry."""
    options = options or ReadOptions()
    data = read_nonempty_file(path, options, what="for one feed")
    if isinstance(data, Skipped):
        yield data
        return
    try:
        # a stream, never a path or URL: feedparser would open or fetch those
        parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    except Exception as exc:  # noqa: BLE001 -- a parser crash is a bad file, not a bad run
        yield skip(path, f"not a valid feed: {type(exc).__name__}: {exc}")
        return
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            error = parsed.get("bozo_exception")
            yield skip(path, f"not a valid feed: {error or 'feedparser could not parse it'}")
        else:
            yield skip(path, "feed has no entries")
        return
    stem = file_stem(path)
    source = (parsed.get("feed") or {}).get("title") or None
    encoding = parsed.get("encoding") or None
    for n, entry in enumerate(entries, 1):
        ref = f"entry {n}"
        if options.seen(input_key(path, ref)):
            continue
        try:
            text = _entry_text(entry)
        except Exception as exc:  # noqa: BLE001 -- one odd entry must not end the feed
            yield skip(path, f"cannot read entry: {type(exc).__name__}: {exc}", ref)
            continue
        if not text.strip():
            yield skip(path, "entry has no content or summary", ref)
            continue
        title = (entry.get("title") or "").strip() or None
        link = entry.get("link") or None
        key = entry.get("id") or link or title or ref
        digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:ID_HASH_CHARS]
        parsed_date = entry.get("published_parsed") or entry.get("updated_parsed")
        article = Article(
            id=f"{stem}-{digest}",
            text=text,
            title=title,
            source=source,
            url=link,
            published=_iso(parsed_date) if parsed_date else None,
            author=entry.get("author") or None,
            input_path=path,
            input_ref=ref,
            input_format="feed",
            encoding=encoding,
            title_span=find_title_span(text, title),
        )
        yield too_long(article, options) or article
