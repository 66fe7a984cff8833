"""Reliability: what a user or a file system does must not spoil a corpus or stop a run."""

import json

from newstrace.runner import AnalyzeOptions, analyze

from .helpers import read_jsonl

STORY = ("Divers from the Orrin Bay club recovered a bronze ship's bell from the harbour floor on Sunday. "
         "Club secretary Tamsin Voight said the bell probably came from a coaster that sank in 1911. "
         "The harbour museum will clean it and put it on show in the spring.")


def test_output_inside_the_input_folder_is_never_read_back(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "bell.txt").write_text("Divers recover a ship's bell\n\n" + STORY, encoding="utf-8")
    out = folder / "out"
    for _ in range(2):
        result = analyze([str(folder)], out, AnalyzeOptions(jobs=1, report=True, claims=False, events=False))
        assert result.status == "ok"
    assert [a["id"] for a in read_jsonl(out / "articles.jsonl")] == ["bell"]
    assert len(read_jsonl(out / "stories.jsonl")) == 1
    summary = json.loads((out / "summary.json").read_text())
    read = next(s for s in summary["summary"]["stages"] if s["stage"] == "read")
    assert read["notes"].get("newstrace's own output folder, not read as input") == 1
    # named on the command line, the output folder is not read either
    result = analyze([str(out)], out, AnalyzeOptions(jobs=1, report=False, claims=False, events=False))
    assert [a["id"] for a in read_jsonl(out / "articles.jsonl")] == ["bell"]


def test_gdelt_export_escapes_every_control_character(tmp_path):
    from newstrace.events.gdelt import COLUMNS, write_gdelt
    from newstrace.commands.events import code_text

    events = code_text("Russia urged Iran to show restraint.", published="2024-08-06")
    assert events
    for e in events:
        e["source"] = dict(e["source"], name="Moscow\r\nGov\x0bernment\u2028X\tY")
    meta = {"text": {"source": "Wire\rService", "url": "https://example.org/a\rb", "input_path": "a.txt"}}
    path = tmp_path / "events.gdelt.tsv"
    n = write_gdelt(path, events, meta.get)
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) - 1 == n >= 1
    for line in lines[:-1]:
        text = line.decode("utf-8")
        assert len(text.split("\t")) == len(COLUMNS) == 61
        assert not any(ch in text for ch in "\r\x0b\u2028\x85")


def test_a_second_run_into_the_same_folder_is_refused_at_once(tmp_path):
    import pytest

    from newstrace.store import OutputLock, StoreError

    out = tmp_path / "out"
    out.mkdir()
    data = tmp_path / "bell.txt"
    data.write_text("Divers recover a ship's bell\n\n" + STORY, encoding="utf-8")
    with OutputLock(out):  # another run holds the folder
        with pytest.raises(StoreError, match="another newstrace run is writing to this folder"):
            analyze([str(data)], out, AnalyzeOptions(jobs=1, report=False, claims=False, events=False))
    assert not (out / "articles.jsonl").exists()
    # released (as the operating system does when the holder dies): the next run goes ahead
    assert analyze([str(data)], out, AnalyzeOptions(jobs=1, report=False, claims=False, events=False)).status == "ok"


def test_a_killed_run_is_closed_as_interrupted_by_the_next(tmp_path):
    from newstrace.store import DB_NAME, Store

    out = tmp_path / "out"
    out.mkdir()
    store = Store(out / DB_NAME)
    store.start_run(["somewhere"], "2026-01-01T00:00:00+00:00")  # and then the process was killed
    store.close()
    data = tmp_path / "bell.txt"
    data.write_text("Divers recover a ship's bell\n\n" + STORY, encoding="utf-8")
    analyze([str(data)], out, AnalyzeOptions(jobs=1, report=False, claims=False, events=False))
    store = Store(out / DB_NAME)
    runs = store.runs()
    store.close()
    assert [r["status"] for r in runs] == ["interrupted", "ok"]
    assert runs[0]["finished"]


def test_nothing_readable_is_an_error_with_the_reason_and_some_skips_are_not(tmp_path):
    from typer.testing import CliRunner

    from newstrace.cli import EXIT_ERROR, EXIT_SKIPPED, app

    runner = CliRunner()
    out = tmp_path / "out"
    missing = tmp_path / "no-such-folder"
    res = runner.invoke(app, ["analyze", str(missing), "--out", str(out), "--quiet"])
    assert res.exit_code == EXIT_ERROR, res.output
    assert "nothing could be read" in res.output and "no-such-folder" in res.output
    good = tmp_path / "bell.txt"
    good.write_text("Divers recover a ship's bell\n\n" + STORY, encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(good), str(missing), "--out", str(out), "--quiet",
                              "--no-claims", "--no-events"])
    assert res.exit_code == EXIT_SKIPPED, res.output
    assert "progress:" not in res.output  # --quiet: the summary only
    # inputs already stored count as read: a rerun with one missing path is not an error
    res = runner.invoke(app, ["analyze", str(good), str(missing), "--out", str(out), "--quiet",
                              "--no-claims", "--no-events"])
    assert res.exit_code == EXIT_SKIPPED, res.output


