"""`newstrace compare A B` end to end: an invented report, an LLM-style rewrite of it, an
unrelated article; the verdict, the aligned passages, what B added and dropped, the errors."""

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from newstrace.cli import EXIT_OK, EXIT_USAGE, app
from newstrace.commands.compare import CompareError, read_article

from .helpers import ROOT

ORIGINAL = """Spillway gate jams at Orrin Dam, 2,000 told to leave

Authorities in Calder Vale ordered about 2,000 residents to leave their homes on Thursday after a spillway gate at \
the Orrin Dam jammed during heavy rain, the county emergency office said.
The gate, one of four on the 1960s structure, stuck half-open shortly after 6 a.m., sending water into the lower \
Orrin valley faster than engineers had planned.
"We are not expecting the dam itself to fail, but we cannot control the release right now," said Marta Ellery, the \
chief engineer of the Orrin Water Authority.
Evacuation centres were opened at Calder Vale High School and the Westbrook community hall, where volunteers handed \
out blankets and hot meals.
Police closed Route 14 between Calder Vale and Pennock as water crossed the road in at least three places.
The river at the Pennock gauge rose 1.8 metres in five hours, according to the regional flood agency.
Farmers downstream said they had moved livestock to higher ground overnight after warnings on local radio.
The authority said a repair crew and a crane from Halbridge were expected to reach the dam by Friday morning.
The Orrin Dam passed an inspection in March, but a 2019 report had recommended replacing its gate mechanisms, a \
recommendation that was never funded.
County officials said residents should not return home until the all-clear is given, which could take several days.
"""
# The rewrite follows the original's order, drops the farmers and adds the governor at the end.
DROPPED = "Farmers downstream said they had moved livestock to higher ground overnight after warnings on local radio."
ADDED = ("The state governor, Alan Pryce, is expected to declare a state of emergency for the whole county "
         "later this week.")
REWRITE_TITLE = "Thousands Evacuated as Orrin Dam Gate Sticks"
REWRITE = f"""{REWRITE_TITLE}

Roughly 2,000 people in Calder Vale were told to evacuate on Thursday when a spillway gate on the Orrin Dam became \
stuck amid torrential rain.
The gate, one of four on the dam built in the 1960s, jammed partly open just after 6 a.m., releasing water into the \
lower Orrin valley more quickly than engineers intended.
Chief engineer Marta Ellery of the Orrin Water Authority stressed that the dam itself was not expected to fail, \
although the release could not be controlled for now.
Shelters were set up at Calder Vale High School and at the Westbrook community hall, with volunteers providing \
blankets and warm food.
Route 14 between Calder Vale and Pennock was shut by police after floodwater covered the road in several spots.
Data from the regional flood agency showed the river at the Pennock gauge climbing 1.8 metres within five hours.
A repair team and a crane from Halbridge are due to arrive at the dam by Friday morning.
Although the dam passed an inspection in March, a 2019 report had urged that its gate mechanisms be replaced, \
something that was never paid for.
Residents have been told to stay away from their homes until officials give the all-clear, which may take several days.
{ADDED}
"""
UNRELATED = """Brannock library reopens after two-year renovation

The public library in Brannock reopened on Saturday after a two-year renovation that cost 4.2 million pounds, the \
town council said.
The Victorian building now has a glass reading room on its roof, a children's wing and a café run by a local charity.
About 600 visitors queued outside before the doors opened at 10 a.m., according to the head librarian, Tomas Wyle.
"People told us they missed the place more than they expected," Wyle said.
The collection of 80,000 books was kept in a former bus depot during the works, where volunteers catalogued every \
volume.
The council plans to extend opening hours to Sunday afternoons from next month.
"""

