"""read_paths: folders, several paths, stdin, bad paths, resume via seen(), and crash safety."""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import sys
from pathlib import Path

import pytest

import newstrace.ingest as ingest
from newstrace.ingest import ReadOptions, read_paths
from newstrace.ingest.text import read_text
from newstrace.records import Article, Skipped


def story(path: Path, title: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\nThe story of {title.lower()} in a few words.\n", encoding="utf-8")
    return path


def summary(items: list) -> list[tuple[str, str]]:
    """(file name, article title or skip reason) for each item, in order."""
    return [(Path(x.input_path).name, x.title) if isinstance(x, Article) else (Path(x.path).name, x.reason)
            for x in items]


def test_folder_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    story(tmp_path / "b-local" / "2-fair.txt", "Fair opens")
    story(tmp_path / "b-local" / "1-road.md", "Road closed")
    story(tmp_path / "a-world" / "deep" / "summit.txt", "Summit ends")
    story(tmp_path / "c-last.txt", "Last story")
    story(tmp_path / ".cache" / "hidden.txt", "Hidden dir")
    story(tmp_path / ".draft.txt", "Hidden file")
    (tmp_path / "b-local" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (tmp_path / "b-local" / "README").write_text("no extension", encoding="utf-8")
    items = list(read_paths([str(tmp_path)]))
    assert summary(items) == [
        ("summit.txt", "Summit ends"),
        ("1-road.md", "Road closed"),
        ("2-fair.txt", "Fair opens"),
        ("README", "unsupported file type (no extension)"),
        ("photo.jpg", "unsupported file type .jpg"),
        ("c-last.txt", "Last story"),
    ]
    unsupported = [x for x in items if isinstance(x, Skipped)]
    assert all(not s.problem for s in unsupported)
    assert items[0].input_path == os.path.join(str(tmp_path), "a-world", "deep", "summit.txt")


def test_several_paths_and_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = story(tmp_path / "one.txt", "First file")
    folder = tmp_path / "more"
    story(folder / "two.txt", "Second file")
    lines = "".join(json.dumps({"id": f"in-{i}", "text": f"Piped story {i}."}) + "\n" for i in (1, 2))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(lines.encode())), "utf-8"))
    items = list(read_paths([str(one), "-", str(folder)]))
    assert [x.id for x in items] == ["one", "in-1", "in-2", "two"]
    assert (items[1].input_path, items[1].input_ref, items[1].input_format) == ("<stdin>", "line 1", "jsonl")


def test_gzipped_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress(b'{"text": "Compressed pipe story."}\n')
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    [art] = read_paths(["-"])
    assert (art.id, art.text) == ("stdin-1", "Compressed pipe story.")


def test_nonexistent_path(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere" / "story.txt")
    [item] = read_paths([missing])
    assert (item.path, item.reason) == (missing, "no such file or directory")


def test_broken_symlink_is_skipped_in_a_folder_and_when_named(tmp_path: Path) -> None:
    story(tmp_path / "ok.txt", "Fine story")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "deleted.txt")
    items = list(read_paths([str(tmp_path), str(tmp_path / "dangling.txt")]))
    assert summary(items) == [
        ("dangling.txt", "broken symbolic link (its target does not exist)"),
        ("ok.txt", "Fine story"),
        ("dangling.txt", "broken symbolic link (its target does not exist)"),
    ]


def test_directory_where_a_file_is_expected(tmp_path: Path) -> None:
    folder = tmp_path / "looks-like.txt"
    folder.mkdir()
    [item] = read_text(str(folder))
    assert (item.path, item.reason) == (str(folder), "is a directory")


def test_directory_loop_is_skipped_not_followed_forever(tmp_path: Path) -> None:
    story(tmp_path / "news" / "a.txt", "Only story")
    (tmp_path / "news" / "again").symlink_to(tmp_path / "news")
    items = list(read_paths([str(tmp_path / "news")]))
    assert summary(items) == [("a.txt", "Only story"),
                              ("again", "directory loop: a link back to a folder that contains it")]


def test_unknown_extension_named_explicitly_is_sniffed(tmp_path: Path) -> None:
    html = tmp_path / "page.download"
    html.write_text("<!doctype html><html><head><title>Park plan</title></head><body>"
                    "<p>The park plan was approved by the council on Monday evening after a long debate.</p>"
                    "</body></html>", encoding="utf-8")
    text = story(tmp_path / "notes.story", "Plain notes")
    lines = tmp_path / "dump.out"
    lines.write_text('{"text": "Line story."}\n', encoding="utf-8")
    pdf = tmp_path / "scan.dat"
    pdf.write_bytes(b"%PDF-1.4\n")
    items = list(read_paths([str(p) for p in (html, text, lines, pdf)]))
    assert [x.input_format if isinstance(x, Article) else x.reason for x in items] == [
        "html", "txt", "jsonl", "binary file (PDF)"]


def test_seen_records_are_dropped_silently(tmp_path: Path) -> None:
    story(tmp_path / "old.txt", "Old story")
    story(tmp_path / "new.txt", "New story")
    (tmp_path / "wire.jsonl").write_text(
        "".join(json.dumps({"text": f"Wire story {i}."}) + "\n" for i in (1, 2, 3)), encoding="utf-8")
    stored = {f"{tmp_path / 'old.txt'}#", f"{tmp_path / 'wire.jsonl'}#line 2"}
    asked: list[str] = []

    def seen(key: str) -> bool:
        asked.append(key)
        return key in stored

    items = list(read_paths([str(tmp_path)], ReadOptions(seen=seen)))
    assert all(isinstance(x, Article) for x in items)
    assert [x.input_key for x in items] == [f"{tmp_path / 'new.txt'}#", f"{tmp_path / 'wire.jsonl'}#line 1",
                                            f"{tmp_path / 'wire.jsonl'}#line 3"]
    assert stored <= set(asked)


def test_seen_is_asked_before_extraction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "page.html").write_text("<html><body><p>A page already stored.</p></body></html>", encoding="utf-8")

    def fail(*args, **kwargs):
        raise AssertionError("extraction ran for a seen record")

    monkeypatch.setattr("newstrace.ingest.html.extract_html", fail)
    items = list(read_paths([str(tmp_path)], ReadOptions(seen=lambda key: True)))
    assert items == []


def test_a_reader_crash_becomes_a_skip_and_the_batch_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    story(tmp_path / "a.md", "Crashes")
    story(tmp_path / "b.txt", "Survives")

    def crashing_reader(path, options):
        if path.endswith(".md"):
            raise RuntimeError("boom")
        yield from read_text(path, options)

    monkeypatch.setitem(ingest.READERS, "txt", crashing_reader)
    items = list(read_paths([str(tmp_path)]))
    assert summary(items) == [("a.md", "unexpected error while reading: RuntimeError: boom"),
                              ("b.txt", "Survives")]


def test_unreadable_file_reports_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = story(tmp_path / "locked.txt", "Locked story")
    path.chmod(0)
    if os.access(path, os.R_OK):
        # as root a mode-000 file is still readable: have open() answer as it would for a user
        real_open = open

        def deny(file, *args, **kwargs):
            if str(file) == str(path):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr("builtins.open", deny)
    try:
        [item] = read_paths([str(path)])
        assert (item.path, item.reason) == (str(path), "permission denied")
    finally:
        path.chmod(0o644)
