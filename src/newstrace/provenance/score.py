"""Features of a (derived?, source?) article pair, and the calibrated derived / not decision.

A rewrite differs from an independent report of the same event in how much of it is
explained by the other text sentence by sentence (coverage), how closely (the mean of each
sentence's best cosine), in what order (rewrites keep the source's order of facts more than
independent reports do), and in the rare details it shares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from newstrace.language.embed import dim
from newstrace.provenance.align import Alignment, Unit, align, details, units


@dataclass(slots=True)
class Doc:
    """An article as provenance reads it: its sentences, their embeddings, its word set."""

    id: str
    units: list[Unit]
    vectors: np.ndarray  # (len(units), dim()), unit length
    words: frozenset[str]
    details: frozenset[str] = frozenset()  # numbers and names: the checkable details
    cue_rate: float | None = None  # attribution cues per sentence (decide.attribution_rate), once computed

    @property
    def chars(self) -> int:
        return sum(u.end - u.start for u in self.units)

    @property
    def vector(self) -> np.ndarray:
        if not len(self.vectors):
            return np.zeros(dim(), dtype=np.float32)
        m = self.vectors.mean(axis=0)
        return m / (float(np.linalg.norm(m)) or 1.0)


def make_doc(article_id: str, units: list[Unit], vectors: np.ndarray) -> Doc:
    words = frozenset().union(*[u.words for u in units]) if units else frozenset()
    return Doc(article_id, units, vectors, words, details(" ".join(u.text for u in units)))


FEATURES = ["mean_max_cos", "coverage_derived", "coverage_source", "order", "log_length_ratio", "strong_share",
            "structure", "details_kept", "details_covered", "aligned_cos", "kept_x_coverage", "kept_x_structure"]

# Cosine of a strong sentence match (a close paraphrase or a copy).
STRONG = 0.8


def _coverage(units: list[Unit], aligned: list[bool]) -> float:
    total = sum(u.end - u.start for u in units)
    return sum(u.end - u.start for u, a in zip(units, aligned) if a) / total if total else 0.0


def _order(al: Alignment) -> float:
    """Share of seed pairs in the same order in both texts (0.5 = no order kept; 0 seeds: 0)."""
    pts = sorted((s.derived, s.source) for s in al.seeds)
    if len(pts) < 2:
        return 0.0
    agree = total = 0
    for i in range(len(pts)):
        for j in range(i + 1, len(pts)):
            if pts[i][0] == pts[j][0] or pts[i][1] == pts[j][1]:
                continue
            total += 1
            agree += pts[j][1] > pts[i][1]
    return agree / total if total else 0.0


def _structure(al: Alignment, n: int) -> float:
    """Longest run of seeds in the same order in both texts, over the derived sentences: how
    much of the other's structure is followed (a rewrite keeps it; another report rarely)."""
    if not n:
        return 0.0
    tails: list[int] = []  # patience sorting over source indices in derived order
    import bisect

    for s in sorted(al.seeds, key=lambda s: (s.derived, s.source)):
        k = bisect.bisect_left(tails, s.source)
        if k == len(tails):
            tails.append(s.source)
        else:
            tails[k] = s.source
    return len(tails) / n


def pair_features(derived: Doc, source: Doc) -> tuple[list[float], Alignment]:
    """The features (order of `FEATURES`) of `derived` as a derivation of `source`."""
    al = align(derived.units, source.units, derived.vectors, source.vectors)
    if len(derived.vectors) and len(source.vectors):
        best = (derived.vectors @ source.vectors.T).max(axis=1)
        mean_max, strong = float(best.mean()), float((best >= STRONG).mean())
    else:
        mean_max = strong = 0.0
    shared = derived.details & source.details
    kept = len(shared) / len(derived.details) if derived.details else 0.0
    coverage = _coverage(derived.units, al.derived_aligned)
    structure = _structure(al, len(derived.units))
    f = {"mean_max_cos": mean_max, "coverage_derived": coverage,
         "coverage_source": _coverage(source.units, al.source_aligned), "order": _order(al),
         "log_length_ratio": math.log((source.chars + 1) / (derived.chars + 1)), "strong_share": strong,
         "structure": structure, "details_kept": kept,
         "details_covered": len(shared) / len(source.details) if source.details else 0.0,
         "aligned_cos": float(np.mean([s.similarity for s in al.seeds])) if al.seeds else 0.0,
         "kept_x_coverage": kept * coverage, "kept_x_structure": kept * structure}
    return [f[name] for name in FEATURES], al


def doc_of(article, vectors: np.ndarray | None = None) -> Doc:
    """An analysed article as provenance reads it (artefact sentences left out); its sentences
    are embedded here unless `vectors` are given."""
    from newstrace.language.embed import embed

    sents = [(s.start, s.end, s.text) for s in article.sentences if s.artefact is None]
    if vectors is None:
        vectors = embed([t for _, _, t in sents]) if sents else np.zeros((0, dim()), dtype=np.float32)
    return make_doc(article.id, units(sents), vectors)