# The CLI runs, each loading spaCy and the embedding model: started together, awaited once.
RUNS = {
    "rewrite": ["original.txt", "rewrite.txt", "--json"],
    "unrelated": ["original.txt", "unrelated.txt", "--json"],
    "identical": ["original.txt", "copy.txt", "--json"],
    "reversed": ["rewrite.txt", "original.txt"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    for name, text in (("original", ORIGINAL), ("rewrite", REWRITE), ("unrelated", UNRELATED), ("copy", ORIGINAL)):
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "100"}
    procs = {name: subprocess.Popen([sys.executable, "-m", "newstrace", "compare", *args], cwd=folder, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
             for name, args in RUNS.items()}
    out = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == EXIT_OK, stderr
        out[name] = json.loads(stdout) if "--json" in RUNS[name] else stdout
    return out


def _check_spans(result):
    texts = {"A": ORIGINAL, "B": REWRITE}
    for p in result["passages"]:
        for part in [p] + p["pairs"]:
            for side in ("A", "B"):
                span = part[side]
                assert texts[side][span["start"]:span["end"]] == span["text"]


def test_rewrite_is_derived_from_the_original(runs):
    r = runs["rewrite"]
    v = r["verdict"]
    assert v["derived"] and v["score"] >= v["threshold"]
    assert (v["derived_side"], v["source_side"]) == ("B", "A")
    assert (v["derived_id"], v["source_id"]) == ("rewrite", "original")
    assert v["direction"] == "content" and v["confidence"] >= 0.6 and v["evidence"]
    assert v["coverage"]["A"] > 0.8 and v["coverage"]["B"] > 0.8
    assert r["articles"]["A"]["title"] == "Spillway gate jams at Orrin Dam, 2,000 told to leave"
    assert r["articles"]["B"]["path"].endswith("rewrite.txt")
    # every body sentence of the rewrite is paired with the one of the original it paraphrases
    pairs = [pair for p in r["passages"] for pair in p["pairs"]]
    assert "paraphrase" in {pair["kind"] for pair in pairs} <= {"paraphrase", "near-verbatim"}
    assert any(pair["A"]["text"].startswith("Police closed Route 14") and pair["B"]["text"].startswith("Route 14")
               for pair in pairs)
    _check_spans(r)
    added = [x["text"] for x in r["added"]]
    assert ADDED in added and set(added) <= {ADDED, REWRITE_TITLE}
    assert [x["text"] for x in r["dropped"]] == [DROPPED]
    start = REWRITE.index(ADDED)
    assert next(x for x in r["added"] if x["text"] == ADDED)["start"] == start


def test_unrelated_articles_are_not_derived(runs):
    r = runs["unrelated"]
    v = r["verdict"]
    assert not v["derived"] and v["score"] < v["threshold"]
    assert r["passages"] == [] and v["coverage"] == {"A": 0.0, "B": 0.0}
    # nothing of B is in A: all of it is added, all of A dropped
    assert len(r["added"]) == 7 and r["added"][-1]["text"].startswith("The council plans")
    assert len(r["dropped"]) == 11


def test_identical_files_are_derived_verbatim(runs):
    r = runs["identical"]
    v = r["verdict"]
    assert v["derived"] and v["coverage"] == {"A": 1.0, "B": 1.0}
    assert {p["kind"] for p in r["passages"]} == {"verbatim"}
    assert all(p["A"] == p["B"] for p in r["passages"])
    assert r["added"] == [] and r["dropped"] == []
    # no dates, and content cannot tell which of two copies came first: A, given first, is the source
    assert v["direction"] == "undetermined" and v["source_side"] == "A"


def test_human_readable_view_reads_b_against_a(runs):
    text = runs["reversed"]  # A is the rewrite, B the original
    assert "A (rewrite) is derived from B (original)" in text
    assert "Passage 1 of" in text and "paraphrase" in text and "…" not in text
    added = " ".join(text.split("B added")[1].split("B dropped")[0].split())
    dropped = " ".join(text.split("B dropped")[1].split())
    assert DROPPED in added  # the farmers are in the original (B) but not in the rewrite (A)
    assert ADDED in dropped
    assert max(len(line) for line in text.splitlines()) <= 100  # wrapped to the terminal


def test_errors_name_the_file(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "a.txt").write_text(ORIGINAL, encoding="utf-8")
    runner = CliRunner()
    for bad in ("empty.txt", "missing.txt"):
        res = runner.invoke(app, ["compare", str(tmp_path / "a.txt"), str(tmp_path / bad)])
        assert res.exit_code == EXIT_USAGE
        assert bad in res.output and "error" in res.output


def test_file_with_several_articles_needs_an_id(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in (("o", ORIGINAL), ("r", REWRITE))),
                    encoding="utf-8")
    assert read_article(f"{feed}#r").text == REWRITE
    with pytest.raises(CompareError, match=r"feed\.jsonl holds 2 articles.*ids: o, r"):
        read_article(str(feed))
    with pytest.raises(CompareError, match=r"feed\.jsonl: no article with id 'x'"):
        read_article(f"{feed}#x")
