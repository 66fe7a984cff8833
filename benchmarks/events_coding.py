"""Event coding quality on ../shared/data/event-coding and on no-event sentences.

    python benchmarks/events_coding.py [--show N]

Prints:
- codebook_with_actors.dev.jsonl (158 sentences): P/R/F1 on the set of (source country,
  target country, root code) per sentence, and full-code accuracy (gold events matched with
  their full code and both countries), on its held-out part (30% by a hash of the id, the split
  of benchmarks/events_plover.py; never read by benchmarks/events_train.py), its fit part and all;
- cameo_codebook_examples.jsonl (386 sentences, codes without actors): root-code and
  full-code accuracy of the main event coded, twice: as the product codes (an event needs a
  source actor) and as event typing alone (an event without a known source is kept);
- benchmarks/data/no_events.txt (written for newstrace): the false-alarm rate;
- the majority-class root baseline on the codebook examples.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from events_plover import part_of

from newstrace.events import evaluate
from newstrace.events.records import coder
from newstrace.commands.events import code_articles
from newstrace.records import Article

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "event-coding"


def code_all(texts: list[str]) -> list[list[dict]]:
    arts = [Article(id=f"s{i}", text=t) for i, t in enumerate(texts)]
    code_articles(arts)
    return [a.events for a in arts]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", type=int, default=0, help="print N wrong sentences of each set")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"needs the shared development data ({DATA}); not present here")
        return 0
    started = time.perf_counter()
    dyad = [json.loads(line) for line in (DATA / "codebook_with_actors.dev.jsonl").open(encoding="utf-8")]
    pred = code_all([r["text"] for r in dyad])
    for part in ("fit", "held-out", None):
        keep = [(p, r) for p, r in zip(pred, dyad) if part is None or part_of(r["id"]) == part]
        s = evaluate.score_dyads((p, r["expected"]) for p, r in keep)
        label = {"fit": "fit part (the event model is trained on it: in-sample)", "held-out": "held-out part (bar 0.75)",
                 None: "all"}[part]
        print(f"codebook_with_actors, {label} ({len(keep)} sentences, {s['gold_events']} gold events): "
              f"P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} "
              f"(tp {s['tp']}, fp {s['fp']}, fn {s['fn']}); full-code accuracy {s['full_code_accuracy']:.3f}")
    if args.show:
        shown = 0
        for r, p in zip(dyad, pred):
            if evaluate.triples(p) != evaluate.gold_triples(r["expected"]) and shown < args.show:
                shown += 1
                print(" -", r["text"][:160])
                print("   gold", sorted(map(str, evaluate.gold_triples(r["expected"]))),
                      [g["code"] for g in r["expected"]])
                print("   ours", [(e["source"] and e["source"]["code"], e["target"] and e["target"]["code"],
                                  e["code"], e["mode"], e["trigger"]["text"]) for e in p])
    ex = [json.loads(line) for line in (DATA / "cameo_codebook_examples.jsonl").open(encoding="utf-8")]
    gold_codes = [r["expected"][0]["code"] for r in ex]
    pred_ex = code_all([r["text"] for r in ex])
    t = evaluate.score_types(zip(pred_ex, gold_codes))
    print(f"codebook examples ({t['sentences']}), product (source actor required): root accuracy "
          f"{t['root_accuracy']:.3f}, full-code accuracy {t['full_accuracy']:.3f}, any event with the root "
          f"{t['any_root_accuracy']:.3f}, no event {t['no_event']}")
    coder().require_source = False
    pred_ex2 = code_all([r["text"] for r in ex])
    coder().require_source = True
    t2 = evaluate.score_types(zip(pred_ex2, gold_codes))
    print(f"codebook examples ({t2['sentences']}), event typing (no source required): root accuracy "
          f"{t2['root_accuracy']:.3f}, full-code accuracy {t2['full_accuracy']:.3f}, any event with the root "
          f"{t2['any_root_accuracy']:.3f}, no event {t2['no_event']}")
    if args.show:
        shown = 0
        for r, p, c in zip(ex, pred_ex2, gold_codes):
            m = evaluate.main_event(p)
            if (m is None or m["root_code"] != c[:2]) and shown < args.show:
                shown += 1
                print(f" - [{c}] {r['text'][:150]}")
                print("   ours", [(e["code"], e["mode"], e["trigger"]["text"], e["depth"]) for e in p])
    majority = Counter(c[:2] for c in gold_codes).most_common(1)[0]
    print(f"majority-class root baseline: {majority[0]} -> {majority[1] / len(gold_codes):.3f}")
    lines = [ln.strip() for ln in (ROOT / "benchmarks" / "data" / "no_events.txt").read_text("utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    pred_no = code_all(lines)
    print(f"no-event sentences ({len(lines)}): false-alarm rate {evaluate.false_alarm_rate(pred_no):.3f}")
    for ln, p in zip(lines, pred_no):
        if evaluate.counted(p):
            print("   false alarm:", ln[:100], [(e["code"], e["trigger"]["text"]) for e in evaluate.counted(p)])
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
