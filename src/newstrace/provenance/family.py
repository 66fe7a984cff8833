"""Families of rewrites: derivations decided over a group of related articles at once.

Pairs judged one at a time cannot tell a rewrite's original from its sibling rewrites (two
rewrites of one text resemble each other as much as they resemble it). This pass reads every
judged pair of the corpus and decides, for each article, its most likely ancestor(s) among
the articles it was judged against, in the light of all of them:

1. **Candidates.** An article's candidates are the articles it was judged against. Two
   articles that both read as written by people (style log-odds below 0) and share no wording
   (less than a tenth of either copied word for word) are two reports of one event, not a
   rewrite (people who rewrite news keep its wording; machines paraphrase). A
   candidate dated after it cannot be its source, nor one that names its outlet when it does
   not name the candidate's (the one citing the other reports the other's reporting); of two
   texts copied from each other word for word (reprints) with no dates between them, the one
   stored first is the source.
2. **Originality.** Each article carries measures read from it alone (`signals`: machine
   phrasing, quotation marks, attribution cues, sentences, a repeated headline). A linear
   originality model, fitted on (source, rewrite) pairs, turns their differences into the
   log-odds that one of two articles is the more original.
3. **Parent model.** For each (article, candidate) a logistic model scores "this candidate
   is the article's source" from the pair's two readings (the pair model's probabilities,
   the share copied word for word, how much of the candidate it retells), the originality
   difference, and the family: how much more of the article's names, numbers and sentences
   this candidate explains than the best other candidate does, and whether another related
   candidate is more original than it (then it is more likely a sibling). The best candidate
   above the model's threshold is the article's source. What the siblings share is in the
   original; what each sibling adds is in that sibling alone: the family terms say that.
   A second logistic model, over a candidate's features and the parent model's score, decides
   whether the article derives from it at all (an original's best candidate is one of its
   rewrites, ranked first but not its source); the source is the best-ranked eligible
   candidate that passes it.
4. **Compilations.** A second candidate that explains a part of the article the first does
   not (2 sentences and a fifth of its text or more), and is not related to the first, is a
   second source.
5. **Chains.** An article whose source X has a derived article Y from which it copies verbatim
   sentences it does not copy from X was made from Y: Y becomes its source (a rewrite of a
   rewrite).
6. **Consistency.** Cycles are broken at their weakest edge. Two related articles neither of
   which derives from the other, that share an ancestor (or are both without one) are
   siblings: `shared_source`.

The models live in `data/family_model.json`, fitted by `benchmarks/provenance_families.py
--write-model`, which reports the figures on the half of the data it did not fit on.
Everything here is a plain function of records; the stage reads and writes the store.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from collections.abc import Iterable
from typing import Any

import numpy as np

from newstrace.provenance.signals import ARTICLE_FEATURES, ArticleSignals

# Two articles are related (may share a text) when a reading of their pair scores this much
# (the pair model's probability, or the share of either copied word for word).
RELATED = 0.05
# Relations, by the derived side's shares (stated, not fitted; see docs/schema.md):
COPY_SHARE = 0.9  # copied word for word, and ...
COPY_SOURCE = 0.8  # ... covering this much of the source: a copy
PARTIAL = 0.6  # less of the derived text than this explained by the source: a partial rewrite
EDIT_SHARE = 0.5  # copied word for word, the rest changed: an edit
# A second source must explain this much of the article that the first does not.
SECOND_SENTENCES = 2
SECOND_SHARE = 0.2
# Less than this share copied word for word: the two texts share no wording.
NO_COPY = 0.1
# A chain: the article copies verbatim from an intermediate at least this many sentences,
# this share of its text, that it does not copy from the intermediate's source (stated, as for
# a second source).
CHAIN_SENTENCES = 2
CHAIN_SHARE = 0.2
# Texts copied both ways at least this much are reprints of each other.
REPRINT = 0.9

PARENT_FEATURES = (["logit_forward", "logit_reverse"] + [f"diff_{n}" for n in ARTICLE_FEATURES]
                   + ["details_gain", "coverage_gain", "copied_gain", "copied", "coverage_derived", "coverage_source", "order", "in_order",
                      "originality", "more_original_other", "added_diff"])


# Whether an article derives from its best-ranked candidate at all: that candidate's evidence.
DERIVED_FEATURES = ["parent_logit", "logit_forward", "logit_reverse", "copied", "coverage_derived", "coverage_source",
                    "order", "in_order", "order_x_in_order", "originality", "added_diff", "copied_most",
                    "human_uncopied"]
# The originality log-odds enter the derived-or-not model capped at this size: past it, two
# texts differ in kind (a wire report and a feature), which says nothing more about copying.
ORIGINALITY_CAP = 4.0


@dataclass(slots=True)
class Reading:
    """One reading of a judged pair: `derived` as derived from `source`."""

    probability: float
    copied: float  # share of the derived text copied word for word from the source
    features: dict[str, float]  # the pair features (coverage_derived, coverage_source, details_kept, ...)
    aligned: list[int] = field(default_factory=list)  # the derived side's sentences aligned to the source
    verbatim: list[int] = field(default_factory=list)  # those of them copied verbatim


@dataclass(slots=True)
class Pair:
    a: str
    b: str
    ab: Reading  # a derived from b
    ba: Reading  # b derived from a
    found_by: str = "meaning"
    citing: str | None = None  # the article that names the other's outlet (and not the other way round)
    citation: str | None = None  # how it names it, as the pair judgement put it

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Pair:
        """A pair from a judged row (`stage.row_of`: the decided reading and the reverse one)."""
        x = row.get("extra") or {}
        ab = Reading(float(x.get("probability", row["score"])), float(x.get("copied", 0.0)), row.get("features") or {},
                     list(x.get("aligned", [])), list(x.get("verbatim_sentences", [])))
        ba = Reading(float(row.get("reverse_score") or 0.0), float(x.get("reverse_copied", 0.0)),
                     x.get("reverse_features") or {}, list(x.get("reverse_aligned", [])),
                     list(x.get("reverse_verbatim_sentences", [])))
        citing = row["derived_id"] if row.get("direction") == "citation" else None
        why = (row.get("evidence") or [None])[0] if citing else None
        return cls(row["derived_id"], row["source_id"], ab, ba, row.get("found_by") or "meaning", citing, why)

    def reading(self, derived: str) -> Reading:
        return self.ab if derived == self.a else self.ba

    @property
    def related(self) -> float:
        return max(self.ab.probability, self.ba.probability, self.ab.copied, self.ba.copied)


@dataclass(slots=True)
class Member:
    """An article as the family pass sees it."""

    id: str
    seq: int  # order stored (earlier first)
    day: str | None  # publication day, YYYY-MM-DD
    signals: ArticleSignals
    lengths: list[int]  # characters of each sentence that is not an artefact, in order


@dataclass(slots=True)
class FamilyModel:
    originality: np.ndarray  # weights over ARTICLE_FEATURES differences
    weights: np.ndarray  # parent model, over PARENT_FEATURES
    bias: float
    derived_weights: np.ndarray  # derived-or-not model, over DERIVED_FEATURES
    derived_bias: float
    threshold: float  # of the derived-or-not model
    use_style: bool = True

    @classmethod
    def load(cls, data: dict[str, Any] | None = None, use_style: bool = True) -> FamilyModel:
        if data is None:
            data = json.loads(resources.files("newstrace.data").joinpath("family_model.json").read_text("utf-8"))
        part = data["with_style" if use_style else "without_style"]
        if part["parent_features"] != PARENT_FEATURES or data["article_features"] != ARTICLE_FEATURES \
                or part["derived_features"] != DERIVED_FEATURES:
            raise ValueError("family model was fitted on other features; refit with benchmarks/provenance_families.py")
        return cls(np.array(part["originality"]), np.array(part["weights"]), float(part["bias"]),
                   np.array(part["derived_weights"]), float(part["derived_bias"]), float(part["threshold"]), use_style)

    def probability(self, x: list[float]) -> float:
        """Probability that a candidate is the article's source (the parent model)."""
        return _sigmoid(float(np.dot(self.weights, x)) + self.bias)

    def derived_probability(self, x: list[float]) -> float:
        """Probability that the article derives from its best-ranked candidate at all."""
        return _sigmoid(float(np.dot(self.derived_weights, x)) + self.derived_bias)


