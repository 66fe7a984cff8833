"""Plain-text and Markdown reading, decoding, and the size limits."""

from __future__ import annotations

from pathlib import Path

from newstrace.ingest import ReadOptions, read_paths
from newstrace.ingest.text import read_text
from newstrace.records import Article, Skipped

STORY = (
    "\n"
    "  Ferry service to Inch Island resumes after storm  \r\n"
    "\r\n"
    "The ferry to Inch Island ran again on Wednesday, two days after gales tore a mooring loose.\r\n"
    "\tThe operator said crossings would run hourly until Sunday.   \n"
)


def one(items: list) -> Article | Skipped:
    assert len(items) == 1, items
    return items[0]


def test_txt_keeps_the_file_verbatim_with_title_and_span(tmp_path: Path) -> None:
    path = tmp_path / "ferry-2024.txt"
    path.write_bytes(STORY.encode("utf-8"))
    art = one(list(read_text(str(path))))
    assert isinstance(art, Article)
    assert art.text == STORY  # nothing stripped, \r\n kept, title line still inside
    assert art.title == "Ferry service to Inch Island resumes after storm"
    assert art.title_span is not None
    assert art.text[art.title_span.start:art.title_span.end] == art.title
    assert art.id == "ferry-2024"
    assert (art.input_path, art.input_ref, art.input_format, art.encoding) == (str(path), None, "txt", "utf-8")
    assert art.input_key == f"{path}#"


def test_markdown_title_drops_the_hashes_but_span_points_into_text(tmp_path: Path) -> None:
    path = tmp_path / "budget.md"
    path.write_text("# Council passes budget\n\nThe vote was 9 to 4.\n", encoding="utf-8")
    art = one(list(read_text(str(path))))
    assert art.title == "Council passes budget"
    assert art.text.startswith("# Council passes budget")
    assert art.text[art.title_span.start:art.title_span.end] == "Council passes budget"


def test_front_matter_gives_metadata_and_text_after_the_block(tmp_path: Path) -> None:
    body = "Harbour bridge reopens\n\nThe bridge reopened on Tuesday after repairs.\n"
    path = tmp_path / "bridge.txt"
    path.write_text(
        "---\n"
        "id: coast-0042\n"
        'title: "Harbour bridge reopens"\n'
        "source: Coast Gazette\n"
        "url: https://example.org/bridge\n"
        "published: 2024-03-05\n"
        "author: Jane Roe\n"
        "language: en\n"
        "---\n" + body, encoding="utf-8")
    art = one(list(read_text(str(path))))
    assert art.text == body
    assert (art.id, art.title, art.source, art.url, art.published, art.author, art.language) == (
        "coast-0042", "Harbour bridge reopens", "Coast Gazette", "https://example.org/bridge",
        "2024-03-05", "Jane Roe", "en")
    assert art.text[art.title_span.start:art.title_span.end] == "Harbour bridge reopens"


def test_unclosed_front_matter_is_just_text(tmp_path: Path) -> None:
    content = "---\ntitle: never closed\nThe rest of the story.\n"
    path = tmp_path / "odd.txt"
    path.write_text(content, encoding="utf-8")
    art = one(list(read_text(str(path))))
    assert art.text == content
    assert art.title == "---"


def test_empty_and_whitespace_only_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(b"  \n\t\r\n")
    items = list(read_paths([str(tmp_path)]))
    assert [(s.path, s.reason) for s in items] == [
        (str(tmp_path / "a.txt"), "empty file"), (str(tmp_path / "b.txt"), "empty file")]


def test_cp1252_file_decodes_and_records_the_encoding(tmp_path: Path) -> None:
    story = ("Caf\u00e9 owners say \u201cnew rules\u201d will cost \u20ac2,000 a year\n"
             "The na\u00efve plan, critics said, ignores the winter months \u2014 again.\n")
    path = tmp_path / "cafe.txt"
    path.write_bytes(story.encode("cp1252"))
    art = one(list(read_text(str(path))))
    assert isinstance(art, Article)
    assert art.text == story
    assert art.encoding == "cp1252"


def test_utf8_bom_and_utf16_are_decoded(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfRates held\nThe bank held rates.\n")
    (tmp_path / "wide.txt").write_bytes("Rates held\nThe bank held rates.\n".encode("utf-16"))
    bom, wide = read_paths([str(tmp_path / "bom.txt"), str(tmp_path / "wide.txt")])
    assert bom.text == "Rates held\nThe bank held rates.\n" and bom.encoding == "utf-8"
    assert wide.text == "Rates held\nThe bank held rates.\n" and wide.encoding == "utf-16"


def test_undecodable_bytes_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "garbled.txt"
    path.write_bytes(bytes(range(0x80, 0x100)) * 3)
    item = one(list(read_text(str(path))))
    assert isinstance(item, Skipped)
    assert item.reason == "cannot decode text: not UTF-8 and no other encoding fits"
    assert item.path == str(path)


def test_binary_files_are_skipped_naming_the_kind(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n")
    (tmp_path / "blob.txt").write_bytes(b"ab\x00\x01\x02\x03" * 50)
    (tmp_path / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    items = list(read_paths([str(tmp_path)]))
    reasons = {Path(s.path).name: s.reason for s in items}
    assert reasons == {"blob.txt": "binary file", "photo.html": "binary file (PNG)",
                       "report.txt": "binary file (PDF)"}


def test_file_over_max_bytes_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Budget talks\n" + "The talks went on. " * 20, encoding="utf-8")
    size = path.stat().st_size
    item = one(list(read_text(str(path), ReadOptions(max_bytes=100))))
    assert isinstance(item, Skipped)
    assert item.reason == f"file is {size} bytes, over the 100 bytes limit for one article (--max-bytes)"


def test_file_size_reason_reads_in_megabytes(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with open(path, "wb") as f:  # sparse: 52.4 MB on paper, nothing written
        f.truncate(52_400_000)
    item = one(list(read_paths([str(path)])))
    assert item.reason == "file is 52.4 MB, over the 20.0 MB limit for one article (--max-bytes)"


def test_article_over_max_chars_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "wordy.txt"
    path.write_text("Wordy\n" + "x" * 94, encoding="utf-8")
    item = one(list(read_text(str(path), ReadOptions(max_chars=50))))
    assert isinstance(item, Skipped)
    assert item.reason == "article text is 100 characters, over the limit of 50 (--max-chars)"
    assert item.path == str(path)


def test_a_lone_windows_apostrophe_is_read_as_cp1252() -> None:
    from newstrace.ingest.decode import decode_bytes

    data = "The search engine\x92s ranking counts the links that point to a page.".encode("latin-1")
    decoded = decode_bytes(data)
    assert decoded.text == "The search engine’s ranking counts the links that point to a page."
    assert decoded.encoding == "cp1252"
