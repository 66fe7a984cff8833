"""The derived / not decision for a pair of articles, and its direction.

Both readings of a pair are scored (A derived from B, B derived from A) with the logistic
model in `data/provenance_model.json` (fitted by benchmarks/provenance_pairs.py); the pair's
score is the larger probability. Direction comes from publication dates when both are known
and differ (the earlier article is the source); otherwise from content, with a second
logistic model over the differences between the two readings: the derived text is the one
explained more completely by the other, that dropped the other's attributions ("said",
"according to") and its details. The evidence that decided is named in the verdict.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from newstrace.provenance.align import Alignment
from newstrace.provenance.score import FEATURES, Doc, pair_features

_CUE = re.compile(r"\b(?:said|says|say|told|tells|according to|reported|reports|stated|added|announced)\b", re.I)

# Below this confidence the direction from content is reported as undetermined.
UNDETERMINED = 0.6
# Confidence given to "the article that names the other's outlet is the derived one": stated,
# not fitted (none of the development sets names outlets this way); below dates, above content.
CITATION = 0.9

DIRECTION_FEATURES = [f"diff_{name}" for name in FEATURES] + ["attributions_dropped", "details_dropped"]


def attribution_rate(doc: Doc) -> float:
    """Attribution cues per sentence: what a rewrite tends to drop (computed once per document)."""
    if doc.cue_rate is None:
        doc.cue_rate = sum(len(_CUE.findall(u.text)) for u in doc.units) / max(1, len(doc.units))
    return doc.cue_rate


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(slots=True)
class Model:
    features: list[str]
    weights: np.ndarray
    bias: float
    threshold: float
    direction_weights: np.ndarray
    direction_bias: float

    @classmethod
    def load(cls, data: dict[str, Any] | None = None) -> Model:
        if data is None:
            data = json.loads(resources.files("newstrace.data").joinpath("provenance_model.json").read_text("utf-8"))
        if data["features"] != FEATURES:
            raise ValueError("provenance model was fitted on other features; refit with benchmarks/provenance_pairs.py")
        return cls(data["features"], np.array(data["weights"]), float(data["bias"]), float(data["threshold"]),
                   np.array(data["direction_weights"]), float(data["direction_bias"]))

    def probability(self, x: list[float]) -> float:
        return _sigmoid(float(np.dot(self.weights, x)) + self.bias)


@lru_cache(maxsize=1)
def default_model() -> Model:
    return Model.load()


def direction_features(forward: list[float], backward: list[float], derived: Doc, source: Doc) -> list[float]:
    """Evidence that `derived` (and not `source`) is the derived one, as differences."""
    diff = [f - b for f, b in zip(forward, backward)]
    return diff + [attribution_rate(source) - attribution_rate(derived),
                   math.log((len(source.details) + 1) / (len(derived.details) + 1))]


def copied_share(doc: Doc, al: Alignment) -> float:
    """Share of `doc`'s text (characters of its sentences) in verbatim or near-verbatim seeds."""
    total = sum(u.end - u.start for u in doc.units)
    copied = {s.derived for s in al.seeds if s.kind != "paraphrase"}
    return sum(doc.units[i].end - doc.units[i].start for i in copied) / total if total else 0.0


@dataclass(slots=True)
class Verdict:
    derived: str  # article id of the (more likely) derived side
    source: str
    score: float  # probability that one derives from the other (or the share copied word for word, if larger)
    is_derived: bool
    direction: str  # dates, citation, content, undetermined
    direction_confidence: float  # probability that the direction is right (1.0 from dates)
    evidence: list[str]
    features: dict[str, float]
    alignment: Alignment
    coverage_derived: float
    coverage_source: float
    reverse_score: float = 0.0  # probability of the other reading
    extra: dict[str, Any] = field(default_factory=dict)


_OUTLET_PREFIX = re.compile(r"^(?:the|la|le|les|el|der|die|das)\s+", re.I)


def cites(doc: Doc, outlet: str | None) -> bool:
    """Whether `doc` names `outlet` (its name without a leading article, as whole words)."""
    if not outlet:
        return False
    name = _OUTLET_PREFIX.sub("", outlet.strip())
    if len(name) < 3:
        return False
    pattern = re.compile(r"\b" + re.escape(name) + r"\b", re.I)
    return any(pattern.search(u.text) for u in doc.units)


