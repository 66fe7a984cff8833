"""How machine-written a text reads: a linear model over hashed character n-grams.

Machine rewrites overuse a recognisable vocabulary and rhythm ("amid rising tensions",
"underscores", "raising concerns"); a logistic model over character 2-5-grams (within word
boundaries, hashed into 2^18 slots, log-scaled counts, L2-normalised rows) tells them from
human news text. It is fitted by `benchmarks/provenance_style.py` on the development rewrites
(GPT-3.5-Turbo, GPT-4o and Llama-3-70B rewrites against their BBC originals and ECB+ news), and
shipped as its non-zero weights in `data/style_model.npz`. Held out (two folds by source), it
picks the original among a source and its three rewrites for 0.86 and 0.92 of families.

It is one signal among several: rewriters other than these exist, and an original can itself
be machine-written, so provenance decides with it and without it (`benchmarks/provenance_families.py
--no-style` reports both). Scores are log-odds (positive: reads as machine-written).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

N_FEATURES = 2**18
NGRAMS = (2, 5)


@lru_cache(maxsize=1)
def _vectorizer():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char_wb", ngram_range=NGRAMS, n_features=N_FEATURES,
                             alternate_sign=False, norm=None)


def featurize(texts: list[str]):  # type: ignore[no-untyped-def]
    """Rows of log-scaled, L2-normalised hashed n-gram counts (a SciPy sparse matrix)."""
    from sklearn.preprocessing import normalize

    m = _vectorizer().transform(texts)
    m.data = np.log1p(m.data)
    return normalize(m)


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
        if not texts:
            return np.zeros(0, dtype=np.float32)
        return np.asarray(featurize(texts) @ self.weights + self.bias, dtype=np.float32).ravel()


@lru_cache(maxsize=1)
def default_style() -> StyleModel:
    return StyleModel.load()
