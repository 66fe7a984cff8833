"""The CLI end to end: outputs in the schema, skipped inputs named, exit codes, resuming."""

import json
import re
import sqlite3

import pytest
from typer.testing import CliRunner

from newstrace import __version__
from newstrace.cli import EXIT_OK, EXIT_SKIPPED, app
from newstrace.runner import AnalyzeOptions, analyze

from .helpers import read_jsonl

runner = CliRunner()

STORY = """Storm Closes Velmar Harbour
The harbour at Velmar was closed on Monday after a storm drove a cargo ship onto the breakwater, the port authority said.
About 40 tonnes of fuel leaked into the bay, according to the regional environment agency.
"We expect the harbour to reopen within two days," harbour master Ilse Brandt told reporters.
"""
FOLLOW_UP = """Velmar Harbour Reopens
Velmar's harbour reopened on Wednesday, two days after the grounding.
Clean-up crews removed 1.5 million litres of oily water, the agency said.
"""


def _corpus(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "storm.txt").write_text(STORY, encoding="utf-8")
    (src / "follow.txt").write_text(FOLLOW_UP, encoding="utf-8")
    (src / "feed.jsonl").write_text(
        json.dumps({"id": "w1", "title": "Ship refloated", "text": "The ship was refloated  on Tuesday.\n\nIt was towed to Ostra.",
                    "source": "Wire", "published": "2026-03-03"}) + "\n{not json\n", encoding="utf-8")
    return src


def test_version_and_help_document_every_option():
    assert runner.invoke(app, ["--version"]).output.strip() == f"newstrace {__version__}"
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0 and "analyze" in top.output and "Exit codes" in top.output
    helptext = runner.invoke(app, ["analyze", "--help"], terminal_width=200).output
    for option in ("--out", "--limit", "--jobs", "--max-bytes", "--max-chars", "--report", "--format", "--quiet",
                   "--executor", "--address", "--workers"):
        assert option in helptext, option
    serve = runner.invoke(app, ["serve", "--help"], terminal_width=200).output
    assert "--host" in serve and "--port" in serve and "read-only" in serve


def test_serve_refuses_a_folder_without_a_store(tmp_path):
    from newstrace.cli import EXIT_ERROR

    res = runner.invoke(app, ["serve", str(tmp_path)])
    assert res.exit_code == EXIT_ERROR and "holds no newstrace store" in res.output


def test_a_bad_executor_or_cluster_address_is_an_error_naming_it(tmp_path):
    from newstrace.cli import EXIT_ERROR

    corpus = str(_corpus(tmp_path))
    res = runner.invoke(app, ["analyze", corpus, "--out", str(tmp_path / "o1"), "--executor", "spark"])
    assert res.exit_code == EXIT_ERROR and "--executor must be 'local' or 'ray'" in res.output
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'newstrace[ray]')")
    res = runner.invoke(app, ["analyze", corpus, "--out", str(tmp_path / "o2"), "--executor", "ray",
                              "--address", "not-an-address"])
    assert res.exit_code == EXIT_ERROR and "is not HOST:PORT" in res.output


def test_analyze_writes_schema_outputs_and_names_skipped_inputs(tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["analyze", str(_corpus(tmp_path)), "--out", str(out), "--jobs", "1"])
    assert res.exit_code == EXIT_SKIPPED, res.output
    assert re.search(r"feed\.jsonl \(line 2\): malformed JSON", res.output)
    # not a terminal: progress as plain lines, one per phase
    assert "progress: articles analysed: 1 " in res.output
    for phase in ("checking claims", "writing exports", "writing report"):
        assert f"progress: {phase}" in res.output, phase
    articles = {a["id"]: a for a in read_jsonl(out / "articles.jsonl")}
    assert set(articles) == {"storm", "follow", "w1"}
    assert articles["w1"]["text"] == "The ship was refloated  on Tuesday.\n\nIt was towed to Ostra."  # verbatim
    assert articles["storm"]["title"] == "Storm Closes Velmar Harbour"
    for field in ("id", "title", "text", "source", "url", "published", "language", "artefacts"):
        assert field in articles["storm"]
    sentences = read_jsonl(out / "sentences.jsonl")
    assert {s["article_id"] for s in sentences} == set(articles)
    for s in sentences:
        text = articles[s["article_id"]]["text"]
        assert text[s["start"]:s["end"]] == s["text"]
        for e in s["entities"] + s["numbers"]:
            assert text[e["start"]:e["end"]] == e["text"]
    nums = [n for s in sentences for n in s["numbers"]]
    assert any(n["value"] == 1_500_000 for n in nums)
    ents = {(e["text"], e["label"]) for s in sentences for e in s["entities"]}
    assert ("Velmar", "GPE") in ents or ("Ilse Brandt", "PERSON") in ents
    dates = [e for s in sentences if s["article_id"] == "w1" for e in s["entities"] if e["label"] == "DATE"]
    assert dates and dates[0]["value"] == "2026-03-03"  # "Tuesday" against published 2026-03-03 (a Tuesday)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "skipped" and summary["summary"]["skipped"] == 1
    assert summary["summary"]["skips"][0]["where"] == "line 2"
    assert (out / "report.html").stat().st_size > 1000
    assert (out / "newstrace.db").exists()
    squashed = "".join(res.output.split())  # (the console may wrap the line anywhere)
    assert f"newstraceserve{out}".replace(" ", "") in squashed  # where to browse it


