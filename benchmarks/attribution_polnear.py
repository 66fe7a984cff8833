"""Attribution extraction on PolNeAR (../shared/data/attribution/polnear.dev.jsonl).

    python benchmarks/attribution_polnear.py [--docs N] [--errors K]

Records with `primary: true` (one annotator per article). Predicted and gold attributions are
matched one to one by content span: Jaccard over characters >= 0.5, best pairs first (see
`newstrace.attribution.evaluate`; the CI floor in tests/test_attribution_floors.py runs the
same scoring through the product path). Printed:
content precision, recall and F1; source accuracy on matched pairs (the predicted source span
overlaps the gold one; a gold attribution without source counts as right when none is
predicted); precision by the kind of the prediction; the same sliced by kind (quoted: the gold content holds a quotation mark;
"according to"; indirect: the rest) and by source type (pronoun, anonymous, named); and
attributions extracted per second against the bare spaCy parse.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newstrace.attribution.evaluate import Prediction, gold_content, score  # noqa: E402
from newstrace.attribution.extract import extract  # noqa: E402
from newstrace.language.nlp import load_nlp  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "attribution" / "polnear.dev.jsonl"
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "his", "its", "their", "who"}
ANONYMOUS = re.compile(r"\b(sources?|officials?|aides?|people|person|insiders?|advisers?|advisors?|someone|"
                       r"spokes(?:wo)?m[ae]n|analysts?|experts?|critics?|observers?|many|some|others?|reports?)\b",
                       re.I)


def gold_kind(att: dict, text: str) -> str:
    content = " ".join(text[s["start"]:s["end"]] for s in att["content"])
    cue = " ".join(text[s["start"]:s["end"]] for s in att["cue"]).lower()
    if "according" in cue:
        return "according to"
    return "quoted" if any(q in content for q in "\"“”") else "indirect"


def source_type(att: dict, text: str) -> str:
    src = " ".join(text[s["start"]:s["end"]] for s in att["source"]).strip()
    if not src:
        return "none"
    if src.lower() in PRONOUNS:
        return "pronoun"
    return "anonymous" if ANONYMOUS.search(src) and not any(w[:1].isupper() for w in src.split()[1:]) else "named"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=0, help="only the first N articles (0: all)")
    ap.add_argument("--errors", type=int, default=0, help="print K missed and K spurious attributions")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"needs {DATA}")
        return
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["primary"]]
    if args.docs:
        rows = rows[:args.docs]
    nlp = load_nlp(parse=True)
    t0 = time.perf_counter()
    docs = list(nlp.pipe([r["text"] for r in rows], batch_size=8))
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    predicted = [extract(d) for d in docs]
    extract_s = time.perf_counter() - t0
    golds = [[g for g in r["attributions"] if g["content"]] for r in rows]
    scores = score(golds, [[Prediction((p.content.start, p.content.end),
                                       (p.source.start, p.source.end) if p.source else None) for p in preds]
                            for preds in predicted])
    slices: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # name -> [gold, matched, source right]
    by_pred: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # predicted kind -> [predicted, matched]
    missed, spurious = [], []
    for r, gold, preds, pairs in zip(rows, golds, predicted, scores.pairs):
        text = r["text"]
        used = {i for _, i, _ in pairs if i is not None}
        for j, i, right in pairs:
            keys = [f"kind: {gold_kind(gold[j], text)}", f"source: {source_type(gold[j], text)}"]
            for k in keys:
                slices[k][0] += 1
                slices[k][1] += i is not None
                slices[k][2] += right
            if i is None:
                missed.append((text, gold[j]))
        for i, p in enumerate(preds):  # precision by kind, the prediction's own kind
            pk = ("according to" if "according" in p.cue.text.lower() else
                  "quoted" if any(q in p.content.text for q in "\"“”") else "indirect")
            by_pred[pk][0] += 1
            by_pred[pk][1] += i in used
            if i not in used:
                spurious.append((text, p))
    print(f"{len(rows)} articles, {scores.gold} gold attributions, {scores.predicted} predicted")
    print(f"content: precision {scores.precision:.3f} recall {scores.recall:.3f} F1 {scores.f1:.3f}; "
          f"source accuracy on {scores.matched} matched: {scores.source_accuracy:.3f}")
    for name in sorted(slices):
        g, m, s = slices[name]
        print(f"  {name:<20} gold {g:5d}  recall {m / max(g, 1):.3f}  source accuracy {s / max(m, 1):.3f}")
    for name in sorted(by_pred):
        n, m = by_pred[name]
        print(f"  predicted {name:<14} {n:5d}  precision {m / max(n, 1):.3f}")
    print(f"speed: spaCy parse {len(rows) / parse_s:.1f} articles/s; extraction "
          f"{scores.predicted / max(extract_s, 1e-9):.0f} "
          f"attributions/s ({len(rows) / max(extract_s, 1e-9):.0f} articles/s) on top of it")
    for text, g in missed[:args.errors]:
        c = gold_content(g)
        print("MISSED:", text[max(0, c[0] - 80):c[1] + 40].replace("\n", " "))
    for text, p in spurious[:args.errors]:
        print("SPURIOUS:", p.cue.text, "|", p.content.text[:150].replace("\n", " "))


if __name__ == "__main__":
    main()
