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
The parts: `triggers.py` (which event a token heads, frames composed), `modality.py` (its
mode), `arguments.py` (its source and target), `mentions.py` (the actor a noun phrase
names); their word lists are `data/event_words.toml` (`words.py`). This module puts them
together, sentence by sentence, with the precision rules below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newstrace.events import learned
from newstrace.events.actors import INTERNATIONAL, Actor, ActorTable, actor_table
from newstrace.events.arguments import Arguments, date_of
from newstrace.events.context import Context
from newstrace.events.codes import (CONFLICT, EXPRESS_INTENT, MATERIAL_CONFLICT, MUTUAL, RECIPROCAL,
                                    STATEMENT_CODES, plover_of, root_of)
from newstrace.events.dictionary import Dictionary, dictionary
from newstrace.events.mentions import Mentions, bare_sector, inherit, placeable, same
from newstrace.events.modality import Modality, purpose
from newstrace.events.triggers import Found, Lemmas, Triggers, digits
from newstrace.events.words import WORDS

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
    by: str = "rules"  # rules, or model (`learned.py`: a pair the rules did not code)
    confidence: float | None = None  # the model's P(event) for the pair, when it linked it


class Coder:
    """Codes parsed sentences: `Triggers` (with `Modality`) finds the events, `Mentions` the
    actors noun phrases name and `Arguments` each event's source and target; all share one
    cache of lemmas."""

    def __init__(self, actors: ActorTable | None = None, words: Dictionary | None = None) -> None:
        self.actors = actors or actor_table()
        self.words = words or dictionary()
        lemmas = Lemmas()
        self.triggers = Triggers(self.words, lemmas, Modality(self.words, lemmas).apply)
        self.mentions = Mentions(self.actors, self.triggers)
        self.arguments = Arguments(self.triggers, self.mentions)
        # Benchmarks of event types alone (sentences without actor labels) turn this off.
        self.require_source = True
        # The trained linker and categoriser (None: the rules alone); `benchmarks/events_train.py`
        # sets `collect` to a list to gather every candidate it reads, with its features.
        self.model = learned.load_model()
        self.collect: list[dict[str, Any]] | None = None

    def lemma(self, tok: Any) -> str:
        """The lemma of `tok` (lower case), from the cache the parts share."""
        return self.triggers.lemma(tok)

    def code_sentence(self, sent: Any, ctx: Context) -> list[Event]:
        triggers, mentions, args = self.triggers, self.mentions, self.arguments
        memo: dict[int, Found | None] = {}
        found: list[Found] = []
        consumed: set[int] = set()
        for tok in sent:
            if triggers.is_trigger(tok):
                f = triggers.find(tok, memo)
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
            if f.mode == "asserted" and purpose(tok):
                f.mode = "hypothetical"  # "met to discuss": what a clause is for has not happened
            if not f.code[:1].isdigit():
                f.code = digits(f.code)
            if tok.dep_ == "relcl" and root_of(f.code) not in MATERIAL_CONFLICT:
                continue  # "rebels who entered the country": background, unless it is violence
            day, day_source = date_of(tok, sent, ctx)
            when = day or day_default  # who held an office then
            speaker, attribution = args.speaker(tok, sent, ctx, when)
            subj, _ = args.subjects(tok)
            sources = mentions.actors_of(subj, ctx, when, args.speaker_for(tok, subj, speaker, ctx, when), near)
            targets = args.frame_targets(f, sources, ctx, when, speaker, near)
            if f.agents:
                givers = mentions.actors_of(f.agents, ctx, when, speaker, near)
                if givers:  # a role-reversing verb: the "from" actors act on the subject
                    sources, targets = givers, sources
            if f.code in STATEMENT_CODES and not targets:
                continue
            sources = [a for a in sources if not (a.country is None and a.sector in ("CVL", "")
                                                  and root_of(digits(f.code)) not in MATERIAL_CONFLICT)]
            if not sources:
                if self.require_source:
                    continue
                sources = [None]  # type: ignore[list-item]
            if any(placeable(t) for t in targets):
                # "accepted demands from rebels": a group named without its country belongs to
                # where the event happens, else to the source's country
                place = mentions.place(tok, ctx, when) or next((s for s in sources if s is not None and s.country
                                                               and s.country[:3] not in INTERNATIONAL), None)
                if place is not None:
                    targets = [inherit(t, place) if placeable(t) else t for t in targets]
            if any(placeable(s) for s in sources):
                place = mentions.place(tok, ctx, when) or next((t for t in targets if t.country
                                                               and t.country not in INTERNATIONAL), None) \
                    or mentions.only_country(sent)
                if place is not None:
                    sources = [inherit(s, place) if placeable(s) else s for s in sources]
            targets = [t for t in targets if all(s is None or not same(s, t) for s in sources)]
            if BARE_SECTORS_DROPPED:
                # "the company declined to comment", "fishermen said": a sector alone, nobody known
                sources = [a for a in sources if a is None or not bare_sector(a)] if self.require_source else [
                    None if a is not None and bare_sector(a) else a for a in sources]  # type: ignore[misc]
                if not sources:
                    continue
            if not targets and IMPLICIT_DOMESTIC and root_of(digits(f.code)) in CONFLICT:
                # a hostile act with no target named, in a sentence naming no other country: aimed
                # at the source's own country ("Algerian landowners began a hunger strike")
                home = next((a for a in sources if a is not None and a.country and a.country not in INTERNATIONAL),
                            None)
                others = {a.country for a in mentions.actors_in(sent, ctx, when)} - {home.country if home else None}
                if home is not None and not others:
                    targets = [Actor(home.country, home.country, None, self.actors.country_names.get(
                        home.country, home.country), "", tok.idx, tok.idx, "implicit")]
            if not targets and f.code[:2] in TARGET_NEEDED:
                continue  # an appeal, demand, accusation, refusal or threat addressed to nobody named
            if f.code.startswith("183") and any(s is not None and s.country and s.country not in INTERNATIONAL
                                                and s.sector in (None, "MIL", "GOV") for s in sources):
                f.code = "195"  # a state's bombing is an air strike, not a terrorist bomb
            pairs: list[tuple[Actor, Actor | None]] = []
            together = self.lemma(tok) in WORDS.reciprocal  # "clashed", "met", "agreed": done together
            if len(sources) > 1 and (together or root_of(f.code) in RECIPROCAL or root_of(f.code) == EXPRESS_INTENT):
                pairs = [(a, b) for a in sources for b in sources if a is not b]
            else:
                pairs = [(s, t) for s in sources for t in (targets or [None])]
                if f.code in MUTUAL or (together and (self.lemma(tok) in WORDS.mutual or _with(tok, targets))):
                    pairs += [(t, s) for s, t in pairs if t is not None and s is not None]
            depth = learned.depth_of(tok)
            for s, t in pairs:
                events.append(Event(f.code, (tok.idx, tok.idx + len(tok)), s_span, s, t, f.mode, f.frame,
                                    attribution, day or day_default, day_source if day else
                                    ("article" if day_default else None), depth))
                if f.inner is not None and f.frame == "deny":
                    inner = f.inner
                    isub, _ = args.subjects(inner.tok)
                    isrc = mentions.actors_of(isub, ctx, when, s, near) or [s]
                    itg = args.target_actors(args.targets(inner.tok), ctx, day, speaker, near)
                    for a in isrc:
                        for b in itg or [None]:
                            if b is None or b.code != a.code:
                                events.append(Event(digits(inner.code), (inner.tok.idx, inner.tok.idx + len(inner.tok)),
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
        if self.model is not None or self.collect is not None:
            events = self._learned(sent, ctx, memo, events)
        return events

    def _learned(self, sent: Any, ctx: Context, memo: dict[int, Found | None], events: list[Event]) -> list[Event]:
        """Pairs the rules did not link, read by the trained model (`learned.py`): each candidate
        (verb, subject side, object side) it judges an event, the best one per verb, is added
        with the code of its category, or the rules' code for that verb when they had one. A
        rule event the model finds the target of (the rules named none) gives way to it."""
        day = ctx.date
        seen: dict[int, Actor | None] = {}  # token -> the actor its phrase names (sides repeat)

        def actor(tok: Any) -> Actor | None:
            if tok.i not in seen:
                seen[tok.i] = self.mentions.actor(tok, ctx, day)
            return seen[tok.i]

        if self.collect is None and not any(t.pos_ == "PROPN" or t.ent_type_ in NAMED for t in sent):
            return events  # no name in the sentence: no side that can act (see `_actorish`)
        cands, feats, sides = [], [], []
        for c in learned.candidates(sent):
            src = actor(c.source)
            if self.collect is None and not _actorish(c.source, src):
                continue  # a side that cannot act: never emitted, so not read
            f = memo.get(c.trigger.i)
            rule = digits(f.code) if f is not None else None
            tgt = actor(c.target)
            cands.append(c)
            sides.append((src, tgt, rule))
            feats.append(learned.features(c, self.lemma, rule, src.how if src else "none", tgt.how if tgt else "none"))
        if not cands:
            return events
        vector = ctx.vector_at(sent.start_char, sent.end_char)
        if self.collect is not None:
            for c, f, (src, tgt, rule) in zip(cands, feats, sides):
                self.collect.append({"sentence": (sent.start_char, sent.end_char), "features": f,
                                     "source": _bounds(c.source), "target": _bounds(c.target), "rule": rule,
                                     "source_country": src.country if src else None,
                                     "actorish": _actorish(c.source, src),
                                     "target_country": tgt.country if tgt else None,
                                     "trigger": c.trigger.idx, "covered": _covered(events, c),
                                     "vector": vector, "vector_model": ctx.vector_model})
        if self.model is None:
            return events
        link, cats, gate = self.model.predict(feats, vector, ctx.vector_model)
        for e in events:  # a rule event the model puts in another category, when it is sure enough
            mine = [k for k, c in enumerate(cands) if _links(e, c)]
            if not mine:
                continue
            k = max(mine, key=lambda k: link[k])
            category = self.model.categories[int(cats[k].argmax())]
            if float(cats[k].max()) >= self.model.recategorise and _plover(e.code) != category:
                e.code, e.by, e.confidence = self.model.codes[category], "recategorised", round(float(cats[k].max()), 3)
        best: dict[int, int] = {}  # trigger -> the candidate of it most likely an event
        ruled = {e.trigger[0] for e in events}
        for k, c in enumerate(cands):
            if c.trigger.idx not in ruled and gate[k] < self.model.gate:
                continue  # where the rules found no event, only a candidate the gate passes: one that
                # looks like the labelled events and not like general news (sport, film, business)
            if link[k] < self.model.threshold or _covered(events, c) or not _actorish(c.source, sides[k][0]):
                continue  # (the last only when collecting: otherwise such candidates were not read)
            if sides[k][1] is None and c.target.dep_ in ("compound", "amod", "nmod"):
                continue  # a word of a name ("the High Court"), not a side of its own
            if c.trigger.i not in best or link[k] > link[best[c.trigger.i]]:
                best[c.trigger.i] = k
        s_span = (sent.start_char, sent.end_char)
        for k in sorted(best.values(), key=lambda k: cands[k].trigger.i):
            c = cands[k]
            src, tgt, rule = sides[k]
            # the category is the model's: on true pairs it is right more often than the rules' code for
            # the verb (benchmarks/events_train.py, cross-validated); the rules' code is kept when it agrees
            category = self.model.categories[int(cats[k].argmax())]
            code = rule if rule and _plover(rule) == category else self.model.codes[category]
            source = src or _phrase(c.source)
            target = tgt or _phrase(c.target)
            tok = c.trigger
            if any(e.trigger[0] == tok.idx and (_same_actor(e.source, source) and _same_actor(e.target, target) or
                                               _same_actor(e.source, target) and _same_actor(e.target, source))
                   for e in events):
                continue  # the rules linked these two actors on this verb already (either way round)
            mode = "negated" if any(ch.dep_ == "neg" for ch in tok.children) else "hypothetical" if any(
                ch.dep_ == "aux" and ch.lower_ in WORDS.modal_maybe for ch in tok.children) or any(
                ch.dep_ == "mark" and ch.lower_ in ("if", "whether", "unless") for ch in tok.children) else "asserted"
            day_, day_source = date_of(tok, sent, ctx)
            depth = learned.depth_of(tok)
            # a rule event on this verb from this source with no target: the model's pair completes it
            events = [e for e in events if not (e.target is None and e.trigger[0] == tok.idx and e.source is not None
                                                and e.source.start <= c.source.idx < max(e.source.end, e.source.start + 1))]
            events.append(Event(code, (tok.idx, tok.idx + len(tok)), s_span, source, target, mode, None, None,
                                day_ or ctx.date, day_source if day_ else ("article" if ctx.date else None), depth,
                                "model", round(float(link[k]), 3)))
        return events

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


def _same_actor(a: Actor | None, b: Actor | None) -> bool:
    """One actor: the same words, the same code, or the same mention ("it" and "Kenya" that it
    stands for share the code; "refugees" with and without the country it was given share words)."""
    if a is None or b is None:
        return False
    if a.end > a.start and b.end > b.start and a.start < b.end and b.start < a.end:
        return True
    return a.code == b.code if a.code and b.code else a.text.lower() == b.text.lower()


def _plover(code: str) -> str | None:
    """The PLOVER category of a code, with CONCEDE and RETREAT as the model's YIELD."""
    p = plover_of(code)
    return "YIELD" if p in ("CONCEDE", "RETREAT") else p


def _bounds(tok: Any) -> tuple[int, int]:
    """Characters of the noun phrase `tok` heads."""
    lo, hi = learned.np_bounds(tok)
    doc = tok.doc
    return doc[lo].idx, doc[hi].idx + len(doc[hi])


def _links(e: Event, c: learned.Candidate) -> bool:
    """Whether event `e` links the candidate's two sides (its source holds the candidate's
    subject side, its target overlaps the object side's phrase)."""
    if e.source is None or e.target is None or e.target.end <= e.target.start:
        return False
    if not e.source.start <= c.source.idx < e.source.end:
        return False
    lo, hi = _bounds(c.target)
    return lo < e.target.end and e.target.start < hi


def _covered(events: list[Event], c: learned.Candidate) -> bool:
    """Whether a rule event already links the candidate's two sides, either way round ("Egypt
    faces pressure from the United States": the rules turned the pair round)."""
    if any(_links(e, c) for e in events):
        return True
    lo, hi = _bounds(c.source)
    return any(e.source is not None and e.target is not None and e.target.end > e.target.start
               and e.target.start < hi and lo < e.target.end and e.source.start <= c.target.idx < e.source.end
               for e in events)


NAMED = frozenset({"ORG", "GPE", "NORP", "PERSON"})  # entities that can act
def _actorish(tok: Any, actor: Actor | None) -> bool:
    """Whether the source side of a candidate can act: an actor the table knows, or a name."""
    return (actor is not None and actor.how not in ("sector",) or tok.pos_ == "PROPN"
            or tok.ent_type_ in NAMED or (actor is not None and actor.country is not None))


def _phrase(tok: Any) -> Actor:
    """A side the actor table does not know, kept as the phrase that names it."""
    lo, hi = learned.np_bounds(tok)
    doc = tok.doc
    toks = [t for t in doc[lo:hi + 1]]
    while len(toks) > 1 and toks[0].lower_ in ("the", "a", "an"):
        toks = toks[1:]
    start, end = toks[0].idx, toks[-1].idx + len(toks[-1])
    text = doc[toks[0].i:toks[-1].i + 1].text
    return Actor("", None, None, text, text, start, end, "named" if tok.pos_ == "PROPN" else "phrase")


def _with(verb: Any, targets: list[Actor]) -> bool:
    """Whether a target is the actor of a "with" phrase of the verb or of its object ("clashed
    with Congolese troops", "held talks with Afghanistan")."""
    for h in [verb, *[c for c in verb.children if c.dep_ == "dobj"]]:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ == "with":
                lo, hi = c.idx, c.right_edge.idx + len(c.right_edge)
                if any(lo <= t.start < hi for t in targets):
                    return True
    return False


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