def judge(a: Doc, b: Doc, date_a: str | None = None, date_b: str | None = None,
          model: Model | None = None, outlet_a: str | None = None, outlet_b: str | None = None) -> Verdict:
    """Decide whether one of `a`, `b` derives from the other, and which. `b` is the article seen
    first: when neither dates nor content tell the direction, it is taken as the source.
    Direction evidence, strongest first: publication days; one article naming the other's
    outlet (`outlet_a`, `outlet_b`: the articles' sources) when the other does not name its
    outlet back; the content model."""
    model = model or default_model()
    fa, al_a = pair_features(a, b)  # a derived from b
    fb, al_b = pair_features(b, a)
    # A reading's score is the model's probability, or the share of the text copied word for
    # word when that is larger: copying is derivation whatever the model learnt from rewrites.
    ca, cb = copied_share(a, al_a), copied_share(b, al_b)
    pa, pb = max(model.probability(fa), ca), max(model.probability(fb), cb)
    evidence: list[str] = []
    dated = bool(date_a and date_b and date_a[:10] != date_b[:10])
    a_cites = not dated and cites(a, outlet_b)
    b_cites = not dated and cites(b, outlet_a)
    if dated:
        a_derived = date_a[:10] > date_b[:10]
        direction, confidence = "dates", 1.0
        first, second = (b, a) if a_derived else (a, b)
        evidence.append(f"{first.id} is dated {min(date_a, date_b)[:10]}, {second.id} {max(date_a, date_b)[:10]}")
    elif a_cites != b_cites:
        a_derived = a_cites
        direction, confidence = "citation", CITATION
        citing, cited = (a, outlet_b) if a_derived else (b, outlet_a)
        evidence.append(f"{citing.id} names the other's outlet ({cited})")
    else:
        z = direction_features(fa, fb, a, b)
        p = _sigmoid(float(np.dot(model.direction_weights, z)) + model.direction_bias)
        a_derived = p >= 0.5
        direction, confidence = "content", p if a_derived else 1 - p
        if confidence < UNDETERMINED:
            a_derived, direction = True, "undetermined"
            evidence.append(f"the content does not show which came first (confidence {confidence:.2f}); "
                            f"{b.id}, seen first, is taken as the source")
        else:
            sign = 1 if a_derived else -1
            contrib = sorted(((sign * w * v, name) for w, v, name in zip(model.direction_weights, z,
                                                                         DIRECTION_FEATURES)), reverse=True)
            evidence += [_describe(name) for c, name in contrib[:3] if c > 0.05]
    if a_derived:
        d, s, x, al, score, rev = a, b, fa, al_a, pa, pb
    else:
        d, s, x, al, score, rev = b, a, fb, al_b, pb, pa
    feats = dict(zip(FEATURES, x))
    best = max(pa, pb)
    copied = ca if a_derived else cb
    if copied >= model.threshold:
        evidence.insert(0, f"{d.id} copies {copied:.0%} of its text word for word (verbatim or near-verbatim)")
    # Both readings in full, for the family pass (`family.Pair`): it decides over all pairs at once.
    other_x, other_al = (fb, al_b) if a_derived else (fa, al_a)
    extra = {"probability": round(score, 4), "copied": round(copied, 4),
             "aligned": [i for i, ok in enumerate(al.derived_aligned) if ok],
             "reverse_features": {k: round(v, 4) for k, v in zip(FEATURES, other_x)},
             "reverse_copied": round(cb if a_derived else ca, 4),
             "reverse_aligned": [i for i, ok in enumerate(other_al.derived_aligned) if ok],
             "verbatim_sentences": sorted({sd.derived for sd in al.seeds if sd.kind == "verbatim"}),
             "reverse_verbatim_sentences": sorted({sd.derived for sd in other_al.seeds if sd.kind == "verbatim"}),
             "reverse_passages": [p.to_json() for p in other_al.passages]}
    return Verdict(d.id, s.id, round(best, 4), best >= model.threshold, direction, round(confidence, 4), evidence,
                   {k: round(v, 4) for k, v in feats.items()}, al, feats["coverage_derived"],
                   feats["coverage_source"], round(rev, 4), extra)


def row_of(v: Verdict, found_by: str) -> dict:
    """A judged pair as the store keeps it (`Store.put_derivation`); `extra` holds both readings."""
    return {"derived_id": v.derived, "source_id": v.source, "score": v.score, "reverse_score": v.reverse_score,
            "derived": v.is_derived, "direction": v.direction,
            "confidence": v.direction_confidence, "evidence": v.evidence, "features": v.features,
            "coverage_derived": round(v.coverage_derived, 4), "coverage_source": round(v.coverage_source, 4),
            "passages": [p.to_json() for p in v.alignment.passages], "found_by": found_by, "extra": v.extra}


_WHY = {
    "attributions_dropped": "it drops the other's attributions (said, according to)",
    "details_dropped": "it has fewer of the names and numbers",
    "diff_coverage_derived": "more of it is explained by the other than the other way round",
    "diff_details_kept": "its names and numbers are found in the other more than the other way round",
    "diff_structure": "it follows the other's order of facts",
    "diff_log_length_ratio": "it is the shorter",
}


def _describe(name: str) -> str:
    return _WHY.get(name, name.replace("diff_", "").replace("_", " ") + " points this way")
