"""Web archives (WARC, WARC.gz): one article per HTML response record, streamed.

Multi-gigabyte archives are normal input, so records are read one at a time with FastWARC
and a payload is only read into memory when it is an HTML page within `max_bytes`.
Requests, metadata and other non-response records are counted as by-design skips
(`problem=False`), and so are non-HTML responses and non-2xx statuses.

FastWARC does not report a truncated archive by itself: at the cut it hands out a last
record with a short payload, or with a header that stops early, and in a .warc.gz cut
inside a gzip member's header it stops silently. So .gz archives are decompressed with
Python's gzip module (which raises at a cut or damaged member), every record's length is
checked against its Content-Length, and a header without one counts as cut. A truncated or
corrupt archive yields every complete record before the damage, then one Skipped
"truncated or corrupt WARC: ..." at its offset. Offsets are positions in the uncompressed
stream, unique even in an archive gzipped as a whole rather than record by record.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import zlib
from collections.abc import Iterator
from typing import IO

from fastwarc.warc import ArchiveIterator, HeaderMap, WarcRecord, WarcRecordType

from newstrace.ingest.common import (
    ReadOptions, file_stem, find_title_span, fmt_size, input_key, os_reason, skip, too_long,
)
from newstrace.ingest.detect import GZIP_MAGIC
from newstrace.ingest.html import extract_html
from newstrace.records import Article, Skipped

try:  # brotli comes with trafilatura; without it "br" payloads are skipped with a reason
    import brotli
except ImportError:  # pragma: no cover
    brotli = None

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Length of the hex digest of WARC-Record-ID that makes an article id unique in its archive.
ID_HASH_CHARS = 10
# How far a payload without a Content-Type is looked at to decide whether it is HTML.
SNIFF_HTML_BYTES = 1024

TRUNCATED = "truncated or corrupt WARC"
# What a cut or damaged archive raises while being read (gzip.BadGzipFile is an OSError).
_STREAM_ERRORS = (EOFError, OSError, zlib.error)
_LOOKS_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|p|div)[\s>/]", re.I)


def read_warc(path: str, options: ReadOptions | None = None) -> Iterator[Article | Skipped]:
    """Read a .warc or .warc.gz file: an Article per HTML response, Skipped for the rest."""
    options = options or ReadOptions()
    try:
        f = open(path, "rb")
    except OSError as exc:
        yield skip(path, os_reason(exc, path))
        return
    with f:
        try:
            gz = f.read(2) == GZIP_MAGIC
            f.seek(0)
        except OSError as exc:
            yield skip(path, os_reason(exc, path))
            return
        # Python's gzip, not FastWARC's own: it raises on a cut or corrupt member, which
        # FastWARC's reader may pass over silently, and its offsets are unique even in an
        # archive gzipped as a whole
        stream = _SoftEOF(gzip.GzipFile(fileobj=f, mode="rb") if gz else f)
        yield from _read_records(stream, path, options)


class _SoftEOF:
    """A byte stream that turns a read error (a cut gzip member, corrupt data) into end of file.

    FastWARC drops the data it was buffering when a stream raises, which would lose the
    complete records just before a cut. Ending the stream instead lets every complete record
    through; the cut record then shows up short, and `error` keeps what went wrong.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        if self.error is not None:
            return b""
        parts: list[bytes] = []
        want = size if size is not None and size >= 0 else -1
        got = 0
        while want < 0 or got < want:
            try:
                # read1: at most one read underneath, so data before an error is never lost
                chunk = self.raw.read1(want - got if want >= 0 else io.DEFAULT_BUFFER_SIZE)
            except _STREAM_ERRORS as exc:
                self.error = exc
                break
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def tell(self) -> int:
        return self.raw.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.raw.seek(offset, whence)

    def close(self) -> None:
        self.raw.close()


