"""Arguments: the source and the target of an event from the parse, and who said it.

The source is the clause's subject (or the agent of a passive), climbing through infinitives,
participles and relative clauses ("Iran is expected to attack", "urged Tehran to avoid");
the target is the object, the dative, or the actor of a prepositional phrase, else the actor
inside the object ("condemned Israel's war"). A frame's target is whom it addresses ("urged
Tehran", "called on Iran"), else who its clause is about. Reported speech gives the speaker
(for "it" and "we" inside it) and the attribution; a date in the sentence gives the day.
"""

from __future__ import annotations

from typing import Any

from newstrace.events.context import Context
from newstrace.events.actors import Actor
from newstrace.events.codes import MAKE_STATEMENT, STATEMENT_CODES, root_of
from newstrace.events.mentions import NOBODY, Mentions
from newstrace.events.triggers import Found, Triggers
from newstrace.events.words import WORDS



class Arguments:
    """The sources and targets of events in the parse, and who is reported to have said them."""

    def __init__(self, triggers: Triggers, mentions: Mentions) -> None:
        self.words = triggers.words
        self.any_frame = triggers.any_frame
        self.lemma = triggers.lemma
        self.noun_code = triggers.noun_code
        self.mentions = mentions

    def subjects(self, tok: Any, seen: int = 0) -> tuple[list[Any], bool]:
        """Tokens of the source of `tok`'s event, and whether they came from a passive's agent."""
        if seen > 5:
            return [], False
        for c in tok.children:
            if c.dep_ in ("nsubj", "csubj", "expl") and c.dep_ != "expl":
                if c.lower_ in WORDS.relative and tok.dep_ == "relcl":
                    return [tok.head], False
                return [c], False
        for c in tok.children:
            if c.dep_ == "agent":
                return [g for g in c.children if g.dep_ == "pobj"], True
        if self.lemma(tok) in self.any_frame:
            for c in tok.children:  # "Vietnam is committed to", "Israel is opposed to"
                if c.dep_ == "nsubjpass":
                    return [c], False
        if any(c.dep_ == "nsubjpass" for c in tok.children) or (tok.dep_ == "relcl" and tok.tag_ == "VBN"):
            # "was killed in an Israeli bombing": the actor of the means
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ in ("in", "by", "during", "after"):
                    for g in c.children:
                        if g.dep_ == "pobj" and self.noun_code(g):
                            mods = [m for m in g.children if m.dep_ in ("amod", "compound", "poss", "nmod")
                                    and m.lower_ not in WORDS.means]  # "Turkish artillery fire": Turkish
                            if mods:
                                return mods, True
            return [], True
        h = tok.head
        if tok.dep_ == "xcomp":
            raised = [c for c in h.children if c.dep_ == "nsubjpass"]
            if raised:  # "Iran is expected to attack", "he was said to have ordered"
                return raised, False
            if self.lemma(h) in WORDS.object_control:
                objs = [c for c in h.children if c.dep_ in ("dobj", "dative")]
                if objs:
                    return objs, False
            return self.subjects(h, seen + 1)
        if tok.dep_ in ("conj", "advcl", "ccomp", "acomp", "attr", "oprd"):
            return self.subjects(h, seen + 1)
        if tok.dep_ == "pcomp":  # "in the process of providing": the clause's verb
            v = h
            while v.pos_ not in ("VERB", "AUX") and v.head.i != v.i:
                v = v.head
            if v.pos_ in ("VERB", "AUX"):
                return self.subjects(v, seen + 1)
        if tok.dep_ in ("acl", "pobj", "relcl", "dobj", "amod"):
            v = h
            while v.pos_ not in ("VERB", "AUX") and v.head.i != v.i:
                v = v.head
            if v.pos_ in ("VERB", "AUX"):
                return self.subjects(v, seen + 1)
        return [], False

    def targets(self, tok: Any, statement: bool = False, code: str = "") -> list[list[Any]]:
        """Candidate targets of `tok`'s event, best first: each a group of tokens."""
        kids = list(tok.children)
        out: list[list[Any]] = []
        out += [[c] for c in kids if c.dep_ in ("dative", "iobj")]
        dobj = [c for c in kids if c.dep_ == "dobj"]
        out += [[c] for c in dobj if not self._eventish(c)]
        for c in kids:
            if c.dep_ == "nsubjpass":
                out.append([tok.head] if c.lower_ in WORDS.relative and tok.dep_ == "relcl" else [c])
        if tok.dep_ == "relcl" and tok.tag_ == "VBN":
            out.append([tok.head])
        preps = {c.lower_: c for c in kids if c.dep_ in ("prep", "prt", "dative")}
        allowed = ("to",) if statement else tuple(
            p for p in WORDS.target_preps if p != "in" or root_of(code) != MAKE_STATEMENT)
        for p in allowed:
            if p in preps:
                out.append([g for g in preps[p].children if g.dep_ == "pobj" and not self._patient_event(g)])
        if statement:
            return [g for g in out if g]
        for d in dobj:  # the object's own phrases: "attacks against Israel", "a message ... to Khamenei"
            # "Haniyeh's death on Iranian territory": where, not whom
            dpreps = {} if self._patient_event(d) else {c.lower_: c for c in d.children if c.dep_ == "prep"}
            for p in WORDS.target_preps:
                if p in dpreps and p != "from":
                    out.append([g for g in dpreps[p].children if g.dep_ == "pobj"])
            out.append([d])
        return [g for g in out if g]

    def _patient_event(self, tok: Any) -> bool:
        return self.lemma(tok) in WORDS.patient_nouns

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
            got = self.mentions.actors_of(g, ctx, day, speaker, near)
            if not got:
                continue
            if not home or any(a.country and a.country not in home for a in got):
                return got
            if not first:
                first = got
        return first

    def frame_targets(self, f: Found, sources: list[Actor], ctx: Context, day: str | None,
                       speaker: Actor | None, near: list[Actor]) -> list[Actor]:
        """The targets of the event `f` found: its own, or for a frame whom it addresses."""
        tok = f.tok

        def ta(groups: list[list[Any]], c: Any, d: Any, spk: Any, nr: Any) -> list[Actor]:
            return self.target_actors(groups, c, d, spk, nr, sources)

        statement = f.code in STATEMENT_CODES and f.frame is None
        if f.noun is not None and f.noun.dep_ == "nsubj":
            # the subject is the event: its own phrases, else what the verb does it to ("air
            # strikes hit a hospital in Yemen")
            return ta(self.targets(f.noun, False, f.code), ctx, day, speaker, near) or \
                ta(self.targets(tok, False, f.code), ctx, day, speaker, near)
        if f.frame is None or f.frame == "modal":
            got = ta(self.targets(tok, statement, f.code), ctx, day, speaker, near)
            if not got and statement:  # "said NATO would need to remain strong"
                subj = [[g] for c in tok.children if c.dep_ == "ccomp" for g in c.children
                        if g.dep_ in ("nsubj", "nsubjpass") and g.lower_ not in WORDS.pronouns]
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
            return ta(self.targets(inner.tok), ctx, day, speaker, near)
        if f.noun is not None:
            return ta(self.targets(tok) + [[f.noun]], ctx, day, speaker, near)
        return ta(self.targets(tok), ctx, day, speaker, near)

    def speaker(self, tok: Any, sent: Any, ctx: Context, day: str | None) -> tuple[Actor | None, dict[str, Any] | None]:
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
                    actor = self.mentions.actor(src_tok, ctx, day)
            info = {"source": sp.name if sp else None, "kind": sp.type if sp else None,
                    "source_actor": actor.code if actor else None, "cue": a.cue, "direct": a.direct}
            return actor, info
        return None, None

    def speaker_for(self, tok: Any, subj: list[Any], speaker: Actor | None, ctx: Context,
                     day: str | None) -> Actor | None:
        """For a pronoun subject inside reported speech: the speaker; also "said it would"."""
        h, steps = tok, 0
        while h.dep_ in ("ccomp", "xcomp", "conj", "advcl") and steps < 4:
            h = h.head
            steps += 1
            if self.lemma(h) in WORDS.speech or self.lemma(h) in self.words.frames.get("intent", ()):
                subs = [c for c in h.children if c.dep_ == "nsubj"]
                if subs and subs[0].lower_ not in WORDS.pronouns:
                    got = self.mentions.actor(subs[0], ctx, day)
                    if got is not None:
                        return got
                    if subs[0].pos_ in ("PROPN", "NOUN"):
                        return NOBODY  # "Veltrane said it was ...": "it" is someone we cannot code
        return speaker


def date_of(tok: Any, sent: Any, ctx: Context) -> tuple[str | None, str | None]:
    """The date nearest `tok` in its sentence, and where it came from ("text"), or (None, None)."""
    best = None
    for s, e, value in ctx.dates:
        if sent.start_char <= s and e <= sent.end_char:
            gap = abs(s - tok.idx)
            if best is None or gap < best[0]:
                best = (gap, value)
    return (best[1], "text") if best else (None, None)
