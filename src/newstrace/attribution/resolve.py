"""Who a source is: resolving the source spans of attributions (issue 5).

For each attribution found by `extract`, the written source ("he", "Putin", "the minister",
"a senior Iranian source", "sources told Reuters") becomes a speaker:

- its **type**: person, organisation, outlet, government (a country, its capital or seat, a
  ministry, an army), anonymous (a source that names nobody), or unknown;
- its **name**, resolved within the article: a pronoun to the last person named before it, a
  short name ("Gallant") to the fullest form the article gives ("Yoav Gallant"), a title ("the
  minister") to the last person with that title, or to an earlier anonymous source with that
  word ("an OIC official" ... "the official"), a relative pronoun to its antecedent;
- its **role** and **country** ("Israeli Defense Minister Yoav Gallant": role "Israeli Defense
  Minister", country Israel), from the words before the name or an apposition after it;
- the **outlet chain** (`via`): "sources told Reuters", "said in an interview with CNN",
  "according to the New York Times, officials said ...": the outlets the words passed through,
  nearest first; `second_hand` when the article reports another outlet's reporting.

Word lists are data: `data/sources.toml` (outlets, anonymous heads, government words, titles)
and `data/places.toml` (countries, demonyms, capitals). Works on the parsed `Doc` the
attributions came from and the article's named entities (character spans in the same text).
"""

from __future__ import annotations

import bisect
from newstrace.compat import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from newstrace.attribution.extract import Attribution, Span, doc_text, spans_within

_PERSONAL = {"he", "she", "him", "her"}
_PLURAL = {"they", "them"}
_NEUTER = {"it"}
_FIRST = {"i", "we", "me", "us", "you"}
_RELATIVE = {"who", "which", "that", "whom"}
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her"}
# Lowercase words that may stand inside a role before a name ("Iran's ally Vladimir Putin").
_ROLE_GLUE = {"'s", "’s", "and", "of", "former", "deputy", "acting", "ally", "vice", "then", "top", "senior",
              "chief", "foreign", "defense", "defence", "interior", "finance", "prime"}


@dataclass(frozen=True, slots=True)
class Lists:
    outlets: frozenset[str]
    outlet_words: frozenset[str]
    anonymous: frozenset[str]
    government_words: tuple[str, ...]
    titles: tuple[str, ...]
    countries: dict[str, str]  # lowercase name, alias, demonym or seat -> country name
    seats: frozenset[str]  # lowercase seats of government


@cache
def lists() -> Lists:
    data = resources.files("newstrace.data")
    src = tomllib.loads(data.joinpath("sources.toml").read_text("utf-8"))
    places = tomllib.loads(data.joinpath("places.toml").read_text("utf-8"))
    countries: dict[str, str] = {}
    seats: set[str] = set()
    for c in places["country"]:
        countries[c["name"].lower()] = c["name"]
        for d in c.get("demonyms", ()):
            countries[d.lower()] = c["name"]
        for s in c.get("seats", ()):
            countries[s.lower()] = c["name"]
            seats.add(s.lower())
    for alias, name in places.get("aliases", {}).items():
        countries[alias.lower()] = name
    return Lists(frozenset(src["outlets"]), frozenset(src["outlet_words"]), frozenset(src["anonymous"]),
                 tuple(src["government_words"]), tuple(src["titles"]), countries, frozenset(seats))


@dataclass(slots=True)
class Speaker:
    name: str | None
    type: str  # person, organisation, outlet, government, anonymous, unknown
    role: str | None = None
    country: str | None = None
    anonymous: bool = False
    resolved_from: str | None = None  # text, pronoun, short name, title, relative

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "role": self.role, "country": self.country,
                "anonymous": self.anonymous, "resolved_from": self.resolved_from}


@dataclass(slots=True)
class Resolved:
    attribution: Attribution
    speaker: Speaker | None
    via: list[tuple[str, Span]] = field(default_factory=list)  # (outlet name, where it is written)
    second_hand: bool = False


def _bare(text: str) -> str:
    words = text.strip().strip(".,;:").split()
    while words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    return " ".join(words)


