"""Shards (`ingest.shards`): read one by one in plan order, they give exactly what reading the
paths gives (records, line numbers, ids, skips), however the input is cut."""

import gzip
import json
import os

import pytest

from newstrace.ingest import ReadOptions, read_paths
from newstrace.ingest.shards import Shard, plan_shards, read_shard
from newstrace.records import Article, Skipped

from .helpers import ROOT


def _line(i: int, **extra) -> str:
    return json.dumps({"id": f"j{i}", "title": f"Report {i}", "text": f"The council met on day {i} and voted.",
                       **extra})


@pytest.fixture()
def inputs(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for i in range(7):
        (folder / f"note{i}.txt").write_text(f"Note {i}\nThe harbour reopened on day {i}.\n", encoding="utf-8")
    (folder / "sub" / "page.html").write_text("<html><body><h1>A page</h1><p>Ferries ran late.</p></body></html>")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    lines = [_line(i) for i in range(23)]
    lines[4] = "{not json"
    lines[9] = ""  # a blank line
    lines[15] = json.dumps({"id": "long", "text": "x" * 3000})  # over the line limit below
    (folder / "big.jsonl").write_text("\n".join(lines), encoding="utf-8")  # no final line break
    with gzip.open(folder / "packed.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write("\n".join(_line(100 + i) for i in range(5)) + "\n")
    return [str(folder), str(tmp_path / "missing.txt")]


def _view(items):
    out = []
    for x in items:
        if isinstance(x, Article):
            out.append(("article", x.id, x.input_path, x.input_ref, x.title, x.text))
        else:
            assert isinstance(x, Skipped)
            out.append(("skip", x.path, x.where, x.reason))
    return out


def _by_shards(paths, options, **cut):
    items = []
    plan = list(plan_shards(paths, ReadOptions(exclude=options.exclude), **cut))
    for entry in plan:
        items += [entry] if isinstance(entry, Skipped) else list(read_shard(entry, options))
    return plan, items


@pytest.mark.parametrize("records,max_bytes", [(3, 400), (256, 64 * 2**20), (1, 1)])
def test_shards_read_in_order_give_what_reading_the_paths_gives(inputs, records, max_bytes):
    options = ReadOptions(max_bytes=2000)
    plan, items = _by_shards(inputs, options, records=records, max_bytes=max_bytes)
    assert _view(items) == _view(read_paths(inputs, options))
    shards = [s for s in plan if isinstance(s, Shard)]
    assert len({s.key for s in shards}) == len(shards)  # every shard named once
    ranges = [s for s in shards if s.end >= 0]
    if max_bytes < 2**20:  # the JSON Lines file is cut, the gzip one never is
        assert len(ranges) > 1 and all(s.files[0][0].endswith("big.jsonl") for s in ranges)
        assert sum(s.records for s in ranges) == 23
    else:
        assert not ranges and len(shards) == 1


def test_a_range_starts_at_its_line_and_keeps_line_numbers_and_ids(inputs):
    big = os.path.join(inputs[0], "big.jsonl")
    ranges = [s for s in plan_shards([big], records=5, max_bytes=1) if isinstance(s, Shard)]
    assert [s.first_line for s in ranges] == list(range(0, 23))  # 1 byte a shard: one line each
    ranges = [s for s in plan_shards([big], records=5, max_bytes=4000) if isinstance(s, Shard)]
    assert [s.first_line for s in ranges] == [0, 5, 10, 15, 20] and ranges[-1].records == 3
    third = list(read_shard(ranges[2], ReadOptions(max_bytes=2000)))
    assert [(a.id, a.input_ref) for a in third if isinstance(a, Article)] == \
        [(f"j{i}", f"line {i + 1}") for i in (10, 11, 12, 13, 14)]
    assert "lines 11-15" in ranges[2].label


def test_a_shard_key_changes_when_its_file_changes(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("One\nThe ferry ran.\n")
    before = next(plan_shards([str(f)])).key
    assert next(plan_shards([str(f)])).key == before
    f.write_text("One\nThe ferry ran late.\n")
    assert next(plan_shards([str(f)])).key != before


def test_standard_input_cannot_be_sharded():
    with pytest.raises(ValueError, match="standard input"):
        list(plan_shards(["-"]))


def test_the_example_corpus_reads_the_same_in_shards():
    corpus = [str(ROOT / "examples" / "corpus")]
    _, items = _by_shards(corpus, ReadOptions(), records=2)
    assert _view(items) == _view(read_paths(corpus))