def _read_records(stream: _SoftEOF, path: str, options: ReadOptions) -> Iterator[Article | Skipped]:
    stem = file_stem(path)
    next_pos = 0  # where the record after the last one read starts
    count = 0
    try:
        records = iter(ArchiveIterator(stream, parse_http=True, auto_decode="none", stream_detect=False))
    except Exception as exc:  # noqa: BLE001 -- FastWARC raises OSError; any failure is a bad file
        yield skip(path, f"{TRUNCATED}: {_describe(exc)}", "offset 0")
        return
    while True:
        try:
            rec = next(records)
        except StopIteration:
            if stream.error is not None:
                yield skip(path, f"{TRUNCATED}: {_describe(stream.error)}", f"offset {next_pos}")
            elif count == 0:
                yield skip(path, "empty file: no WARC records")
            return
        except Exception as exc:  # noqa: BLE001
            yield skip(path, f"{TRUNCATED}: {_describe(exc)}", f"offset {next_pos}")
            return
        count += 1
        where = f"offset {rec.stream_pos}"
        try:
            item, complete = _read_record(rec, path, stem, where, options)
        except _STREAM_ERRORS as exc:
            yield skip(path, f"{TRUNCATED}: {_describe(exc)}", where)
            return
        except Exception as exc:  # noqa: BLE001 -- one odd record must not end the archive
            item, complete = skip(path, f"cannot read record: {type(exc).__name__}: {exc}", where), True
        if not complete:
            why = _describe(stream.error) if stream.error is not None else "the file ends inside this record"
            yield skip(path, f"{TRUNCATED}: {why}", where)
            return
        next_pos = _record_end(rec)
        if item is not None:
            yield item


def _describe(exc: BaseException) -> str:
    """A short reason for a read failure; a cut gzip stream says so in plain words."""
    if isinstance(exc, EOFError):
        return "the file ends inside a gzip member (cut short)"
    return str(exc) or type(exc).__name__


def _consume(rec: WarcRecord) -> bool:
    """Skip the rest of a record's content; True if it was all there (not truncated)."""
    expected = rec.content_length
    return rec.reader.consume() >= expected


