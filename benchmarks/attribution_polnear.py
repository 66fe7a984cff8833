"""Attribution extraction on PolNeAR (../shared/data/attribution/polnear.dev.jsonl).

    python benchmarks/attribution_polnear.py [--docs N] [--errors K]

Records with `primary: true` (one annotator per article). Predicted and gold attributions are
matched one to one by content span: Jaccard over characters >= 0.5, best pairs first. Printed:
content precision, recall and F1; source accuracy on matched pairs (the predicted source span
overlaps the gold one; a gold attribution without source counts as right when none is
predicted); the same sliced by kind (quoted: the gold content holds a quotation mark;
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

from newstrace.attribution.extract import extract  # noqa: E402
from newstrace.language.nlp import load_nlp  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "attribution" / "polnear.dev.jsonl"
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "his", "its", "their", "who"}
ANONYMOUS = re.compile(r"\b(sources?|officials?|aides?|people|person|insiders?|advisers?|advisors?|someone|"
                       r"spokes(?:wo)?m[ae]n|analysts?|experts?|critics?|observers?|many|some|others?|reports?)\b",
                       re.I)


def jaccard(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union else 0.0


def overlaps(a: tuple[int, int] | None, spans: list[tuple[int, int]]) -> bool:
    return a is not None and any(min(a[1], s[1]) > max(a[0], s[0]) for s in spans)


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
    tp = n_pred = n_gold = 0
    src_right = 0
    slices: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # name -> [gold, matched, source right]
    missed, spurious = [], []
    for r, preds in zip(rows, predicted):
        text = r["text"]
        gold = [g for g in r["attributions"] if g["content"]]
        n_gold += len(gold)
        n_pred += len(preds)
        gspans = [(min(s["start"] for s in g["content"]), max(s["end"] for s in g["content"])) for g in gold]
        pairs = sorted(((jaccard((p.content.start, p.content.end), gs), i, j) for i, p in enumerate(preds)
                        for j, gs in enumerate(gspans)), reverse=True)
        match: dict[int, int] = {}  # gold index -> predicted index
        for jac, i, j in pairs:
            if jac < 0.5:
                break
            if i in match.values() or j in match:
                continue
            match[j] = i
        used_p = set(match.values())
        for j, g in enumerate(gold):
            keys = [f"kind: {gold_kind(g, text)}", f"source: {source_type(g, text)}"]
            for k in keys:
                slices[k][0] += 1
            if j not in match:
                missed.append((text, g))
                continue
            p = preds[match[j]]
            gsrc = [(s["start"], s["end"]) for s in g["source"]]
            right = overlaps((p.source.start, p.source.end) if p.source else None, gsrc) if gsrc else p.source is None
            tp += 1
            src_right += right
            for k in keys:
                slices[k][1] += 1
                slices[k][2] += right
        spurious += [(text, p) for i, p in enumerate(preds) if i not in used_p]
    prec, rec = tp / max(n_pred, 1), tp / max(n_gold, 1)
    f1 = 2 * prec * rec / max(prec + rec, 1e-9)
    print(f"{len(rows)} articles, {n_gold} gold attributions, {n_pred} predicted")
    print(f"content: precision {prec:.3f} recall {rec:.3f} F1 {f1:.3f}; source accuracy on {tp} matched: "
          f"{src_right / max(tp, 1):.3f}")
    for name in sorted(slices):
        g, m, s = slices[name]
        print(f"  {name:<20} gold {g:5d}  recall {m / max(g, 1):.3f}  source accuracy {s / max(m, 1):.3f}")
    print(f"speed: spaCy parse {len(rows) / parse_s:.1f} articles/s; extraction {n_pred / max(extract_s, 1e-9):.0f} "
          f"attributions/s ({len(rows) / max(extract_s, 1e-9):.0f} articles/s) on top of it")
    for text, g in missed[:args.errors]:
        c = g["content"][0]
        print("MISSED:", text[max(0, c["start"] - 80):c["end"] + 40].replace("\n", " "))
    for text, p in spurious[:args.errors]:
        print("SPURIOUS:", p.cue.text, "|", p.content.text[:150].replace("\n", " "))


if __name__ == "__main__":
    main()