@lru_cache(maxsize=2)
def default_family_model(use_style: bool = True) -> FamilyModel:
    return FamilyModel.load(use_style=use_style)


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass(slots=True)
class Candidate:
    article: str
    source: str
    probability: float  # the parent model's: this candidate is the article's source
    features: list[float]
    eligible: bool
    reason: str | None = None  # why not eligible
    derived: float = 0.0  # the derived-or-not model's probability, this candidate as the source


def human_uncopied(model: FamilyModel, a: Member, x: Member, copied_most: float) -> float:
    """How plainly two articles are both human-written news (the smaller of their negated style
    log-odds, capped at 3) when neither copies the other word for word: two reporters telling one
    event, not a rewrite. 0 without the style signal."""
    if not model.use_style or a.signals.style is None or x.signals.style is None or copied_most >= NO_COPY:
        return 0.0
    return max(0.0, min(3.0, -a.signals.style, -x.signals.style))


def derived_features(parent_probability: float, parent_features: list[float], copied_most: float,
                     human: float = 0.0) -> list[float]:
    """DERIVED_FEATURES of an article and one candidate, from the candidate's parent features;
    `copied_most` is the largest share of the article copied word for word from an eligible
    candidate, `human` the pair's `human_uncopied`."""
    f = dict(zip(PARENT_FEATURES, parent_features), parent_logit=_logit(parent_probability), copied_most=copied_most,
             human_uncopied=human)
    f["order_x_in_order"] = f["order"] * f["in_order"]
    f["originality"] = max(-ORIGINALITY_CAP, min(ORIGINALITY_CAP, f["originality"]))
    return [f[name] for name in DERIVED_FEATURES]


