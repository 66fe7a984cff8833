"""What the rules miss: a trained model of who did what to whom, over the parse.

The dictionary's rules code the verbs and phrases they know. Real news says the same things
in ways no list holds ("has opened a probe into", "turned down a request from"), so every
sentence also yields *candidates*: a verb, an actor-like noun phrase on its subject side (the
subject, a passive's agent, the subject it inherits through "agreed to", the speaker a
pronoun stands for) and a noun phrase on its object side (objects, prepositional objects,
phrases inside them), each with the dependency path that joins them. Three small models, trained
by `benchmarks/events_train.py` and stored in `data/event_model.npz`, read each candidate:

- the *linker* gives the chance that the candidate is an event between those two actors;
- the *categoriser* gives its PLOVER category;
- the *gate*, trained positive-unlabelled (the labelled events against every candidate of
  general news), says whether it looks like a political event at all: on a verb where the rules
  found none, only a candidate past the gate may give an event.

Both are logistic regressions over sparse features (the trigger's lemma, its particle and
object, the path, the governing verb, negation and modality, what the rules coded there, how
each side resolved as an actor) and, when the sentence's MiniLM vector is at hand, that vector.
Nothing here reads the disk but the model file; `predict` is a few dot products.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

PRONOUN_SUBJECTS = frozenset({"it", "they", "he", "she", "we", "i"})
# Dependencies a candidate's object side may follow from the verb and that may hold a target
TARGET_DEPS = frozenset({"dobj", "dative", "nsubjpass", "attr", "oprd", "pobj", "appos", "conj", "compound",
                         "poss", "amod", "nmod"})
# Clauses of their own: a candidate's object side does not cross into them
OWN_CLAUSE = frozenset({"relcl", "acl", "ccomp", "advcl", "xcomp", "parataxis", "csubj"})
# Children of the verb that are not on its object side
NOT_OBJECT = OWN_CLAUSE | {"conj", "punct", "cc", "mark", "nsubj", "aux", "auxpass", "neg", "expl", "det"}
NOUNISH = frozenset({"PROPN", "NOUN", "PRON", "ADJ", "NUM"})
MAX_DEPTH = 4  # steps from the verb to a target
MODALS = frozenset({"will", "would", "may", "might", "could", "should", "must", "can", "shall"})


@dataclass(slots=True)
class Candidate:
    trigger: Any  # the verb (a spaCy Token)
    source: Any  # head token of the subject-side noun phrase
    target: Any  # head token of the object-side noun phrase
    path: tuple[str, ...]  # dependencies from the verb down to the target ("dobj", "prep:against", "pobj")


def np_bounds(tok: Any) -> tuple[int, int]:
    """Token range [first, last] of the noun phrase `tok` heads: its left modifiers, and to the right
    its compounds, appositions and "of" phrases ("the government of Iran")."""
    left = tok.i
    for c in tok.lefts:
        left = min(left, c.left_edge.i)
    right = tok.i
    for c in tok.rights:
        if c.dep_ in ("compound", "flat", "appos", "nmod") or (c.dep_ == "prep" and c.lower_ == "of"):
            right = max(right, c.right_edge.i)
    return left, right


def _antecedent(pron: Any, verb: Any) -> Any:
    """What a subject pronoun stands for: the subject of the verb of saying or intending above it
    ("Slovakia says it will not accept"), else the nearest earlier subject in the sentence."""
    h, steps = verb, 0
    while h.dep_ in ("ccomp", "xcomp", "conj", "advcl") and steps < 4:
        h, steps = h.head, steps + 1
        for c in h.children:
            if c.dep_ == "nsubj" and c.lower_ not in PRONOUN_SUBJECTS:
                return c
    sent_start = pron.sent.start
    for t in reversed(pron.doc[sent_start:pron.i]):
        if t.dep_ in ("nsubj", "nsubjpass") and t.lower_ not in PRONOUN_SUBJECTS:
            return t
    return None


OBJECT_PRONOUNS = frozenset({"him", "her", "them", "it"})


def _object_antecedent(pron: Any) -> Any:
    """What an object pronoun stands for: the nearest earlier subject of the sentence that is
    not itself a pronoun ("Ajak was released after Kiir pardoned him": Ajak)."""
    for t in reversed(pron.doc[pron.sent.start:pron.i]):
        if t.dep_ in ("nsubj", "nsubjpass") and t.lower_ not in PRONOUN_SUBJECTS and t.pos_ in ("PROPN", "NOUN"):
            return t
    return None


def subjects(verb: Any, depth: int = 0) -> list[Any]:
    """Heads of the subject side of `verb`: its subject (a pronoun read as what it stands for) and
    their conjuncts, a passive's agent, else the subject of the clause it depends on."""
    out: list[Any] = []
    for c in verb.children:
        if c.dep_ == "nsubj":
            if c.lower_ in PRONOUN_SUBJECTS:
                a = _antecedent(c, verb)
                if a is not None:
                    out += [a, *a.conjuncts]
            else:
                out += [c, *c.conjuncts]
        elif c.dep_ == "agent":
            out += [g for g in c.children if g.dep_ == "pobj"]
    if out or depth >= 3:
        return out
    if verb.dep_ in ("acl", "relcl"):
        h = verb.head
        while h.pos_ not in ("VERB", "AUX") and h.head.i != h.i:
            h = h.head
        return subjects(h, depth + 1) if h.pos_ in ("VERB", "AUX") else []
    if verb.dep_ in ("xcomp", "conj", "advcl", "ccomp", "acomp"):  # "is willing to withdraw": the subject of "is"
        return subjects(verb.head, depth + 1)
    return []


