"""HTML pages: the article text and metadata, via trafilatura; shared with the WARC reader.

trafilatura finds the main text and the metadata (title, author, date, site name, canonical
URL). When it finds no main text (very short or unusual pages) its baseline extractor is
tried, then a plain lxml walk that keeps paragraph breaks. The bytes are decoded here rather
than by trafilatura so that a declared charset (<meta>, HTTP header) is honoured and the
encoding used can be recorded; broken markup never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import lxml.etree
import lxml.html
import trafilatura

from newstrace.ingest.common import (
    LOGGER, ReadOptions, file_stem, find_title_span, input_key, read_nonempty_file, skip, too_long,
)
from newstrace.ingest.decode import declared_charsets, decode_bytes
from newstrace.records import Article, Skipped

NO_TEXT = "no article text found in the HTML"

# Elements whose start and end break a paragraph when HTML is turned into plain text.
BLOCK_TAGS = frozenset(
    "address article aside blockquote caption dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section "
    "summary table tbody tfoot thead tr ul".split())
# Elements whose content is never article text.
SKIP_TAGS = frozenset("script style noscript template head title iframe object svg math "
                      "button select textarea".split())
# Table cells: kept on one line, separated by a space.
CELL_TAGS = frozenset({"td", "th"})
_BREAK = "\uffff"  # a noncharacter: cannot occur in decoded text
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


@dataclass(slots=True)
class Extracted:
    """What was found in one HTML document."""

    text: str
    title: str | None
    author: str | None
    published: str | None
    source: str | None
    url: str | None
    encoding: str


def html_to_text(markup: str, document: bool = False) -> str:
    """Plain text of an HTML fragment (or whole `document`): blocks become paragraphs.

    Paragraphs are separated by a blank line, <br> by a line break; other whitespace is
    collapsed. Scripts, styles and the like are dropped. Returns "" for unparsable input.
    """
    markup = _XML_DECLARATION.sub("", markup, count=1)
    if not markup.strip():
        return ""
    try:
        if document:
            root = lxml.html.document_fromstring(markup)
            body = root.find("body")
            root = body if body is not None else root
        else:
            root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError, TypeError):
        return ""
    chunks: list[str] = []
    walker = lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if event in ("comment", "pi"):
            if el.tail:
                chunks.append(_collapse(el.tail))
        elif event == "start":
            if tag is None or tag in SKIP_TAGS:
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                chunks.append(_BREAK)
            elif tag == "br":
                chunks.append("\n")
            elif tag in CELL_TAGS:
                chunks.append(" ")
            if el.text:
                chunks.append(_collapse(el.text))
        else:
            if tag in BLOCK_TAGS:
                chunks.append(_BREAK)
            if el.tail and el is not root:
                chunks.append(_collapse(el.tail))
    paragraphs = []
    for block in "".join(chunks).split(_BREAK):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _collapse(s: str) -> str:
    """Whitespace in markup text is a space, not a line break."""
    return re.sub(r"\s+", " ", s)


def _meta(doc: Any, name: str) -> str | None:
    """A metadata field of a trafilatura Document, as a non-empty str or None."""
    value = getattr(doc, name, None) if doc is not None else None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def extract_html(data: bytes, url: str | None = None, charsets: Iterable[str | None] = ()) -> Extracted | str:
    """Extract the article in an HTML document; returns the reason (a str) if there is none.

    `charsets` are charsets declared outside the document (an HTTP Content-Type header).
    """
    decoded = decode_bytes(data, [*charsets, *declared_charsets(data)])
    if isinstance(decoded, str):
        return decoded
    markup = decoded.text
    doc: Any = None
    text = ""
    try:
        doc = trafilatura.bare_extraction(markup, url=url, with_metadata=True, include_comments=False)
        text = (_meta(doc, "text") or "") if doc is not None else ""
    except Exception as exc:  # noqa: BLE001 -- trafilatura failing on a page is a fallback case
        LOGGER.debug("trafilatura failed on a page (%s): %s", url, exc)
        doc = None
    if not text:
        text = _fallback_text(markup)
        if doc is None:
            try:
                doc = trafilatura.extract_metadata(markup, default_url=url)
            except Exception as exc:  # noqa: BLE001
                LOGGER.debug("trafilatura metadata failed (%s): %s", url, exc)
    if not text.strip():
        return NO_TEXT
    return Extracted(
        text=text,
        title=_meta(doc, "title"),
        author=_meta(doc, "author"),
        published=_meta(doc, "date"),
        source=_meta(doc, "sitename") or _meta(doc, "hostname"),
        url=_meta(doc, "url"),
        encoding=decoded.encoding,
    )


def _fallback_text(markup: str) -> str:
    """Text of a page trafilatura's main extractor gave up on: its baseline, else all of <body>."""
    try:
        _, text, _ = trafilatura.baseline(markup)
        if text and text.strip():
            return text.strip()
    except Exception as exc:  # noqa: BLE001
        LOGGER.debug("trafilatura baseline failed: %s", exc)
    return html_to_text(markup, document=True)


def read_html(path: str, options: ReadOptions | None = None) -> Iterator[Article | Skipped]:
    """Read one .html/.htm/.xhtml file as one article (or one Skipped)."""
    options = options or ReadOptions()
    if options.seen(input_key(path, None)):
        return
    data = read_nonempty_file(path, options)
    if isinstance(data, Skipped):
        yield data
        return
    found = extract_html(data)
    if isinstance(found, str):
        yield skip(path, found)
        return
    article = Article(
        id=file_stem(path),
        text=found.text,
        title=found.title,
        source=found.source,
        url=found.url,
        published=found.published,
        author=found.author,
        input_path=path,
        input_ref=None,
        input_format="html",
        encoding=found.encoding,
        title_span=find_title_span(found.text, found.title),
    )
    yield too_long(article, options) or article
