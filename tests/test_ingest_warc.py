"""Web archives: records written here with warcio, read back by the streaming reader."""

from __future__ import annotations

import gzip
import hashlib
import io
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newstrace.ingest import ReadOptions, read_paths
from newstrace.ingest.warc import read_warc
from newstrace.records import Article, Skipped

PAGE_ID = "<urn:uuid:11111111-2222-3333-4444-555555555555>"


def page(title: str, body: str) -> bytes:
    return (f"<html><head><title>{title}</title>"
            '<meta property="article:published_time" content="2024-02-28">'
            f"</head><body><article><h1>{title}</h1><p>{body}</p></article></body></html>").encode()


def response(writer: WARCWriter, uri: str, payload: bytes, ctype: str = "text/html; charset=utf-8",
             status: str = "200 OK", record_id: str | None = None, extra: list | None = None):
    headers = StatusAndHeaders(status, [("Content-Type", ctype), *(extra or [])], protocol="HTTP/1.1")
    warc_headers = {"WARC-Date": "2024-03-01T12:00:00Z"}
    if record_id:
        warc_headers["WARC-Record-ID"] = record_id
    return writer.create_warc_record(uri, "response", payload=io.BytesIO(payload), http_headers=headers,
                                     warc_headers_dict=warc_headers)


def write_warc(path: Path, gz: bool, build) -> Path:
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=gz)
        for record in build(writer):
            writer.write_record(record)
    return path


def basic_records(writer: WARCWriter) -> list:
    request = writer.create_warc_record(
        "https://example.org/news/dam", "request", payload=io.BytesIO(b""),
        http_headers=StatusAndHeaders("GET /news/dam HTTP/1.1", [("Host", "example.org")], is_http_request=True))
    html = response(writer, "https://example.org/news/dam",
                    page("Dam inspection finds no cracks", "Inspectors found no cracks in the old dam on Friday, "
                         "the water board said, and the reservoir will stay open to boats."),
                    record_id=PAGE_ID)
    image = response(writer, "https://example.org/img/dam.png", b"\x89PNG\r\n\x1a\nfake", ctype="image/png")
    return [request, html, image]


def offsets(path: Path) -> list[int]:
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        return [it.get_record_offset() for _ in it]


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_warc_response_request_and_non_html(tmp_path: Path, gz: bool) -> None:
    path = write_warc(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), gz, basic_records)
    request, art, image = read_paths([str(path)])
    assert isinstance(request, Skipped) and not request.problem
    assert request.reason == "WARC request record" and request.where == "offset 0"
    assert isinstance(art, Article)
    assert "no cracks in the old dam on Friday" in art.text
    assert art.title == "Dam inspection finds no cracks"
    assert art.text[art.title_span.start:art.title_span.end] == art.title
    assert (art.url, art.crawled, art.published) == ("https://example.org/news/dam", "2024-03-01T12:00:00Z", "2024-02-28")
    assert art.id == "crawl-" + hashlib.sha1(PAGE_ID.encode()).hexdigest()[:10]
    assert (art.input_path, art.input_format, art.encoding) == (str(path), "warc", "utf-8")
    assert art.input_ref.startswith("offset ") and int(art.input_ref.split()[1]) > 0
    if not gz:  # in a plain file the offset is where the record starts on disk
        assert art.input_ref == f"offset {offsets(path)[1]}"
    assert isinstance(image, Skipped) and not image.problem
    assert image.reason == "non-HTML record (image/png)" and image.path == str(path)


def test_gzipped_and_plain_archives_give_the_same_refs(tmp_path: Path) -> None:
    plain = write_warc(tmp_path / "a.warc", False, basic_records)
    packed = write_warc(tmp_path / "a.warc.gz", True, basic_records)
    refs = [[x.input_ref if isinstance(x, Article) else x.where for x in read_warc(str(p))] for p in (plain, packed)]
    assert refs[0] == refs[1]


def test_error_status_is_a_by_design_skip(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "errors.warc", False, lambda w: [
        response(w, "https://example.org/gone", page("Not found", "Nothing here."), status="404 Not Found")])
    [item] = read_warc(str(path))
    assert isinstance(item, Skipped) and not item.problem
    assert item.reason == "HTTP status 404"