def test_missing_path_is_reported_and_the_rest_goes_on(tmp_path):
    src = _corpus(tmp_path)
    res = runner.invoke(app, ["analyze", str(tmp_path / "nope"), str(src / "storm.txt"), "--out",
                              str(tmp_path / "o"), "--jobs", "1", "--format", "json"])
    assert res.exit_code == EXIT_SKIPPED
    assert "nope" in res.output
    assert [a["id"] for a in read_jsonl(tmp_path / "o" / "articles.jsonl")] == ["storm"]


def test_rerun_skips_unchanged_and_reanalyses_changed(tmp_path):
    src = _corpus(tmp_path)
    (src / "feed.jsonl").write_text((src / "feed.jsonl").read_text().splitlines()[0] + "\n")
    out = tmp_path / "out"
    first = analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False))
    assert first.status == "ok" and first.totals["articles"] == 3
    second = analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False))
    analyzed = next(s for s in second.summary.stages if s.name == "analyze")
    assert analyzed.processed == 0 and second.totals["articles"] == 3
    read = next(s for s in second.summary.stages if s.name == "read")
    assert read.notes["already stored, input unchanged"] == 3
    (src / "follow.txt").write_text(FOLLOW_UP.replace("Wednesday", "Thursday"), encoding="utf-8")
    third = analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False))
    analyzed = next(s for s in third.summary.stages if s.name == "analyze")
    assert analyzed.processed == 1 and third.totals["articles"] == 3
    follow = next(a for a in read_jsonl(out / "articles.jsonl") if a["id"] == "follow")
    assert "Thursday" in follow["text"]


def test_interrupted_run_keeps_what_was_saved_and_resumes(tmp_path):
    src = tmp_path / "many"
    src.mkdir()
    for i in range(5):
        (src / f"a{i}.txt").write_text(f"Headline {i}\nThe council met on Monday to discuss item {i}.\n")
    out = tmp_path / "out"
    seen = []

    def stop_after_two(article):
        seen.append(article.id)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False), on_article=stop_after_two)
    db = sqlite3.connect(out / "newstrace.db")
    saved = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    db.close()
    assert saved >= 2  # at least what had gone through every stage (stories work in batches)
    resumed = analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False))
    analyzed = next(s for s in resumed.summary.stages if s.name == "analyze")
    assert analyzed.processed == 5 - saved  # what was saved before the interruption is not redone
    assert resumed.totals["articles"] == 5
    assert all(a["story_id"] for a in read_jsonl(out / "articles.jsonl"))


def test_duplicate_article_flagged_not_dropped(tmp_path):
    src = tmp_path / "d"
    src.mkdir()
    (src / "one.txt").write_text(STORY)
    (src / "two.txt").write_text(STORY.upper())
    out = tmp_path / "out"
    analyze([str(src)], out, AnalyzeOptions(jobs=1, report=False))
    arts = {a["id"]: a for a in read_jsonl(out / "articles.jsonl")}
    assert arts["two"]["duplicate_of"] == "one" or arts["one"]["duplicate_of"] == "two"
    dup = arts["two"] if arts["two"]["duplicate_of"] else arts["one"]
    assert [x["kind"] for x in dup["artefacts"]][-1] == "duplicate_article"


def test_stdin_jsonl(tmp_path):
    line = json.dumps({"id": "s1", "text": "Fishermen in Velmar said the spill had stopped."})
    res = runner.invoke(app, ["analyze", "-", "--out", str(tmp_path / "o"), "--jobs", "1", "--no-report"],
                        input=line + "\n")
    assert res.exit_code == EXIT_OK, res.output
    assert read_jsonl(tmp_path / "o" / "articles.jsonl")[0]["id"] == "s1"


def test_limit_reads_only_that_many_articles(tmp_path):
    src = _corpus(tmp_path)
    res = runner.invoke(app, ["analyze", str(src / "storm.txt"), str(src / "follow.txt"), "--limit", "1",
                              "--out", str(tmp_path / "o"), "--jobs", "1", "--no-report"])
    assert res.exit_code == EXIT_OK, res.output
    assert [a["id"] for a in read_jsonl(tmp_path / "o" / "articles.jsonl")] == ["storm"]
    assert not (tmp_path / "o" / "report.html").exists()


def test_unwritable_output_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    res = runner.invoke(app, ["analyze", str(_corpus(tmp_path)), "--out", str(blocker / "out"), "--jobs", "1"])
    assert res.exit_code == 1
    assert "error:" in res.output
