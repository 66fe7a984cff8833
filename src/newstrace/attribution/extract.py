"""Attribution extraction from spaCy's dependency parse (issue 5; first slice).

An attribution is a source (who), a cue (the word that attributes: "said", "according to")
and a content (what is attributed). Found here, sentence by sentence:

- cue verbs from the lexicon `data/attribution_cues.toml` (matched through their inflections;
  spaCy's lemmatiser is not loaded): the content is the verb's clausal complement ("X said
  that ..."), or, when the parse makes the reported clause the head ("..., X said"), that
  clause without the cue's own phrase; for verbs like "urge" the object and its infinitive;
  for denials the object ("denied the reports"). The source is the verb's subject (or the
  agent of a passive);
- "according to X" and its kin: X is the source, the rest of the sentence the content (empty,
  at the end of X, when nothing else is left: "According to the Times:" before a lost embed).

Spans are character offsets into the text the `Doc` was made from.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

# Characters trimmed from the ends of a content span.
_EDGE = " \t\n,;:—–-"


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(slots=True)
class Attribution:
    source: Span | None
    cue: Span
    content: Span
    kind: str  # speech, report, belief, attitude, evaluation, denial, knowledge, according
    direct: bool  # the content is (or holds) a quotation
    denial: bool


@dataclass(frozen=True, slots=True)
class Lexicon:
    forms: dict[str, tuple[str, str]]  # inflected form -> (lemma, kind)
    object_infinitive: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]  # "according to" as words


def _inflect(lemma: str) -> set[str]:
    forms = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "ing", lemma + "d"}
    if lemma.endswith("e"):
        forms |= {lemma[:-1] + "ing"}
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if len(lemma) > 2 and lemma[-1] not in "aeiouwy" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}  # admit -> admitted
    return forms


@cache
def lexicon() -> Lexicon:
    raw = tomllib.loads(resources.files("newstrace.data").joinpath("attribution_cues.toml").read_text("utf-8"))
    forms: dict[str, tuple[str, str]] = {}
    for kind, lemmas in raw["verbs"].items():
        for lemma in lemmas:
            for form in _inflect(lemma) | set(raw.get("inflections", {}).get(lemma, ())):
                forms.setdefault(form, (lemma, kind))
    phrases = tuple(tuple(p.split()) for p in raw["phrases"]["according"])
    return Lexicon(forms, frozenset(raw["objects"]["infinitive"]), phrases)


_QUOTES = "\"“”„«»"
_CLAUSE_DEPS = {"ccomp", "xcomp", "parataxis"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
# Parts of a subject phrase left out of the source span (relative clauses and the like).
_SOURCE_CUT = {"relcl", "acl", "advcl", "punct", "cc", "conj"}


def _span(doc: Any, tokens: list[Any]) -> Span | None:
    if not tokens:
        return None
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    text = doc.text[start:end]
    lead = len(text) - len(text.lstrip(_EDGE))
    trail = len(text) - len(text.rstrip(_EDGE))
    start, end = start + lead, end - trail
    if end <= start:
        return None
    return Span(start, end, doc.text[start:end])


def _subtree(tok: Any, skip: set[Any] = frozenset()) -> list[Any]:  # type: ignore[assignment]
    out, stack = [], [tok]
    while stack:
        t = stack.pop()
        if t in skip:
            continue
        out.append(t)
        stack.extend(t.children)
    return out


def _source(verb: Any) -> list[Any]:
    for child in verb.children:
        if child.dep_ in _SUBJECT_DEPS:
            return _source_phrase(child)
        if child.dep_ == "agent":
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs:
                return _source_phrase(objs[0])
    if verb.dep_ in ("conj", "xcomp") and verb.head.pos_ in ("VERB", "AUX"):
        return _source(verb.head)  # "he stood up and said ..."
    if verb.dep_ == "advcl" and verb.tag_ == "VBG" and verb.head.pos_ in ("VERB", "AUX"):
        return _source(verb.head)  # "..., she said, adding that ..." / "while stressing that ..."
    return []


def _source_phrase(head: Any) -> list[Any]:
    cut = {c for c in head.children if c.dep_ in _SOURCE_CUT}
    skip: set[Any] = set()
    for c in cut:
        skip.update(c.subtree)
    return sorted((t for t in head.subtree if t not in skip), key=lambda t: t.i)


def _content(verb: Any, lemma: str, kind: str, lex: Lexicon) -> list[Any]:
    children = list(verb.children)
    clauses = [c for c in children if c.dep_ in ("ccomp", "parataxis")
               or (c.dep_ == "xcomp" and kind in ("belief", "attitude"))]
    if lemma in lex.object_infinitive:
        inf = [c for c in children if c.dep_ == "xcomp"]
        obj = [c for c in children if c.dep_ in ("dobj", "obj")]
        if inf:
            return sorted({t for c in obj + inf for t in c.subtree}, key=lambda t: t.i)
    if clauses:
        return sorted({t for c in clauses for t in c.subtree}, key=lambda t: t.i)
    if kind == "evaluation":
        parts = [c for c in children if c.dep_ in ("dobj", "obj", "oprd")
                 or (c.dep_ == "prep" and c.lower_ == "as")]
        if any(c.dep_ in ("dobj", "obj") for c in parts):
            return sorted({t for c in parts for t in c.subtree}, key=lambda t: t.i)
    if kind in ("denial", "report", "knowledge", "attitude"):
        obj = [c for c in children if c.dep_ in ("dobj", "obj")]
        if obj:
            return sorted(obj[0].subtree, key=lambda t: t.i)
    # "..., X said": the reported clause is the cue's head; the content is that clause
    # without the cue's own phrase
    if verb.dep_ in _CLAUSE_DEPS | {"advcl"} and verb.head.pos_ in ("VERB", "AUX") and verb.head.i != verb.i:
        own = set(verb.subtree)
        return sorted((t for t in verb.head.subtree if t not in own), key=lambda t: t.i)
    return []


def _strip_punct_edges(tokens: list[Any]) -> list[Any]:
    while tokens and tokens[0].is_punct and tokens[0].text not in _QUOTES:
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct and tokens[-1].text not in _QUOTES and tokens[-1].text not in ".?!":
        tokens = tokens[:-1]
    return tokens


def _according(sent: Any, lex: Lexicon) -> list[Attribution]:
    out = []
    words = [t.lower_ for t in sent]
    for phrase in lex.phrases:
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if tuple(words[i:i + n]) != phrase:
                continue
            cue_tokens = list(sent[i:i + n])
            last = cue_tokens[-1]
            objs = [c for c in last.children if c.dep_ == "pobj"] or [c for c in cue_tokens[0].children
                                                                     if c.dep_ in ("pobj", "dobj")]
            if objs:
                src = _source_phrase(objs[0])
            else:  # a parse without the object attached: the noun phrase that follows
                src = []
                for t in sent[i + n:]:
                    if t.is_punct or t.pos_ in ("VERB", "AUX"):
                        break
                    src.append(t)
            phrase_tokens = set(cue_tokens) | set(src)
            if objs:
                phrase_tokens |= set(objs[0].subtree)
            rest = _strip_punct_edges([t for t in sent if t not in phrase_tokens])
            cue, source, content = _span(sent.doc, cue_tokens), _span(sent.doc, src), _span(sent.doc, rest)
            if cue and content is None and source is not None:
                # "According to the New York Times:" before an embed the page lost: the source is
                # cited, the content is missing (an empty span where it stood)
                content = Span(source.end, source.end, "")
            if cue and content:
                out.append(Attribution(source, cue, content, "according",
                                       _quoted(content.text, content.start, content.end, sent.doc.text), False))
    return out


def _quoted(text: str, start: int = 0, end: int | None = None, whole: str = "") -> bool:
    """Whether a content holds a quotation mark or stands between quotation marks (a comma or
    full stop may come before the closing one: `can,”`)."""
    if any(q in text for q in _QUOTES):
        return True
    if not whole or end is None:
        return False
    before, after = whole[max(0, start - 2):start], whole[end:end + 2]
    return any(q in before for q in _QUOTES) and any(q in after for q in _QUOTES)


_OPEN = "“„«"
_CLOSE = "”»"


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Quotations as (start, end) spans including their marks: curly pairs, and straight
    double quotes paired in order. An unbalanced mark opens nothing (the quote runs to the
    end of its paragraph at most)."""
    out: list[tuple[int, int]] = []
    start: int | None = None
    straight: int | None = None
    for i, ch in enumerate(text):
        if ch in _OPEN:
            start = i
        elif ch in _CLOSE and start is not None:
            out.append((start, i + 1))
            start = None
        elif ch == '"':
            if straight is None:
                straight = i
            else:
                out.append((straight, i + 1))
                straight = None
        elif ch == "\n" and i + 1 < len(text) and text[i + 1] == "\n":
            # a paragraph break closes an unbalanced quote at the paragraph's end
            if start is not None and start < i:
                out.append((start, i))
            start = straight = None
    return sorted(out)


