"""How machine-written a text reads: a linear model over hashed character n-grams.

Machine rewrites overuse a recognisable vocabulary and rhythm ("amid rising tensions",
"underscores", "raising concerns"); a logistic model over character 2-5-grams (of the
lower-cased text with its white space collapsed, hashed into 2^18 slots, log-scaled counts,
L2-normalised rows) tells them from human news text. It is fitted by
`benchmarks/provenance_style.py` on the development rewrites (GPT-3.5-Turbo, GPT-4o and
Llama-3-70B rewrites against their BBC originals, and ECB+ news), and shipped as its non-zero
weights in `data/style_model.npz`. Held out (two folds by source) it picks the original among
a source and its three rewrites for most families (figures in the benchmark's output and the
issue 15 note).

The n-grams are hashed here with NumPy (a rolling polynomial hash over the code points) rather
than by scikit-learn's HashingVectorizer: the same kind of features at about a seventh of the
time (0.5 s against 3.6 s for 1,000 news articles), which kept the provenance stage as fast as
it was before it scored every article.

It is one signal among several: rewriters other than these exist, and an original can itself
be machine-written, so provenance is also measured without it (`benchmarks/provenance_families.py
--no-style`). Scores are log-odds (positive: reads as machine-written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

BITS = 18
N_FEATURES = 2**BITS
NGRAMS = (2, 3, 4, 5)
_SPACE = re.compile(r"\s+")
_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd constant of the multiplicative hash (golden ratio)
_BASE = np.uint64(1_000_003)


def grams(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The text's hashed character n-grams: (slot indices, counts), slots sorted."""
    norm = _SPACE.sub(" ", text.lower()).strip()
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    parts = []
    with np.errstate(over="ignore"):
        h = np.zeros(len(codes), dtype=np.uint64)
        for k in range(max(NGRAMS)):
            if k >= len(codes):
                break
            h = h[:len(codes) - k] * _BASE + codes[k:] + np.uint64(k + 1)
            if k + 1 in NGRAMS:
                parts.append(((h * _MULT) >> np.uint64(64 - BITS)).astype(np.int64))
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    idx, counts = np.unique(np.concatenate(parts), return_counts=True)
    return idx, counts.astype(np.float64)


def _row(text: str) -> tuple[np.ndarray, np.ndarray]:
    idx, counts = grams(text)
    values = np.log1p(counts)
    norm = float(np.sqrt(values @ values)) or 1.0
    return idx, values / norm


def featurize(texts: list[str]):  # type: ignore[no-untyped-def]
    """Rows of log-scaled, L2-normalised hashed n-gram counts (a SciPy CSR matrix), for fitting."""
    from scipy.sparse import csr_matrix

    rows = [_row(t) for t in texts]
    indptr = np.cumsum([0] + [len(i) for i, _ in rows])
    indices = np.concatenate([i for i, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
    data = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
    return csr_matrix((data, indices, indptr), shape=(len(texts), N_FEATURES))


@dataclass(slots=True)
class StyleModel:
    weights: np.ndarray  # dense, N_FEATURES
    bias: float

    @classmethod
    def load(cls) -> StyleModel:
        with resources.files("newstrace.data").joinpath("style_model.npz").open("rb") as f:
            data = np.load(f)
            weights = np.zeros(N_FEATURES, dtype=np.float32)
            weights[data["index"]] = data["weight"].astype(np.float32)
            return cls(weights, float(data["bias"]))

    def scores(self, texts: list[str]) -> np.ndarray:
        """Log-odds that each text is machine-written."""
        out = np.zeros(len(texts), dtype=np.float32)
        for k, text in enumerate(texts):
            idx, values = _row(text)
            out[k] = float(self.weights[idx] @ values) + self.bias
        return out


@lru_cache(maxsize=1)
def default_style() -> StyleModel:
    return StyleModel.load()
