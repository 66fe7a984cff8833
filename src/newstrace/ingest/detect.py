"""Which reader a file needs: by its extension, checked against its first bytes.

Content wins over the name where the content is unambiguous: a WARC header, a gzip stream,
or an RSS/Atom/RDF root element. A file named explicitly with an unknown extension is
sniffed further (HTML, JSON, plain text); inside folders such files are skipped instead,
so a folder of mixed documents does not turn images and spreadsheets into "articles".
"""

from __future__ import annotations

import os
import re
import zlib

from newstrace.ingest.common import os_reason, skip
from newstrace.ingest.decode import SNIFF_BYTES, binary_reason
from newstrace.records import Skipped

KIND_BY_SUFFIX: dict[str, str] = {
    ".txt": "txt", ".md": "txt", ".markdown": "txt",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
    ".warc": "warc",
}
# Inner suffixes of a ".gz" file that are read as a stream of JSON objects.
_JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")

GZIP_MAGIC = b"\x1f\x8b"

_FEED_ROOT = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--.*?-->|<\?[^>]*\?>|<!DOCTYPE[^>]*>)\s*)*"""
    rb"""<(?:rss|feed|rdf:RDF)[\s>/]""", re.I | re.S)
_HTML_START = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*"""
    rb"""<(?:!doctype\s+html|html|head|body|meta|title)[\s>]""", re.I | re.S)


def suffix_of(path: str) -> str:
    """The lower-case extension, including ".gz" compound ones (".warc.gz"); "" if none."""
    name = os.path.basename(path).lower()
    stem, ext = os.path.splitext(name)
    if ext == ".gz":
        inner = os.path.splitext(stem)[1]
        return inner + ext if inner else ext
    return ext


def is_warc(head: bytes) -> bool:
    """True if `head` starts like a WARC file ("WARC/1.0", "WARC/1.1")."""
    return head.lstrip(b"\r\n").startswith((b"WARC/1.", b"WARC/0."))


def is_feed(head: bytes) -> bool:
    """True if the root element of the XML in `head` is <rss>, <feed> or <rdf:RDF>."""
    return _FEED_ROOT.match(head) is not None


def gunzip_head(head: bytes) -> bytes | None:
    """The first decompressed bytes of a gzip stream, or None if it is not valid gzip."""
    try:
        return zlib.decompressobj(wbits=31).decompress(head, SNIFF_BYTES)
    except zlib.error:
        return None


def _read_head(path: str) -> bytes | Skipped:
    try:
        with open(path, "rb") as f:
            return f.read(SNIFF_BYTES)
    except OSError as exc:
        return skip(path, os_reason(exc, path))


def detect_kind(path: str, explicit: bool = True) -> str | Skipped:
    """The reader kind for `path` ("txt", "html", "jsonl", "json", "feed", "warc"), or a Skipped.

    `explicit` is True for a path the user named; False for a file found in a folder, where
    unknown extensions are skipped without being opened.
    """
    suffix = suffix_of(path)
    by_name = KIND_BY_SUFFIX.get(suffix)
    if by_name is None and suffix.endswith(".gz"):
        by_name = "gz"
    if by_name is None and not explicit:
        return skip(path, f"unsupported file type {suffix or '(no extension)'}", problem=False)
    head = _read_head(path)
    if isinstance(head, Skipped):
        return head
    if head.startswith(GZIP_MAGIC):
        inner = gunzip_head(head)
        if suffix == ".warc.gz" or (inner is not None and is_warc(inner)):
            return "warc"
        looks_json = inner is not None and inner.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
        if suffix.startswith(_JSON_SUFFIXES) or looks_json:
            return "jsonl"
        if inner is None:
            return skip(path, "corrupt gzip file")
        return skip(path, "binary file (gzip): only gzip-compressed JSON Lines and WARC files are read")
    if is_warc(head):
        return "warc"
    if is_feed(head):
        return "feed"
    if by_name == "gz":
        return skip(path, "file is named .gz but is not gzip-compressed")
    if by_name is not None:
        return by_name
    # an explicitly named file of unknown type: look at what it holds
    reason = binary_reason(head)
    if reason is not None:
        return skip(path, reason)
    if _HTML_START.match(head):
        return "html"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"{"):
        return "jsonl"
    if start.startswith(b"["):
        return "json"
    return "txt"
