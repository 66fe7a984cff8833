"""Candidate generation: which earlier articles might a new article derive from (or be the
source of)?  Two indexes, both streaming (query, then add), both persisted with the store:

- copies: MinHash (rensa) over word 5-grams in an LSH index of 40 bands of 3 rows; a pair
  with 5-gram Jaccard 0.3 is a candidate with probability 0.66, 0.4 with 0.93, 0.5 with 0.99,
  and an unrelated pair (Jaccard 0.01) with 0.00004;
- rewrites: the mean of the article's sentence embeddings in an HNSW index (usearch, cosine,
  half precision); the nearest `NEIGHBOURS` above `MIN_COSINE` are candidates. LLM rewrites
  keep almost no 5-grams but keep the meaning, and so the document vector.

Keys are integers handed out by the store (`provenance_docs.key`). Measured memory per article
(benchmarks/provenance_scale.py, 100,000 synthetic articles): about 4.2 KB in all, 3.3 KB of
it the LSH's band tables, the rest the float16 vector and its graph links; the saved state is
1.7 KB per article.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import rensa

try:  # ONNX Runtime (the embeddings) crashes the process when its library is loaded after usearch's
    import onnxruntime  # noqa: F401  (usearch 2.26, onnxruntime 1.32): load it first
except ImportError:  # pragma: no cover - embeddings then fall back to PyTorch
    pass
from usearch.index import Index  # noqa: E402

from newstrace.language.embed import dim, per_model

NUM_PERM = 120
BANDS = 40
SHINGLE = 5
SEED = 20241
NEIGHBOURS = 8
MIN_COSINE = {"minilm": 0.5, "static": 0.8}  # per sentence model (embed.per_model)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def shingles(text: str, n: int = SHINGLE) -> list[str]:
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]


def minhash(text: str) -> rensa.RMinHash | None:
    grams = shingles(text)
    if not grams:
        return None
    m = rensa.RMinHash(num_perm=NUM_PERM, seed=SEED)
    m.update(grams)
    return m


def prepared_minhash(a: Any) -> rensa.RMinHash | None:
    """The MinHash the provenance stage indexes, made by the unit from an analysed article (a
    `unit.Analysed`): over its non-artefact sentences, as `provenance.score.Doc` joins them."""
    return minhash(" ".join(s.text for s in a.sentences if s.artefact is None))


def to_bytes(m: rensa.RMinHash) -> bytes:
    """A MinHash as stored (rensa's own serialisation)."""
    return pickle.dumps(m, protocol=pickle.HIGHEST_PROTOCOL)


def from_bytes(blob: bytes) -> rensa.RMinHash:
    return pickle.loads(blob)


class CandidateIndex:
    """The two indexes over every article seen so far (in this run and earlier ones)."""

    def __init__(self) -> None:
        self.lsh = rensa.RMinHashLSH(threshold=0.3, num_perm=NUM_PERM, num_bands=BANDS)
        self.ann = Index(ndim=dim(), metric="cos", dtype="f16")
        self.max_key = 0

    def __len__(self) -> int:
        return len(self.ann)

    def query(self, mh: rensa.RMinHash | None, vector: np.ndarray | None) -> dict[int, str]:
        """Candidate keys with how they were found: "copy" (shared 5-grams) or "meaning"."""
        found: dict[int, str] = {}
        if vector is not None and len(self.ann):
            hits = self.ann.search(vector.astype(np.float32), min(NEIGHBOURS, len(self.ann)))
            bar = per_model(MIN_COSINE)
            for key, dist in zip(hits.keys.tolist(), hits.distances.tolist()):
                if 1.0 - dist >= bar:
                    found[int(key)] = "meaning"
        if mh is not None:
            for key in self.lsh.query(mh):
                found[int(key)] = "copy"
        return found

    def add(self, key: int, mh: rensa.RMinHash | None, vector: np.ndarray | None) -> None:
        if mh is not None:
            self.lsh.insert(key, mh)
        if vector is not None:
            self.ann.add(key, vector.astype(np.float32))
        self.max_key = max(self.max_key, key)

    def add_stored(self, rows: Iterable[tuple[int, bytes | None, bytes | None]]) -> int:
        """Add stored (key, minhash digest, float16 vector) rows; returns how many."""
        n = 0
        for key, digest, vec in rows:
            self.add(key, from_bytes(digest) if digest else None,
                     np.frombuffer(vec, dtype=np.float16).astype(np.float32) if vec else None)
            n += 1
        return n

    # -- persistence -------------------------------------------------------------------------
    def dump(self) -> tuple[int, bytes, bytes]:
        return self.max_key, pickle.dumps(self.lsh, protocol=pickle.HIGHEST_PROTOCOL), bytes(self.ann.save())

    @classmethod
    def restore(cls, state: tuple[int, bytes, bytes]) -> CandidateIndex:
        max_key, lsh, ann = state
        idx = cls()
        idx.lsh = pickle.loads(lsh)
        restored = Index.restore(bytearray(ann))
        if restored is None:
            raise ValueError("unreadable vector index")
        idx.ann = restored
        idx.max_key = max_key
        return idx