def objects(verb: Any) -> list[tuple[tuple[str, ...], Any]]:
    """Noun phrases on the object side of `verb`, each with its path from the verb."""
    out: list[tuple[tuple[str, ...], Any]] = []

    def walk(tok: Any, path: tuple[str, ...], depth: int) -> None:
        for c in tok.children:
            if (tok is verb and c.dep_ in NOT_OBJECT) or c.dep_ in OWN_CLAUSE:
                continue
            step = f"prep:{c.lower_}" if c.dep_ in ("prep", "agent") else c.dep_
            if c.dep_ in TARGET_DEPS and c.pos_ in NOUNISH:
                out.append(((*path, c.dep_), c))
            if depth < MAX_DEPTH:
                walk(c, (*path, step), depth + 1)

    walk(verb, (), 0)
    for c in verb.children:  # "demanded that the prime minister apologize", "gave approval for the UN to deliver"
        if c.dep_ in ("ccomp", "advcl", "xcomp"):
            out += [((c.dep_, g.dep_), g) for g in c.children if g.dep_ in ("nsubj", "nsubjpass")
                    and g.lower_ not in PRONOUN_SUBJECTS]
    resolved: list[tuple[tuple[str, ...], Any]] = []
    for path, o in out:  # "after Kiir pardoned him": him is who the sentence is about
        if o.lower_ in OBJECT_PRONOUNS:
            a = _object_antecedent(o)
            if a is not None:
                resolved.append(((*path, "pronoun"), a))
        else:
            resolved.append((path, o))
    return resolved


def noun_subjects(noun: Any) -> list[Any]:
    """The actor side of an event noun: its possessor, a name or people before it, or the object
    of its "by" ("Turkey's threats", "Chinese assistance", "threats by Erdogan")."""
    out: list[Any] = []
    for c in noun.children:
        if c.dep_ == "poss" and c.pos_ in ("PROPN", "NOUN"):
            out += [c, *c.conjuncts]
        elif c.dep_ in ("amod", "compound") and c.i < noun.i and (c.pos_ == "PROPN" or c.ent_type_ in ("NORP", "GPE", "ORG")):
            out.append(c)
        elif c.dep_ == "prep" and c.lower_ == "by":
            out += [g for g in c.children if g.dep_ == "pobj"]
    return out