def outlet_name(text: str, label: str | None = None) -> str | None:
    """The outlet a phrase names ("the New York Times", "Reuters", "the Linhaven Observer"), or None."""
    lst = lists()
    name = _bare(text)
    low = name.lower()
    if low in lst.outlets:
        return name
    words = low.split()
    if label == "ORG" and words and words[-1] in lst.outlet_words and len(words) >= 2:
        return name
    return None


def country_of(text: str) -> str | None:
    """The country a phrase names or implies (a name, alias, demonym, capital or seat)."""
    lst = lists()
    low = text.lower()
    bare = _bare(low)
    if bare in lst.countries:
        return lst.countries[bare]
    if low.strip() in lst.countries:
        return lst.countries[low.strip()]
    words = [w.strip(",.'’s") for w in low.replace("’s", " ").replace("'s", " ").split()]
    for n in (3, 2, 1):  # longest first: "North Korean" before "Korean"
        for i in range(len(words) - n + 1):
            key = " ".join(words[i:i + n])
            if key in lst.countries:
                return lst.countries[key]
    return None


class _Article:
    """What resolution needs to know about one article: its people (with fullest names and
    roles), its organisations and places, in text order."""

    def __init__(self, doc: Any, entities: list[tuple[int, int, str]]) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.entities = sorted(entities)
        self._starts = [e[0] for e in self.entities]
        # people named as such, not as a modifier ("the Marrowick lifeboat")
        self.persons: list[tuple[int, int, str]] = [(s, e, self.text[s:e]) for s, e, lab in self.entities
                                                   if lab == "PERSON" and not self._modifier(e)]
        self._person_ends = [e for _, e, _ in self.persons]
        self.roles: dict[tuple[int, int], str] = {}
        for s, e, _ in self.persons:
            role = self._role_before(s) or self._apposition(e)
            if role:
                self.roles[(s, e)] = role

    def _modifier(self, end: int) -> bool:
        span = self.doc.char_span(end - 1, end, alignment_mode="expand")
        return span is not None and span[-1].dep_ in ("compound", "amod") and span[-1].head.i > span[-1].i

    def entities_in(self, start: int, end: int) -> list[tuple[int, int, str]]:
        return spans_within(self.entities, self._starts, start, end)

    def full_name(self, name: str, before: int | None = None) -> str:
        """The fullest form of a person's name given in the article ("Putin" -> "Vladimir Putin")."""
        words = name.split()
        if not words:
            return name
        last = words[-1].lower().strip("’'s")
        best = name
        for s, e, text in self.persons:
            if before is not None and s > before and len(words) > 1:
                continue
            tw = text.split()
            if tw and tw[-1].lower().strip("’'s") == last and len(tw) > len(best.split()):
                best = text
        return best.replace("’s", "").replace("'s", "") if best.endswith(("’s", "'s")) else best

    def role_of(self, full: str) -> str | None:
        for (s, e), role in self.roles.items():
            if self.text[s:e] == full or self.text[s:e].split()[-1:] == full.split()[-1:]:
                return role
        return None

    def _role_before(self, start: int) -> str | None:
        span = self.doc.char_span(start, start + 1, alignment_mode="expand")
        if span is None:
            return None
        i = span.start - 1
        words: list[Any] = []
        while i >= 0 and len(words) < 8:
            t = self.doc[i]
            if t.is_punct or t.is_space or t.like_num:
                break
            low = t.lower_
            if not (t.is_title or t.is_upper or low in _ROLE_GLUE or low in lists().titles):
                break
            if t.ent_type_ == "PERSON":
                break
            words.insert(0, t)
            i -= 1
        while words and words[0].lower_ in {"and", "of", "'s", "’s"} | _DETERMINERS:
            words = words[1:]
        if not words or not any(w.lower_ in lists().titles or w.lower_ in ("ally",) for w in words):
            return None
        return self.text[words[0].idx:words[-1].idx + len(words[-1].text)]

    def _apposition(self, end: int) -> str | None:
        span = self.doc.char_span(end - 1, end, alignment_mode="expand")
        if span is None:
            return None
        head = span.root
        for child in head.children:
            if child.dep_ == "appos" and child.i > head.i:
                toks = [t for t in child.subtree if not any(a.dep_ == "relcl" for a in t.ancestors if a.i >= child.i
                                                                and a in child.subtree)]
                toks = [t for t in toks if t.dep_ != "relcl" and not t.is_punct or t.text in ("-", "'s", "’s")]
                if toks:
                    text = self.text[toks[0].idx:toks[-1].idx + len(toks[-1].text)]
                    if any(w in text.lower().split() for w in lists().titles) and len(text) < 120:
                        return text.strip(" ,")
        return None

    def last_person_before(self, pos: int) -> tuple[int, int, str] | None:
        i = bisect.bisect_right(self._person_ends, pos)
        return self.persons[i - 1] if i else None