# What may stand between the cue phrase and a quotation that continues the same speech.
_JOIN = set(" \t\n,.:;—–-")


def _extend_quotes(found: list[Attribution], text: str, sentence_ends: list[int]) -> list[Attribution]:
    """Quoted contents take in their whole quotation, and the quotation that continues right
    after the cue ("“A,” she said. “B.”" -> A to B; "she said: “A.” “B.”" -> both)."""
    regions = quote_regions(text)
    if not regions:
        return found
    out = []
    for a in found:
        start, end = a.content.start, a.content.end
        inside = [r for r in regions if r[0] < end and start < r[1] and not (r[0] <= a.cue.start < r[1])]
        if not inside:
            out.append(a)
            continue
        start, end = min(start, inside[0][0]), max(end, inside[-1][1])
        after = max(a.cue.end, a.source.end if a.source else 0, end)
        # the rest of the cue's sentence ("... she said on Wednesday.") before a continuation
        sent_end = next((e for e in sentence_ends if e >= after), after)
        if not any(q in text[after:sent_end] for q in _QUOTES):
            after = sent_end
        for r in regions:
            if r[0] >= after and set(text[after:r[0]]) <= _JOIN and r[0] - after <= 4:
                end, after = r[1], r[1]
        content = Span(start, end, text[start:end])
        out.append(Attribution(a.source, a.cue, content, a.kind, True, a.denial))
    return out