def candidates(sent: Any) -> Iterator[Candidate]:
    """Every (verb, subject side, object side) of a sentence, the same for nouns with an actor
    of their own ("threats by Erdogan against the EU"), and coordinated subjects with each other
    ("Kuwait and its allies agreed")."""
    for v in sent:
        if v.pos_ == "NOUN":  # "cooperation between the Philippines and the United States"
            for c in v.children:
                if c.dep_ == "prep" and c.lower_ == "between":
                    for g in c.children:
                        if g.dep_ == "pobj":
                            for o in g.conjuncts:
                                yield Candidate(v, g, o, ("noun", "between"))
        if v.pos_ == "NOUN" and v.dep_ not in ("compound", "poss"):
            subs = noun_subjects(v)
            if subs:
                objs = [(p, o) for p, o in objects(v) if not any(o.i == s.i for s in subs) and p[0] != "poss"]
                for s in subs:
                    s_lo, s_hi = np_bounds(s)
                    for path, o in objs:
                        if not s_lo <= o.i <= s_hi:
                            yield Candidate(v, s, o, ("noun", *path))
            continue
        if v.pos_ not in ("VERB", "AUX"):
            continue
        subs = subjects(v)
        if not subs:
            continue
        objs = objects(v)
        for s in subs:
            s_lo, s_hi = np_bounds(s)
            for path, o in objs:
                if s_lo <= o.i <= s_hi:
                    continue  # inside the source's own phrase
                yield Candidate(v, s, o, path)
            for o in s.conjuncts:
                yield Candidate(v, s, o, ("conj-subject",))


def depth_of(tok: Any) -> int:
    """How deep a token is in its sentence's tree (0 for the root; at most 20)."""
    n = 0
    while tok.head.i != tok.i and n < 20:
        tok, n = tok.head, n + 1
    return n


def features(c: Candidate, lemma: Callable[[Any], str], rule: str | None, source_kind: str,
             target_kind: str) -> dict[str, float]:
    """Sparse features of a candidate. `rule` is the CAMEO code the rules gave its verb (or
    None); the kinds say how each side resolved as an actor ("country", "organisation", ...,
    or "none")."""
    v, s, o = c.trigger, c.source, c.target
    lem = lemma(v)
    path = "/".join(c.path)
    first, last = c.path[0], c.path[-1]
    f: dict[str, float] = {
        f"t={lem}": 1.0, f"path={path}": 1.0, f"t|path={lem}|{path}": 1.0, f"first={first}": 1.0,
        f"last={last}": 1.0, f"t|first={lem}|{first}": 1.0, "plen": len(c.path) / MAX_DEPTH,
        "vdepth": min(depth_of(v), 10) / 5, f"vdep={v.dep_}": 1.0, f"o={o.lower_}": 1.0,
        f"t|o={lem}|{o.lower_}": 1.0, f"opos={o.pos_}": 1.0, f"spos={s.pos_}": 1.0,
        f"oent={o.ent_type_ or '-'}": 1.0, f"sent={s.ent_type_ or '-'}": 1.0,
        f"skind={source_kind}": 1.0, f"okind={target_kind}": 1.0,
        f"rule={rule[:2] if rule else '-'}": 1.0, f"rule3={rule[:3] if rule else '-'}": 1.0,
    }
    for ch in v.children:
        if ch.dep_ == "neg":
            f["neg"] = 1.0
        elif ch.dep_ == "aux" and ch.lower_ in MODALS:
            f["modal"] = 1.0
        elif ch.dep_ == "dobj":
            f[f"t|dobj={lem}|{lemma(ch)}"] = 1.0
            f[f"dobj={lemma(ch)}"] = 1.0
        elif ch.dep_ == "prt":
            f[f"t|prt={lem}|{ch.lower_}"] = 1.0
    h, steps = v, 0
    while h.dep_ in ("xcomp", "ccomp", "conj", "advcl") and steps < 3:
        h, steps = h.head, steps + 1
        f[f"gov={lemma(h)}"] = 1.0
    return f