@dataclass(slots=True)
class Edge:
    derived: str
    source: str
    probability: float
    relation: str
    decided_by: str  # dates, content
    evidence: list[str]
    coverage_derived: float
    coverage_source: float
    rank: int  # the source's rank among the derived article's candidates (1 = best)
    order: float = 0.0  # share of aligned sentence pairs in the same order in both texts


@dataclass(slots=True)
class Decisions:
    candidates: dict[str, list[Candidate]]  # per article, best first
    edges: list[Edge]
    siblings: list[tuple[str, str, list[str]]]  # (a, b, common sources)
    families: list[dict[str, Any]]
    added: dict[str, list[int]]  # per derived article: its sentences no related article explains


def _orig(model: FamilyModel, x: Member, a: Member) -> float:
    """Log-odds that `x` is more original than `a` (article measures alone)."""
    fx, fa = x.signals.features(model.use_style), a.signals.features(model.use_style)
    return float(np.dot(model.originality, np.subtract(fx, fa)))


def unexplained(member: Member, pairs: dict[str, Pair]) -> float:
    """Share of an article's text that no related article explains (`pairs`: its judged pairs)."""
    aligned: set[int] = set()
    for p in pairs.values():
        if p.related >= RELATED:
            aligned.update(p.reading(member.id).aligned)
    total = sum(member.lengths)
    return sum(n for i, n in enumerate(member.lengths) if i not in aligned) / total if total else 0.0


def _best_other(values: dict[str, float], x: str) -> float:
    """The largest value among the keys other than `x` (0 when there is none)."""
    return max((v for k, v in values.items() if k != x), default=0.0)


