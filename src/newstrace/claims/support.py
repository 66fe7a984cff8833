"""Whether a text supports a claim: evidence sentences, a support score and the reasons (issue 6).

`prepare(text)` analyses a source once (sentences, entities, numbers, words, sentence vectors,
a BM25 index over its sentences); `judge(source, claim)` scores one claim against it:

- **evidence**: the source's sentences ranked by BM25 (bm25s) and MiniLM cosine together; the
  best `EVIDENCE_K` are kept with their spans and similarities;
- **features**: similarity to the best and second-best evidence; the share of the claim's
  content words and word pairs found in the evidence and in the whole source; the share of its
  names (entities) and numbers the source also has; names and numbers it adds; a negation on
  one side only;
- **score**: a logistic model over those features (`data/claim_model.json`, fitted by
  `benchmarks/claims_support.py --write-model`): the probability that the source supports the
  claim. Higher is better supported;
- **status**: `supported` at or above the model's threshold, else `contradicted` when the best
  evidence says nearly the same thing but with a negation on one side only, an opposite word
  (`data/antonyms.toml`) or another number
  in place of the claim's, else `unsupported`; **reasons** say which signals decided.

Everything runs offline on a CPU: spaCy's small English model and the packaged MiniLM.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import numpy as np

from newstrace.language.embed import per_model
from newstrace.language.numbers import find_numbers
from newstrace.language.words import stop_words

EVIDENCE_K = 3
FEATURES = ("cos_max", "cos_second", "word_recall_evidence", "word_recall_source", "bigram_recall_evidence",
            "bigram_recall_source", "entailment_max", "entailment_best", "name_recall", "number_recall",
            "names_added", "numbers_added", "negation_differs", "restates")
# Computed and used as a contradiction cue, but left out of the model: as a feature it lowered
# claim-support balanced accuracy (0.647 against 0.651; the summary errors there are rarely
# opposite words).
CUES = ("antonym_differs",)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d.,]*")
_NEGATION = {"not", "no", "never", "n't", "nor", "none", "nobody", "nothing", "neither", "without", "denied",
             "denies", "deny", "refused", "failed"}
_NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"}


@dataclass(frozen=True, slots=True)
class Evidence:
    start: int
    end: int
    text: str
    similarity: float

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "similarity": round(self.similarity, 4)}


@dataclass(slots=True)
class Judgement:
    score: float
    status: str  # supported, unsupported, contradicted
    reasons: list[str]
    evidence: list[Evidence]
    features: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        return {"score": round(self.score, 4), "status": self.status, "reasons": self.reasons,
                "evidence": [e.to_json() for e in self.evidence],
                "features": {k: round(v, 4) for k, v in self.features.items()}}


@dataclass(slots=True)
class Text:
    """What judging needs of one text (a source or a claim)."""

    text: str
    sentences: list[tuple[int, int]]
    names: list[str]  # entity texts, lowercased
    numbers: list[float]
    words: list[str]  # lowercased word tokens, in order
    vectors: Any = None  # one unit vector per sentence
    bm25: Any = None
    sentence_words: list[list[str]] = field(default_factory=list)
    pairs: set[tuple[str, str]] | None = None  # word pairs of the whole text, built on first use
    stems: set[str] | None = None  # stems of the whole text's words, built on first use
    units: list[Any] | None = None  # sentences as provenance aligns them, built on first use


@dataclass(frozen=True, slots=True)
class Model:
    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(w * features.get(k, 0.0) for k, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


# A sentence this close to the claim with another negation, an opposite word or another figure
# contradicts it (per sentence model: `embed.per_model`).
CLOSE_CONTRADICTION = {"minilm": 0.7, "static": 0.7}
# The entailment head of each sentence model (they read different vectors).
NLI_HEADS = {"minilm": "nli_head.npz", "static": "nli_head_static.npz"}


@cache
def _nli() -> tuple[np.ndarray, np.ndarray, np.ndarray, float] | None:
    """The entailment head (`data/nli_head.npz`, trained by benchmarks/nli_train.py): one hidden
    layer over [u, v, |u - v|, u * v] of the premise's and hypothesis's MiniLM vectors."""
    from newstrace.language.embed import sentence_model

    res = resources.files("newstrace.data").joinpath(NLI_HEADS[sentence_model()])
    if not res.is_file():
        return None
    with resources.as_file(res) as path, np.load(path) as z:
        return (z["w1"].astype(np.float32), z["b1"].astype(np.float32), z["w2"].astype(np.float32)[:, 0],
                float(z["b2"][0]))


def entailment(premises: np.ndarray, hypothesis: np.ndarray) -> np.ndarray:
    """P(each premise entails the hypothesis), from their sentence vectors (0.5 without the head)."""
    head = _nli()
    if head is None or not len(premises):
        return np.full(len(premises), 0.5, dtype=np.float32)
    w1, b1, w2, b2 = head
    v = np.broadcast_to(hypothesis, premises.shape)
    x = np.hstack([premises, v, np.abs(premises - v), premises * v])
    h = np.maximum(x @ w1 + b1, 0.0)
    return 1.0 / (1.0 + np.exp(-np.clip(h @ w2 + b2, -30, 30)))


@cache
def _antonyms() -> list[tuple[frozenset[str], frozenset[str]]]:
    """Antonym pairs (`data/antonyms.toml`), each side with its inflections."""
    from newstrace.compat import tomllib

    raw = tomllib.loads(resources.files("newstrace.data").joinpath("antonyms.toml").read_text("utf-8"))
    return [(frozenset(a), frozenset(b)) for a, b in raw["pairs"]]


def antonym_differs(claim_words: set[str], evidence_words: set[str]) -> bool:
    """The claim says one side of an antonym pair and the evidence only the other ("rose" / "fell")."""
    for a, b in _antonyms():
        for one, other in ((a, b), (b, a)):
            if claim_words & one and evidence_words & other and not evidence_words & one and not claim_words & other:
                return True
    return False


@cache
def model() -> Model:
    raw = json.loads(resources.files("newstrace.data").joinpath("claim_model.json").read_text("utf-8"))
    return Model(raw["weights"], raw["bias"], raw["threshold"])


NAME_LABELS = _NAME_LABELS


def tokens(text: str) -> list[str]:
    """Lowercased word tokens, as the support features count them."""
    return _tokens(text)


def name_found(name: str, source_text: str, source_names: set[str]) -> bool:
    """Whether a (lowercased) name appears in a source (its lowercased text, its entity names)."""
    return _name_found(name, source_text, source_names)


def _content(words: list[str]) -> list[str]:
    stops = stop_words()
    return [w for w in words if w not in stops and (len(w) > 1 or w.isdigit())]


def _tokens(text: str) -> list[str]:
    return [w.lower().replace("’", "'").rstrip(".,") for w in _WORD.findall(text)]


@lru_cache(maxsize=262144)
def _stem(word: str) -> str:
    """A light plural/tense stem so "reports" meets "report" and "killed" meets "kill"."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def analyse(text: str, nlp: Any = None, vectors: bool = True) -> Text:
    """Sentences, names, numbers, words (and sentence vectors) of one text."""
    from newstrace.language.nlp import load_nlp

    doc = (nlp or load_nlp())(text)
    sentences = [(s.start_char, s.end_char) for s in doc.sents if s.text.strip()]
    names = [e.text.lower() for e in doc.ents if e.label_ in _NAME_LABELS]
    numbers = [n.value for n in find_numbers(text)]
    out = Text(text, sentences, names, numbers, _tokens(text))
    out.sentence_words = [_tokens(text[s:e]) for s, e in sentences]
    if vectors and sentences:
        from newstrace.language.embed import embed

        out.vectors = embed([text[s:e] for s, e in sentences])
    return out


