"""Cosine bars of the static sentence model, calibrated against MiniLM's.

    python benchmarks/embedding_calibration.py

newstrace's cosine bars (a paraphrase seed, a detailed seed, a rewrite candidate, a denial)
were set for MiniLM's vectors. The static model (MiniLM distilled by model2vec) spreads cosines
differently, so each bar is mapped to the static cosine that the same share of pairs reaches
(quantile matching), over pairs of the kind each bar judges:

- sentence bars: each sentence of an ECB+ article against its 3 nearest sentences (by MiniLM)
  in the other articles of its topic (../shared/data/clustering/ecbplus.dev.jsonl, train split);
- the candidate bar: document vectors (mean of an article's sentence vectors, normalised) of
  every pair of train-split ECB+ articles.

Also prints the MSRP paraphrase accuracy of each model on the held-out part of the training
file (rows 2,001 onwards), with the threshold picked on the first 2,000 rows.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newstrace.language.embed import embed  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from paraphrase_msrp import read_pairs  # noqa: E402

ECB = ROOT.parent / "shared" / "data" / "clustering" / "ecbplus.dev.jsonl"
BARS = {"sentence": {"PARAPHRASE": 0.65, "DETAILED": 0.55, "DENIAL_COSINE": 0.6, "QUOTED": 0.3, "OVERLAP_GATE": 0.4,
                     "CLOSE_CONTRADICTION": 0.7},
        "document": {"MIN_COSINE": 0.5}}


def _norm(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def msrp() -> None:
    rows = read_pairs()
    y = np.array([r[0] for r in rows]) == 1
    for model in ("minilm", "static"):
        a, b = embed([r[1] for r in rows], model=model), embed([r[2] for r in rows], model=model)
        cos = np.sum(a * b, axis=1)
        grid = np.arange(0.3, 0.98, 0.01)
        t = max(grid, key=lambda x: ((cos[:2000] >= x) == y[:2000]).mean())
        print(f"MSRP {model}: threshold {t:.2f} (rows 1-2,000): accuracy {((cos[:2000] >= t) == y[:2000]).mean():.3f}; "
              f"held out (rows 2,001-{len(rows)}): {((cos[2000:] >= t) == y[2000:]).mean():.3f}")


def main() -> None:
    rows = [json.loads(line) for line in ECB.open(encoding="utf-8")]
    rows = [r for r in rows if r["split"] == "train"]
    by_topic: dict[str, list[int]] = defaultdict(list)
    sents: list[list[str]] = []
    for k, r in enumerate(rows):
        by_topic[r["topic"]].append(k)
        sents.append([s for s in (r.get("sentences") or re.split(r"(?<=[.!?])\s+", r["text"])) if len(s.split()) >= 4])
    flat = [s for ss in sents for s in ss]
    owner = np.array([k for k, ss in enumerate(sents) for _ in ss])
    vec = {m: embed(flat, model=m) for m in ("minilm", "static")}
    # sentence pairs: each sentence against its 3 nearest (MiniLM) in other articles of its topic
    pairs_m, pairs_s = [], []
    for topic, members in by_topic.items():
        idx = np.where(np.isin(owner, members))[0]
        sim_m = vec["minilm"][idx] @ vec["minilm"][idx].T
        sim_s = vec["static"][idx] @ vec["static"][idx].T
        same = owner[idx][:, None] == owner[idx][None, :]
        sim_m[same] = -2
        for i in range(len(idx)):
            top = np.argsort(-sim_m[i])[:3]
            top = top[sim_m[i, top] > -2]
            pairs_m += sim_m[i, top].tolist()
            pairs_s += sim_s[i, top].tolist()
    pm, ps = np.array(pairs_m), np.array(pairs_s)
    print(f"sentence pairs: {len(pm)}; cosine correlation MiniLM/static {np.corrcoef(pm, ps)[0, 1]:.3f}")
    for name, bar in BARS["sentence"].items():
        share = (pm >= bar).mean()
        print(f"  {name}: MiniLM {bar:.2f} (reached by {share:.1%}) -> static {np.quantile(ps, 1 - share):.3f}")
    docs = {m: _norm(np.stack([vec[m][owner == k].mean(axis=0) if (owner == k).any() else np.zeros(vec[m].shape[1])
                               for k in range(len(rows))])) for m in vec}
    dm, ds = docs["minilm"] @ docs["minilm"].T, docs["static"] @ docs["static"].T
    iu = np.triu_indices(len(rows), 1)
    dm, ds = dm[iu], ds[iu]
    print(f"document pairs: {len(dm)}; cosine correlation {np.corrcoef(dm, ds)[0, 1]:.3f}")
    for name, bar in BARS["document"].items():
        share = (dm >= bar).mean()
        print(f"  {name}: MiniLM {bar:.2f} (reached by {share:.2%}) -> static {np.quantile(ds, 1 - share):.3f}")
    msrp()


if __name__ == "__main__":
    main()