def _read_exactly(rec: WarcRecord, n: int) -> bytes:
    """Up to `n` bytes of the record's payload; fewer only if the record is cut short."""
    parts: list[bytes] = []
    got = 0
    while got < n:
        chunk = rec.reader.read(n - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _read_record(rec: WarcRecord, path: str, stem: str, where: str,
                 options: ReadOptions) -> tuple[Article | Skipped | None, bool]:
    """One record: (the Article, Skipped or None to yield, whether the record is complete)."""
    declared = rec.headers.get("Content-Length")
    if declared is None or not declared.strip().isdigit():
        return None, False  # a header cut short: FastWARC hands it out anyway
    rtype = rec.record_type
    if rtype != WarcRecordType.response:
        name = getattr(rtype, "name", None) or str(rtype)
        return skip(path, f"WARC {name} record", where, problem=False), _consume(rec)
    if options.seen(input_key(path, where)):
        return None, _consume(rec)
    if not rec.is_http:
        ctype = rec.headers.get("Content-Type") or "no content type"
        return skip(path, f"non-HTML record ({ctype})", where, problem=False), _consume(rec)
    http = rec.http_headers
    status = http.status_code
    if status is None:
        complete = _consume(rec)
        return (skip(path, "malformed HTTP response header", where) if complete else None), complete
    if not 200 <= status < 300:
        return skip(path, f"HTTP status {status}", where, problem=False), _consume(rec)
    ctype = (rec.http_content_type or "").strip().lower()
    if ctype and not ctype.startswith(HTML_TYPES):
        return skip(path, f"non-HTML record ({ctype})", where, problem=False), _consume(rec)
    length = rec.content_length
    if length > options.max_bytes:
        return skip(path, f"record payload is {fmt_size(length)}, over the {fmt_size(options.max_bytes)} "
                          f"limit (--max-bytes)", where), _consume(rec)
    payload = _read_exactly(rec, length)
    if len(payload) < length:
        return None, False
    if not ctype and not _LOOKS_HTML.search(payload[:SNIFF_HTML_BYTES]):
        return skip(path, "non-HTML record (no content type)", where, problem=False), True
    body = _http_body(payload, http, options.max_bytes)
    if isinstance(body, str):
        return skip(path, body, where), True
    target = rec.headers.get("WARC-Target-URI") or None
    found = extract_html(body, url=target, charsets=[rec.http_charset])
    if isinstance(found, str):
        return skip(path, found, where), True
    record_id = rec.headers.get("WARC-Record-ID") or input_key(path, where)
    digest = hashlib.sha1(record_id.encode("utf-8", "surrogatepass")).hexdigest()[:ID_HASH_CHARS]
    article = Article(
        id=f"{stem}-{digest}",
        text=found.text,
        title=found.title,
        source=found.source,
        url=target,
        published=found.published,
        crawled=rec.headers.get("WARC-Date") or None,
        author=found.author,
        input_path=path,
        input_ref=where,
        input_format="warc",
        encoding=found.encoding,
        title_span=find_title_span(found.text, found.title),
    )
    return too_long(article, options) or article, True


def _http_body(payload: bytes, http: HeaderMap, max_bytes: int) -> bytes | str:
    """The entity body as the server meant it: de-chunked and decompressed; a str is a skip reason.

    Many crawlers store the raw HTTP exchange (chunked, gzip); others store the decoded body
    but keep the headers, so a body that will not decode but already looks like markup is
    used as it is.
    """
    if "chunked" in (http.get("Transfer-Encoding") or "").lower():
        payload = _dechunk(payload) or payload
    encoding = (http.get("Content-Encoding") or "").strip().lower()
    if encoding in ("", "identity", "none"):
        return payload
    try:
        if encoding in ("gzip", "x-gzip", "deflate"):
            # wbits 47 reads gzip or zlib; raw deflate (wbits -15) is what some servers send
            for wbits in (47, -15):
                try:
                    d = zlib.decompressobj(wbits)
                    out = d.decompress(payload, max_bytes + 1)
                    break
                except zlib.error:
                    if wbits == -15:
                        raise
        elif encoding == "br" and brotli is not None:
            out = brotli.decompress(payload)
        else:
            return f"unsupported Content-Encoding {encoding}"
    except Exception:  # noqa: BLE001 -- zlib.error, brotli.error: maybe stored already decoded
        if _LOOKS_HTML.search(payload[:SNIFF_HTML_BYTES]):
            return payload
        return f"cannot decompress the {encoding} payload"
    if len(out) > max_bytes:
        return f"decompressed payload is over the {fmt_size(max_bytes)} limit (--max-bytes)"
    return out


def _dechunk(data: bytes) -> bytes | None:
    """Undo HTTP chunked transfer coding; None if `data` is not chunked after all."""
    out = bytearray()
    pos = 0
    while True:
        eol = data.find(b"\n", pos)
        if eol == -1:
            return None
        try:
            size = int(data[pos:eol].split(b";")[0].strip(), 16)
        except ValueError:
            return None
        if size == 0:
            return bytes(out)
        start = eol + 1
        out += data[start:start + size]
        if start + size >= len(data):
            return bytes(out)
        pos = start + size
        pos = data.find(b"\n", pos) + 1 or len(data)


def _record_end(rec: WarcRecord) -> int:
    """Where the record after `rec` starts: its header block, its content, the CRLF CRLF after.

    The header length is that of the headers written back out, exact for the usual
    "Name: value" layout; it only serves to say where a failure after `rec` lies.
    """
    out = io.BytesIO()
    header_len = rec.headers.write(out)
    declared = int((rec.headers.get("Content-Length") or "0").strip() or 0)
    return rec.stream_pos + header_len + declared + 4
