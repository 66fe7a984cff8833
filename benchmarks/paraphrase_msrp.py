"""Sentence paraphrase on MSRP (../shared/data/text-reuse/msrp/msr_paraphrase_train.txt).

    python benchmarks/paraphrase_msrp.py [--n 2000]

Embeds both sentences of each pair with newstrace's MiniLM and prints accuracy, precision,
recall and F1 of "paraphrase" for cosine thresholds 0.50-0.90: the threshold with the best
accuracy is provenance.align.PARAPHRASE, the bar for a paraphrase seed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newstrace.language.embed import embed  # noqa: E402

MSRP = ROOT.parent / "shared" / "data" / "text-reuse" / "msrp" / "msr_paraphrase_train.txt"


def read_pairs() -> list[tuple[int, str, str]]:
    """(label, sentence 1, sentence 2) of every pair of the MSRP training file, in file order."""
    rows = []
    with open(MSRP, encoding="utf-8-sig") as fh:
        next(fh)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 5:
                rows.append((int(parts[0]), parts[3], parts[4]))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    rows = read_pairs()[: args.n]
    a, b = embed([r[1] for r in rows]), embed([r[2] for r in rows])
    y = np.array([r[0] for r in rows]) == 1
    cos = np.sum(a * b, axis=1)
    print(f"{len(rows)} pairs, {y.mean():.1%} paraphrases; mean cosine {cos[y].mean():.3f} (paraphrase) "
          f"{cos[~y].mean():.3f} (not)")
    for t in np.arange(0.50, 0.91, 0.05):
        p = cos >= t
        tp = int((p & y).sum())
        prec, rec = tp / max(int(p.sum()), 1), tp / int(y.sum())
        print(f"threshold {t:.2f}: accuracy {np.mean(p == y):.3f} P {prec:.3f} R {rec:.3f} "
              f"F1 {2 * prec * rec / max(prec + rec, 1e-9):.3f}")


if __name__ == "__main__":
    main()