def test_a_file_name_that_is_not_utf8_is_read_stored_and_printed_escaped(tmp_path):
    import os

    folder = tmp_path / "news"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/bell-\xff.txt"
    with open(raw, "wb") as fh:
        fh.write(("Divers recover a ship's bell\n\n" + STORY).encode("utf-8"))
    out = tmp_path / "out"
    for inputs in ([str(folder)], [os.fsdecode(raw)]):  # found in a folder, and named on the command line
        result = analyze(inputs, out, AnalyzeOptions(jobs=1, report=True, claims=False, events=False))
        assert result.status == "ok"
        articles = read_jsonl(out / "articles.jsonl")
        assert [a["id"] for a in articles] == ["bell-\\xff"]
        assert articles[0]["input"]["path"].endswith("bell-\\xff.txt")
    assert (out / "report.html").exists()


def test_names_that_forge_lines_are_escaped_in_every_message(tmp_path):
    from typer.testing import CliRunner

    from newstrace.cli import app

    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "bell.txt").write_text("Divers recover a ship's bell\n\n" + STORY, encoding="utf-8")
    (folder / "x\nskipped other.txt").write_bytes(b"\x00\x01\x02binary")
    res = CliRunner().invoke(app, ["analyze", str(folder), "--out", str(tmp_path / "out"),
                                   "--no-claims", "--no-events", "--no-report"])
    assert "x\\nskipped other.txt" in res.output, res.output
    assert not any(line.startswith("skipped other.txt") for line in res.output.splitlines())


PARENT = r"""
import itertools, sys, time
from newstrace.unit.stage import Analyze
from newstrace.pipeline import Pipeline, RunContext
from newstrace.records import Article

def articles():
    for i in itertools.count():
        yield Article(id=f"a{i}", text=sys.argv[1])
        time.sleep(0.05)

Pipeline([Analyze(2, attributions=False, events=False)]).run(articles(), RunContext())
"""


def _children(pid: int) -> set[int]:
    import os

    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.add(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


def test_analysis_workers_die_with_their_parent():
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-c", PARENT, STORY], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        workers: set[int] = set()
        while time.time() < deadline and len(workers) < 2:
            time.sleep(0.5)
            workers = {p for p in _children(proc.pid) if os.path.exists(f"/proc/{p}")}
        assert len(workers) >= 2, "the analysis workers did not start"
        time.sleep(3)  # the workers load their models and take work
        os.kill(proc.pid, signal.SIGKILL)  # the main process killed alone, as by the OOM killer
        proc.wait()
        deadline = time.time() + 15
        while time.time() < deadline and any(os.path.exists(f"/proc/{p}") and _alive(p) for p in workers):
            time.sleep(0.5)
        assert not any(os.path.exists(f"/proc/{p}") and _alive(p) for p in workers), "workers outlived their parent"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_worker_whose_parent_died_while_it_started_ends_at_once():
    import subprocess
    import sys

    # the parent passed its pid, then died while the worker imported its modules: the worker's
    # parent is now another process (here: not the pid it was given), and it must end at once
    code = "import os, time\nfrom newstrace.workers import die_with_parent\n" \
           "die_with_parent(os.getppid() + 100000)\ntime.sleep(5)\nprint('still alive')\n"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1 and "still alive" not in res.stdout


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_stray_byte_in_a_utf8_file_is_replaced_and_said(tmp_path):
    from newstrace.ingest import read_path

    story = "Divers recover a ship's bell in Orrin Bay\n\nThe café owner, Zoë Marsh, said " + STORY
    damaged = story.encode("utf-8").replace(b"Club", b"Cl\xffub", 1)
    (tmp_path / "bell.txt").write_bytes(damaged)
    [article] = list(read_path(str(tmp_path / "bell.txt")))
    assert "café owner, Zoë Marsh" in article.text and "Cl\ufffdub" in article.text
    assert article.encoding == "utf-8 (1 bad byte sequence replaced)"
    # a mostly-ASCII file with one bad sequence is UTF-8 too, not a guessed code page
    ascii_only = ("Divers recover a ship's bell\n\n" + STORY).encode("ascii").replace(b"bell", b"be\xc3ll", 1)
    (tmp_path / "ascii.txt").write_bytes(ascii_only)
    [article] = list(read_path(str(tmp_path / "ascii.txt")))
    assert article.encoding.startswith("utf-8 (") and "\ufffd" in article.text
    # and the run says which decoding was used
    out = tmp_path / "out"
    result = analyze([str(tmp_path / "bell.txt")], out, AnalyzeOptions(jobs=1, report=False, claims=False,
                                                                        events=False))
    read = next(s for s in result.summary.to_json()["stages"] if s["stage"] == "read")
    assert read["notes"].get("decoded as utf-8 (1 bad byte sequence replaced)") == 1


def test_check_claims_lines_nested_too_deeply_are_skipped(tmp_path):
    from newstrace.claims.check import read_pairs

    path = tmp_path / "pairs.jsonl"
    path.write_bytes(b"[" * 100_000 + b"\n" + b'{"id": 2, "source": "The bank raised rates.", "claim": "Rates rose."}\n')
    skips: list[str] = []
    pairs = list(read_pairs(path, skips.append))
    assert [p["id"] for p in pairs] == [2]
    assert skips == [f"{path} line 1: JSON nested too deeply"]


def test_the_fuzz_targets_run_without_a_crash():
    """A short run of each fuzz target (benchmarks/fuzz.py runs them for 10 minutes each)."""
    from .helpers import run_fuzz

    run_fuzz("--runs", "200", timeout=600)
