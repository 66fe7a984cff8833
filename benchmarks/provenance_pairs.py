"""Derived vs not derived: true (rewrite, source) pairs against same-event and random pairs.

    python benchmarks/provenance_pairs.py

Positives: the 300 (rewrite, source) pairs of ../shared/data/text-reuse/llm-rewrites.dev.jsonl.
Negatives: pairs of different ECB+ articles of the same `event_cluster` (independent reports
of one event; up to 600) and 300 random pairs (ECB+ and BBC sources mixed). Each pair gets
the features of newstrace.provenance.score; a logistic model is evaluated by 5-fold
cross-validation (folds by BBC source / ECB+ event, so no story is in both train and test),
and the threshold is the one that maximises F1 on each training fold. Prints precision,
recall and F1 per fold and overall, and the weights fitted on everything (`--write-model`
ships them as newstrace's provenance model).
"""

from __future__ import annotations

import math
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "src"))

from fitting import fit_logistic, probability  # noqa: E402
from provenance_rewrites import ECB, load  # noqa: E402

from newstrace.provenance.align import units  # noqa: E402
from newstrace.provenance.decide import (  # noqa: E402
    DIRECTION_FEATURES, copied_share, default_model, direction_features)
from newstrace.provenance.score import FEATURES, make_doc, pair_features  # noqa: E402


