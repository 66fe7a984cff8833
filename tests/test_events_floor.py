"""CI floors for event coding, measured on ../shared/data/event-coding and on the no-event
sentences written for newstrace (benchmarks/data/no_events.txt).

The figures themselves come from `python benchmarks/events_coding.py`; these floors sit a little
under what it measured, so a regression fails. The shared data is skipped where it is not beside
the repository; the no-event sentences are in the repository and always run.
"""

import json

import pytest

from newstrace.events import evaluate
from newstrace.events.records import coder
from newstrace.commands.events import code_articles
from newstrace.records import Article

from .helpers import ROOT, SHARED

DATA = SHARED / "data" / "event-coding"
# Measured when the floors were set (benchmarks/events_coding.py): dyad F1 0.557; codebook
# examples root accuracy 0.684 (product: a source actor required), 0.751 (event typing alone).
DYAD_F1_FLOOR = 0.52
ROOT_FLOOR = 0.65
TYPING_ROOT_FLOOR = 0.71
FALSE_ALARM_CEILING = 0.05


def _code(texts: list[str]) -> list[list[dict]]:
    arts = [Article(id=f"s{i}", text=t) for i, t in enumerate(texts)]
    code_articles(arts)
    return [a.events for a in arts]


def _need(path):
    if not path.exists():
        pytest.skip(f"needs the shared development data ({path}); not present here")


def test_dyad_f1_floor():
    path = DATA / "codebook_with_actors.dev.jsonl"
    _need(path)
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    s = evaluate.score_dyads(zip(_code([r["text"] for r in rows]), [r["expected"] for r in rows]))
    assert s["f1"] >= DYAD_F1_FLOOR, s


def test_codebook_root_accuracy_floor():
    path = DATA / "cameo_codebook_examples.jsonl"
    _need(path)
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    codes = [r["expected"][0]["code"] for r in rows]
    product = evaluate.score_types(zip(_code([r["text"] for r in rows]), codes))
    assert product["root_accuracy"] >= ROOT_FLOOR, product
    c = coder()
    c.require_source = False
    try:
        typing = evaluate.score_types(zip(_code([r["text"] for r in rows]), codes))
    finally:
        c.require_source = True
    assert typing["root_accuracy"] >= TYPING_ROOT_FLOOR, typing
    assert typing["root_accuracy"] >= product["root_accuracy"]


def test_no_event_sentences_stay_quiet():
    lines = [ln.strip() for ln in (ROOT / "benchmarks" / "data" / "no_events.txt").read_text("utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert len(lines) >= 40
    predicted = _code(lines)
    rate = evaluate.false_alarm_rate(predicted)
    assert rate <= FALSE_ALARM_CEILING, [(ln, [e["code"] for e in p]) for ln, p in zip(lines, predicted) if p]
