"""Streaming story clustering, in the spirit of Miranda et al. 2018 (Multilingual Clustering
of Streaming News).

Each incoming article is turned into two TF-IDF vectors (content words, named entities) with
document frequencies learnt online from the stream itself. It is compared with the live
stories that share a salient word or entity with it (an inverted index, so the cost does not
grow with the number of stories), through features: cosine with the story's word centroid and
entity centroid, the best cosine with a single member, the gap in time, the story's size. A
logistic model (weights in `data/story_model.json`, trained on the train split of ECB+ by
`benchmarks/stories_ecb.py --train`) turns the features into the probability that the
article reports the story's event; the article joins the most probable story if that
probability passes the model's threshold (tuned there for BCubed F1), else it starts a new one.

Stories age out of the active set when no article has joined them for `max_idle` arrivals
(and, where dates are known, `max_idle_days`), so memory stays bounded on any stream.
"""

from __future__ import annotations

import heapq
import json
import math
import re
from collections import Counter, OrderedDict
from itertools import islice
from sys import intern
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from newstrace.language.dates import parse_reference
from newstrace.language.embed import LEAD_CHARS, lead_of
from newstrace.language.words import stop_words
from newstrace.records import Article

# Named-entity labels that identify an event's participants, place and occasion.
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT",
                           "WORK_OF_ART", "LAW"})
# An article's words and entities used to look up candidate stories: its most salient ones.
QUERY_TERMS = 12
# Terms kept per story centroid (the heaviest): enough to describe an event, bounded memory.
CENTROID_TERMS = 400
# Members per story kept for the best-member similarity (the most recent ones).
MEMBER_VECTORS = 8
# Terms kept of each recent member's word vector (its heaviest): the best-member similarity
# is then a cheap, slightly low, estimate (the model is fitted on the same estimate).
MEMBER_TERMS = 48
# Candidate stories scored per article: those sharing the most query terms.
MAX_CANDIDATES = 24
# Default ageing of the active set (arrivals / days without a new member).
MAX_IDLE = 5000
MAX_IDLE_DAYS = 14.0

_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]", re.UNICODE)
_ENT_CLEAN = re.compile(r"^(?:the|a|an)\s+|['’]s$", re.IGNORECASE)


@dataclass(slots=True)
class StoryFeatures:
    """What story clustering reads of one article."""

    article_id: str
    words: Counter[str]
    entities: Counter[str]
    time: float | None  # days since 1970-01-01, from `published` (else `crawled`)
    title: str | None = None
    source: str | None = None
    vector: Any = None  # the lead's sentence embedding (unit length), if computed
    dates: frozenset[str] = frozenset()  # absolute dates the text names: "2009-01-05", "2009-01", "2009"


def _entity_keys(text: str, label: str) -> list[str]:
    name = _ENT_CLEAN.sub("", " ".join(text.split())).strip().lower()
    if not name:
        return []
    keys = [name]
    if label == "PERSON" and " " in name:
        keys.append(name.rsplit(" ", 1)[1])  # "Tara Reid" and a later "Reid" meet
    return keys


def lead_vector(article: Article, max_chars: int = LEAD_CHARS) -> np.ndarray | None:
    """The article's headline and lead as one unit vector (`embed.lead_of` over the vectors the
    unit computed, `title_vector` and `sentence_vectors`). None when nothing was embedded."""
    vectors = article.sentence_vectors if article.sentence_vectors is not None else []
    texts = [s.text for s in article.sentences if s.artefact is None]
    return lead_of(article.title, article.title_vector, texts, vectors, max_chars)


def _date_keys(value: str) -> list[str]:
    """'2009-01-05' -> the date, its month and its year (any of them can meet another's)."""
    keys = [value]
    if len(value) >= 7 and value[4] == "-":
        keys += [value[:7], value[:4]] if len(value) > 7 else [value[:4]]
    return keys


def article_features(article: Article) -> StoryFeatures:
    """Words (title counted twice) and entities of an article, artefact sentences left out."""
    stops = stop_words()
    words: Counter[str] = Counter()
    entities: Counter[str] = Counter()
    sentences = [s for s in article.sentences if s.artefact is None] or article.sentences
    texts = [s.text for s in sentences] if sentences else [article.text]
    if article.title:
        texts += [article.title, article.title]
    # terms are interned: every story's centroid, recent members and index share one copy of
    # each word (a fifth less memory for the clusterer at 10,000 articles)
    for t in texts:
        for w in _WORD.findall(t.lower()):
            if len(w) > 1 and w not in stops:
                words[intern(w)] += 1
    dates: set[str] = set()
    for s in sentences:
        for e in s.entities:
            if e.label in ENTITY_LABELS:
                for k in _entity_keys(e.text, e.label):
                    entities[intern(k)] += 1
            elif e.label == "DATE" and e.value and e.value[:4].isdigit() and "W" not in e.value:
                dates.update(_date_keys(e.value))
    when = parse_reference(article.published) or parse_reference(article.crawled)
    time = when.toordinal() - 719163 if when else None  # days since the Unix epoch
    return StoryFeatures(article.id, words, entities, float(time) if time is not None else None,
                         article.title, article.source, article.embedding, frozenset(dates))