def prepare(text: str, nlp: Any = None) -> Text:
    """A source made ready to judge claims against: analysed, with a BM25 index of its sentences."""
    src = analyse(text, nlp)
    if src.sentences:
        import bm25s

        index = bm25s.BM25()
        index.index([index_words(ws) for ws in src.sentence_words], show_progress=False)
        src.bm25 = index
    return src


def _name_found(name: str, source_text: str, source_names: set[str]) -> bool:
    if name in source_names or name in source_text:
        return True
    last = name.split()[-1] if name.split() else name
    return len(last) > 3 and last in source_text


def judge(source: Text, claim: str | Text, nlp: Any = None, cos: np.ndarray | None = None,
          bm: np.ndarray | None = None, seeded: bool | None = None) -> Judgement:
    """How well `source` supports `claim`, with the evidence and the reasons.

    `cos` and `bm` (one value per source sentence: the claim's cosine and BM25 score) may be
    given when the caller has computed them for many sources at once, and `seeded` (whether
    provenance's aligner pairs the claim with a source sentence) likewise."""
    c = claim if isinstance(claim, Text) else analyse(claim, nlp)
    feats, evidence, best_i = _features(source, c, cos, bm, seeded)
    m = model()
    score = m.probability(feats)
    reasons: list[str] = []
    low_source = source.text.lower()
    names = set(source.names)
    missing_names = sorted({n for n in c.names if not _name_found(n, low_source, names)})
    missing_numbers = [v for v in c.numbers if not number_found(v, source.numbers)]
    if missing_names:
        reasons.append("names the source does not have: " + ", ".join(missing_names[:6]))
    if missing_numbers:
        reasons.append("numbers the source does not have: " + ", ".join(_fmt(v) for v in missing_numbers[:6]))
    if evidence:
        reasons.append(f"closest source sentence: similarity {evidence[0].similarity:.2f}")
    if feats["negation_differs"]:
        reasons.append("a negation on one side only")
    if feats.get("antonym_differs"):
        reasons.append("an opposite word on the other side (rose / fell, confirmed / denied)")
    if score >= m.threshold:
        status = "supported"
    elif evidence and evidence[0].similarity >= per_model(CLOSE_CONTRADICTION) and (feats["negation_differs"] or feats.get("antonym_differs")
                                                          or _number_conflict(c, source, best_i)):
        status = "contradicted"
        reasons.append("the closest source sentence says nearly the same with a different negation, "
                       "an opposite word or another number")
    else:
        status = "unsupported"
    return Judgement(score, status, reasons, evidence, feats)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def number_found(value: float, numbers: list[float]) -> bool:
    """Whether `value` is among `numbers` (equal up to rounding)."""
    return any(abs(value - n) <= 1e-9 * max(1.0, abs(n)) for n in numbers)