def _introduced_quote(cue: Any, regions: list[tuple[int, int]], text: str) -> Span | None:
    """The quotation a cue introduces with a colon ("Caddell continued: “...”"): the one that
    starts right after it, past the colon and white space (a paragraph break included)."""
    at = cue.idx + len(cue.text)
    rest = text[at:at + 8]
    gap = len(rest) - len(rest.lstrip(" \t\n:"))
    if ":" not in rest[:gap]:
        return None
    for start, end in regions:
        if start == at + gap:
            return Span(start, end, text[start:end])
    return None


def extract(doc: Any) -> list[Attribution]:
    """Every attribution found in a parsed spaCy `Doc`, in text order."""
    lex = lexicon()
    regions = quote_regions(doc.text)
    out: list[Attribution] = []
    for sent in doc.sents:
        out += _according(sent, lex)
        for tok in sent:
            entry = lex.forms.get(tok.lower_)
            if entry is None or not tok.tag_.startswith("VB"):
                continue
            lemma, kind = entry
            content_tokens = _strip_punct_edges(_content(tok, lemma, kind, lex))
            if len([t for t in content_tokens if not t.is_punct]) >= 2:
                content = _span(doc, content_tokens)
            else:
                content = _introduced_quote(tok, regions, doc.text)
            if content is None:
                continue
            src_tokens = _source(tok)
            # the cue with its auxiliaries and particles ("has learned", "pointed out")
            cue_tokens = [tok] + [c for c in tok.children if c.dep_ in ("aux", "auxpass", "prt", "neg")]
            cue = _span(doc, sorted(cue_tokens, key=lambda t: t.i))
            if cue is None:
                continue
            out.append(Attribution(_span(doc, src_tokens), cue, content, kind,
                                   _quoted(content.text, content.start, content.end, doc.text), kind == "denial"))
    out = _extend_quotes(out, doc.text, [sent.end_char for sent in doc.sents])
    out.sort(key=lambda a: (a.content.start, a.cue.start))
    return out
