"""Event coding from spaCy's dependency parse: who did what to whom, as CAMEO codes.

For each verb (or adjective after "be") the dictionary's patterns give a code; verbs that
govern another event (frames: appeals, promises, demands, refusals, threats, denials) take
their code from it ("urged Iran to show restraint" is 0256, "vowed to launch attacks" 1384).
The source is the clause's subject (or the agent of a passive), climbing through infinitives,
participles and relative clauses; the target is the object, the dative, or the actor of a
prepositional phrase, else the actor inside the object ("condemned Israel's war"). Each
event carries its mode: asserted, negated ("did not attack"), hypothetical ("is expected
to attack", "may strike", "if"), attempted, or denied ("denied supplying weapons"; the
denial itself is coded 016), and, when it stands inside what someone is reported to have
said, that attribution.

Works on one parsed `Doc` (a piece of an article's analysis view) with the entities of the
fast pipeline; offsets are the Doc's characters. `newstrace.events.records` maps them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newstrace.events.actors import INTERNATIONAL, Actor, ActorTable, actor_table, make_code
from newstrace.events.dictionary import Dictionary, dictionary

# Verbs that report speech: what they govern is coded as its own event, attributed; alone,
# with an addressee or an actor spoken of, they are a statement (010).
SPEECH = frozenset({"say", "tell", "announce", "state", "declare", "add", "note", "stress", "claim", "report",
                    "explain", "write", "reiterate", "confirm", "reply", "respond", "quote", "assert",
                    "insist", "indicate", "acknowledge", "emphasize", "emphasise", "suggest", "argue",
                    "contend", "maintain", "affirm", "disclose", "reveal", "tweet", "post", "testify",
                    "conclude", "believe", "think", "hope"})
# Verbs whose object noun names the event ("launched attacks", "reached an agreement").
LIGHT = frozenset({"complete", "speed", "hand", "ship", "donate", "transfer", "renew", "submit", "present", "put", "institute",
                   "implement", "introduce", "enact", "adopt", "seek", "win",
                   "launch", "carry", "conduct", "stage", "mount", "make", "hold", "take", "undertake",
                   "begin", "start", "continue", "resume", "step", "intensify", "escalate", "wage",
                   "perpetrate", "commit", "issue", "give", "express", "voice", "reach", "release",
                   "extend", "pay", "lodge", "file", "impose", "announce", "order", "unleash", "renew",
                   "deliver", "provide", "send", "offer", "supply", "grant"})
# Verbs whose object is the subject of their infinitive ("urged Tehran to avoid ...").
OBJECT_CONTROL = frozenset({"urge", "ask", "tell", "order", "force", "allow", "help", "invite", "encourage",
                            "press", "call", "persuade", "convince", "warn", "advise", "request", "instruct",
                            "compel", "permit", "enable", "pressure", "push", "want", "expect", "beg", "implore"})
TARGET_PREPS = ("against", "on", "upon", "to", "with", "at", "toward", "towards", "into", "between", "for",
                "from", "over", "in")
# Nouns that measure or wrap what they govern ("700 kg of medicine", "a mediation effort").
MEASURE = frozenset({"kg", "kilogram", "kilograms", "ton", "tons", "tonne", "tonnes", "days", "weeks", "series",
                     "round", "rounds", "wave", "waves", "shipment", "shipments", "package", "batch", "worth",
                     "amount", "number", "lot", "lots", "dozens", "hundreds", "thousands", "millions"})
# Nouns that name a request or a promise of what follows "for" ("calls for economic aid").
WRAPPERS = frozenset({"call", "calls", "appeal", "appeals", "request", "requests", "demand", "demands", "plea",
                      "pleas", "offer", "offers", "pledge", "pledges", "promise", "promises", "proposal",
                      "proposals", "bid", "push"})
MODAL_MUST = frozenset({"must", "should", "ought"})
# Verbs that pass on the event they govern ("resumed shelling", "continued to send arms").
ASPECT = frozenset({"resume", "continue", "begin", "start", "keep", "step", "intensify", "escalate", "renew",
                    "expand", "widen", "broaden", "complete", "finish"})
# Verbs whose subject can be the event itself ("riots are continuing", "fighting erupted").
HAPPEN = frozenset({"continue", "erupt", "break", "resume", "escalate", "intensify", "spread", "rage", "flare",
                    "occur", "take", "happen"})
# What a killing was done with: the CAMEO code of fighting by those means.
WEAPONS = {"aircraft": "195", "jet": "195", "jets": "195", "warplane": "195", "warplanes": "195",
           "helicopter": "195", "helicopters": "195", "gunship": "195", "gunships": "195", "drone": "195",
           "drones": "195", "bomber": "195", "bombers": "195", "airstrike": "195", "predator": "195",
           "tank": "194", "tanks": "194", "artillery": "194", "shell": "194", "shells": "194", "mortar": "194",
           "mortars": "194", "rocket": "194", "rockets": "194", "missile": "194", "missiles": "194",
           "troops": "190", "soldiers": "190", "forces": "190", "army": "190", "gunmen": "193", "sniper": "193",
           "snipers": "193"}
GENERIC_HEADS = frozenset({"delivery", "deliveries", "supply", "supplies", "provision", "shipment", "shipments",
                           "effort", "efforts", "bid", "initiative", "campaign", "process", "mission", "drive",
                           "plan", "programme", "program", "move", "step", "steps", "push", "attempt"})
# Events coded both ways: a telephone call, negotiations.
MUTUAL = frozenset({"041", "046"})
MODAL_WILL = frozenset({"will", "shall", "'ll", "wo", "would"})
MODAL_MAYBE = frozenset({"may", "might", "could", "can"})
PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "him", "her", "them", "us", "me"})
RELATIVE = frozenset({"who", "which", "that", "whom"})
# Event nouns whose possessor is who suffers the event ("Haniyeh's killing"), not who does it.
PATIENT_NOUNS = frozenset({"death", "killing", "assassination", "murder", "arrest", "detention", "release",
                           "execution", "kidnapping", "abduction", "capture", "extradition", "trial",
                           "expulsion", "deportation", "funeral", "injury", "wounding", "ouster", "removal"})
RECIPROCAL = frozenset({"04", "05", "06"})
STATEMENT_CODES = ("010",)
# A speaker newstrace cannot code: a pronoun standing for it stands for nobody it knows.
NOBODY = Actor("", None, None, "", "", 0, 0, "unknown")
# Precision rules (measured in benchmarks/events_coding.py and on the example corpus).
BARE_SECTORS_DROPPED = True
IMPLICIT_DOMESTIC = True
TARGET_NEEDED: frozenset[str] = frozenset()  # {"02", "10", "11", "12", "13"}: dyad F1 0.538, root 0.622


@dataclass(slots=True)
class Event:
    code: str
    trigger: tuple[int, int]  # characters of the verb (or noun)
    sentence: tuple[int, int]
    source: Actor | None  # None only when the coder does not require one (benchmarks)
    target: Actor | None
    mode: str = "asserted"  # asserted, negated, hypothetical, attempted, denied
    frame: str | None = None  # appeal, intent, demand, reject, threaten, deny, consider, accuse, modal
    attribution: dict[str, Any] | None = None
    date: str | None = None
    date_source: str | None = None  # text, article
    depth: int = 0  # of the trigger in the sentence's tree: 0 for its root


@dataclass(slots=True)
class _Found:
    code: str
    tok: Any
    frame: str | None = None
    inner: _Found | None = None
    mode: str = "asserted"
    noun: Any = None  # the event noun that gave the code, if any
    comp: Any = None  # the clause a frame governs, if any


@dataclass(slots=True)
class Context:
    """What the coder knows of the article beyond the sentence."""
    date: str | None = None  # the article's date (ISO)
    dates: list[tuple[int, int, str]] = field(default_factory=list)  # DATE entities with values
    entities: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, label)
    attributions: list[Any] = field(default_factory=list)  # newstrace.attribution.resolve.Resolved
    recent: list[Actor] = field(default_factory=list)  # actors acting in earlier sentences
    people: dict[str, Actor] = field(default_factory=dict)  # names resolved earlier in the article


class Coder:
    def __init__(self, actors: ActorTable | None = None, words: Dictionary | None = None) -> None:
        self.actors = actors or actor_table()
        self.words = words or dictionary()
        frames = self.words.frames
        # frame words, gathered once (they are looked up for every candidate verb)
        self._any_frame: frozenset[str] = frozenset().union(*frames.values())
        self._addressing = frames.get("demand", frozenset()) | frames.get("appeal", frozenset()) | \
            frames.get("threaten", frozenset())  # frames whose clause names whom they address
        self._frame_nouns = self._addressing | frames.get("intent", frozenset())  # "renewed an appeal to ..."
        # Benchmarks of event types alone (sentences without actor labels) turn this off.
        self.require_source = True
        self._lemmatizer: Any = None
        self._lemmas: dict[tuple[str, str], str] = {}

    # ---- words ---------------------------------------------------------------------------
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
        if got is None and tok.lower_ in WRAPPERS:
            for c in tok.children:  # "calls for immediate economic aid"
                if c.dep_ == "prep" and c.lower_ in ("for", "to"):
                    for g in c.children:
                        if g.dep_ in ("pobj", "pcomp"):
                            got = self.noun_code(g) if g.dep_ == "pobj" else None
                            if got:
                                return got
        if got is None and (tok.lower_ in GENERIC_HEADS or tok.lower_ in MEASURE or tok.like_num
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

    # ---- events --------------------------------------------------------------------------
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
        """The event noun a verb takes: its object, or the object of "for"/"of"/"to"."""
        cands = [c for c in tok.children if c.dep_ in ("dobj", "attr", "nsubjpass", "oprd")]
        for c in tok.children:
            if c.dep_ in ("prep", "prt") and c.lower_ in ("for", "of", "to", "on", "upon", "in", "with"):
                cands += [g for g in c.children if g.dep_ == "pobj"]
        for c in cands:
            for n in [c, *c.conjuncts]:
                code = self.noun_code(n)
                if code:
                    return n, code
        return None

    def _frame_kind(self, lemma: str, inner: str) -> str | None:
        frames = self.words.frames
        conflict = inner[:2].isdigit() and int(inner[:2]) >= 9
        if conflict and lemma in frames.get("threaten", ()) and int(inner[:2]) >= 13:
            return "threaten"
        for kind in ("deny", "abstain", "reject", "consider", "accuse", "demand", "appeal", "intent", "threaten"):
            if lemma in frames.get(kind, ()):
                if kind == "intent" and conflict:
                    continue
                if kind == "demand" and lemma in frames.get("appeal", ()):
                    continue
                return kind
        return None

    def find(self, tok: Any, memo: dict[int, _Found | None], depth: int = 0) -> _Found | None:
        """The event `tok` heads, frames composed; None if it heads none."""
        if tok.i in memo:
            return memo[tok.i]
        memo[tok.i] = None
        if depth > 6:
            return None
        lemma = self.lemma(tok)
        own = self.pattern_code(tok)
        found: _Found | None = None
        comp = self._complement(tok)
        inner = None
        if comp is not None and lemma not in SPEECH:
            inner = self.find(comp, memo, depth + 1)
        noun = self._object_noun(tok)
        if inner is not None and noun is not None and comp is not None and comp.dep_ == "advcl" and (
                lemma in LIGHT or lemma in ASPECT):
            inner = None  # "started a hunger strike to protest": the object is the event
        if inner is not None and noun is not None:
            # "offered its troops to help": the object says more than the purpose clause
            if noun[1][:2] == inner.code[:2] and noun[1][:1].isdigit() and len(noun[1]) >= len(inner.code):
                inner = None
            else:
                noun = None
        inner_code = inner.code if inner else noun[1] if noun else None
        kind = self._frame_kind(lemma, inner_code) if inner_code else None
        phrase = own is not None and own[1] >= 2  # "called off a strike": a phrase of its own beats the frame
        if lemma in SPEECH and comp is not None and comp.dep_ == "ccomp" and any(
                c.dep_ == "aux" and c.lower_ in MODAL_MUST for c in comp.children):
            # "said US forces must ensure security": a demand
            inner = self.find(comp, memo, depth + 1)
            kind, inner_code = "demand", (inner.code if inner else "100")
        if kind is None and lemma in LIGHT and inner is not None:
            # "renewed an appeal to Belgium to extradite": the frame is the object noun
            for c in tok.children:
                if c.dep_ == "dobj" and self.lemma(c) in self._frame_nouns:
                    kind = self._frame_kind(self.lemma(c), inner.code)
        if inner is None and noun is None and lemma in HAPPEN and (own is None or own[1] == 0):
            for c in tok.children:  # "Palestinian riots against Israeli policies are continuing"
                if c.dep_ == "nsubj" and c.pos_ == "NOUN":
                    code = self.noun_code(c)
                    if code and code[:1].isdigit() and int(code[:2]) >= 14:
                        found = _Found(code, tok, noun=c)
                        self._modality(tok, found)
                        memo[tok.i] = found
                        return found
        if kind is None and lemma in ASPECT and inner is not None:
            kind, inner_code = "aspect", inner.code
        if kind == "aspect":
            found = _Found(inner_code, tok, "aspect", inner)
            found.mode = inner.mode if inner is not None else "asserted"
        elif kind == "abstain":
            code = self.words.compose_code(kind, inner_code)
            if inner is not None:
                inner.mode = "negated"
            if not code:
                memo[tok.i] = None
                return None
            found = _Found(code, tok, kind, inner)
        elif kind == "deny":
            found = _Found("016", tok, "deny", inner)
            if inner is not None:
                inner.mode = "denied"
        elif kind and inner_code:
            found = _Found(own[0] if phrase and own else self.words.compose_code(kind, inner_code), tok, kind, inner,
                           noun=noun[0] if noun and inner is None else None)
            if inner is not None and inner.mode != "asserted":
                found.mode = inner.mode
        elif noun and (lemma in LIGHT or (own is not None and own[1] == 0 and own[0][:2] == noun[1][:2]
                                          and noun[1][:1].isdigit())):
            if own is None or (own[1] <= 1 and own[0][:2] != noun[1][:2]) or (lemma in LIGHT and own[1] == 0):
                found = _Found(noun[1], tok, noun=noun[0])  # a kind ("reform") until it is emitted
            else:
                found = _Found(own[0], tok)
        elif own is not None:
            found = _Found(own[0], tok)
        if found is None:
            # a frame over a clause with no code of its own ("demanded that Hamas renounce ...")
            if comp is not None and lemma not in SPEECH and own is not None:
                found = _Found(own[0], tok)
            else:
                return None
        if found.frame is not None or lemma in self._addressing:
            found.comp = comp
        self._modality(tok, found)
        memo[tok.i] = found
        return found

    def _uncompose(self, code: str) -> str:
        """The event an intent code (03x) promises: 0332 -> 072."""
        for k, v in self.words.compose.get("intent", {}).items():
            if v == code and k[:1].isdigit() and k != "*":
                return k
        return code

    @staticmethod
    def _digits(code: str) -> str:
        if code.isdigit():
            return code if len(code) >= 3 else code + "0"
        return {"reform": "034", "leadership": "083", "policy": "083", "rights": "083", "regime": "083",
                "settle": "037", "mediation": "045"}.get(code, "010")

    def _modality(self, tok: Any, found: _Found) -> None:
        words = self.words
        for c in tok.children:
            low = c.lower_
            if c.dep_ == "neg":
                found.mode = "negated"
            elif c.dep_ == "aux" and low in MODAL_MAYBE:
                found.mode = "hypothetical" if found.mode == "asserted" else found.mode
            elif c.dep_ == "aux" and low in MODAL_WILL and found.frame is None and found.code.isdigit():
                root = int(found.code[:2])
                if 4 <= root <= 8:
                    found.code, found.frame = self.words.compose_code("intent", found.code), "modal"
                elif root >= 14:
                    found.code, found.frame = self.words.compose_code("threaten", found.code), "modal"
            elif c.dep_ == "mark" and low in ("if", "whether", "unless"):
                found.mode = "hypothetical"
        # governed by "expected", "likely", "may": not (yet) happened
        h, steps = tok, 0
        while h.dep_ in ("xcomp", "ccomp", "acomp", "advcl") and steps < 3:
            h = h.head
            steps += 1
            lem = self.lemma(h)
            if lem in words.hypothetical:
                found.mode = "hypothetical"
            elif lem in words.attempt and found.mode == "asserted":
                found.mode = "attempted"
        for c in tok.children:
            if c.dep_ == "amod" and self.lemma(c) in words.hypothetical:  # an "expected attack"
                found.mode = "hypothetical"
        if found.mode == "negated" and found.code[:1].isdigit() and (
                found.frame in ("intent", "modal") or any(c.dep_ == "aux" and c.lower_ in MODAL_WILL
                                                          for c in tok.children)):
            # "will not accept refugees", "would not meet the demands": a refusal
            base = found.inner.code if found.inner is not None else found.code
            if found.frame == "modal" or (found.inner is None and base[:2] in ("03",)):
                base = self._uncompose(found.code)
            found.code, found.frame, found.mode = self.words.compose_code("reject", base), "reject", "asserted"
        if found.code in ("1823", "182", "190"):
            # killed by aircraft, in an attack: the means says how
            for c in tok.children:
                if c.dep_ in ("nsubj", "agent"):
                    heads = [c] if c.dep_ == "nsubj" else [g for g in c.children if g.dep_ == "pobj"]
                    for h in heads:
                        code = WEAPONS.get(h.lower_) or next((WEAPONS[m.lower_] for m in h.children
                                                              if m.lower_ in WEAPONS), None)
                        nc = self.noun_code(h) if h.pos_ == "NOUN" else None
                        if nc and nc[:1].isdigit() and 18 <= int(nc[:2]) <= 20 and nc != found.code:
                            code = nc
                        if code:
                            found.code = code
                elif c.dep_ == "prep" and c.lower_ in ("in", "during"):
                    for g in c.children:
                        nc = self.noun_code(g) if g.dep_ == "pobj" else None
                        if nc and nc[:1].isdigit() and 18 <= int(nc[:2]) <= 20 and nc not in ("1823", "182"):
                            found.code = nc

    # ---- arguments -----------------------------------------------------------------------
    def _subjects(self, tok: Any, seen: int = 0) -> tuple[list[Any], bool]:
        """Tokens of the source of `tok`'s event, and whether they came from a passive's agent."""
        if seen > 5:
            return [], False
        for c in tok.children:
            if c.dep_ in ("nsubj", "csubj", "expl") and c.dep_ != "expl":
                if c.lower_ in RELATIVE and tok.dep_ == "relcl":
                    return [tok.head], False
                return [c], False
        for c in tok.children:
            if c.dep_ == "agent":
                return [g for g in c.children if g.dep_ == "pobj"], True
        if self.lemma(tok) in self._any_frame:
            for c in tok.children:  # "Vietnam is committed to", "Israel is opposed to"
                if c.dep_ == "nsubjpass":
                    return [c], False
        if any(c.dep_ == "nsubjpass" for c in tok.children) or (tok.dep_ == "relcl" and tok.tag_ == "VBN"):
            # "was killed in an Israeli bombing": the actor of the means
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ in ("in", "by", "during", "after"):
                    for g in c.children:
                        if g.dep_ == "pobj" and self.noun_code(g):
                            mods = [m for m in g.children if m.dep_ in ("amod", "compound", "poss", "nmod")]
                            if mods:
                                return mods, True
            return [], True
        h = tok.head
        if tok.dep_ == "xcomp":
            raised = [c for c in h.children if c.dep_ == "nsubjpass"]
            if raised:  # "Iran is expected to attack", "he was said to have ordered"
                return raised, False
            if self.lemma(h) in OBJECT_CONTROL:
                objs = [c for c in h.children if c.dep_ in ("dobj", "dative")]
                if objs:
                    return objs, False
            return self._subjects(h, seen + 1)
        if tok.dep_ in ("conj", "advcl", "ccomp", "acomp", "attr", "oprd"):
            return self._subjects(h, seen + 1)
        if tok.dep_ == "pcomp":  # "in the process of providing": the clause's verb
            v = h
            while v.pos_ not in ("VERB", "AUX") and v.head.i != v.i:
                v = v.head
            if v.pos_ in ("VERB", "AUX"):
                return self._subjects(v, seen + 1)
        if tok.dep_ in ("acl", "pobj", "relcl", "dobj", "amod"):
            v = h
            while v.pos_ not in ("VERB", "AUX") and v.head.i != v.i:
                v = v.head
            if v.pos_ in ("VERB", "AUX"):
                return self._subjects(v, seen + 1)
        return [], False

    def _targets(self, tok: Any, statement: bool = False, code: str = "") -> list[list[Any]]:
        """Candidate targets of `tok`'s event, best first: each a group of tokens."""
        kids = list(tok.children)
        out: list[list[Any]] = []
        out += [[c] for c in kids if c.dep_ in ("dative", "iobj")]
        dobj = [c for c in kids if c.dep_ == "dobj"]
        out += [[c] for c in dobj if not self._eventish(c)]
        for c in kids:
            if c.dep_ == "nsubjpass":
                out.append([tok.head] if c.lower_ in RELATIVE and tok.dep_ == "relcl" else [c])
        if tok.dep_ == "relcl" and tok.tag_ == "VBN":
            out.append([tok.head])
        preps = {c.lower_: c for c in kids if c.dep_ in ("prep", "prt", "dative")}
        allowed = ("to",) if statement else tuple(
            p for p in TARGET_PREPS if p != "in" or code[:2] != "01")
        for p in allowed:
            if p in preps:
                out.append([g for g in preps[p].children if g.dep_ == "pobj" and not self._patient_event(g)])
        if statement:
            return [g for g in out if g]
        for d in dobj:  # the object's own phrases: "attacks against Israel", "a message ... to Khamenei"
            # "Haniyeh's death on Iranian territory": where, not whom
            dpreps = {} if self._patient_event(d) else {c.lower_: c for c in d.children if c.dep_ == "prep"}
            for p in TARGET_PREPS:
                if p in dpreps and p != "from":
                    out.append([g for g in dpreps[p].children if g.dep_ == "pobj"])
            out.append([d])
        return [g for g in out if g]

    def _patient_event(self, tok: Any) -> bool:
        return self.lemma(tok) in PATIENT_NOUNS

    def _eventish(self, tok: Any) -> bool:
        return tok.pos_ == "NOUN" and self.noun_code(tok) is not None

    def target_actors(self, groups: list[list[Any]], ctx: Context, day: str | None, speaker: Actor | None,
                      near: list[Actor], sources: list[Actor | None] | None = None) -> list[Actor]:
        """The first group of candidates that names actors; one that names only the source's
        own country (or no country) gives way to a later one naming another country
        ("mobilized army reservists for a war against Iraq")."""
        first: list[Actor] = []
        home = {s.country for s in sources or () if s is not None and s.country}
        for g in groups:
            got = self.actors_of(g, ctx, day, speaker, near)
            if not got:
                continue
            if not home or any(a.country and a.country not in home for a in got):
                return got
            if not first:
                first = got
        return first

    # ---- actors --------------------------------------------------------------------------
    def actor(self, tok: Any, ctx: Context, day: str | None, depth: int = 0) -> Actor | None:
        """The actor a token's noun phrase names (looking inside it when it names none)."""
        if _pronoun(tok):
            return None
        a = self._np_actor(tok, ctx, day)
        if a is not None or depth >= 3:
            return a
        # inside: "Turkey's efforts", "a U.N. Security Council resolution", "aid for Romania"
        patient = self.lemma(tok) in PATIENT_NOUNS
        if patient:
            return None  # "Haniyeh's death on Iranian territory" names who suffered it, not who did it
        for c in tok.children:
            if c.dep_ == "poss" and patient:
                continue
            if c.dep_ in ("poss", "compound", "amod", "nmod"):
                got = self.actor(c, ctx, day, depth + 1)
                if got:
                    return got
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("of", "for", "to", "against", "on", "with", "in", "from", "by"):
                if c.lower_ == "of" and patient:
                    continue
                for g in c.children:
                    if g.dep_ == "pobj":
                        got = self.actor(g, ctx, day, depth + 1)
                        if got:
                            return got
        return None

    def _np_actor(self, tok: Any, ctx: Context, day: str | None) -> Actor | None:
        doc = tok.doc
        if tok.pos_ == "NOUN" and self.noun_code(tok) and tok.lower_ not in self.actors.sectors:
            return None  # an event ("Israel's war"): actor() looks inside
        left = tok.i
        for c in tok.lefts:
            left = min(left, c.left_edge.i)
        right = tok.i
        for c in tok.rights:  # "President Elias Hrawi" split, "the government of Iran"
            if c.dep_ in ("compound", "flat", "appos", "nmod") or (c.dep_ == "prep" and c.lower_ == "of"):
                right = max(right, c.right_edge.i)
        toks = [t for t in doc[left:right + 1] if not t.is_punct or t.text in (".", "&", "-")]
        while toks and toks[0].lower_ in ("the", "a", "an", "its", "their", "his", "her"):
            toks = toks[1:]
        if not toks:
            return None
        table = self.actors
        start, end = toks[0].idx, toks[-1].idx + len(toks[-1])
        text = doc[toks[0].i:toks[-1].i + 1].text  # (Doc.text rebuilds the whole document)
        words = [t.text for t in toks]
        n = len(words)
        person = org = None
        countries: list[tuple[int, str, str, str]] = []  # (position, iso3, name, kind)
        sector: tuple[int, int, str] | None = None  # (position, length, code)
        for size in range(min(table.longest, n), 0, -1):
            for i in range(n - size + 1):
                piece = " ".join(words[i:i + size]).replace(" 's", "'s").replace(" ’s", "’s")
                low = piece.lower()
                if person is None and low in table.people:
                    person = table.people[low]
                if org is None:
                    org = table.orgs_exact.get(piece) or table.orgs_exact.get(piece.replace(".", ""))
                    if org is None and (size > 1 or toks[i].pos_ == "PROPN"):
                        org = table.orgs.get(low)
                bare = low.removesuffix("'s").removesuffix("’s")
                if bare in table.countries and not any(a <= i < a + 1 for a, *_ in countries):
                    iso, cname, kind = table.countries[bare]
                    countries.append((i, iso, cname, kind))
                if size <= 4:
                    lems = " ".join(self.lemma(t) for t in toks[i:i + size])
                    sec = table.sectors.get(low) or table.sectors.get(lems)
                    if sec and (sector is None or (i + size, size) > (sector[0], sector[1])):
                        sector = (i + size, size, sec)
        if person is not None:
            role = person.role_on(day)
            if role is not None:
                iso = role.code[:3]
                intl = iso in INTERNATIONAL  # "IGOUNO": the slot is the sector, then the group
                a = Actor(role.code, iso, iso if intl else role.code[3:6] or None, person.name, text, start, end,
                          "person", (role.code[3:] if intl else role.code[6:]) or None)
                self._remember(ctx, toks, a)
                return a
        if org is not None:
            intl = org.code[:3] in INTERNATIONAL
            return Actor(org.code, org.country, org.sector, org.name, text, start, end, "organisation",
                         (org.code[3:] if intl else org.code[6:]) or None)
        head_low = tok.lower_
        country = None
        if countries:
            countries.sort()
            _, iso, cname, kind = countries[0]
            country = (iso, cname, kind)
        # a person named earlier in the article with a title or a country
        if tok.ent_type_ == "PERSON" or any(t.ent_type_ == "PERSON" for t in toks):
            key = tok.lower_
            if key in ctx.people and country is None and sector is None:
                a = ctx.people[key]
                return Actor(a.code, a.country, a.sector, a.name, text, start, end, "person")
        sec = sector[2] if sector else None
        if country is None and sec is None:
            return None
        if country is not None:
            iso, cname, kind = country
            if kind == "seat" and sec is None and len(toks) <= 3:
                sec = "GOV"
            if kind in ("country",) and sec is None and head_low not in self.actors.countries:
                # a country named inside a phrase that is not an actor ("the war in Gaza")
                if tok.pos_ == "NOUN" and not tok.ent_type_:
                    return None
            code = make_code(iso, sec)
            a = Actor(code, iso, sec, cname, text, start, end, "seat" if kind == "seat" else
                      ("title" if sec and tok.ent_type_ == "PERSON" else "country"))
            if tok.ent_type_ == "PERSON":
                self._remember(ctx, toks, a)
            return a
        if tok.ent_type_ in ("PERSON",) or tok.pos_ in ("NOUN", "PROPN"):
            a = Actor(sec or "", None, sec, text, text, start, end, "sector")
            if tok.ent_type_ == "PERSON":
                self._remember(ctx, toks, a)
            return a
        return None

    @staticmethod
    def _remember(ctx: Context, toks: list[Any], a: Actor) -> None:
        names = [t for t in toks if t.ent_type_ == "PERSON"]
        if names:
            ctx.people[names[-1].lower_] = a
            ctx.people[" ".join(t.lower_ for t in names)] = a

    def actors_of(self, toks: list[Any], ctx: Context, day: str | None, speaker: Actor | None,
                  near: list[Actor]) -> list[Actor]:
        out: list[Actor] = []
        for t in toks:
            for m in [t, *t.conjuncts]:
                if any(o.start <= m.idx < o.end for o in out):
                    continue  # "Russian President and Iran's ally Vladimir Putin" is one actor
                if _pronoun(m):
                    a = self._pronoun(m, speaker, near, ctx)
                else:
                    a = self.actor(m, ctx, day)
                if a is not None and a.country is None and a.how == "sector":
                    a = self._with_country(m, a, ctx, day)
                if a is not None and all(a.code != o.code for o in out):
                    out.append(a)
                if a is not None and not _pronoun(m):
                    out += [b for b in self._coordinated_countries(m, a) if all(b.code != o.code for o in out)]
        return out

    def _place(self, tok: Any, ctx: Context, day: str | None) -> Actor | None:
        """The country where the event happens ("in southern Gaza"), if the clause says."""
        for h in [tok, *[c for c in tok.children if c.dep_ == "dobj"]]:
            for c in h.children:
                if c.dep_ == "prep" and c.lower_ in ("in", "inside", "near"):
                    for g in c.children:
                        if g.dep_ == "pobj":
                            got = self.actor(g, ctx, day)
                            if got is not None and got.country and got.country not in INTERNATIONAL:
                                return got
        return None

    def actors_in(self, sent: Any, ctx: Context, day: str | None) -> list[Actor]:
        """The countries (and international bodies) a sentence's named entities stand for."""
        out = []
        for ent in sent.ents:
            if ent.label_ in ("GPE", "NORP", "ORG"):
                got = self.actor(ent.root, ctx, day)
                if got is not None and got.country:
                    out.append(got)
        return out

    def _only_country(self, sent: Any) -> Actor | None:
        """The one country a sentence names, if it names exactly one ("Papandreou demanded
        elections ... in Greece's biggest scandal")."""
        found: dict[str, Actor] = {}
        for ent in sent.ents:
            if ent.label_ not in ("GPE", "NORP"):
                continue
            key = ent.text.lower().removesuffix("'s").removesuffix("’s")
            key = key[4:] if key.startswith("the ") else key
            hit = self.actors.countries.get(key)
            if hit:
                found[hit[0]] = Actor(hit[0], hit[0], None, hit[1], ent.text, ent.start_char, ent.end_char, "country")
        return next(iter(found.values())) if len(found) == 1 else None

    @staticmethod
    def _inherit(a: Actor, place: Actor) -> Actor:
        return Actor(make_code(place.country, a.sector), place.country, a.sector, a.name, a.text, a.start, a.end,
                     a.how, a.group)

    def _with_country(self, tok: Any, a: Actor, ctx: Context, day: str | None) -> Actor:
        """A sector named without its country ("doctors from two American aid groups"): the
        country inside the phrase, if any."""
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("from", "of", "in"):
                for g in c.children:
                    if g.dep_ == "pobj":
                        got = self.actor(g, ctx, day)
                        if got is not None and got.country:
                            code = make_code(got.country, a.sector)
                            return Actor(code, got.country, a.sector, got.name, a.text, a.start, a.end, "sector")
        return a

    def _coordinated_countries(self, tok: Any, a: Actor) -> list[Actor]:
        """"French and Egyptian warships", "U.S. and Russian negotiators": one actor per country."""
        out = []
        for c in tok.children:
            if c.dep_ in ("amod", "compound", "nmod") and c.i < tok.i:
                for m in c.conjuncts:
                    key = m.lower_.removesuffix("'s")
                    hit = self.actors.countries.get(key)
                    if hit and hit[0] != a.country:
                        iso, name, _ = hit
                        out.append(Actor(make_code(iso, a.sector), iso, a.sector, name, m.text, m.idx,
                                         m.idx + len(m), "country"))
        return out

    @staticmethod
    def _pronoun(tok: Any, speaker: Actor | None, near: list[Actor], ctx: Context) -> Actor | None:
        low = tok.lower_
        if speaker is NOBODY:
            return None
        if speaker is not None and low in ("i", "we", "me", "us", "he", "she", "it", "they"):
            a = speaker
        else:
            # the nearest actor that agrees: "he" and "she" are people, "it" is not
            people = ("person", "title")
            fits = [c for c in [*ctx.recent, *near] if c is not NOBODY and (
                (low in ("he", "she", "him", "her") and c.how in people)
                or (low == "it" and c.how not in people) or low not in ("he", "she", "him", "her", "it"))]
            if not fits:
                return None
            a = fits[-1]
        return Actor(a.code, a.country, a.sector, a.name, tok.text, tok.idx, tok.idx + len(tok), "pronoun", a.group)

    # ---- sentences -----------------------------------------------------------------------
    def code_sentence(self, sent: Any, ctx: Context) -> list[Event]:
        memo: dict[int, _Found | None] = {}
        found: list[_Found] = []
        consumed: set[int] = set()
        for tok in sent:
            if self._trigger(tok):
                f = self.find(tok, memo)
                if f is not None:
                    found.append(f)
                    inner = f.inner
                    while inner is not None:
                        if f.frame != "deny":
                            consumed.add(inner.tok.i)
                            consumed.update(c.i for c in inner.tok.conjuncts)
                        inner = inner.inner
        events: list[Event] = []
        day_default = ctx.date
        near: list[Actor] = []
        s_span = (sent.start_char, sent.end_char)
        for f in found:
            if f.tok.i in consumed:
                continue
            tok = f.tok
            if f.mode == "asserted" and self._purpose(tok):
                f.mode = "hypothetical"  # "met to discuss": what a clause is for has not happened
            if not f.code[:1].isdigit():
                f.code = self._digits(f.code)
            if tok.dep_ == "relcl" and int(f.code[:2]) < 14:
                continue  # "rebels who entered the country": background, unless it is violence
            day, day_source = self._date(tok, sent, ctx)
            when = day or day_default  # who held an office then
            speaker, attribution = self._speaker(tok, sent, ctx, when)
            subj, _ = self._subjects(tok)
            sources = self.actors_of(subj, ctx, when, self._speaker_for(tok, subj, speaker, ctx, when), near)
            targets = self._frame_targets(f, sources, ctx, when, speaker, near)
            if f.code in STATEMENT_CODES and not targets:
                continue
            sources = [a for a in sources if not (a.country is None and a.sector in ("CVL", "")
                                                  and int(self._digits(f.code)[:2]) <= 13)]
            if not sources:
                if self.require_source:
                    continue
                sources = [None]  # type: ignore[list-item]
            if any(t.country is None for t in targets):
                # "accepted demands from rebels": a group named without its country belongs to
                # where the event happens, else to the source's country
                place = self._place(tok, ctx, when) or next((s for s in sources if s is not None and s.country
                                                            and s.country[:3] not in INTERNATIONAL), None)
                if place is not None:
                    targets = [self._inherit(t, place) if t.country is None else t for t in targets]
            if any(s is not None and s.country is None for s in sources):
                place = self._place(tok, ctx, when) or next((t for t in targets if t.country
                                                            and t.country not in INTERNATIONAL), None) \
                    or self._only_country(sent)
                if place is not None:
                    sources = [self._inherit(s, place) if s is not None and s.country is None else s
                               for s in sources]
            targets = [t for t in targets if all(s is None or not _same(s, t) for s in sources)]
            if BARE_SECTORS_DROPPED:
                # "the company declined to comment", "fishermen said": a sector alone, nobody known
                sources = [a for a in sources if a is None or not _bare_sector(a)] if self.require_source else [
                    None if a is not None and _bare_sector(a) else a for a in sources]  # type: ignore[misc]
                if not sources:
                    continue
            if not targets and IMPLICIT_DOMESTIC and self._digits(f.code)[:2] >= "09":
                # a hostile act with no target named, in a sentence naming no other country: aimed
                # at the source's own country ("Algerian landowners began a hunger strike")
                home = next((a for a in sources if a is not None and a.country and a.country not in INTERNATIONAL),
                            None)
                others = {a.country for a in self.actors_in(sent, ctx, when)} - {home.country if home else None}
                if home is not None and not others:
                    targets = [Actor(home.country, home.country, None, self.actors.country_names.get(
                        home.country, home.country), "", tok.idx, tok.idx, "implicit")]
            if not targets and f.code[:2] in TARGET_NEEDED:
                continue  # an appeal, demand, accusation, refusal or threat addressed to nobody named
            if f.code.startswith("183") and any(s is not None and s.country and s.country not in INTERNATIONAL
                                                and s.sector in (None, "MIL", "GOV") for s in sources):
                f.code = "195"  # a state's bombing is an air strike, not a terrorist bomb
            pairs: list[tuple[Actor, Actor | None]] = []
            if len(sources) > 1 and f.code[:2] in RECIPROCAL | {"03"}:
                pairs = [(a, b) for a in sources for b in sources if a is not b]
            else:
                pairs = [(s, t) for s in sources for t in (targets or [None])]
                if f.code in MUTUAL:
                    pairs += [(t, s) for s, t in pairs if t is not None and s is not None]
            depth = 0
            h = tok
            while h.head.i != h.i and depth < 20:
                h, depth = h.head, depth + 1
            for s, t in pairs:
                events.append(Event(f.code, (tok.idx, tok.idx + len(tok)), s_span, s, t, f.mode, f.frame,
                                    attribution, day or day_default, day_source if day else
                                    ("article" if day_default else None), depth))
                if f.inner is not None and f.frame == "deny":
                    inner = f.inner
                    isub, _ = self._subjects(inner.tok)
                    isrc = self.actors_of(isub, ctx, when, s, near) or [s]
                    itg = self.target_actors(self._targets(inner.tok), ctx, day, speaker, near)
                    for a in isrc:
                        for b in itg or [None]:
                            if b is None or b.code != a.code:
                                events.append(Event(self._digits(inner.code), (inner.tok.idx, inner.tok.idx + len(inner.tok)),
                                                    s_span, a, b, "denied", None, attribution, day or day_default,
                                                    day_source if day else ("article" if day_default else None),
                                                    depth + 1))
            near.extend(a for a in sources if a is not None)
        if near:
            ctx.recent = (ctx.recent + near)[-6:]
        others = {f.tok.i for f in found if f.code not in STATEMENT_CODES}
        if any(e.code not in STATEMENT_CODES for e in events) or others:
            # "X said": a statement only when what was said is no event of its own
            events = [e for e in events if e.code not in STATEMENT_CODES or e.frame is not None]
        return events

    def _trigger(self, tok: Any) -> bool:
        """Whether `tok` may head an event: a verb (not a modifier), or an adjective after "be"."""
        if tok.pos_ == "VERB":
            if tok.dep_ in ("amod", "compound", "nmod", "npadvmod", "nsubj", "dobj", "pobj"):
                return False
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

    @staticmethod
    def _purpose(tok: Any) -> bool:
        """An infinitive that is not governed by a frame: a purpose or a noun's complement."""
        if not any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
            return False
        return tok.dep_ in ("advcl", "acl", "relcl")

    def _frame_targets(self, f: _Found, sources: list[Actor], ctx: Context, day: str | None,
                       speaker: Actor | None, near: list[Actor]) -> list[Actor]:
        tok = f.tok

        def ta(groups: list[list[Any]], c: Any, d: Any, spk: Any, nr: Any) -> list[Actor]:
            return self.target_actors(groups, c, d, spk, nr, sources)

        statement = f.code in STATEMENT_CODES and f.frame is None
        if f.noun is not None and f.noun.dep_ == "nsubj":  # the subject is the event: its own phrases
            return ta(self._targets(f.noun, False, f.code), ctx, day, speaker, near)
        if f.frame is None or f.frame == "modal":
            got = ta(self._targets(tok, statement, f.code), ctx, day, speaker, near)
            if not got and statement:  # "said NATO would need to remain strong"
                subj = [[g] for c in tok.children if c.dep_ == "ccomp" for g in c.children
                        if g.dep_ in ("nsubj", "nsubjpass") and g.lower_ not in PRONOUNS]
                got = [a for a in ta(subj, ctx, day, speaker, near)
                       if all(a.code != s.code for s in sources if s is not None)]
            return got
        # a frame: whom it addresses ("urged Tehran", "called on Iran"), else who the that-clause
        # is about ("warned that Hezbollah would pay"), else the target of what it governs
        direct = [[c] for c in tok.children if c.dep_ in ("dobj", "dative", "iobj") and (f.noun is None or c.i != f.noun.i)
                  and not self._eventish(c)]
        direct += [[g for g in c.children if g.dep_ == "pobj"] for c in tok.children
                   if c.dep_ in ("prep", "prt") and c.lower_ in ("on", "upon", "to", "with")]
        direct += [[g for g in p.children if g.dep_ == "pobj"] for c in tok.children if c.dep_ == "dobj"
                   for p in c.children if p.dep_ == "prep" and p.lower_ in ("to", "on", "upon", "against", "with")]
        got = ta([g for g in direct if g], ctx, day, speaker, near)
        if got:
            return got
        inner = f.inner
        if inner is None and f.comp is not None:
            subj = [[c] for c in f.comp.children if c.dep_ in ("nsubj", "nsubjpass")]
            got = [a for a in ta(subj, ctx, day, speaker, near)
                   if all(s is None or a.code != s.code for s in sources)]
            if got:
                return got
        if inner is not None:
            if inner.tok.dep_ == "ccomp":
                subj = [[c] for c in inner.tok.children if c.dep_ in ("nsubj", "nsubjpass")]
                got = [a for a in ta(subj, ctx, day, speaker, near)
                       if all(s is None or a.code != s.code for s in sources)]
                if got:
                    return got
            return ta(self._targets(inner.tok), ctx, day, speaker, near)
        if f.noun is not None:
            return ta(self._targets(tok) + [[f.noun]], ctx, day, speaker, near)
        return ta(self._targets(tok), ctx, day, speaker, near)

    def _speaker(self, tok: Any, sent: Any, ctx: Context, day: str | None) -> tuple[Actor | None, dict[str, Any] | None]:
        """Who is reported to have said what holds `tok`, as an actor and as an attribution."""
        for r in ctx.attributions:
            a = r.attribution
            parts = a.parts or (a.content,)
            if not any(p.start <= tok.idx < p.end for p in parts):
                continue
            sp = r.speaker
            actor = None
            if a.source is not None:
                span = tok.doc.char_span(a.source.start, a.source.end, alignment_mode="expand")
                src_tok = span.root if span is not None and len(span) else None
                if src_tok is not None:
                    actor = self.actor(src_tok, ctx, day)
            info = {"source": sp.name if sp else None, "kind": sp.type if sp else None,
                    "source_actor": actor.code if actor else None, "cue": a.cue, "direct": a.direct}
            return actor, info
        return None, None

    def _speaker_for(self, tok: Any, subj: list[Any], speaker: Actor | None, ctx: Context,
                     day: str | None) -> Actor | None:
        """For a pronoun subject inside reported speech: the speaker; also "said it would"."""
        h, steps = tok, 0
        while h.dep_ in ("ccomp", "xcomp", "conj", "advcl") and steps < 4:
            h = h.head
            steps += 1
            if self.lemma(h) in SPEECH or self.lemma(h) in self.words.frames.get("intent", ()):
                subs = [c for c in h.children if c.dep_ == "nsubj"]
                if subs and subs[0].lower_ not in PRONOUNS:
                    got = self.actor(subs[0], ctx, day)
                    if got is not None:
                        return got
                    if subs[0].pos_ in ("PROPN", "NOUN"):
                        return NOBODY  # "Veltrane said it was ...": "it" is someone we cannot code
        return speaker

    def _date(self, tok: Any, sent: Any, ctx: Context) -> tuple[str | None, str | None]:
        best = None
        for s, e, value in ctx.dates:
            if sent.start_char <= s and e <= sent.end_char:
                gap = abs(s - tok.idx)
                if best is None or gap < best[0]:
                    best = (gap, value)
        return (best[1], "text") if best else (None, None)

    def code_doc(self, doc: Any, ctx: Context) -> list[Event]:
        if ctx.entities and not doc.ents:  # the parse has no NER: take the fast pipeline's entities
            spans = [doc.char_span(s, e, label=lab, alignment_mode="expand") for s, e, lab in ctx.entities]
            try:
                from spacy.util import filter_spans
                doc.set_ents(filter_spans([sp for sp in spans if sp is not None]))
            except ValueError:
                pass
        out: list[Event] = []
        for sent in doc.sents:
            out += self.code_sentence(sent, ctx)
        return out


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


def _bare_sector(a: Actor) -> bool:
    """An actor known only by its role, with no country and no name of its own ("fishermen")."""
    return a.country is None and not a.group and a.code == (a.sector or "")


def _same(a: Actor, b: Actor) -> bool:
    """One actor twice: the same code named by the same mention or name (a domestic event,
    "the president imposed a curfew in Algiers", keeps two mentions of one country)."""
    if a.code != b.code:
        return False
    return a.start < b.end and b.start < a.end or a.name == b.name or a.text.lower() == b.text.lower()


def _pronoun(tok: Any) -> bool:
    return tok.lower_ in PRONOUNS and not (tok.text.isupper() and len(tok.text) > 1)


def country_slot(actor: dict[str, Any] | Actor | None) -> str | None:
    """The country slot of an actor: ISO-3, or IGO / NGO / IMG / MNC."""
    if actor is None:
        return None
    if isinstance(actor, Actor):
        return actor.country
    c = actor.get("country")
    if c:
        return c
    code = actor.get("code") or ""
    return code[:3] if code[:3] in INTERNATIONAL else None
