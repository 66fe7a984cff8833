"""Passage alignment between two articles, in the spirit of PAN's text-alignment methods:
seeding (sentence pairs that say the same thing), extension (seeds close in both texts merge
into passages) and filtering (lone weak seeds are dropped).

A seed is a pair (sentence of the derived candidate, sentence of the source candidate) whose
similarity passes a bar: word overlap for copies (verbatim, near-verbatim), the cosine of
sentence embeddings for paraphrase. Each derived sentence seeds with the source sentence it
is most similar to (two sentences may be merged into one by a rewrite, so a source sentence
may seed several times). All offsets are character offsets into each article's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from newstrace.language.embed import per_model
from newstrace.language.words import stop_words

# Word-overlap bars (Jaccard over content words) for the copy kinds.
VERBATIM = 0.9
NEAR_VERBATIM = 0.5
# Embedding cosine bar for a paraphrase seed: for MiniLM the best accuracy (0.726) on 2,000 pairs
# of the MSRP paraphrase corpus (benchmarks/paraphrase_msrp.py). Every cosine bar here is given
# per sentence model (`embed.per_model`).
PARAPHRASE = {"minilm": 0.65, "static": 0.66}
# A lower cosine seeds when the two sentences share at least DETAILS names or numbers (a rewrite
# that splits a long sentence keeps its details), or any quoted phrase with cosine QUOTED.
DETAILED = {"minilm": 0.55, "static": 0.58}
DETAILS = 2
QUOTED = {"minilm": 0.3, "static": 0.3}
# Sentences with fewer content words than this seed only as copies: short generic sentences
# ("Tensions rose.") reach high cosines with many others.
MIN_WORDS = 4
# Word overlap is measured only for sentence pairs whose embeddings are at least this similar:
# sentences with half their content words in common (near-verbatim) are far above it.
OVERLAP_GATE = {"minilm": 0.4, "static": 0.42}
# Seeds at most this many sentences apart in both texts join one passage.
GAP = 2

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")


def details(text: str) -> frozenset[str]:
    """Numbers and capitalised names not at the start of a sentence, lowercased: the details a
    rewrite keeps and an independent report of the same event mostly has its own of."""
    nums = {m.group().replace(",", "") for m in _NUMBER.finditer(text)}
    names = {w.lower() for m in _NAME.finditer(text) for w in m.group().split()}
    return frozenset(nums | names)


_QUOTE = re.compile(r"[\"“”„«»]([^\"“”„«»]{3,200})[\"“”„«»]")


def quotes(text: str) -> frozenset[str]:
    """Quoted strings of two words or more, lowercased and reduced to their words."""
    out = set()
    for m in _QUOTE.finditer(text):
        ws = _WORD.findall(m.group(1).lower())
        if len(ws) >= 2:
            out.add(" ".join(ws))
    return frozenset(out)


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def content_words(text: str) -> frozenset[str]:
    stops = stop_words()
    return frozenset(w for w in (m.group().lower() for m in _WORD.finditer(text)) if w not in stops)


@dataclass(slots=True)
class Unit:
    """A sentence of an article: its span and text (and cached content words)."""

    start: int
    end: int
    text: str
    words: frozenset[str] = field(default_factory=frozenset)
    details: frozenset[str] = field(default_factory=frozenset)
    quotes: frozenset[str] = field(default_factory=frozenset)


@dataclass(slots=True)
class Seed:
    derived: int  # sentence index in the derived candidate
    source: int
    similarity: float  # the cosine of the sentence embeddings
    overlap: float  # Jaccard of content words
    kind: str  # verbatim, near-verbatim, paraphrase


@dataclass(slots=True)
class Passage:
    derived_start: int
    derived_end: int
    source_start: int
    source_end: int
    kind: str  # the weakest kind among its seeds' strongest: verbatim > near-verbatim > paraphrase
    similarity: float  # mean seed cosine
    derived_sentences: list[int]
    source_sentences: list[int]

    def to_json(self) -> dict:
        return {"derived_start": self.derived_start, "derived_end": self.derived_end,
                "source_start": self.source_start, "source_end": self.source_end,
                "kind": self.kind, "similarity": round(self.similarity, 4)}


@dataclass(slots=True)
class Alignment:
    seeds: list[Seed]
    passages: list[Passage]
    derived_aligned: list[bool]  # per derived sentence
    source_aligned: list[bool]


_RANK = {"verbatim": 2, "near-verbatim": 1, "paraphrase": 0}


def units(sentences: list[tuple[int, int, str]]) -> list[Unit]:
    return [Unit(s, e, t, content_words(t), details(t), quotes(t)) for s, e, t in sentences]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def seeds(derived: list[Unit], source: list[Unit], dv: np.ndarray, sv: np.ndarray) -> list[Seed]:
    """For each derived sentence, its best source sentence if similar enough."""
    if not derived or not source:
        return []
    sims = dv @ sv.T
    best_cos = sims.argmax(axis=1).tolist()
    # Word overlap is computed only for sentence pairs of some similarity (a copied sentence is
    # close in meaning too); without embeddings (articles not in English) for every pair.
    if np.any(sims):
        rows, cols = np.nonzero(sims >= per_model(OVERLAP_GATE))
        near: list[list[int]] = [[] for _ in derived]
        for i, j in zip(rows.tolist(), cols.tolist()):
            near[i].append(j)
    else:
        near = [list(range(len(source)))] * len(derived)
    low = sims < per_model(DETAILED)
    paraphrase, quoted = per_model(PARAPHRASE), per_model(QUOTED)
    out = []
    for i, d in enumerate(derived):
        if len(d.words) < 2:
            continue  # too short to say anything of its own ("He said.")
        j_lex, best = -1, 0.0
        for j in near[i]:
            o = _jaccard(d.words, source[j].words)
            if o > best:
                j_lex, best = j, o
        if best >= NEAR_VERBATIM:
            j = j_lex
            kind = "verbatim" if best >= VERBATIM else "near-verbatim"
        else:
            j = best_cos[i]
            if sims[i, j] < paraphrase:
                found = _detailed(d, source, sims[i], low[i], quoted)
                if found is None:
                    continue
                j = found
            kind = "paraphrase"
        out.append(Seed(i, j, float(sims[i, j]), _jaccard(d.words, source[j].words), kind))
    return out


def _detailed(d: Unit, source: list[Unit], sims: np.ndarray, low: np.ndarray, quoted: float) -> int | None:
    """The most similar source sentence that shares a quote or enough details with `d`."""
    best = None
    for j, s in enumerate(source):
        ok = (sims[j] >= quoted and d.quotes & s.quotes) or (not low[j] and len(d.details & s.details) >= DETAILS)
        if ok and (best is None or sims[j] > sims[best]):
            best = j
    return best


def _filter(found: list[Seed], derived: list[Unit], source: list[Unit]) -> list[Seed]:
    """Drop paraphrase seeds between short sentences (copies are kept whatever their length)."""
    return [s for s in found if s.kind != "paraphrase"
            or (len(derived[s.derived].words) >= MIN_WORDS and len(source[s.source].words) >= MIN_WORDS)]


def align(derived: list[Unit], source: list[Unit], dv: np.ndarray, sv: np.ndarray) -> Alignment:
    found = _filter(seeds(derived, source, dv, sv), derived, source)
    passages: list[list[Seed]] = []
    for s in sorted(found, key=lambda x: x.derived):
        for group in passages:
            last = group[-1]
            if 0 < s.derived - last.derived <= GAP and abs(s.source - last.source) <= GAP:
                group.append(s)
                break
        else:
            passages.append([s])
    out = []
    for group in passages:
        d_idx = sorted({s.derived for s in group})
        s_idx = sorted({s.source for s in group})
        kind = min((s.kind for s in group), key=_RANK.__getitem__)
        out.append(Passage(derived[d_idx[0]].start, derived[d_idx[-1]].end, source[min(s_idx)].start,
                           source[max(s_idx)].end, kind, float(np.mean([s.similarity for s in group])),
                           d_idx, s_idx))
    d_al = [False] * len(derived)
    s_al = [False] * len(source)
    for s in found:
        d_al[s.derived] = True
        s_al[s.source] = True
    return Alignment(found, out, d_al, s_al)