@dataclass(slots=True)
class EventModel:
    """The linker and the categoriser: weights over a feature vocabulary, plus the sentence vector
    (weights for it are used only with vectors of the model they were trained on)."""
    vocab: dict[str, int]
    link_w: np.ndarray  # (features + dim + 1,)
    cat_w: np.ndarray  # (categories, features + dim + 1)
    link_sparse_w: np.ndarray  # the same, trained without the sentence vector
    cat_sparse_w: np.ndarray
    categories: list[str]
    codes: dict[str, str]  # category -> the CAMEO code an event of it is given
    vector_model: str  # fingerprint of the sentence model of the dense weights
    dim: int
    threshold: float  # P(event) from which a candidate the rules did not code is emitted
    gate_w: np.ndarray  # labelled events against general news (positive-unlabelled)
    gate_sparse_w: np.ndarray
    gate: float  # gate score from which a verb the rules did not code may give an event
    recategorise: float = 2.0  # P(category) from which the model's category replaces a rule event's

    def predict(self, feats: list[dict[str, float]], vector: np.ndarray | None,
                vector_model: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(P(event) per candidate, category probabilities per candidate, gate score per candidate)."""
        n, k, nv = len(feats), len(self.categories), len(self.vocab)
        dense = vector is not None and vector_model == self.vector_model and len(vector) == self.dim
        lw, cw = (self.link_w, self.cat_w) if dense else (self.link_sparse_w, self.cat_sparse_w)
        gw = self.gate_w if dense else self.gate_sparse_w
        link = np.full(n, lw[-1], dtype=np.float64)
        gate = np.full(n, gw[-1], dtype=np.float64)
        z = np.repeat(cw[:, -1][None, :].astype(np.float64), n, 0)
        if dense:
            v = np.asarray(vector, np.float32)
            link += float(v @ lw[nv:nv + self.dim])
            gate += float(v @ gw[nv:nv + self.dim])
            z += (cw[:, nv:nv + self.dim] @ v)[None, :]
        vocab = self.vocab
        for i, f in enumerate(feats):  # sparse: only the features present, in one product each
            cols, vals = [], []
            for name, val in f.items():
                j = vocab.get(name)
                if j is not None:
                    cols.append(j)
                    vals.append(val)
            if cols:
                v = np.asarray(vals, np.float32)
                link[i] += float(lw[cols] @ v)
                gate[i] += float(gw[cols] @ v)
                z[i] += cw[:, cols] @ v
        link = 1.0 / (1.0 + np.exp(-link))
        gate = 1.0 / (1.0 + np.exp(-gate))
        z -= z.max(axis=1, keepdims=True) if n else 0
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True) if n else 1
        return link, p.reshape(n, k), gate


MODEL_FILE = "event_model.npz"


def model_from(z: Any) -> EventModel:
    # The weights stay float16 as stored (every analysis worker holds them; the products are
    # computed in float32 all the same, so the results do not change).
    names = [str(s) for s in z["vocab"]]
    return EventModel({n: i for i, n in enumerate(names)}, z["link_w"], z["cat_w"], z["link_sparse_w"],
                      z["cat_sparse_w"], [str(s) for s in z["categories"]],
                      dict(zip((str(s) for s in z["categories"]), (str(s) for s in z["codes"]))),
                      str(z["vector_model"]), int(z["dim"]), float(z["threshold"]), z["gate_w"],
                      z["gate_sparse_w"], float(z["gate"]),
                      float(z["recategorise"]) if "recategorise" in z.files else 2.0)


@cache
def load_model() -> EventModel | None:
    """The packaged model, or None when it is not there (the rules then code alone)."""
    res = resources.files("newstrace.data").joinpath(MODEL_FILE)
    if not res.is_file():
        return None
    with resources.as_file(res) as path, np.load(path, allow_pickle=False) as z:
        return model_from(z)
