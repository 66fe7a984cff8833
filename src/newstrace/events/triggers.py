"""Triggers and frames: which event a token heads, as a CAMEO code (or a kind of event).

A verb (or an adjective after "be") takes the code of the dictionary's pattern that names the
most words around it; a light verb takes its object noun's ("launched attacks"); a frame takes
the code of the event it governs, composed ("urged Iran to show restraint" is 0256, "vowed to
launch attacks" 1384); an aspect verb passes it on ("resumed shelling"). `Modality` then says
the event's mode, and a killing's means may say how it was done ("killed by warplanes", 195).
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

from newstrace.events.codes import CONFLICT, FIGHTING, MATERIAL_CONFLICT, THREAT_OR_FORCE, root_of
from newstrace.events.dictionary import Dictionary
from newstrace.events.words import WORDS



def going_to(tok: Any) -> bool:
    """"going" (or "gonna") with an infinitive: the future of the verb it governs."""
    return tok.lower_ in ("going", "gonna") and any(
        c.dep_ == "xcomp" and (tok.lower_ == "gonna" or any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children))
        for c in tok.children)


@dataclass(slots=True)
class Found:
    """An event a token heads: its code (or kind), and the frame and event it composes."""
    code: str
    tok: Any
    frame: str | None = None
    inner: Found | None = None
    mode: str = "asserted"
    noun: Any = None  # the event noun that gave the code, if any
    comp: Any = None  # the clause a frame governs, if any
    agents: list[Any] | None = None  # a role-reversing verb's "from" actors: they act, the subject undergoes


class Lemmas:
    """Lemmas of the few tokens the coder reads, cached by (word, part of speech) and shared by
    the coder's parts (spaCy's rule lemmatizer is loaded but not run on the whole parse)."""

    def __init__(self) -> None:
        self._lemmatizer: Any = None
        self._lemmas: dict[tuple[str, str], str] = {}

    def lemma(self, tok: Any) -> str:
        key = (tok.lower_, tok.pos_)
        got = self._lemmas.get(key)
        if got is None:
            got = tok.lower_
            if tok.pos_ in ("VERB", "NOUN", "ADJ", "AUX"):
                if self._lemmatizer is None:
                    from newstrace.language.nlp import load_parser
                    self._lemmatizer = load_parser().get_pipe("lemmatizer")
                try:
                    got = self._lemmatizer.rule_lemmatize(tok)[0].lower()
                except Exception:  # noqa: BLE001 - an odd token keeps its own form
                    got = tok.lower_
            self._lemmas[key] = got
        return got


class Triggers:
    """The event a token heads, frames composed."""

    def __init__(self, words: Dictionary, lemmas: Lemmas, modality: Callable[[Any, Found], None]) -> None:
        self.words = words
        self.lemma = lemmas.lemma
        self.modality = modality
        frames = words.frames
        # frame words, gathered once (they are looked up for every candidate verb)
        self.any_frame: frozenset[str] = frozenset().union(*frames.values())
        self._addressing = frames.get("demand", frozenset()) | frames.get("appeal", frozenset()) | \
            frames.get("threaten", frozenset())  # frames whose clause names whom they address
        self._frame_nouns = self._addressing | frames.get("intent", frozenset())  # "renewed an appeal to ..."

    def is_trigger(self, tok: Any) -> bool:
        """Whether `tok` may head an event: a verb (not a modifier), or an adjective after "be"."""
        if tok.pos_ == "VERB":
            if tok.dep_ in ("amod", "compound", "nmod", "npadvmod", "nsubj", "dobj", "pobj"):
                return False
            if going_to(tok):
                return False  # "is going to meet": a future, not a journey (the verb it governs is the event)
            if tok.dep_ == "acl" and tok.tag_ == "VBN" and not any(c.dep_ == "agent" for c in tok.children):
                return False  # "a letter handed over to the UN": a description
            if tok.dep_ == "pcomp" and (tok.head.head.pos_ in ("NOUN", "PROPN")
                                        or tok.head.head.dep_ in ("acl", "amod")) and \
                    tok.head.head.lower_ not in ("process", "course", "act", "midst"):
                return False  # "the chances of resuming talks", "a meeting aimed at establishing"
            return True
        if tok.pos_ == "ADJ":
            return tok.dep_ in ("acomp", "ROOT", "xcomp", "ccomp", "conj", "advcl", "oprd")
        return tok.pos_ == "AUX" and tok.dep_ == "ROOT"

    def _around(self, tok: Any) -> set[str]:
        """The words a pattern may name around its head."""
        out: set[str] = set()
        for c in tok.children:
            d = c.dep_
            if d in ("prt", "prep", "agent", "dative"):
                out.add(c.lower_)
                for g in c.children:
                    if g.dep_ in ("pobj", "pcomp"):
                        out.update(self._noun_words(g))
            elif d in ("dobj", "attr", "acomp", "oprd", "nsubjpass", "npadvmod"):
                out.update(self._noun_words(c))
                for g in c.children:
                    if g.dep_ == "prep":
                        out.add(g.lower_)
                        for h in g.children:
                            if h.dep_ == "pobj":
                                out.update(self._noun_words(h))
            elif d in ("xcomp", "ccomp", "advcl"):
                out.add(self.lemma(c))
                for g in c.children:
                    if g.dep_ in ("aux", "mark") and g.lower_ == "to":
                        out.add("to")
                    elif g.dep_ in ("dobj", "prt"):
                        out.update(self._noun_words(g))
            elif d == "aux" and c.lower_ == "to":
                out.add("to")
            elif d == "neg":
                out.add("not")
        return out

    def _noun_words(self, tok: Any) -> set[str]:
        words = {tok.lower_, self.lemma(tok)}
        joined = _hyphenated(tok)
        if joined:  # "cease-fire" is a ceasefire
            words |= {joined, joined.replace("-", "")}
        for c in tok.children:
            if c.dep_ in ("compound", "amod", "nmod") and c.i < tok.i:
                words.add(c.lower_)
                words.add(self.lemma(c))
        return words

    def pattern_code(self, tok: Any) -> tuple[str, int] | None:
        """The best pattern of `tok` as (code, words matched), or None."""
        pats = self.words.patterns.get(self.lemma(tok))
        if not pats:
            return None
        around = None
        objects: set[str] | None = None
        best: tuple[int, int, int, str] | None = None
        for p in pats:
            hits = 0
            if p.words:
                if around is None:
                    around = self._around(tok)
                    objects = set()
                    for c in tok.children:
                        if c.dep_ in ("dobj", "attr", "nsubjpass"):
                            objects |= self._noun_words(c)
                if not all(w in around for w in p.words):
                    continue
                hits = sum(w in objects for w in p.words)  # type: ignore[operator]
            key = (len(p.words), hits, -p.order, p.code)  # ties: the pattern naming the object
            if best is None or key > best:
                best = key
        return (best[3], best[0]) if best else None

    def noun_code(self, tok: Any) -> str | None:
        """What an event noun names ("air strikes" 195, "restraint" 087), or None."""
        if tok.pos_ not in ("NOUN", "PROPN", "ADJ", "VERB"):
            return None
        mods = [c for c in tok.children if c.dep_ in ("compound", "amod", "nmod") and c.i < tok.i]
        nouns = self.words.nouns
        for m in mods:  # "humanitarian aid", "air strikes"
            for head in (tok.lower_, self.lemma(tok)):
                key = f"{m.lower_} {head}"
                if key in nouns:
                    return nouns[key]
        for c in tok.children:  # "lifting of sanctions"
            if c.dep_ == "prep" and c.lower_ == "of":
                for g in c.children:
                    key = f"{tok.lower_} of {g.lower_}"
                    if key in nouns:
                        return nouns[key]
        got = nouns.get(tok.lower_) or nouns.get(self.lemma(tok))
        joined = _hyphenated(tok)
        if got is None and joined:
            got = nouns.get(joined) or nouns.get(joined.replace("-", ""))
        if got is None and tok.lower_ in WORDS.wrappers:
            for c in tok.children:  # "calls for immediate economic aid"
                if c.dep_ == "prep" and c.lower_ in ("for", "to"):
                    for g in c.children:
                        if g.dep_ in ("pobj", "pcomp"):
                            got = self.noun_code(g) if g.dep_ == "pobj" else None
                            if got:
                                return got
        if got is None and (tok.lower_ in WORDS.generic_heads or tok.lower_ in WORDS.measure or tok.like_num
                            or tok.tag_ == "$"):
            for m in mods:  # "a mediation effort"
                got = nouns.get(m.lower_) or nouns.get(self.lemma(m))
                if got:
                    return got
            for c in tok.children:  # "700 kg of medicine", "10 days of war games"
                if c.dep_ == "prep" and c.lower_ == "of":
                    for g in c.children:
                        if g.dep_ == "pobj":
                            got = self.noun_code(g)
                            if got:
                                return got
        return got

    def _complement(self, tok: Any) -> Any:
        for dep in ("xcomp", "ccomp"):
            for c in tok.children:
                if c.dep_ == dep and c.pos_ in ("VERB", "ADJ", "AUX", "NOUN"):
                    return c
        for c in tok.children:  # "pressed Moscow to deliver jets", parsed as a purpose clause
            if c.dep_ == "advcl" and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children):
                return c
        for c in tok.children:  # "committed to opening up", "refrain from attacking", "accused of violating"
            if c.dep_ == "prep" and c.lower_ in ("to", "from", "on", "of"):
                for g in c.children:
                    if g.dep_ == "pcomp" and g.pos_ == "VERB":
                        return g
        for c in tok.children:  # "reached a consensus to exchange", "offered its troops to help"
            if c.dep_ in ("dobj", "attr"):
                for g in c.children:
                    if g.dep_ in ("acl", "relcl") and any(h.lower_ == "to" for h in g.children):
                        return g
        return None

    def _object_noun(self, tok: Any) -> tuple[Any, str] | None:
        """The event noun a verb takes: its object, or the object of "for"/"of"/"to" (and of
        "under" after a role-reversing verb: "came under attack")."""
        cands = [c for c in tok.children if c.dep_ in ("dobj", "attr", "nsubjpass", "oprd")]
        preps = ("for", "of", "to", "on", "upon", "in", "with", "under") if self.lemma(tok) in WORDS.reversing \
            else ("for", "of", "to", "on", "upon", "in", "with")
        for c in tok.children:
            if c.dep_ in ("prep", "prt") and c.lower_ in preps:
                cands += [g for g in c.children if g.dep_ == "pobj"]
        for c in cands:
            for n in [c, *c.conjuncts]:
                code = self.noun_code(n)
                if code:
                    return n, code
        return None

    def _frame_kind(self, lemma: str, inner: str) -> str | None:
        frames = self.words.frames
        conflict = root_of(inner) in CONFLICT
        if conflict and lemma in frames.get("threaten", ()) and root_of(inner) in THREAT_OR_FORCE:
            return "threaten"
        for kind in ("deny", "abstain", "reject", "consider", "accuse", "demand", "appeal", "intent", "threaten"):
            if lemma in frames.get(kind, ()):
                if kind == "intent" and conflict:
                    continue
                if kind == "demand" and lemma in frames.get("appeal", ()):
                    continue
                return kind
        return None

    def find(self, tok: Any, memo: dict[int, Found | None], depth: int = 0) -> Found | None:
        """The event `tok` heads, frames composed; None if it heads none."""
        if tok.i in memo:
            return memo[tok.i]
        memo[tok.i] = None
        if depth > 6:
            return None
        lemma = self.lemma(tok)
        own = self.pattern_code(tok)
        found: Found | None = None
        comp = self._complement(tok)
        inner = None
        if comp is not None and lemma not in WORDS.speech:
            inner = self.find(comp, memo, depth + 1)
        noun = self._object_noun(tok)
        if inner is not None and noun is not None and comp is not None and comp.dep_ == "advcl" and (
                lemma in WORDS.light or lemma in WORDS.aspect):
            inner = None  # "started a hunger strike to protest": the object is the event
        if inner is not None and noun is not None:
            # "offered its troops to help": the object says more than the purpose clause
            if noun[1][:2] == inner.code[:2] and noun[1][:1].isdigit() and len(noun[1]) >= len(inner.code):
                inner = None
            else:
                noun = None
        inner_code = inner.code if inner else noun[1] if noun else None
        kind = self._frame_kind(lemma, inner_code) if inner_code else None
        if kind == "appeal" and lemma in WORDS.desire and comp is not None and comp.dep_ == "xcomp" and \
                root_of(inner_code) not in CONFLICT and not any(c.dep_ in ("dobj", "dative") for c in tok.children):
            kind = "intent"  # "Ghana and Togo want to deepen ties": what the subject means to do itself
        phrase = own is not None and own[1] >= 2  # "called off a strike": a phrase of its own beats the frame
        if lemma in WORDS.speech and comp is not None and comp.dep_ == "ccomp" and any(
                c.dep_ == "aux" and c.lower_ in WORDS.modal_must for c in comp.children):
            # "said US forces must ensure security": a demand
            inner = self.find(comp, memo, depth + 1)
            kind, inner_code = "demand", (inner.code if inner else "100")
        if kind is None and lemma in WORDS.light and inner is not None:
            # "renewed an appeal to Belgium to extradite": the frame is the object noun
            for c in tok.children:
                if c.dep_ == "dobj" and self.lemma(c) in self._frame_nouns:
                    kind = self._frame_kind(self.lemma(c), inner.code)
        if inner is None and noun is None and lemma in WORDS.happen and (own is None or own[1] == 0):
            for c in tok.children:  # "Palestinian riots against Israeli policies are continuing"
                if c.dep_ == "nsubj" and c.pos_ == "NOUN":
                    code = self.noun_code(c)
                    if code and root_of(code) in MATERIAL_CONFLICT:
                        found = Found(code, tok, noun=c)
                        self.modality(tok, found)
                        self._means(tok, found)
                        memo[tok.i] = found
                        return found
        if kind is None and lemma in WORDS.aspect and inner is not None:
            kind, inner_code = "aspect", inner.code
        if kind == "aspect":
            found = Found(inner_code, tok, "aspect", inner)
            found.mode = inner.mode if inner is not None else "asserted"
        elif kind == "abstain":
            code = self.words.compose_code(kind, inner_code)
            if inner is not None:
                inner.mode = "negated"
            if not code:
                memo[tok.i] = None
                return None
            found = Found(code, tok, kind, inner)
        elif kind == "deny":
            found = Found("016", tok, "deny", inner)
            if inner is not None:
                inner.mode = "denied"
        elif kind and inner_code:
            found = Found(own[0] if phrase and own else self.words.compose_code(kind, inner_code), tok, kind, inner,
                          noun=noun[0] if noun and inner is None else None)
            if inner is not None and inner.mode != "asserted":
                found.mode = inner.mode
        elif noun and lemma in WORDS.reversing and agents_of(tok):
            # "received rifles from the Malian army": the army gives, the rebels receive
            found = Found(noun[1], tok, noun=noun[0], agents=agents_of(tok))
        elif noun and (lemma in WORDS.light or (own is not None and own[1] == 0 and own[0][:2] == noun[1][:2]
                                                and noun[1][:1].isdigit())):
            if own is None or (own[1] <= 1 and own[0][:2] != noun[1][:2]) or (lemma in WORDS.light and own[1] == 0):
                found = Found(noun[1], tok, noun=noun[0])  # a kind ("reform") until it is emitted
            else:
                found = Found(own[0], tok)
        elif own is not None:
            found = Found(own[0], tok)
        if found is None:
            # a frame over a clause with no code of its own ("demanded that Hamas renounce ...")
            if comp is not None and lemma not in WORDS.speech and own is not None:
                found = Found(own[0], tok)
            else:
                return None
        if found.frame is not None or lemma in self._addressing:
            found.comp = comp
        self.modality(tok, found)
        self._means(tok, found)
        memo[tok.i] = found
        return found

    def _means(self, tok: Any, found: Found) -> None:
        """An assault or a killing coded by what it was done with ("killed by Israeli warplanes"
        is an air strike, 195)."""
        if found.code in ("1823", "182", "190"):
            # killed by aircraft, in an attack: the means says how
            means = WORDS.means
            for c in tok.children:
                if c.dep_ in ("nsubj", "agent"):
                    heads = [c] if c.dep_ == "nsubj" else [g for g in c.children if g.dep_ == "pobj"]
                    for h in heads:
                        code = means.get(h.lower_) or next((means[m.lower_] for m in h.children
                                                             if m.lower_ in means), None)
                        nc = self.noun_code(h) if h.pos_ == "NOUN" else None
                        if nc and root_of(nc) in FIGHTING and nc != found.code:
                            code = nc
                        if code:
                            found.code = code
                elif c.dep_ == "prep" and c.lower_ in ("in", "during"):
                    for g in c.children:
                        nc = self.noun_code(g) if g.dep_ == "pobj" else None
                        if nc and root_of(nc) in FIGHTING and nc not in ("1823", "182"):
                            found.code = nc


def uncompose(words: Dictionary, code: str) -> str:
    """The event an intent code (03x) promises: 0332 -> 072."""
    for k, v in words.compose.get("intent", {}).items():
        if v == code and k[:1].isdigit() and k != "*":
            return k
    return code


def digits(code: str) -> str:
    """A code of at least three digits: a root gets its 0 ("19" -> "190"), a kind of event its
    code (`kinds` in event_words.toml), anything else is a statement (010)."""
    if code.isdigit():
        return code if len(code) >= 3 else code + "0"
    return WORDS.kinds.get(code, "010")


def _hyphenated(tok: Any) -> str | None:
    """A word the tokenizer split at its hyphens ("cease-fire"), lower case, or None."""
    doc, i = tok.doc, tok.i
    start = i
    while start >= 2 and doc[start - 1].text == "-" and not doc[start - 1].whitespace_ \
            and not doc[start - 2].whitespace_:
        start -= 2
    if start == i:
        return None
    return doc[start:i + 1].text.lower()


def agents_of(verb: Any) -> list[Any]:
    """Who acts on the subject of a role-reversing verb: the objects of "from" (or "by") on the
    verb or on its object ("received rifles from the army", "faces pressure from Washington")."""
    out: list[Any] = []
    for h in [verb, *[c for c in verb.children if c.dep_ in ("dobj", "pobj")],
              *[g for c in verb.children if c.dep_ == "prep" and c.lower_ == "under" for g in c.children]]:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in ("from", "by"):
                out += [g for g in c.children if g.dep_ == "pobj"]
    return out