def candidate_features(model: FamilyModel, a: Member, pairs: dict[str, Pair], members: dict[str, Member],
                       added: dict[str, float]) -> dict[str, list[float]]:
    """PARENT_FEATURES of each of `a`'s candidates as its source; `pairs` are a's judged pairs by
    partner, `added` every article's share that no related article explains (`unexplained`)."""
    kept = {y: p.reading(a.id).features.get("details_kept", 0.0) for y, p in pairs.items()}
    cov = {y: p.reading(a.id).features.get("coverage_derived", 0.0) for y, p in pairs.items()}
    copied = {y: p.reading(a.id).copied for y, p in pairs.items()}
    # originality log-odds of y over x = score(y) - score(x), the scores being linear
    score = {y: float(np.dot(model.originality, members[y].signals.features(model.use_style))) for y in pairs}
    related = {y: score[y] for y, p in pairs.items() if p.related >= RELATED}
    fa = a.signals.features(model.use_style)
    out = {}
    for x, pair in pairs.items():
        r, rev = pair.reading(a.id), pair.reading(x)
        fx = members[x].signals.features(model.use_style)
        more = [s - score[x] for y, s in related.items() if y != x]
        out[x] = [_logit(r.probability), _logit(rev.probability), *np.subtract(fx, fa).tolist(),
                  kept[x] - _best_other(kept, x), cov[x] - _best_other(cov, x), copied[x] - _best_other(copied, x),
                  r.copied, cov[x], r.features.get("coverage_source", 0.0), r.features.get("order", 0.0),
                  math.log1p(r.features.get("structure", 0.0) * len(a.lengths)),
                  _orig(model, members[x], a), max(more, default=-5.0), added.get(a.id, 0.0) - added.get(x, 0.0)]
    return out


def _eligible(a: Member, x: Member, pair: Pair, use_style: bool = True) -> tuple[bool, str | None]:
    if a.day and x.day and x.day > a.day:
        return False, f"{x.id} is dated {x.day}, after {a.id} ({a.day})"
    sa, sx = a.signals.style, x.signals.style
    if use_style and sa is not None and sx is not None and sa < 0 and sx < 0 \
            and max(pair.ab.copied, pair.ba.copied) < NO_COPY:
        return False, f"{a.id} and {x.id} both read as written by people and share no wording: two reports"
    if pair.citing == x.id and not (a.day and x.day and x.day < a.day):
        return False, f"{x.id} names {a.id}'s outlet: it reports {a.id}'s reporting"
    if pair.ab.copied >= REPRINT and pair.ba.copied >= REPRINT and not (a.day and x.day and x.day < a.day) \
            and x.seq > a.seq:
        return False, f"{x.id} reprints {a.id}, stored before it"
    return True, None


def _fixed(a: Member, x: Member, pair: Pair) -> bool:
    """Whether hard evidence says `a` comes after `x`: an earlier date, or `a` naming `x`'s outlet."""
    if a.day and x.day and a.day != x.day:
        return x.day < a.day
    return pair.citing == a.id


def relation_of(r: Reading) -> str:
    cov_d = r.features.get("coverage_derived", 0.0)
    if r.copied >= COPY_SHARE and r.features.get("coverage_source", 0.0) >= COPY_SOURCE:
        return "copy"
    if cov_d < PARTIAL:
        return "partial_rewrite"
    if r.copied >= EDIT_SHARE:
        return "edit"
    return "rewrite"


_WHY = {
    "logit_forward": "the pair model reads {a} as derived from {x}",
    "logit_reverse": None,
    "diff_style": "{a} reads as machine-written ({sa:+.2f}) more than {x} ({sx:+.2f})",
    "diff_quotes": "{x} quotes people directly more ({qx} quotation marks against {qa})",
    "diff_cues": "{x} says who said what more often ({cx:.2f} attribution cues per sentence against {ca:.2f})",
    "diff_sentences": "{x} is the fuller text ({nx} sentences against {na})",
    "diff_repeats": "{a} repeats its headline or a line through its body",
    "details_gain": "{x} holds more of {a}'s names and numbers than any other related article",
    "coverage_gain": "{x} explains more of {a}'s sentences than any other related article",
    "copied": "{a} copies {x} word for word",
    "copied_gain": "{a} copies {x} word for word more than any other related article",
    "coverage_source": "{a} retells much of {x}",
    "order": "{a} follows {x}'s order of facts",
    "in_order": "{a} retells {x} sentence by sentence, in its order",
    "originality": "{x} reads as the more original of the two",
    "more_original_other": None,
    "added_diff": "{a} has more material that no related article has",
}


# The family terms said of an article with one related article only.
_WHY_ALONE = {"details_gain": "{x} holds {a}'s names and numbers",
              "coverage_gain": "{x} explains much of {a}'s text",
              "copied_gain": "{a} copies {x} word for word"}


