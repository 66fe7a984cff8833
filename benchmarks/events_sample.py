"""A hand check of the events the trained model adds (and, for comparison, of the rules' events) (`coded_by: model`) on long political
articles, which neither labelled event set has: the PolNeAR articles of
../shared/data/attribution (US politics, 2016; no event labels).

    python benchmarks/events_sample.py [--articles 60] [--sample 60] [--seed 5]

Codes the first N articles, prints how many events the rules, the model and the
recategorisation gave, and a seeded sample of the model's events for labelling by hand. Labels
already given are in benchmarks/data/events_sample_labels.tsv (a hash of the article id,
the trigger's offset and the two sides' words, then the label: 1 right pair and category, 0.5
pair or category right, 0 wrong; no article text); the events of the sample that have a label are scored.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "attribution" / "polnear.dev.jsonl"
LABELS = ROOT / "benchmarks" / "data" / "events_sample_labels.tsv"


def key(article_id: str, e: dict) -> str:
    """The event's key in the labels file: a hash of the article id, the trigger's offset and the
    two sides' words (so that the file holds no text of the articles)."""
    parts = (article_id, str(e["trigger"]["start"]), (e["source"] or {}).get("text") or "",
             (e["target"] or {}).get("text") or "")
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:16]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=60)
    ap.add_argument("--sample", type=int, default=60)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--by", default="model", choices=["model", "rules", "recategorised"],
                    help="whose events to sample (the rules' for comparison)")
    args = ap.parse_args()
    if not DATA.exists():
        print(f"needs {DATA} (the shared development data)", file=sys.stderr)
        return 2
    from newstrace.commands.events import code_articles
    from newstrace.records import Article

    seen, articles = set(), []
    for line in DATA.open(encoding="utf-8"):
        r = json.loads(line)
        if r["doc_id"] not in seen:
            seen.add(r["doc_id"])
            articles.append(Article(id=r["doc_id"], text=r["text"]))
    articles = articles[: args.articles]
    code_articles(articles)
    events = [(a, e) for a in articles for e in a.events]
    by = Counter(e["coded_by"] for _, e in events)
    print(f"{len(articles)} articles, {sum(len(a.text) for a in articles) // len(articles)} characters each on average: "
          f"{len(events)} events ({dict(by)})")
    labels = {}
    if LABELS.exists():
        with LABELS.open(encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t"):
                if row and not row[0].startswith("#"):
                    labels[row[0]] = float(row[1])
    model = [(a, e) for a, e in events if e["coded_by"] == args.by]
    random.seed(args.seed)
    sample = random.sample(model, min(args.sample, len(model)))
    scored = []
    for a, e in sample:
        k = key(a.id, e)
        ruled = any(o["coded_by"] == "rules" and o["trigger"]["start"] == e["trigger"]["start"] for o in a.events)
        got = labels.get(k)
        if got is not None:
            scored.append((got, e["confidence"], ruled))
        sentence = a.text[e["start"]:e["end"]].replace("\n", " ")
        print(f"- {k}\t{'' if got is None else got}\n    [{e['confidence']}] {'on a rule verb' if ruled else 'off the rules'}: "
              f"{e['code']} {e['plover']} {(e['source'] or {}).get('text')!r} -> {(e['target'] or {}).get('text')!r} via {e['trigger']['text']!r} ({e['mode']})\n    {sentence[:240]}")
    if scored:
        def line(rows: list, what: str) -> str:
            right = sum(1 for g, *_ in rows if g == 1)
            half = sum(1 for g, *_ in rows if g == 0.5)
            return f"{what}: {len(rows)} labelled, right {right} ({right / len(rows):.2f}), partly right {half}"
        print(line(scored, f"{args.by} events of the sample"))
        for th in (0.5, 0.7):
            rows = [x for x in scored if x[1] is not None and x[1] >= th]
            if rows:
                print(line(rows, f"  with confidence at least {th}"))
        for ruled in ((True, False) if args.by == "model" else ()):
            rows = [x for x in scored if x[2] == ruled]
            if rows:
                print(line(rows, "  on verbs the rules coded" if ruled else "  on verbs the rules did not code"))
    else:
        print("no labels for this sample yet: label it in", LABELS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