def _number_conflict(c: Text, source: Text, best: int | None) -> bool:
    if best is None or not c.numbers:
        return False
    s, e = source.sentences[best]
    there = [n.value for n in find_numbers(source.text[s:e])]
    return bool(there) and any(not number_found(v, there) for v in c.numbers)


def _seeded(source: Text, c: Text) -> bool:
    """Whether provenance's aligner pairs the claim with a source sentence (a copy, or a
    paraphrase by its MSRP-fitted cosine bar)."""
    from newstrace.provenance.align import seeds, units

    if source.vectors is None or c.vectors is None or not len(c.vectors) or not source.sentences:
        return False
    if source.units is None:
        source.units = units([(a, b, source.text[a:b]) for a, b in source.sentences])
    claim_vec = claim_vector(c)
    return bool(seeds(units([(0, len(c.text), c.text)]), source.units, claim_vec[None, :], source.vectors))


def claim_vector(c: Text) -> np.ndarray | None:
    """The claim's vector: the mean of its sentences' vectors, of unit length."""
    if c.vectors is None or not len(c.vectors):
        return None
    v = c.vectors.mean(axis=0)
    return v / max(float(np.linalg.norm(v)), 1e-9)


def bm25_query(c: Text) -> list[str]:
    """The claim's words as a BM25 query over sentences indexed by `prepare`."""
    return [_stem(w) for w in _content(c.words)]


def index_words(words: list[str]) -> list[str]:
    """A sentence's words as `prepare` indexes them for BM25."""
    return [_stem(w) for w in _content(words)] or ["_"]