_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "prof", "mr.", "mrs.", "ms.", "dr.",
               "prof."}
# Head nouns of a group or body: a name after one is an organisation's ("the environmental
# group Shoreline Watch"), and "the company" refers back to the last organisation named.
_ORG_NOUNS = {"company", "firm", "group", "agency", "authority", "ministry", "government", "office", "operator",
              "council", "party", "campaign", "department", "organisation", "organization", "union",
              "association", "institute", "bank", "university", "court", "charity", "network", "newspaper",
              "broadcaster", "airline", "club", "movement", "alliance", "coalition", "committee", "board"}


def _role_text(text: str) -> str | None:
    words = [w for w in text.strip(" ,").split() if w.lower().strip(".") not in _HONORIFICS]
    while words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    out = " ".join(words).strip(" ,")
    return out or None


def _person(name: str, role: str | None, art: _Article, how: str) -> Speaker:
    role = role or art.role_of(name)
    return Speaker(name, "person", role, country_of(role) if role else None, False, how)


def _classify(text: str, start: int, end: int, art: _Article) -> Speaker:
    """The speaker a source phrase names, before any reference to earlier mentions."""
    lst = lists()
    ents = art.entities_in(start, end)
    low_words = [w.strip(",.’'") for w in text.lower().split()]
    for s, e, lab in ents:  # an outlet named anywhere in the phrase ("a report by the Herald")
        outlet = outlet_name(art.text[s:e], lab)
        if outlet:
            return Speaker(outlet, "outlet", None, None, False, "text")
    # a person who heads the phrase: it ends with the name, or an apposition follows it
    for s, e, lab in ents:
        after = art.text[e:end].strip()
        if lab != "PERSON" or (after and not after.startswith(",") and after.split()[0] not in ("of", "from", "at")):
            continue
        before = art.text[start:s].strip(" ,")
        if before and before.split()[-1].lower() in _ORG_NOUNS:  # "the environmental group Shoreline Watch"
            return Speaker(art.text[s:e], "organisation", _role_text(before), country_of(before), False, "text")
        name = art.full_name(art.text[s:e], before=s)
        roles = [r for r in (_role_text(before), _role_text(after)) if r]
        return _person(name, ", ".join(roles) or None, art, "text" if name == art.text[s:e] else "short name")
    bare = _bare(text)
    head_part, _, appos = bare.partition(",")
    hp_words = head_part.split()
    if appos and 2 <= len(hp_words) <= 4 and all(w[:1].isupper() for w in hp_words) and not any(
            x[2] in ("ORG", "GPE", "NORP", "FAC") for x in ents if art.text[x[0]:x[1]] in head_part):
        # "Aoife Brannock, the group's campaigns officer": a name the recogniser missed
        return _person(head_part, _role_text(appos), art, "text")
    if bare and bare[:1].isupper() and len(bare.split()) <= 2:
        # a name the entity recogniser missed, written in full or in part earlier ("Gallant")
        last = bare.split()[-1].lower()
        for s, e, name in reversed(art.persons):
            if s < start and name.split()[-1].lower().strip("’'s") == last:
                full = art.full_name(name, before=s)
                return _person(full, None, art, "text" if full == bare else "short name")
    if bare.lower() in lst.seats or (ents and all(x[2] == "GPE" for x in ents) and len(ents) == 1
                                     and _bare(art.text[ents[0][0]:ents[0][1]]).lower() == bare.lower()):
        country = country_of(bare)
        return Speaker(country or bare, "government", None, country, False, "text")
    head = _head_word(low_words)
    if head in lst.anonymous or ("familiar" in low_words):
        country = country_of(text)
        return Speaker(text.strip(" ,"), "anonymous", None, country, True, "text")
    low = " " + " ".join(low_words) + " "
    if any(f" {w} " in low for w in lst.government_words):
        return Speaker(bare, "government", None, country_of(text), False, "text")
    orgs = [x for x in ents if x[2] == "ORG"]
    if orgs and appos and art.text[orgs[0][0]:orgs[0][1]] in head_part:
        # "Veltrane Shipping Lines, the vessel's operator"
        return Speaker(_bare(art.text[orgs[0][0]:orgs[0][1]]), "organisation", _role_text(appos),
                       country_of(appos), False, "text")
    if any(x[2] in ("ORG", "NORP", "GPE") for x in ents):
        country = country_of(text)
        kind = "government" if country and _bare(text).lower() in lst.countries else "organisation"
        return Speaker(bare, kind, None, country, False, "text")
    return Speaker(bare or None, "unknown", None, country_of(text), False, "text")


