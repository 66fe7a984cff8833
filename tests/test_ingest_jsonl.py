"""JSON Lines and .json files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from newstrace.ingest import ReadOptions, read_paths
from newstrace.ingest.jsonl import read_json, read_jsonl
from newstrace.records import Article, Skipped

# odd whitespace and unicode that must survive byte for byte: a leading space, tabs, CRLF,
# a no-break space, a line separator, a combining accent, an emoji, a right-to-left name
ODD_TEXT = (" Storm closes ferry\r\n\r\n\tThe ferry\u00a0to Inch Island stopped on Monday.\u2028"
            "Caf\u0065\u0301 owners worried \U0001F30A. \u05d3\u05df said so.  \n")


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_jsonl_fields_ids_and_verbatim_text(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "wire.jsonl", [
        json.dumps({"id": "w-1", "text": ODD_TEXT, "title": "Storm closes ferry", "url": "https://wire.example/1",
                    "source": "Wire", "published": "2024-03-05T08:00:00Z", "author": "Ana Ruiz"}),
        json.dumps({"id": 42, "text": "Rates held at 4%.\nThe bank said so."}),
        json.dumps({"text": "No id here. The council met."}, ensure_ascii=False),
    ])
    first, second, third = read_jsonl(str(path))
    assert first.text == ODD_TEXT  # exactly the JSON string
    assert (first.id, first.title, first.url, first.source, first.published, first.author) == (
        "w-1", "Storm closes ferry", "https://wire.example/1", "Wire", "2024-03-05T08:00:00Z", "Ana Ruiz")
    assert first.text[first.title_span.start:first.title_span.end] == "Storm closes ferry"
    assert (first.input_path, first.input_ref, first.input_format) == (str(path), "line 1", "jsonl")
    assert first.input_key == f"{path}#line 1"
    assert second.id == "42"
    assert third.id == "wire-3"  # file stem and line number


def test_jsonl_text_with_raw_unicode_and_lone_surrogate_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "raw.jsonl"
    path.write_text(json.dumps({"id": "r", "text": ODD_TEXT}, ensure_ascii=False) + "\n"
                    + '{"id": "s", "text": "broken pair \\ud800 kept"}\n', encoding="utf-8")
    raw, lone = read_jsonl(str(path))
    assert raw.text == ODD_TEXT
    assert lone.text == "broken pair \ud800 kept"


def test_bad_lines_are_skipped_and_the_rest_read(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "mixed.jsonl", [
        '{"id": "a", "text": "Bridge reopens on Tuesday."}',
        '{"id": "b", "text": "Unclosed',
        "",
        '["not", "an", "object"]',
        '{"id": "c", "title": "No text"}',
        '{"id": "d", "content": "Wrong field name."}',
        '{"id": "e", "text": 7}',
        '{"id": "f", "text": "   "}',
        '{"id": "g", "text": "Last line still read."}',
    ])
    items = list(read_jsonl(str(path)))
    assert [a.id for a in items if isinstance(a, Article)] == ["a", "g"]
    skips = [(s.where, s.reason) for s in items if isinstance(s, Skipped)]
    assert skips[0][0] == "line 2" and skips[0][1].startswith("malformed JSON: ")
    assert skips[1:] == [
        ("line 4", "not a JSON object: found a list"),
        ("line 5", 'no "text" field'),
        ("line 6", 'no "text" field (there is a "content" field; name it "text")'),
        ("line 7", '"text" is a number, not a string'),
        ("line 8", '"text" is empty'),
    ]
    assert all(s.path == str(path) for s in items if isinstance(s, Skipped))
    assert Skipped(str(path), "x", "line 2").message() == f"{path} (line 2): x"


def test_line_over_max_bytes_is_skipped_and_next_line_read(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "big.jsonl", [
        json.dumps({"id": "huge", "text": "word " * 100}),
        json.dumps({"id": "small", "text": "Short story."}),
    ])
    big, small = read_jsonl(str(path), ReadOptions(max_bytes=200))
    assert isinstance(big, Skipped) and big.where == "line 1"
    assert big.reason.startswith("line is 5") and big.reason.endswith("over the 200 bytes limit for one line (--max-bytes)")
    assert small.id == "small"


def test_gzipped_jsonl_streams(tmp_path: Path) -> None:
    path = tmp_path / "wire.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(json.dumps({"text": "Harvest starts early this year."}) + "\n")
        f.write(json.dumps({"text": "Rain delays the regatta."}) + "\n")
    items = list(read_paths([str(path)]))
    assert [(a.id, a.text, a.input_ref) for a in items] == [
        ("wire-1", "Harvest starts early this year.", "line 1"), ("wire-2", "Rain delays the regatta.", "line 2")]


def test_truncated_gzipped_jsonl_keeps_lines_before_the_cut(tmp_path: Path) -> None:
    data = gzip.compress("".join(json.dumps({"text": f"Story number {i}."}) + "\n" for i in range(50)).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) - 12])
    items = list(read_paths([str(path)]))
    assert all(isinstance(a, Article) for a in items[:-1]) and len(items) > 1
    assert isinstance(items[-1], Skipped) and items[-1].reason.startswith("truncated or corrupt input")


def test_json_file_as_object_list_or_lines(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(json.dumps({"text": "Single story.", "title": "Single"}), encoding="utf-8")
    (tmp_path / "many.json").write_text(json.dumps([{"id": 5, "text": "First."}, "oops", {"text": "Third."}]),
                                        encoding="utf-8")
    (tmp_path / "lines.json").write_text('{"text": "Line one."}\n{"text": "Line two."}\n', encoding="utf-8")
    items = list(read_paths([str(tmp_path / n) for n in ("one.json", "many.json", "lines.json")]))
    one, first, oops, third, l1, l2 = items
    assert (one.id, one.text, one.input_ref, one.input_format) == ("one", "Single story.", None, "json")
    assert (first.id, first.input_ref) == ("5", "item 1")
    assert isinstance(oops, Skipped) and oops.where == "item 2" and oops.reason == "not a JSON object: found a string"
    assert (third.id, third.input_ref) == ("many-3", "item 3")
    assert [(a.id, a.input_ref) for a in (l1, l2)] == [("lines-1", "line 1"), ("lines-2", "line 2")]


def test_malformed_json_file_is_one_skip(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "text": "Council votes",\n  "title": \n}\n', encoding="utf-8")
    [item] = read_json(str(path))
    assert isinstance(item, Skipped)
    assert item.reason.startswith("malformed JSON: ") and item.path == str(path)


def test_empty_jsonl_and_blank_lines_only_are_reported(tmp_path: Path) -> None:
    (tmp_path / "none.jsonl").write_bytes(b"")
    (tmp_path / "blank.ndjson").write_bytes(b"\n  \n\r\n")
    items = list(read_paths([str(tmp_path)]))
    assert [(Path(s.path).name, s.reason) for s in items] == [
        ("blank.ndjson", "empty file: only blank lines"), ("none.jsonl", "empty file")]