def _features(source: Text, c: Text, cos: np.ndarray | None = None, bm: np.ndarray | None = None,
              seeded: bool | None = None) -> tuple[dict[str, float], list[Evidence], int | None]:
    claim_words = _content(c.words)
    claim_stems = {_stem(w) for w in claim_words}
    feats = dict.fromkeys(FEATURES, 0.0)
    if not source.sentences or not claim_words:
        return feats, [], None
    # rank sentences by cosine and BM25 together
    claim_vec = claim_vector(c)
    if cos is None:
        if source.vectors is not None and claim_vec is not None:
            cos = source.vectors @ claim_vec
        else:
            cos = np.zeros(len(source.sentences), dtype=np.float32)
    if bm is None:
        bm = np.zeros(len(source.sentences), dtype=np.float32)
        if source.bm25 is not None:
            try:
                bm = np.asarray(source.bm25.get_scores(bm25_query(c)), dtype=np.float32)
            except Exception:  # noqa: BLE001 - words the index never saw
                pass
    rank = cos + 0.5 * (bm / max(float(bm.max()), 1e-9) if bm.max() > 0 else bm)
    order = list(np.argsort(-rank)[:EVIDENCE_K])
    evidence = [Evidence(source.sentences[i][0], source.sentences[i][1],
                         source.text[source.sentences[i][0]:source.sentences[i][1]], float(cos[i])) for i in order]
    evidence.sort(key=lambda e: -e.similarity)
    if source.vectors is not None and claim_vec is not None:
        ent = entailment(source.vectors[order], claim_vec)
        feats["entailment_max"] = float(ent.max())
        feats["entailment_best"] = float(ent[int(np.argmax(cos[order]))])
    cos_sorted = sorted((float(x) for x in cos), reverse=True)
    feats["cos_max"] = cos_sorted[0]
    feats["cos_second"] = cos_sorted[1] if len(cos_sorted) > 1 else cos_sorted[0]
    ev_words = [w for i in order for w in source.sentence_words[i]]
    ev_stems = {_stem(w) for w in ev_words}
    if source.stems is None:
        source.stems = {_stem(w) for w in source.words}
    src_stems = source.stems
    feats["word_recall_evidence"] = len(claim_stems & ev_stems) / len(claim_stems)
    feats["word_recall_source"] = len(claim_stems & src_stems) / len(claim_stems)
    pairs = set(zip(c.words, c.words[1:]))
    ev_pairs = {p for i in order for p in zip(source.sentence_words[i], source.sentence_words[i][1:])}
    feats["bigram_recall_evidence"] = len(pairs & ev_pairs) / len(pairs) if pairs else 0.0
    if source.pairs is None:
        source.pairs = set(zip(source.words, source.words[1:]))
    feats["bigram_recall_source"] = len(pairs & source.pairs) / len(pairs) if pairs else 0.0
    low = source.text.lower()
    names = set(source.names)
    if c.names:
        found = sum(_name_found(n, low, names) for n in c.names)
        feats["name_recall"] = found / len(c.names)
        feats["names_added"] = math.log1p(len(c.names) - found)
    else:
        feats["name_recall"] = 1.0
    if c.numbers:
        found = sum(number_found(v, source.numbers) for v in c.numbers)
        feats["number_recall"] = found / len(c.numbers)
        feats["numbers_added"] = math.log1p(len(c.numbers) - found)
    else:
        feats["number_recall"] = 1.0
    feats["restates"] = float(feats["names_added"] == 0 and feats["numbers_added"] == 0
                              and (_seeded(source, c) if seeded is None else seeded))
    best = int(np.argmax(cos))
    claim_neg = bool(_NEGATION & set(c.words))
    ev_neg = bool(_NEGATION & set(source.sentence_words[best]))
    feats["negation_differs"] = float(claim_neg != ev_neg)
    feats["antonym_differs"] = float(antonym_differs(set(c.words), set(source.sentence_words[best])))
    return feats, evidence, best