def _head_word(words: list[str]) -> str | None:
    """The head noun of a source phrase: the last word before "of", "for", "with", "at"..."""
    out = None
    for w in words:
        if w in ("of", "for", "with", "at", "in", "from", "on", "close", "who", "that", "which"):
            break
        out = w
    return out


def resolve(doc: Any, found: list[Attribution], entities: list[tuple[int, int, str]],
            outlet: str | None = None) -> list[Resolved]:
    """Speakers, outlet chains and second-hand flags for the attributions of one article."""
    art = _Article(doc, entities)
    lst = lists()
    own = _bare(outlet).lower() if outlet else None
    out: list[Resolved] = []
    previous: list[Resolved] = []  # earlier attributions, in order of their sources
    for a in sorted(found, key=lambda x: (x.cue.start, x.content.start)):
        speaker = _speaker(a, art, previous)
        r = Resolved(a, speaker)
        r.via = _via(a, art)
        out.append(r)
        previous.append(r)
    # an attribution inside the content of "according to <outlet>" (or in its sentence) came through it
    cues = [r.attribution.cue.start for r in out]  # `out` is in cue order
    for r in out:
        a = r.attribution
        if a.kind != "according" or r.speaker is None or r.speaker.type != "outlet" or a.source is None:
            continue
        sent = _sentence_span(doc, a.cue.start)
        for k in range(bisect.bisect_left(cues, sent[0]), bisect.bisect_left(cues, sent[1])):
            other = out[k]
            if other is r or other.attribution.kind == "according":
                continue
            if all(v[0] != r.speaker.name for v in other.via):
                other.via.append((r.speaker.name, a.source))
    for r in out:
        sp = r.speaker
        other_outlet = sp is not None and sp.type == "outlet" and (own is None or sp.name.lower() != own)
        r.via = [v for v in r.via if own is None or v[0].lower() != own]
        r.second_hand = bool(r.via) or other_outlet
    return sorted(out, key=lambda r: (r.attribution.content.start, r.attribution.cue.start))


def _sentence_span(doc: Any, pos: int) -> tuple[int, int]:
    span = doc.char_span(pos, pos + 1, alignment_mode="expand")
    if span is None:
        return (pos, pos + 1)
    sent = span.sent
    return (sent.start_char, sent.end_char)


