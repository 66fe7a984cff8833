"""Mentions: which actor a noun phrase of the parse names.

A phrase is matched against the actor table (`actors.py`: people with dated roles,
organisations, countries and their seats, sector words), looking inside it when it names
none ("Turkey's efforts", "aid for Romania"); a pronoun stands for the speaker or the nearest
actor that agrees; a sector named without its country takes the one in its phrase, and
coordinated countries give one actor each ("French and Egyptian warships").
"""

from __future__ import annotations

from typing import Any

from newstrace.events.context import Context
from newstrace.events.actors import INTERNATIONAL, Actor, ActorTable, make_code
from newstrace.events.triggers import Triggers
from newstrace.events.words import WORDS


# A speaker newstrace cannot code: a pronoun standing for it stands for nobody it knows.
NOBODY = Actor("", None, None, "", "", 0, 0, "unknown")


class Mentions:
    """The actors noun phrases name, from the actor table."""

    def __init__(self, actors: ActorTable, triggers: Triggers) -> None:
        self.actors = actors
        self.lemma = triggers.lemma
        self.noun_code = triggers.noun_code  # an event noun names no actor ("Israel's war")

    def actor(self, tok: Any, ctx: Context, day: str | None, depth: int = 0) -> Actor | None:
        """The actor a token's noun phrase names (looking inside it when it names none)."""
        if is_pronoun(tok):
            return None
        a = self._np_actor(tok, ctx, day)
        if a is not None or depth >= 3:
            return a
        # inside: "Turkey's efforts", "a U.N. Security Council resolution", "aid for Romania"
        patient = self.lemma(tok) in WORDS.patient_nouns
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
        lemmas: list[str] | None = None  # of toks, made when first needed
        for size in range(min(table.longest, n), 0, -1):
            for i in range(n - size + 1):
                piece = " ".join(words[i:i + size]).replace(" 's", "'s").replace(" ’s", "’s")
                low = piece.lower()
                if person is None and low in table.people:
                    person = table.people[low]
                if org is None:
                    org = table.orgs_exact.get(piece) or table.orgs_exact.get(piece.replace(".", ""))
                    if org is None and (size > 1 or toks[i].pos_ == "PROPN" or (
                            toks[i].text[:1].isupper() and not toks[i].is_sent_start)):  # "an Interpol team"
                        org = table.orgs.get(low)
                bare = low.removesuffix("'s").removesuffix("’s")
                if bare in table.countries and not any(a <= i < a + 1 for a, *_ in countries):
                    iso, cname, kind = table.countries[bare]
                    countries.append((i, iso, cname, kind))
                elif bare in table.cities and _place_name(toks[i:i + size]) and \
                        not any(a <= i < a + 1 for a, *_ in countries):
                    iso, _, kind = table.cities[bare]  # "police in Lagos": the city's country
                    countries.append((i, iso, table.country_names.get(iso, iso), "city"))
                if size <= 4:
                    if lemmas is None:
                        lemmas = [self.lemma(t) for t in toks]
                    lems = " ".join(lemmas[i:i + size])
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
        if country is None and tok.ent_type_ == "ORG" and tok.pos_ == "PROPN":
            # an organisation the dictionary does not know ("the Meridian Workers Alliance"): kept
            # by its name, with the sector its name says, and no country
            return Actor(sec or "", None, sec, text, text, start, end, "named")
        if country is None and sec is None:
            return None
        if country is not None:
            iso, cname, kind = country
            if kind == "seat" and sec is None and len(toks) <= 3:
                sec = "GOV"
            if kind in ("country", "city") and sec is None and head_low not in self.actors.countries:
                # a country named inside a phrase that is not an actor ("the war in Gaza")
                if tok.pos_ == "NOUN" and not tok.ent_type_:
                    return None
            code = make_code(iso, sec)
            a = Actor(code, iso, sec, cname, text, start, end, "seat" if kind == "seat" else
                      ("title" if sec and tok.ent_type_ == "PERSON" else "city" if kind == "city" else "country"))
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
        """The actors `toks` and their conjuncts name, pronouns standing for `speaker` or `near`."""
        out: list[Actor] = []
        for t in toks:
            for m in [t, *t.conjuncts]:
                if any(o.start <= m.idx < o.end for o in out):
                    continue  # "Russian President and Iran's ally Vladimir Putin" is one actor
                if is_pronoun(m):
                    a = self._pronoun(m, speaker, near, ctx)
                else:
                    a = self.actor(m, ctx, day)
                if a is not None and a.country is None and a.how == "sector":
                    a = self._with_country(m, a, ctx, day)
                if a is not None and all(a.code != o.code for o in out):
                    out.append(a)
                if a is not None and not is_pronoun(m):
                    out += [b for b in self._coordinated_countries(m, a) if all(b.code != o.code for o in out)]
        return out

    def place(self, tok: Any, ctx: Context, day: str | None) -> Actor | None:
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

    def only_country(self, sent: Any) -> Actor | None:
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
        """Whom a pronoun stands for: the speaker of what holds it, else the nearest actor that agrees."""
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


def inherit(a: Actor, place: Actor) -> Actor:
    """`a` as belonging to the country of `place`."""
    return Actor(make_code(place.country, a.sector), place.country, a.sector, a.name, a.text, a.start, a.end,
                 a.how, a.group)


def bare_sector(a: Actor) -> bool:
    """An actor known only by its role, with no country and no name of its own ("fishermen")."""
    return a.country is None and not a.group and a.code == (a.sector or "") and a.how != "named"


def placeable(a: Actor | None) -> bool:
    """An actor whose country may be taken from where the event happens: a sector or role named
    without one ("rebels"), not an organisation known only by its name."""
    return a is not None and a.country is None and a.how != "named"


def same(a: Actor, b: Actor) -> bool:
    """One actor twice: the same code named by the same mention or name (a domestic event,
    "the president imposed a curfew in Algiers", keeps two mentions of one country)."""
    if a.code != b.code:
        return False
    return a.start < b.end and b.start < a.end or a.name == b.name or a.text.lower() == b.text.lower()


def is_pronoun(tok: Any) -> bool:
    """A personal pronoun ("it"; not "IT" or "US")."""
    return tok.lower_ in WORDS.pronouns and not (tok.text.isupper() and len(tok.text) > 1)


def _place_name(toks: list[Any]) -> bool:
    """Whether tokens can be a city's name: capitalised proper words the entity recogniser does
    not call a person, an organisation or anything but a place ("Jackson said" is a person)."""
    return all(t.text[:1].isupper() and t.pos_ in ("PROPN", "NOUN", "ADJ") and t.ent_type_ in ("", "GPE", "LOC", "FAC")
               for t in toks)