class _DocFreq:
    """Document frequencies learnt from the stream (Miranda et al. do the same)."""

    __slots__ = ("df", "n")

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0

    def add(self, terms: Counter[str]) -> None:
        self.n += 1
        self.df.update(terms.keys())

    def vector(self, terms: Counter[str]) -> dict[str, float]:
        """L2-normalised (1 + log tf) * idf, heaviest term first (callers take the top terms
        with `islice`, so nothing is sorted twice)."""
        n = self.n
        vec = {t: (1.0 + math.log(c)) * (math.log((n + 1) / (self.df[t] + 1)) + 1.0) for t, c in terms.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in sorted(vec.items(), key=lambda kv: -kv[1])}


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


@dataclass(slots=True)
class _Centroid:
    """Sum of member vectors, with its norm kept up to date."""

    sums: dict[str, float] = field(default_factory=dict)
    norm2: float = 0.0

    def cosine(self, vec: dict[str, float]) -> float:
        return _dot(vec, self.sums) / math.sqrt(self.norm2) if self.norm2 > 0 else 0.0

    def add(self, vec: dict[str, float]) -> None:
        d = _dot(vec, self.sums)
        for t, v in vec.items():
            self.sums[t] = self.sums.get(t, 0.0) + v
        self.norm2 += 2 * d + sum(v * v for v in vec.values())
        if len(self.sums) > 2 * CENTROID_TERMS:
            top = sorted(self.sums.items(), key=lambda kv: -kv[1])[:CENTROID_TERMS]
            self.sums = dict(top)
            self.norm2 = sum(v * v for v in self.sums.values())