def _speaker(a: Attribution, art: _Article, previous: list[Resolved]) -> Speaker | None:
    if a.source is None:
        return None
    text = a.source.text
    low = text.strip().lower()
    if low in _PERSONAL:
        p = art.last_person_before(a.source.start)
        # an earlier attribution's person is the likelier antecedent when it is the latest
        for r in reversed(previous):
            if r.speaker and r.speaker.type == "person" and r.attribution.source is not None:
                if p is None or max(r.attribution.source.end, r.attribution.cue.start) >= p[0]:
                    return Speaker(r.speaker.name, "person", r.speaker.role, r.speaker.country, False, "pronoun")
                break
        if p is None:
            return Speaker(None, "unknown", None, None, False, None)
        name = art.full_name(p[2], before=p[0])
        role = art.role_of(name)
        return Speaker(name, "person", role, country_of(role) if role else None, False, "pronoun")
    if low in _PLURAL or low in _NEUTER:
        for r in reversed(previous):
            if r.speaker and r.speaker.type != "person" and r.speaker.name:
                sp = r.speaker
                return Speaker(sp.name, sp.type, sp.role, sp.country, sp.anonymous, "pronoun")
        return Speaker(None, "unknown", None, None, False, None)
    if low in _FIRST:
        return Speaker(None, "unknown", None, None, False, None)
    if low in _RELATIVE:
        tok = _token_at(art.doc, a.source.start)
        head = tok.head if tok is not None else None
        while head is not None and head.dep_ == "relcl":
            head = head.head
        if head is not None and head.pos_ in ("NOUN", "PROPN", "PRON") and head.idx < a.source.start:
            toks = [t for t in head.subtree if t.i < tok.i and t.dep_ not in ("relcl",) and not t.is_punct]
            if toks:
                s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
                sp = _classify(art.text[s:e], s, e, art)
                sp.resolved_from = "relative"
                return sp
        return Speaker(None, "unknown", None, None, False, None)
    sp = _classify(text, a.source.start, a.source.end, art)
    words = low.split()
    if words[:1] == ["the"] and len(words) <= 3 and words[-1] in _ORG_NOUNS:
        # "the company", "the agency": the last organisation named that way, or any for "company"
        for r in reversed(previous):
            prev = r.speaker
            if prev is None or prev.type not in ("organisation", "government") or not prev.name:
                continue
            if words[-1] in prev.name.lower() or words[-1] in ("company", "firm", "operator"):
                if prev.name.lower() != _bare(text).lower():
                    return Speaker(prev.name, prev.type, prev.role, prev.country, False, "title")
    if sp.type in ("anonymous", "unknown") and words[:1] == ["the"]:
        # "the minister", "the official": a person or source with that title named earlier
        title = _title_in(low)
        if title:
            for r in reversed(previous):
                prev = r.speaker
                if prev is None or r.attribution.source is None:
                    continue
                if title in (prev.role or "").lower() or title in r.attribution.source.text.lower():
                    return Speaker(prev.name, prev.type, prev.role, prev.country, prev.anonymous, "title")
            for s, e, name in reversed(art.persons):
                if e <= a.source.start and title in (art.roles.get((s, e)) or "").lower():
                    full = art.full_name(name)
                    return Speaker(full, "person", art.roles[(s, e)], country_of(art.roles[(s, e)]), False, "title")
    return sp


def _title_in(low: str) -> str | None:
    words = low.split()
    for t in sorted(lists().titles, key=len, reverse=True):
        if t in words or (" " in t and t in low):
            return t
    return None


def _token_at(doc: Any, pos: int) -> Any:
    span = doc.char_span(pos, pos + 1, alignment_mode="expand")
    return None if span is None else span[0]


_VIA_PREPS = {"to", "with", "on", "in", "for"}


def _via(a: Attribution, art: _Article) -> list[tuple[str, Span]]:
    """Outlets named as the channel of the cue: "told Reuters", "said in an interview with CNN",
    "told the New York Times", "wrote in the Guardian"."""
    if a.kind == "according":
        return []
    verb = _token_at(art.doc, a.cue.start)
    if verb is None:
        return []
    out: list[tuple[str, Span]] = []
    content = (a.content.start, a.content.end)
    stack = [c for c in verb.children if c.dep_ in ("dative", "dobj", "obj", "prep", "npadvmod")]
    seen = 0
    while stack and seen < 40:
        t = stack.pop()
        seen += 1
        if content[0] <= t.idx < content[1]:
            continue
        if t.dep_ == "prep" and t.lower_ not in _VIA_PREPS:
            continue
        if t.dep_ in ("dative", "dobj", "obj", "pobj"):
            toks = sorted((x for x in t.subtree if not x.is_punct and x.dep_ not in ("relcl", "prep")),
                          key=lambda x: x.i)
            toks = [x for x in toks if x.i <= t.i or x.head == t]
            if toks:
                s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
                if not (content[0] <= s < content[1]):
                    label = next((lab for es, ee, lab in art.entities if es <= t.idx < ee), None)
                    name = outlet_name(art.text[s:e], label)
                    if name:
                        out.append((name, Span(s, e, art.text[s:e])))
                        continue
        stack.extend(c for c in t.children if c.dep_ in ("pobj", "prep"))
    return out
