"""Train the small entailment head used by claim support (issue 6), on ../shared/data/nli.

    python benchmarks/nli_train.py [--write-model] [--max-pairs N]

No NLI model ships in a PyPI package, so newstrace trains its own, small enough to run with
the MiniLM sentence vectors it already computes: premise and hypothesis are embedded
separately (int8 MiniLM, as at run time) and a one-hidden-layer network over
[u, v, |u - v|, u * v] gives P(entailment). Labels are made binary (entailment against
neutral, contradiction or not_entailment).

Training sets: the sentence-level sets of ../shared/data/nli except those held out for
evaluation (MNLI dev matched, ANLI r1-r3, FEVER-symmetric test, SICK test, SNLI test), on
which accuracy and ROC AUC are printed. The long-body stance sets (FNC-1, ARC, Emergent) are
left out (their premises are whole articles). `--write-model` writes the weights, as float16,
to src/newstrace/data/nli_head.npz (nli_head_static.npz with NEWSTRACE_SENTENCE_MODEL=static). Vectors are cached in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newstrace.claims.support import NLI_HEADS  # noqa: E402
from newstrace.language.embed import embed, fingerprint, sentence_model  # noqa: E402

NLI = ROOT.parent / "shared" / "data" / "nli"
RESULTS = ROOT / "benchmarks" / "results"
OUT = ROOT / "src" / "newstrace" / "data" / NLI_HEADS[sentence_model()]  # the sentence model's head
TRAIN = ["mnli_binary.dev_mismatched", "snli.dev", "snli_cad.train", "snli_cad.dev", "snli_cad.test",
         "sick.train", "sick.dev", "rte.train", "rte.dev", "fever_nli_binary.dev", "fever_nli_binary.test",
         "fever_symmetric.dev", "covidfact.train", "covidfact.dev", "healthver.dev", "healthver.test",
         "climate_fever.test", "sufficientfacts_fever.test", "sufficientfacts_hover.test",
         "sufficientfacts_vitaminc.test", "wanli.train_sample"]
HELD_OUT = ["mnli.dev_matched", "anli_r1.dev", "anli_r2.dev", "anli_r3.dev", "fever_symmetric.test",
            "sick.test", "snli.test", "covidfact.test"]
MAX_CHARS = 1000
HIDDEN = 256


def load(name: str, limit: int) -> list[tuple[str, str, int]]:
    path = NLI / f"{name}.jsonl.gz"
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            out.append((r["premise"][:MAX_CHARS], r["hypothesis"][:MAX_CHARS], int(r["label"] == "entailment")))
            if limit and len(out) >= limit:
                break
    return out


def vectors(texts: list[str]) -> dict[str, np.ndarray]:
    uniq = sorted(set(texts))
    key = hashlib.sha1(("\n".join(uniq) + fingerprint()).encode()).hexdigest()[:12]
    cache = RESULTS / f"nli-vectors-{key}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    t = time.perf_counter()
    out: dict[str, np.ndarray] = {}
    step = 2000
    for i in range(0, len(uniq), step):
        chunk = uniq[i:i + step]
        for text, vec in zip(chunk, embed(chunk)):
            out[text] = vec.astype(np.float16)
        print(f"  embedded {min(i + step, len(uniq))}/{len(uniq)} ({time.perf_counter() - t:.0f} s)", file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    cache.write_bytes(pickle.dumps(out))
    return out


def pair_features(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.hstack([u, v, np.abs(u - v), u * v]).astype(np.float32)


def auc(y: np.ndarray, p: np.ndarray) -> float:
    order = np.argsort(p)
    ranks = np.empty(len(p))
    ranks[order] = np.arange(1, len(p) + 1)
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n1 * (n1 + 1) / 2) / max(n1 * n0, 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write-model", action="store_true")
    ap.add_argument("--max-pairs", type=int, default=0, help="at most N pairs per set (0: all)")
    args = ap.parse_args()
    if not NLI.is_dir():
        sys.exit(f"needs {NLI} (the shared development data)")
    from sklearn.neural_network import MLPClassifier

    train = [p for name in TRAIN for p in load(name, args.max_pairs)]
    held = {name: load(name, args.max_pairs) for name in HELD_OUT}
    texts = [t for p in train for t in p[:2]] + [t for ps in held.values() for p in ps for t in p[:2]]
    vec = vectors(texts)
    X = np.stack([pair_features(vec[p].astype(np.float32), vec[h].astype(np.float32)) for p, h, _ in train])
    y = np.array([lab for _, _, lab in train])
    print(f"training on {len(y)} pairs ({y.mean():.2f} entailment)")
    t = time.perf_counter()
    clf = MLPClassifier(hidden_layer_sizes=(HIDDEN,), alpha=1e-3, batch_size=256, learning_rate_init=1e-3,
                        max_iter=30, early_stopping=True, validation_fraction=0.05, random_state=0)
    clf.fit(X, y)
    print(f"trained in {time.perf_counter() - t:.0f} s ({clf.n_iter_} epochs)")
    for name, pairs in held.items():
        Xh = np.stack([pair_features(vec[p].astype(np.float32), vec[h].astype(np.float32)) for p, h, _ in pairs])
        yh = np.array([lab for _, _, lab in pairs])
        ph = clf.predict_proba(Xh)[:, 1]
        print(f"  held out {name:<22} {len(yh):6d} pairs  accuracy {((ph >= 0.5) == yh).mean():.3f}  "
              f"AUC {auc(yh, ph):.3f}  (entailment {yh.mean():.2f})")
    if args.write_model:
        w1, w2 = clf.coefs_
        b1, b2 = clf.intercepts_
        np.savez_compressed(OUT, w1=w1.astype(np.float16), b1=b1.astype(np.float32), w2=w2.astype(np.float16),
                            b2=b2.astype(np.float32))
        print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