def _evidence(model: FamilyModel, feats: list[float], a: Member, x: Member, alone: bool = False) -> list[str]:
    """The strongest reasons the parent model had to read `a` as derived from `x`, in words. The
    originality term is told by its own strongest parts (machine phrasing, quotations, ...)."""
    contrib = dict(zip(PARENT_FEATURES, (w * v for w, v in zip(model.weights, feats))))
    if "originality" in contrib:
        diff = np.subtract(x.signals.features(model.use_style), a.signals.features(model.use_style))
        share = contrib.pop("originality")
        parts = model.originality * diff
        total = float(np.sum(np.abs(parts))) or 1.0
        for name, part in zip(ARTICLE_FEATURES, parts):
            contrib[f"diff_{name}"] = contrib.get(f"diff_{name}", 0.0) + share * float(part) / total
    sa, sx = a.signals, x.signals
    values = {"a": a.id, "x": x.id, "sa": sa.style or 0.0, "sx": sx.style or 0.0, "qa": sa.quotes, "qx": sx.quotes,
              "ca": sa.cues, "cx": sx.cues, "na": sa.sentences, "nx": sx.sentences}
    out = []
    for name, c in sorted(contrib.items(), key=lambda kv: -kv[1]):
        text = (_WHY_ALONE.get(name) if alone else None) or _WHY.get(name)
        if c > 0.1 and text and len(out) < 4:
            if name == "diff_style" and (sa.style is None or sx.style is None):
                continue
            out.append(text.format(**values))
    return out


def _chains(parents: dict[str, list[tuple[str, float]]], by_article: dict[str, dict[str, Pair]],
            members: dict[str, Member], candidates: dict[str, list[Candidate]]) -> dict[str, str]:
    """A rewrite of a rewrite: when an article's source X has a derived article Y from which the
    article copies verbatim sentences it does not copy verbatim from X (CHAIN_SENTENCES of them
    and CHAIN_SHARE of its text or more), it was made from Y, not from X: the wording Y gave X's
    material is not in X. (Two rewrites that both kept X's own wording copy each other only
    where they copy X, and two rewriters' paraphrases of one sentence are alike, not the same:
    no chain.) Of the two, the one the parent model reads as the source of the other is Y."""
    score = {(c.article, c.source): c.probability for cands in candidates.values() for c in cands}
    why: dict[str, str] = {}
    children: dict[str, list[str]] = defaultdict(list)
    for child, srcs in parents.items():
        for src, _ in srcs:
            children[src].append(child)
    for aid, srcs in parents.items():
        if not srcs:
            continue
        x, prob = srcs[0]
        lengths = members[aid].lengths
        total = sum(lengths) or 1
        from_x = set(by_article[aid][x].reading(aid).verbatim)
        best = None
        for y in children.get(x, []):
            pair = by_article[aid].get(y)
            if y == aid or pair is None:
                continue
            only_y = set(pair.reading(aid).verbatim) - from_x
            share = sum(lengths[i] for i in only_y if i < len(lengths)) / total
            if score.get((aid, y), 0.0) <= score.get((y, aid), 0.0):
                continue  # the copying runs the other way: Y was made from this article
            if len(only_y) >= CHAIN_SENTENCES and share >= CHAIN_SHARE and (best is None or share > best[1]):
                best = (y, share)
        if best is not None:
            parents[aid] = [(best[0], prob)] + srcs[1:]
            why[aid] = (f"{aid} copies verbatim {best[1]:.0%} of its text from {best[0]}, wording that {best[0]}'s "
                        f"own source {x} does not have: a rewrite of a rewrite")
    return why


def _break_cycles(parents: dict[str, list[tuple[str, float]]]) -> None:
    """Remove the weakest edge of each cycle of `parents` (article -> [(source, probability)])."""
    while True:
        state: dict[str, int] = {}
        cycle: list[str] | None = None

        def visit(node: str, path: list[str]) -> list[str] | None:
            state[node] = 1
            path.append(node)
            for src, _ in parents.get(node, []):
                if state.get(src) == 1:
                    return path[path.index(src):]
                if src not in state:
                    found = visit(src, path)
                    if found:
                        return found
            state[node] = 2
            path.pop()
            return None

        for start in sorted(parents):
            if start not in state:
                cycle = visit(start, [])
                if cycle:
                    break
        if not cycle:
            return
        weakest = min(((n, src, p) for n in cycle for src, p in parents.get(n, []) if src in cycle),
                      key=lambda t: t[2])
        parents[weakest[0]] = [(s, p) for s, p in parents[weakest[0]] if s != weakest[1]]