@dataclass(slots=True)
class Story:
    id: str
    words: _Centroid = field(default_factory=_Centroid)
    entities: _Centroid = field(default_factory=_Centroid)
    members: list[str] = field(default_factory=list)
    recent: list[tuple[dict[str, float], dict[str, float], Any]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    vector_sum: Any = None  # sum of members' embeddings
    dates: Counter[str] = field(default_factory=Counter)  # absolute dates named by members
    time_sum: float = 0.0
    time_n: int = 0
    first_time: float | None = None
    last_time: float | None = None
    last_seen: int = 0  # arrival number of the latest member

    @property
    def mean_time(self) -> float | None:
        return self.time_sum / self.time_n if self.time_n else None


@dataclass(slots=True)
class StoryModel:
    """Logistic model over pair features; `threshold` on its probability decides joining."""

    names: list[str]
    weights: list[float]
    bias: float
    threshold: float
    about: str = ""
    _index: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def load(cls, data: dict[str, Any] | None = None) -> StoryModel:
        if data is None:
            data = json.loads(resources.files("newstrace.data").joinpath("story_model.json").read_text("utf-8"))
        return cls(list(data["features"]), list(data["weights"]), float(data["bias"]),
                   float(data["threshold"]), data.get("about", ""))

    def __post_init__(self) -> None:
        unknown = [n for n in self.names if n not in FEATURES]
        if unknown:
            raise ValueError(f"story model uses unknown features: {', '.join(unknown)}")
        self._index = [FEATURES.index(n) for n in self.names]

    def probability(self, x: list[float]) -> float:
        """P(same event) from the full feature vector (`pair_features`)."""
        z = self.bias + sum(w * x[i] for w, i in zip(self.weights, self._index))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


FEATURES = ["cos_words", "cos_entities", "best_member_words", "best_member_entities",
            "cos_embedding", "best_member_embedding", "dates_shared", "dates_conflict",
            "log_days_apart", "no_time", "log_size"]


def _date_relation(dates: frozenset[str], story: Story) -> tuple[float, float]:
    """(a date, month or year named by both; both name years and no year is shared)."""
    if not dates or not story.dates:
        return 0.0, 0.0
    shared = any(d in story.dates for d in dates if len(d) > 4)
    years = {d for d in dates if len(d) == 4}
    story_years = {d for d in story.dates if len(d) == 4}
    conflict = bool(years and story_years and not (years & story_years))
    return float(shared), float(conflict)


def pair_features(vw: dict[str, float], ve: dict[str, float], f: StoryFeatures, story: Story) -> list[float]:
    """The features of (article, story), in the order of `FEATURES`."""
    best_w = max((_dot(vw, w) for w, _, _ in story.recent), default=0.0)
    best_e = max((_dot(ve, e) for _, e, _ in story.recent), default=0.0)
    if f.vector is not None and story.vector_sum is not None:
        norm = float(np.linalg.norm(story.vector_sum)) or 1.0
        cos_v = float(f.vector @ story.vector_sum) / norm
        best_v = max((float(f.vector @ v) for _, _, v in story.recent if v is not None), default=0.0)
    else:
        cos_v = best_v = 0.0
    shared, conflict = _date_relation(f.dates, story)
    mean = story.mean_time
    if f.time is None or mean is None:
        days, no_time = 0.0, 1.0
    else:
        days, no_time = math.log1p(abs(f.time - mean)), 0.0
    return [story.words.cosine(vw), story.entities.cosine(ve), best_w, best_e, cos_v, best_v,
            shared, conflict, days, no_time, math.log(len(story.members))]


@dataclass(slots=True)
class Assignment:
    story_id: str
    probability: float  # of the chosen story; for a new story, 1 - best probability
    new: bool


class StoryClusterer:
    """Assigns each article, as it arrives, to a story."""

    def __init__(self, model: StoryModel | None = None, max_idle: int = MAX_IDLE,
                 max_idle_days: float = MAX_IDLE_DAYS, id_prefix: str = "story-") -> None:
        self.model = model or StoryModel.load()
        self.max_idle = max_idle
        self.max_idle_days = max_idle_days
        self.id_prefix = id_prefix
        self.words_df = _DocFreq()
        self.ents_df = _DocFreq()
        self.active: OrderedDict[str, Story] = OrderedDict()  # least recently joined first
        self.index: dict[str, set[str]] = {}
        self.arrivals = 0
        self.next_id = 1
        self.retired: list[Story] = []  # aged out since the caller last collected them

    # -- the decision ------------------------------------------------------------------
    def vectors(self, f: StoryFeatures) -> tuple[dict[str, float], dict[str, float]]:
        self.words_df.add(f.words)
        self.ents_df.add(f.entities)
        return self.words_df.vector(f.words), self.ents_df.vector(f.entities)

    def candidates(self, vw: dict[str, float], ve: dict[str, float]) -> list[Story]:
        query = [f"w:{t}" for t in islice(vw, QUERY_TERMS)] + [f"e:{t}" for t in islice(ve, QUERY_TERMS)]
        hits: Counter[str] = Counter()
        for key in query:
            for sid in self.index.get(key, ()):
                hits[sid] += 1
        # Ties broken by story id, not by the order of a set (which follows string hashing and
        # changes from process to process): the same articles give the same stories in any run.
        top = heapq.nsmallest(MAX_CANDIDATES, hits.items(), key=lambda kv: (-kv[1], kv[0]))
        return [self.active[sid] for sid, _ in top]

    def add(self, f: StoryFeatures) -> Assignment:
        """Place one article; returns its story and how sure the model is."""
        self.arrivals += 1
        vw, ve = self.vectors(f)
        best, best_p = None, 0.0
        for story in self.candidates(vw, ve):
            p = self.model.probability(pair_features(vw, ve, f, story))
            if p > best_p:
                best, best_p = story, p
        if best is not None and best_p >= self.model.threshold:
            self._join(best, f, vw, ve)
            result = Assignment(best.id, best_p, False)
        else:
            story = Story(f"{self.id_prefix}{self.next_id}")
            self.next_id += 1
            self.active[story.id] = story
            self._join(story, f, vw, ve)
            result = Assignment(story.id, 1.0 - best_p, True)
        self._age(f.time)
        return result

    def _join(self, story: Story, f: StoryFeatures, vw: dict[str, float], ve: dict[str, float]) -> None:
        story.words.add(vw)
        story.entities.add(ve)
        story.members.append(f.article_id)
        top = dict(islice(vw.items(), MEMBER_TERMS)) if len(vw) > MEMBER_TERMS else vw
        story.recent.append((top, ve, f.vector))
        del story.recent[:-MEMBER_VECTORS]
        if f.vector is not None:
            story.vector_sum = f.vector.copy() if story.vector_sum is None else story.vector_sum + f.vector
        story.dates.update(f.dates)
        if f.time is not None:
            story.time_sum += f.time
            story.time_n += 1
            story.first_time = f.time if story.first_time is None else min(story.first_time, f.time)
            story.last_time = f.time if story.last_time is None else max(story.last_time, f.time)
        story.last_seen = self.arrivals
        self.active.move_to_end(story.id)
        keys = {intern(f"w:{t}") for t in islice(vw, QUERY_TERMS)}
        keys |= {intern(f"e:{t}") for t in ve}
        for k in keys - story.keys:
            self.index.setdefault(k, set()).add(story.id)
        story.keys |= keys

    def _age(self, now: float | None) -> None:
        while self.active:
            sid, story = next(iter(self.active.items()))
            idle = self.arrivals - story.last_seen > self.max_idle
            stale = (now is not None and story.last_time is not None
                     and now - story.last_time > self.max_idle_days)
            if not (idle or stale):
                break
            self.retire(sid)

    def retire(self, sid: str) -> None:
        story = self.active.pop(sid)
        for k in story.keys:
            ids = self.index.get(k)
            if ids is not None:
                ids.discard(sid)
                if not ids:
                    del self.index[k]
        self.retired.append(story)
