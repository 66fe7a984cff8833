"""Claim support on ../shared/data/claim-support/claims.dev.jsonl (issue 6).

    python benchmarks/claims_support.py [--write-model] [--limit N]

Each record is a source document and one claim (label 1: the source supports it). Printed per
`dataset`: balanced accuracy of our score and of three lexical baselines (the share of the
claim's content words found in the source; of its word pairs; of its names and numbers),
each with its threshold chosen by 5-fold cross-validation inside the dataset (the threshold
that maximises balanced accuracy on four folds is applied to the fifth; the figure is over the
pooled held-out predictions). Our score's model weights are fitted leave-one-dataset-out: the
weights that score a dataset never saw it. `--write-model` then fits them on every dataset
and writes `src/newstrace/data/claim_model.json` (threshold: the best balanced accuracy over
all records).

Source analyses (sentences, names, numbers, vectors) are cached in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fitting import fit_logistic  # noqa: E402
from newstrace.claims.support import FEATURES, _content, _features, _stem, analyse, prepare  # noqa: E402
from newstrace.language.embed import fingerprint  # noqa: E402
from newstrace.language.nlp import load_nlp  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "claim-support" / "claims.dev.jsonl"
RESULTS = ROOT / "benchmarks" / "results"
MODEL = ROOT / "src" / "newstrace" / "data" / "claim_model.json"


def balanced_accuracy(y: np.ndarray, pred: np.ndarray) -> float:
    pos, neg = y == 1, y == 0
    tpr = (pred[pos] == 1).mean() if pos.any() else 0.0
    tnr = (pred[neg] == 0).mean() if neg.any() else 0.0
    return float((tpr + tnr) / 2) if pos.any() and neg.any() else float(tpr if pos.any() else tnr)


def best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    cands = np.unique(scores)
    best, best_t = -1.0, 0.5
    for t in cands:
        ba = balanced_accuracy(y, (scores >= t).astype(int))
        if ba > best:
            best, best_t = ba, float(t)
    return best_t


def cv_balanced_accuracy(scores: np.ndarray, y: np.ndarray, folds: int = 5, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(y))
    pred = np.zeros(len(y), dtype=int)
    for k in range(folds):
        test = idx[k::folds]
        train = np.setdiff1d(idx, test)
        t = best_threshold(scores[train], y[train])
        pred[test] = (scores[test] >= t).astype(int)
    return balanced_accuracy(y, pred)


def baselines(source_words: list[str], source_names: list[str], source_numbers: list[float],
              claim_words: list[str], claim_names: list[str], claim_numbers: list[float]) -> dict[str, float]:
    cw = {_stem(w) for w in _content(claim_words)}
    sw = {_stem(w) for w in source_words}
    pairs = set(zip(claim_words, claim_words[1:]))
    spairs = set(zip(source_words, source_words[1:]))
    items = [n for n in claim_names] + [str(v) for v in claim_numbers]
    src_items = set(source_names) | {str(v) for v in source_numbers}
    return {
        "word overlap": len(cw & sw) / len(cw) if cw else 1.0,
        "bigram overlap": len(pairs & spairs) / len(pairs) if pairs else 1.0,
        "entity/number overlap": sum(i in src_items for i in items) / len(items) if items else 1.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write-model", action="store_true")
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    if not DATA.exists():
        sys.exit(f"needs {DATA} (the shared development data)")
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    if args.limit:
        rows = rows[:args.limit]
    head = ROOT / "src" / "newstrace" / "data" / "nli_head.npz"
    stamp = hashlib.sha1(head.read_bytes()).hexdigest() if head.exists() else "-"
    key = hashlib.sha1((DATA.read_bytes()[:100000].hex() + fingerprint() + str(len(rows)) + ",".join(FEATURES)
                        + stamp).encode()).hexdigest()[:12]
    cache = RESULTS / f"claims-{key}.pkl"
    nlp = load_nlp()
    t0 = time.perf_counter()
    if cache.exists():
        feats, base = pickle.loads(cache.read_bytes())
    else:
        sources: dict[str, object] = {}
        feats, base = [], []
        for n, r in enumerate(rows):
            h = hashlib.sha1(r["source"].encode()).hexdigest()
            if h not in sources:
                sources[h] = prepare(r["source"], nlp)
            src = sources[h]
            c = analyse(r["claim"], nlp)
            f, _, _ = _features(src, c)
            feats.append([f[k] for k in FEATURES])
            base.append(baselines(src.words, src.names, src.numbers, c.words, c.names, c.numbers))
            if n % 100 == 0:
                print(f"  {n}/{len(rows)} pairs ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
        RESULTS.mkdir(exist_ok=True)
        cache.write_bytes(pickle.dumps((feats, base)))
        print(f"features for {len(rows)} pairs in {time.perf_counter() - t0:.0f} s "
              f"({len(rows) / (time.perf_counter() - t0):.1f} claims/s, {len(sources)} sources)")
    X = np.array(feats, dtype=np.float64)
    y = np.array([r["label"] for r in rows])
    datasets = sorted({r["dataset"] for r in rows})
    ds = np.array([r["dataset"] for r in rows])
    ours = np.zeros(len(rows))
    for d in datasets:  # weights fitted without the dataset they score
        train, test = ds != d, ds == d
        w, b = fit_logistic(X[train], y[train])
        ours[test] = 1 / (1 + np.exp(-(X[test] @ w + b)))
    names = ["ours", "word overlap", "bigram overlap", "entity/number overlap"]
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for d in datasets:
        m = ds == d
        table[d]["ours"] = cv_balanced_accuracy(ours[m], y[m])
        for bname in names[1:]:
            table[d][bname] = cv_balanced_accuracy(np.array([b[bname] for b in base])[m], y[m])
    print(f"{'dataset':<15} {'n':>4} {'pos':>4}  " + "  ".join(f"{n:>21}" for n in names))
    for d in datasets:
        m = ds == d
        print(f"{d:<15} {m.sum():4d} {y[m].sum():4d}  " + "  ".join(f"{table[d][n]:21.3f}" for n in names))
    means = {n: float(np.mean([table[d][n] for d in datasets])) for n in names}
    print(f"{'mean':<15} {len(rows):4d} {y.sum():4d}  " + "  ".join(f"{means[n]:21.3f}" for n in names))
    beaten = [d for d in datasets if table[d]["ours"] < max(table[d][n] for n in names[1:])]
    print(f"datasets where a lexical baseline beats ours: {', '.join(beaten) or 'none'}")
    if args.write_model:
        w, b = fit_logistic(X, y)
        p = 1 / (1 + np.exp(-(X @ w + b)))
        t = best_threshold(p, y)
        MODEL.write_text(json.dumps({
            "about": "claim support: logistic model over newstrace.claims.support.FEATURES, fitted by "
                     "benchmarks/claims_support.py --write-model on claims.dev.jsonl",
            "weights": {k: round(float(v), 6) for k, v in zip(FEATURES, w)}, "bias": round(float(b), 6),
            "threshold": round(float(t), 4)}, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL} (threshold {t:.3f})")


if __name__ == "__main__":
    main()
