"""Scoring attributions against PolNeAR-style gold (used by the benchmark and the CI floor).

Predicted and gold attributions are matched one to one by content span: Jaccard over
characters >= 0.5, best pairs first (a gold content in several pieces is taken from its first
to its last character). A matched pair's source is right when the predicted source span
overlaps a gold source span (or, for a gold attribution without source, when none is
predicted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Span = tuple[int, int]


def jaccard(a: Span, b: Span) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union else 0.0


def overlaps(a: Span | None, spans: list[Span]) -> bool:
    return a is not None and any(min(a[1], s[1]) > max(a[0], s[0]) for s in spans)


@dataclass
class Prediction:
    content: Span
    source: Span | None


@dataclass
class Scores:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    source_right: int = 0
    # per gold attribution: (index in its document's gold list, matched prediction or None, source right)
    pairs: list[list[tuple[int, int | None, bool]]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / max(self.predicted, 1)

    @property
    def recall(self) -> float:
        return self.matched / max(self.gold, 1)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / max(p + r, 1e-9)

    @property
    def source_accuracy(self) -> float:
        return self.source_right / max(self.matched, 1)


def gold_content(att: dict) -> Span:
    return (min(s["start"] for s in att["content"]), max(s["end"] for s in att["content"]))


def score(golds: list[list[dict]], predictions: list[list[Prediction]]) -> Scores:
    """`golds`: per document, its gold attributions with a content (PolNeAR records'
    `attributions`); `predictions`: per document, what was found."""
    out = Scores()
    for gold, preds in zip(golds, predictions):
        out.gold += len(gold)
        out.predicted += len(preds)
        spans = [gold_content(g) for g in gold]
        cands = sorted(((jaccard(p.content, gs), i, j) for i, p in enumerate(preds) for j, gs in enumerate(spans)),
                       reverse=True)
        match: dict[int, int] = {}
        used: set[int] = set()
        for jac, i, j in cands:
            if jac < 0.5:
                break
            if i in used or j in match:
                continue
            match[j] = i
            used.add(i)
        doc_pairs = []
        for j, g in enumerate(gold):
            i = match.get(j)
            right = False
            if i is not None:
                gsrc = [(s["start"], s["end"]) for s in g["source"]]
                right = overlaps(preds[i].source, gsrc) if gsrc else preds[i].source is None
                out.matched += 1
                out.source_right += right
            doc_pairs.append((j, i, right))
        out.pairs.append(doc_pairs)
    return out