def groups(links: Iterable[tuple[str, str, float]]) -> list[list[str]]:
    """Connected groups of articles linked by a related pair ((a, b, relatedness) triples with
    relatedness >= RELATED); articles with no related pair are left out."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, related in links:
        if related >= RELATED and a != b:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    out: dict[str, list[str]] = defaultdict(list)
    for x in list(parent):
        out[find(x)].append(x)
    return [sorted(g) for _, g in sorted(out.items())]


def decide(members: dict[str, Member], pairs: list[Pair], model: FamilyModel | None = None) -> Decisions:
    """Decide every article's source(s), its siblings and the families, from the judged pairs,
    one related group (`groups`) at a time; within a group every pair among its members counts."""
    model = model or default_family_model()
    pairs = [p for p in pairs if p.a in members and p.b in members and p.a != p.b]
    out = Decisions({}, [], [], [], {})
    group_of = {i: k for k, g in enumerate(groups((p.a, p.b, p.related) for p in pairs)) for i in g}
    by_group: dict[int, list[Pair]] = defaultdict(list)
    for p in pairs:
        if p.a in group_of and group_of[p.a] == group_of.get(p.b):
            by_group[group_of[p.a]].append(p)
    for k in sorted(by_group):
        d = decide_group(members, by_group[k], model)
        out.candidates.update(d.candidates)
        out.edges += d.edges
        out.siblings += d.siblings
        out.families += d.families
        out.added.update(d.added)
    return out


def decide_group(members: dict[str, Member], pairs: list[Pair], model: FamilyModel) -> Decisions:
    """`decide` for the pairs of one related group."""
    by_article: dict[str, dict[str, Pair]] = defaultdict(dict)
    for p in pairs:
        by_article[p.a][p.b] = p
        by_article[p.b][p.a] = p
    added = {i: unexplained(members[i], mine) for i, mine in by_article.items()}
    candidates: dict[str, list[Candidate]] = {}
    parents: dict[str, list[tuple[str, float]]] = {}
    for aid in sorted(by_article, key=lambda i: members[i].seq):
        a, mine = members[aid], by_article[aid]
        cands = []
        features = candidate_features(model, a, mine, members, added)
        for xid, pair in mine.items():
            feats = features[xid]
            ok, why = _eligible(a, members[xid], pair, model.use_style)
            cands.append(Candidate(aid, xid, model.probability(feats), feats, ok, why))
        most = max((mine[c.source].reading(aid).copied for c in cands if c.eligible), default=0.0)
        for c in cands:
            human = human_uncopied(model, a, members[c.source], most)
            c.derived = model.derived_probability(derived_features(c.probability, c.features, most, human))
        candidates[aid] = cands
    # Dates and citations fix a pair's direction: the content's reading of the pair the other way
    # round then speaks for this one (the content may take a later rewrite for the original).
    reverse = {(c.article, c.source): c for cands in candidates.values() for c in cands}
    for aid, cands in candidates.items():
        for c in cands:
            if _fixed(members[aid], members[c.source], by_article[aid][c.source]):
                back = reverse.get((c.source, aid))
                if back is not None:
                    c.probability = max(c.probability, back.probability)
                    c.derived = max(c.derived, back.derived)
    for aid in sorted(candidates, key=lambda i: members[i].seq):
        a, mine, cands = members[aid], by_article[aid], candidates[aid]
        cands.sort(key=lambda c: (-c.probability, members[c.source].seq))
        chosen = [c for c in cands if c.eligible and c.derived >= model.threshold][:1]
        if chosen:
            first = chosen[0]
            covered = set(mine[first.source].reading(aid).aligned)
            for c in cands:
                if c is first or not c.eligible or c.derived < model.threshold:
                    continue
                link = by_article[first.source].get(c.source)
                if link is not None and link.related >= RELATED:
                    continue  # related to the first source: a sibling or a relative of it, not another source
                extra = set(mine[c.source].reading(aid).aligned) - covered
                share = sum(a.lengths[i] for i in extra if i < len(a.lengths)) / max(1, sum(a.lengths))
                if len(extra) >= SECOND_SENTENCES and share >= SECOND_SHARE:
                    chosen.append(c)
                    covered |= extra
            parents[aid] = [(c.source, c.derived) for c in chosen]
    chained = _chains(parents, by_article, members, candidates)
    _break_cycles(parents)
    edges = []
    for aid, srcs in parents.items():
        rank = {c.source: k for k, c in enumerate(candidates[aid], 1)}
        for src, prob in srcs:
            pair = by_article[aid][src]
            r = pair.reading(aid)
            a, x = members[aid], members[src]
            feats = next(c.features for c in candidates[aid] if c.source == src)
            if a.day and x.day and x.day < a.day:
                decided_by, evidence = "dates", [f"{x.id} is dated {x.day}, {a.id} {a.day}"]
            elif pair.citing == aid:
                decided_by = "citation"
                evidence = [pair.citation or f"{aid} names {src}'s outlet"] + _evidence(
                    model, feats, a, x, alone=len(by_article[aid]) == 1)
            elif pair.ab.copied >= REPRINT and pair.ba.copied >= REPRINT:
                decided_by = "undetermined"
                evidence = [f"the two texts are the same word for word and nothing tells which came first; "
                            f"{x.id}, stored first, is taken as the source"]
            else:
                decided_by, evidence = "content", _evidence(model, feats, a, x, alone=len(by_article[aid]) == 1)
            if aid in chained and src == parents[aid][0][0]:
                evidence.insert(0, chained[aid])
            edges.append(Edge(aid, src, round(prob, 4), relation_of(r), decided_by, evidence,
                              r.features.get("coverage_derived", 0.0), r.features.get("coverage_source", 0.0),
                              rank[src], r.features.get("order", 0.0)))
    source_of = {e.derived: [s for s, _ in parents[e.derived]] for e in edges}
    siblings = _siblings(by_article, source_of, model)
    families = _families(members, edges, siblings)
    added = {}
    for aid in source_of:
        aligned = set().union(*(set(p.reading(aid).aligned) for p in by_article[aid].values() if p.related >= RELATED))
        added[aid] = [i for i in range(len(members[aid].lengths)) if i not in aligned]
    return Decisions(candidates, edges, siblings, families, added)


def _ancestors(node: str, source_of: dict[str, list[str]]) -> set[str]:
    out: set[str] = set()
    todo = list(source_of.get(node, []))
    while todo:
        n = todo.pop()
        if n not in out:
            out.add(n)
            todo += source_of.get(n, [])
    return out


def _siblings(by_article: dict[str, dict[str, Pair]], source_of: dict[str, list[str]],
              model: FamilyModel) -> list[tuple[str, str, list[str]]]:
    """Related pairs neither of which derives from the other and that share an ancestor, or
    that both have none here (a source outside the corpus)."""
    out = []
    for a in sorted(by_article):
        for b, pair in sorted(by_article[a].items()):
            if b <= a or pair.related < 0.5:
                continue
            anc_a, anc_b = _ancestors(a, source_of), _ancestors(b, source_of)
            if a in anc_b or b in anc_a:
                continue
            common = sorted(anc_a & anc_b)
            if common or (not anc_a and not anc_b):
                out.append((a, b, common))
    return out


def _families(members: dict[str, Member], edges: list[Edge], siblings: list[tuple[str, str, list[str]]]
              ) -> list[dict[str, Any]]:
    """Connected groups of derivation and sibling links, each with its roots (no source here)."""
    link: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        link[e.derived].add(e.source)
        link[e.source].add(e.derived)
    for a, b, _ in siblings:
        link[a].add(b)
        link[b].add(a)
    seen: set[str] = set()
    derived = {e.derived for e in edges}
    out = []
    for start in sorted(link, key=lambda i: members[i].seq):
        if start in seen:
            continue
        group, todo = [], [start]
        seen.add(start)
        while todo:
            n = todo.pop()
            group.append(n)
            for m in link[n]:
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        group.sort(key=lambda i: members[i].seq)
        roots = [i for i in group if i not in derived]
        out.append({"id": f"family-{roots[0] if roots else group[0]}", "roots": roots, "article_ids": group})
    return out
