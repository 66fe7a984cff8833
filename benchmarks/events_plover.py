"""PLOVER category of a marked actor pair on real news sentences (issue 19's second bar).

    python benchmarks/events_plover.py [--show N]

Data: ../shared/data/event-coding/plv_train.jsonl (1,050 news sentences, 2017-2019, one
(source, target) pair marked per sentence with its PLOVER category; YIELD stands for CONCEDE
and RETREAT). Each sentence is coded by newstrace's event coder as an article of its own. A
pair counts as right only when an event links those two actors, the source's actor span
overlapping the marked source and the target's the marked target, with the right category.

The sentences are split once, by a hash of their id: 30% held out (`part = "held-out"`),
70% to fit and tune on (`"fit"`). Figures are printed for both parts, labelled; the bar
(0.70) is read on the held-out part. Also printed: how often the pair is linked at all (any
category; in either direction) and the accuracy of the category when it is.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from newstrace.commands.events import code_articles
from newstrace.records import Article

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "event-coding" / "plv_train.jsonl"
HELD_OUT_SHARE = 0.3
# PLOVER 2021 categories the coder may emit that the data folds together
FOLD = {"CONCEDE": "YIELD", "RETREAT": "YIELD"}
_TAG = re.compile(r"</?[st]>")


def part_of(row_id: str) -> str:
    """"held-out" or "fit", fixed by the id (the same split on every machine and run)."""
    h = int(hashlib.sha1(row_id.encode()).hexdigest()[:8], 16) / 2**32
    return "held-out" if h < HELD_OUT_SHARE else "fit"


def spans(marked: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """The sentence without its tags, and the character spans of <s>...</s> and <t>...</t> in it."""
    out: dict[str, tuple[int, int]] = {}
    text = []
    pos = 0
    opened: dict[str, int] = {}
    last = 0
    for m in _TAG.finditer(marked):
        text.append(marked[last:m.start()])
        pos += m.start() - last
        last = m.end()
        tag = m.group()
        name = tag.strip("</>")
        if tag.startswith("</"):
            out[name] = (opened.pop(name, pos), pos)
        else:
            opened[name] = pos
    text.append(marked[last:])
    return "".join(text), out


def _overlap(a: dict | None, span: tuple[int, int] | None) -> bool:
    return bool(a and span and a.get("start") is not None and a["start"] < span[1] and span[0] < a["end"])


def judge(events: list[dict], s: tuple[int, int] | None, t: tuple[int, int] | None, gold: str) -> tuple[bool, bool, bool]:
    """(linked as marked, linked either way, linked as marked with the right category)."""
    linked = [e for e in events if _overlap(e.get("source"), s) and _overlap(e.get("target"), t)]
    either = linked or [e for e in events if _overlap(e.get("source"), t) and _overlap(e.get("target"), s)]
    right = any(FOLD.get(e.get("plover") or "", e.get("plover")) == gold for e in linked)
    return bool(linked), bool(either), right


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", type=int, default=0, help="print this many held-out misses")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"needs {DATA} (the shared development data)", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8") if line.strip()]
    items = []
    for r in rows:
        text, where = spans(r["marked_sentence"])
        items.append((r, text, where.get("s"), where.get("t")))
    t0 = time.perf_counter()
    arts = [Article(id=f"p{i}", text=text) for i, (_, text, _, _) in enumerate(items)]
    code_articles(arts)
    secs = time.perf_counter() - t0
    counts: dict[str, Counter] = {"fit": Counter(), "held-out": Counter()}
    misses = []
    for (r, text, s, t), a in zip(items, arts):
        part = part_of(r["id"])
        linked, either, right = judge(a.events, s, t, r["plover"])
        c = counts[part]
        c["n"] += 1
        c["linked"] += linked
        c["either"] += either
        c["right"] += right
        if part == "held-out" and not right:
            misses.append((r, a.events))
    print(f"{len(rows)} sentences coded in {secs:.1f} s")
    for part in ("fit", "held-out"):
        c = counts[part]
        n = max(1, c["n"])
        print(f"{part} ({c['n']} sentences): right category for the marked pair {c['right'] / n:.3f}"
              f"{' (bar 0.70)' if part == 'held-out' else ' (in-sample once tuned on)'}; pair linked as marked "
              f"{c['linked'] / n:.3f}, either way {c['either'] / n:.3f}; category right when linked "
              f"{c['right'] / max(1, c['linked']):.3f}")
    for r, events in misses[:args.show]:
        got = [((e.get("source") or {}).get("text"), (e.get("target") or {}).get("text"), e.get("plover"))
               for e in events]
        print(f"- {r['plover']}: {r['marked_sentence']}\n    got {got or 'no event'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