def prf(pred: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    tp = float((pred & (y == 1)).sum())
    p, r = tp / max(pred.sum(), 1), tp / max((y == 1).sum(), 1)
    return p, r, 2 * p * r / max(p + r, 1e-9)


MODEL = ROOT / "src" / "newstrace" / "data" / "provenance_model.json"


def main() -> None:
    import argparse
    import json

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write-model", action="store_true", help=f"write the model fitted on all pairs to {MODEL}")
    args = ap.parse_args()
    rows, docs = load(772)
    meta = {r["id"]: r for r in rows}
    ecb = {f"ecb-{json.loads(line)['doc_id']}": json.loads(line) for line in ECB.read_text().splitlines()}
    d = {i: make_doc(i, units(docs[i]["sentences"]), docs[i]["vectors"]) for i in meta}
    rng = random.Random(0)
    pairs = [(r["id"], r["source_id"], 1, r["source_id"]) for r in rows if r["kind"] == "rewrite"]
    by_event = defaultdict(list)
    for i, e in ecb.items():
        if i in d:
            by_event[e["event_cluster"]].append(i)
    same = [(a, b, 0, f"ev-{ev}") for ev, ids in by_event.items() for a in ids for b in ids if a != b]
    pairs += rng.sample(same, min(600, len(same)))
    pool = [i for i in d if meta[i]["kind"] in ("source", "distractor")]
    for _ in range(300):
        a, b = rng.sample(pool, 2)
        pairs.append((a, b, 0, f"rand-{a}"))
    x = np.array([pair_features(d[a], d[b])[0] for a, b, _, _ in pairs])
    y = np.array([p[2] for p in pairs])
    groups = sorted({p[3] for p in pairs})
    rng.shuffle(groups)
    fold_of = {g: k % 5 for k, g in enumerate(groups)}
    folds = np.array([fold_of[p[3]] for p in pairs])
    preds = np.zeros(len(y), dtype=bool)
    for k in range(5):
        tr, te = folds != k, folds == k
        w, b = fit_logistic(x[tr], y[tr])
        ptr = probability(w, b, x[tr])
        th = max(np.arange(0.05, 0.96, 0.05), key=lambda t: prf(ptr >= t, y[tr])[2])
        preds[te] = probability(w, b, x[te]) >= th
        p, r, f = prf(preds[te], y[te])
        print(f"fold {k}: {te.sum()} pairs, threshold {th:.2f}: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    p, r, f = prf(preds, y)
    print(f"5-fold CV over {len(y)} pairs ({y.sum()} derived, {len(same and pairs) - y.sum()} not): "
          f"precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    kinds = np.array(["rewrite" if p[2] else ("same-event" if p[3].startswith("ev-") else "random") for p in pairs])
    for kind in ("same-event", "random"):
        m = kinds == kind
        print(f"  false 'derived' among {kind} pairs: {preds[m].mean():.1%}")
    for j, name in enumerate(FEATURES):
        print(f"  {name:>18}: " + " ".join(f"{kind} {np.mean(x[kinds == kind, j]):.3f}/{np.percentile(x[kinds == kind, j], 90 if kind != 'rewrite' else 10):.3f}"
                                        for kind in ("rewrite", "same-event", "random")))
    copied = np.zeros(len(y), dtype=bool)  # negatives that share text: ECB+ reprints of one wire story
    for i, (a, b, label, _) in enumerate(pairs):
        if not label:
            kinds_c = Counter(sd.kind for sd in pair_features(d[a], d[b])[1].seeds)
            copied[i] = (kinds_c["verbatim"] + kinds_c["near-verbatim"]) >= max(1, len(d[a].units)) / 2
    fp = preds & (y == 0)
    print(f"  false positives: {fp.sum()}; of them with half or more of the derived side's sentences copied"
          f" (verbatim or near-verbatim) from the other: {(fp & copied).sum()}")
    keep = ~copied
    share = np.array([copied_share(d[a], pair_features(d[a], d[b])[1]) for a, b, _, _ in pairs])
    print("  with the copy rule of the shipped decision (derived also when the share copied word for word reaches "
          "the threshold): P %.3f R %.3f F1 %.3f" % prf(preds | (share >= default_model().threshold), y))
    print(f"  without the {copied.sum()} negatives that are reprints of one text (labelled 'not derived' only because"
          f" the two articles are of one event): P %.3f R %.3f F1 %.3f" % prf(preds[keep], y[keep]))
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier

        def boosted() -> HistGradientBoostingClassifier:
            return HistGradientBoostingClassifier(max_depth=3, max_iter=200, random_state=0)

        gb = np.zeros(len(y), dtype=bool)
        for k in range(5):
            tr, te = folds != k, folds == k
            clf = boosted().fit(x[tr], y[tr])
            p_tr = clf.predict_proba(x[tr])[:, 1]
            th_k = max(np.arange(0.05, 0.96, 0.05), key=lambda t: prf(p_tr >= t, y[tr])[2])
            gb[te] = clf.predict_proba(x[te])[:, 1] >= th_k
        print("  gradient-boosted trees (depth 3, 200) on the same features and folds, threshold per training fold: "
              "P %.3f R %.3f F1 %.3f; false 'derived' among same-event pairs %.1f%%"
              % (*prf(gb, y), 100 * gb[kinds == "same-event"].mean()))
        print("    without the reprint negatives: P %.3f R %.3f F1 %.3f" % prf(gb[keep], y[keep]))
    except ImportError:
        pass
    w, b = fit_logistic(x, y)
    print("weights (all data):", dict(zip(FEATURES + ["bias"], np.round([*w, b], 3).tolist())))
    p_all = probability(w, b, x)
    th = float(max(np.arange(0.05, 0.96, 0.05), key=lambda t: prf(p_all >= t, y)[2]))
    print(f"threshold (all data): {th:.2f}")
    # Direction from content: each true pair in both orders, labelled by which side is derived.
    xd, yd, gd = [], [], []
    for a, b_, label, group in pairs:
        if label:
            z = np.array(direction_features(pair_features(d[a], d[b_])[0], pair_features(d[b_], d[a])[0], d[a], d[b_]))
            xd += [z, -z]
            yd += [1, 0]
            gd += [fold_of[group]] * 2
    xd, yd, gd = np.array(xd), np.array(yd), np.array(gd)
    right = np.zeros(len(yd), dtype=bool)
    for k in range(5):
        wd, bd = fit_logistic(xd[gd != k], yd[gd != k])
        right[gd == k] = (probability(wd, bd, xd[gd == k]) >= 0.5) == yd[gd == k]
    print(f"direction from content (no dates), 5-fold CV over the {len(yd) // 2} true pairs: accuracy {right.mean():.3f}")
    by_model = defaultdict(list)
    for (a, _, label, _), ok in zip([p for p in pairs if p[2]], right[::2]):
        by_model[meta[a].get("model")].append(ok)
    print("  per rewriting model: " + ", ".join(f"{m} {np.mean(v):.3f}" for m, v in sorted(by_model.items())))
    wd, bd = fit_logistic(xd, yd)
    print("direction weights (all data):", dict(zip(DIRECTION_FEATURES, np.round(wd, 3).tolist())))
    if args.write_model:
        MODEL.write_text(json.dumps({"features": FEATURES, "weights": [round(v, 5) for v in w.tolist()],
                                     "bias": round(b, 5), "threshold": round(th, 2),
                                     "direction_features": DIRECTION_FEATURES,
                                     "direction_weights": [round(v, 5) for v in wd.tolist()],
                                     "direction_bias": round(bd, 5),
                                     "fitted_on": "benchmarks/provenance_pairs.py"}, indent=1) + "\n")
        print("wrote", MODEL)


if __name__ == "__main__":
    main()