def test_chunked_gzip_payload_is_decoded(tmp_path: Path) -> None:
    body = gzip.compress(page("Tram line extended", "The tram line will reach the hospital by June, "
                              "the transport authority said on Thursday."))
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 40]), body[i:i + 40]) for i in range(0, len(body), 40))
    chunked += b"0\r\n\r\n"
    path = write_warc(tmp_path / "raw.warc", False, lambda w: [
        response(w, "https://example.org/tram", chunked,
                 extra=[("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")])])
    [art] = read_warc(str(path))
    assert isinstance(art, Article)
    assert "reach the hospital by June" in art.text


def two_pages(writer: WARCWriter) -> list:
    return [response(writer, f"https://example.org/{n}", page(f"Story {n}", f"Story number {n} is about "
                                                                "the new bus timetable that starts in spring."))
            for n in (1, 2, 3)]


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_truncated_warc_keeps_complete_records_then_one_skip(tmp_path: Path, gz: bool) -> None:
    full = write_warc(tmp_path / "full.warc", False, two_pages)
    starts = offsets(full)
    whole = write_warc(tmp_path / ("w.warc.gz" if gz else "w.warc"), gz, two_pages).read_bytes()
    cut = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    # cut inside the third record: in a .gz, somewhere in its gzip member
    cut.write_bytes(whole[: len(whole) - 60])
    items = list(read_warc(str(cut)))
    assert [type(x) for x in items] == [Article, Article, Skipped]
    assert [a.input_ref for a in items[:2]] == [f"offset {starts[0]}", f"offset {starts[1]}"]
    last = items[-1]
    assert last.reason.startswith("truncated or corrupt WARC: ")
    assert (last.path, last.where, last.problem) == (str(cut), f"offset {starts[2]}", True)


def test_corrupt_warc_yields_records_before_the_damage(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "bad.warc", False, two_pages)
    starts = offsets(path)
    data = bytearray(path.read_bytes())
    data[starts[1]:starts[1] + 8] = b"GARBAGE!"
    path.write_bytes(bytes(data))
    items = list(read_paths([str(path)]))
    assert [type(x) for x in items] == [Article, Skipped]
    assert items[1].reason.startswith("truncated or corrupt WARC: ") and items[1].where == f"offset {starts[1]}"


def test_payload_over_max_bytes_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "sizes.warc", False, lambda w: [
        response(w, "https://example.org/long", page("Long", "word " * 400)),
        response(w, "https://example.org/short", page("Short", "A short note on the weather."))])
    big, small = read_warc(str(path), ReadOptions(max_bytes=1000))
    assert isinstance(big, Skipped) and big.problem
    assert big.reason.startswith("record payload is 2.") and big.reason.endswith("over the 1.0 kB limit (--max-bytes)")
    assert isinstance(small, Article) and small.url == "https://example.org/short"


def test_warc_content_is_sniffed_under_another_name(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.bin", True, basic_records)
    items = list(read_paths([str(path)]))
    assert [type(x) for x in items] == [Skipped, Article, Skipped]


def test_seen_response_is_not_extracted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_warc(tmp_path / "again.warc", False, basic_records)
    html_ref = f"offset {offsets(path)[1]}"

    def fail(*args, **kwargs):
        raise AssertionError("extraction ran for a seen record")

    monkeypatch.setattr("newstrace.ingest.warc.extract_html", fail)
    items = list(read_warc(str(path), ReadOptions(seen=lambda key: key == f"{path}#{html_ref}")))
    assert [x.reason for x in items] == ["WARC request record", "non-HTML record (image/png)"]


def test_empty_or_non_warc_file_named_warc(tmp_path: Path) -> None:
    (tmp_path / "empty.warc").write_bytes(b"")
    (tmp_path / "notes.warc").write_text("These are not archive records.\n", encoding="utf-8")
    empty, notes = read_paths([str(tmp_path / "empty.warc"), str(tmp_path / "notes.warc")])
    assert empty.reason == "empty file: no WARC records"
    assert notes.reason.startswith("truncated or corrupt WARC: ") and notes.where == "offset 0"
