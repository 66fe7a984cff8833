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

import bisect
import re
from newstrace.compat import tomllib
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
    # the content's pieces when the cue phrase stands inside it ("A,” she said, “B" or
    # "A, he said, B"); else the content alone
    parts: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Lexicon:
    forms: dict[str, tuple[str, str]]  # inflected form -> (lemma, kind listed first)
    kinds: dict[str, frozenset[str]]  # lemma -> every kind it is listed under
    object_infinitive: frozenset[str]
    addressee: frozenset[str]  # speech verbs whose object is the person addressed
    phrases: tuple[tuple[str, ...], ...]  # "according to" as words
    introducers: dict[str, str]  # inflected form -> lemma, for verbs that only introduce a quotation
    nouns: frozenset[str]  # nominal cues with a that-clause, singular and plural


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
    kinds: dict[str, set[str]] = {}
    for kind, lemmas in raw["verbs"].items():
        for lemma in lemmas:
            kinds.setdefault(lemma, set()).add(kind)
            for form in _inflect(lemma) | set(raw.get("inflections", {}).get(lemma, ())):
                forms.setdefault(form, (lemma, kind))
    phrases = tuple(tuple(p.split()) for p in raw["phrases"]["according"])
    introducers = {form: lemma for lemma in raw["introducers"]["verbs"]
                   for form in _inflect(lemma) | set(raw.get("inflections", {}).get(lemma, ()))}
    return Lexicon(forms, {k: frozenset(v) for k, v in kinds.items()}, frozenset(raw["objects"]["infinitive"]),
                   frozenset(raw["objects"]["addressee"]), phrases, introducers,
                   frozenset(n + suffix for n in raw["nouns"]["that_clause"] for suffix in ("", "s")))


_QUOTES = "\"“”„«»"


def _is_quote(token_text: str) -> bool:
    return token_text in _QUOTES or token_text == "''"
_CLAUSE_DEPS = {"ccomp", "xcomp", "parataxis"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
# Parts of a subject phrase left out of the source span (relative clauses and the like).
_SOURCE_CUT = {"relcl", "acl", "advcl", "punct", "cc", "conj"}


def doc_text(doc: Any) -> str:
    """The `Doc`'s text, joined once (spaCy rebuilds `Doc.text` from its tokens on every access,
    which made extraction quadratic in the length of an article)."""
    text = doc.user_data.get("newstrace_text")
    if text is None:
        text = doc.user_data["newstrace_text"] = doc.text
    return text


def _span(doc: Any, tokens: list[Any]) -> Span | None:
    if not tokens:
        return None
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    whole = doc_text(doc)
    text = whole[start:end]
    lead = len(text) - len(text.lstrip(_EDGE))
    trail = len(text) - len(text.rstrip(_EDGE))
    start, end = start + lead, end - trail
    if end <= start:
        return None
    return Span(start, end, whole[start:end])


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
    right = [c for c in verb.children if c.dep_ == "ccomp" and c.i > verb.i]
    left = [c for c in verb.children if c.dep_ == "ccomp" and c.i < verb.i]
    if right and left and not any(_is_quote(t.text) for t in left[0].subtree):
        # "Declan Rourke, coxswain of the lifeboat, said his crew ...", parsed as two reported
        # clauses: a cue reports one, so the left one is its speaker, mis-parsed
        return sorted(left[0].subtree, key=lambda t: t.i)
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
    tokens = sorted((t for t in head.subtree if t not in skip), key=lambda t: t.i)
    # a subject that starts inside the quotation before it ("“... Full panic mode,” Leslie
    # Wimes said", parsed with "mode" as subject): the speaker is what follows the quotation
    closes = [k for k, t in enumerate(tokens) if _is_quote(t.text)]
    if closes and closes[-1] + 1 < len(tokens):
        tokens = [t for t in tokens[closes[-1] + 1:] if not t.is_punct or t.text in ("-", "'s", "’s")]
    return tokens


_CONTRAST = {"although", "though", "while", "whereas"}


def _trailing_participle(tok: Any) -> bool:
    """The writer's addition after a reported clause, set off by a comma: a participle clause
    ("..., focusing on people under 30"), a contrast ("..., although it may take days"), or a
    new clause with its own subject after ", and" / ", but" ("..., and when pressed, she ...";
    not "..., and that ...", which is reported too)."""
    if tok.i <= tok.head.i or tok.left_edge.i == 0:
        return False
    doc = tok.doc
    before = doc[tok.left_edge.i - 1]
    if tok.dep_ == "advcl":
        marks = {c.lower_ for c in tok.children if c.dep_ == "mark"}
        return before.text == "," and (tok.tag_ == "VBG" or bool(marks & _CONTRAST))
    if tok.dep_ == "conj" and tok.pos_ in ("VERB", "AUX"):
        cc = [c for c in tok.head.children if c.dep_ == "cc" and tok.head.i < c.i < tok.i]
        comma = cc and cc[-1].i > 0 and doc[cc[-1].i - 1].text == ","
        own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)
        reported = any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children)
        return bool(comma) and own_subject and not reported
    return False


def _sorted_subtrees(heads: list[Any]) -> list[Any]:
    out: set[Any] = set()
    for head in heads:
        stack = [head]
        while stack:
            t = stack.pop()
            out.add(t)
            stack.extend(c for c in t.children if not _trailing_participle(c))
    return sorted(out, key=lambda t: t.i)


def _content(verb: Any, lemma: str, kinds: frozenset[str], lex: Lexicon) -> list[Any]:
    children = list(verb.children)
    clauses = [c for c in children if c.dep_ in ("ccomp", "parataxis")]
    if any(c.dep_ == "ccomp" and c.i > verb.i for c in clauses):
        # a reported clause on each side, the left one unquoted: the left one is the
        # mis-parsed speaker (see `_source`)
        clauses = [c for c in clauses if c.i > verb.i or any(_is_quote(t.text) for t in c.subtree)]
    infinitives = [c for c in children if c.dep_ == "xcomp"]
    objs = [c for c in children if c.dep_ in ("dobj", "obj")]
    if lemma in lex.object_infinitive and infinitives:
        return _sorted_subtrees(objs + infinitives)  # "urged Iran to show restraint"
    called_for = [c for c in children if c.dep_ == "prep" and c.lower_ == "for"] if lemma == "call" else []
    if called_for and not objs:
        return _sorted_subtrees([g for c in called_for for g in c.children if g.dep_ == "pobj"])
    if clauses:
        return _sorted_subtrees(clauses)
    if infinitives and not objs:
        return _sorted_subtrees(infinitives)  # "vowed to retaliate", "wants to win"
    if objs and ("evaluation" in kinds or lemma == "call"):
        # "criticized the killing as a 'very dangerous assassination'", "called Trump a liar",
        # "slamming Kaine for his work"
        parts = objs + [c for c in children if c.dep_ in ("oprd", "xcomp", "ccomp")
                        or (c.dep_ == "prep" and c.lower_ in ("as", "for", "over"))]
        return _sorted_subtrees(parts)
    if objs and (kinds & {"denial", "report", "knowledge", "attitude", "evaluation"}
                 or lemma not in lex.addressee):
        return _sorted_subtrees(objs[:1])
    # "..., X said": the reported clause is the cue's head; the content is that clause
    # without the cue's own phrase
    if (verb.dep_ in _CLAUSE_DEPS | {"advcl"} and verb.head.pos_ in ("VERB", "AUX") and verb.head.i != verb.i
            and not objs and not infinitives and verb.tag_ != "VB"):
        own = set(verb.subtree)
        return sorted((t for t in verb.head.subtree if t not in own), key=lambda t: t.i)
    return []


def _strip_punct_edges(tokens: list[Any]) -> list[Any]:
    while tokens and tokens[0].is_punct and not _is_quote(tokens[0].text):
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct and not _is_quote(tokens[-1].text) and tokens[-1].text not in ".?!":
        tokens = tokens[:-1]
    return tokens


def _nominal(tok: Any, lex: Lexicon) -> Attribution | None:
    """"Trump's claim that ...", "a New York Times report that ...": a cue noun whose clause
    starts with "that" (not a relative clause: "the report that he wrote")."""
    if tok.lower_ not in lex.nouns or not tok.tag_.startswith("NN"):
        return None
    clause = [c for c in tok.children if c.dep_ in ("acl", "ccomp", "relcl") and c.i > tok.i
              and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)]
    if not clause:
        return None
    doc = tok.doc
    src = [c for c in tok.children if c.dep_ == "poss"] or [c for c in tok.children if c.dep_ == "compound"
                                                              and c.pos_ == "PROPN"]
    src_tokens = sorted({t for c in src for t in c.subtree if t.dep_ != "case"}, key=lambda t: t.i)
    content = _span(doc, _strip_punct_edges(_sorted_subtrees(clause)))
    cue = _span(doc, [tok])
    if content is None or cue is None:
        return None
    kind = "denial" if tok.lower_.startswith("denial") else "speech"
    return Attribution(_span(doc, src_tokens), cue, content, kind,
                       _quoted(content.text, content.start, content.end, doc_text(doc)), kind == "denial")


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
                                       _quoted(content.text, content.start, content.end, doc_text(sent.doc)), False))
    return out


def _quoted(text: str, start: int = 0, end: int | None = None, whole: str = "") -> bool:
    """Whether a content holds a quotation mark or stands between quotation marks (a comma or
    full stop may come before the closing one: `can,”`)."""
    if any(q in text for q in _QUOTES) or "''" in text:
        return True
    if not whole or end is None:
        return False
    before, after = whole[max(0, start - 2):start], whole[end:end + 2]
    return any(q in before for q in _QUOTES) and any(q in after for q in _QUOTES) or ("''" in before and "''" in after)


_OPEN = "“„«"
_CLOSE = "”»"


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Quotations as (start, end) spans including their marks: curly pairs, and straight
    double quotes (or two apostrophes, as some archives write them) paired in order. An
    unbalanced mark opens nothing (the quote runs to the end of its paragraph at most)."""
    out: list[tuple[int, int]] = []
    start: int | None = None
    straight: int | None = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        width = 2 if text.startswith("''", i) else 1
        if ch in _OPEN:
            start = i
        elif ch in _CLOSE and (start is not None or straight is not None):
            # a curly close also ends a quotation opened with a straight mark ("...”)
            out.append((start if start is not None else straight, i + 1))  # type: ignore[arg-type]
            start = straight = None
        elif ch == '"' or width == 2:
            if start is not None and straight is None:
                out.append((start, i + width))  # “...": opened curly, closed straight
                start = None
            elif straight is None:
                straight = i
            else:
                out.append((straight, i + width))
                straight = None
        elif ch == "\n" and i + 1 < n and text[i + 1] == "\n":
            # a paragraph break closes an unbalanced quote at the paragraph's end
            for open_at in (start, straight):
                if open_at is not None and open_at < i:
                    out.append((open_at, i))
            start = straight = None
        i += width
    return sorted(out)


def spans_within(spans: list[Any], starts: list[int], start: int, end: int) -> list[Any]:
    """Of `spans` (tuples starting `(start, end, ...)`, sorted; `starts` their starts), those
    lying inside [start, end), found by bisection."""
    i = bisect.bisect_left(starts, start)
    out = []
    while i < len(spans) and spans[i][0] < end:
        if spans[i][1] <= end:
            out.append(spans[i])
        i += 1
    return out


class Regions:
    """Quotation spans, sorted, with the lookups extraction needs done by bisection (a long text
    holds thousands of quotations and attributions: no lookup may scan them all)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]
        self.reach: list[int] = []  # the furthest end among the spans up to each one
        for _, end in self.spans:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def __bool__(self) -> bool:
        return bool(self.spans)

    def _before(self, pos: int, start: int) -> list[tuple[int, int]]:
        """Spans starting before `pos` whose end passes `start`, in order."""
        out = []
        j = bisect.bisect_left(self.starts, pos) - 1
        while j >= 0 and self.reach[j] > start:
            if self.spans[j][1] > start:
                out.append(self.spans[j])
            j -= 1
        return out[::-1]

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        """Spans that share a character with [start, end), in order."""
        return self._before(end, start)

    def containing(self, pos: int) -> bool:
        """Whether `pos` lies strictly inside a span."""
        return any(s < pos < e for s, e in self._before(pos, pos))

    def starting_at_or_after(self, pos: int) -> tuple[int, int] | None:
        i = bisect.bisect_left(self.starts, pos)
        return self.spans[i] if i < len(self.spans) else None

    def ending_by(self, pos: int) -> tuple[int, int] | None:
        """The span that ends last at or before `pos`."""
        i = bisect.bisect_right(self.starts, pos)
        best = None
        for j in range(i - 1, max(-1, i - 6), -1):
            if self.spans[j][1] <= pos and (best is None or self.spans[j][1] > best[1]):
                best = self.spans[j]
        return best

    def within(self, start: int, end: int) -> list[tuple[int, int]]:
        return spans_within(self.spans, self.starts, start, end)


# What may stand between the cue phrase and a quotation that continues the same speech.
_JOIN = set(" \t\n,.:;—–-")


def _extend_quotes(found: list[Attribution], text: str, sentence_ends: list[int], regions: Regions) -> list[Attribution]:
    """Quoted contents take in their whole quotation, and the quotation that continues right
    after the cue ("“A,” she said. “B.”" -> A to B; "she said: “A.” “B.”" -> both)."""
    if not regions:
        return found
    out = []
    for a in found:
        start, end = a.content.start, a.content.end
        inside = [r for r in regions.overlapping(start, end) if not (r[0] <= a.cue.start < r[1])]
        if not inside:
            out.append(a)
            continue
        ends_quoted = inside[-1][1] >= end - 2 or a.cue.start >= inside[-1][1]
        start, end = min(start, inside[0][0]), max(end, inside[-1][1])
        if not ends_quoted:  # a quoted phrase inside indirect speech: no continuation
            out.append(Attribution(a.source, a.cue, Span(start, end, text[start:end]), a.kind, True, a.denial))
            continue
        after = max(a.cue.end, a.source.end if a.source else 0, end)
        # the rest of the cue's sentence ("... she said on Wednesday.") before a continuation
        k = bisect.bisect_left(sentence_ends, after)
        sent_end = sentence_ends[k] if k < len(sentence_ends) else after
        if not any(q in text[after:sent_end] for q in _QUOTES) and "''" not in text[after:sent_end]:
            after = sent_end
        while (r := regions.starting_at_or_after(after)) is not None:
            if r[0] - after > 4 or not set(text[after:r[0]]) <= _JOIN:
                break
            end, after = r[1], r[1]
        content = Span(start, end, text[start:end])
        out.append(Attribution(a.source, a.cue, content, a.kind, True, a.denial))
    return out


def _introduced_quote(cue: Any, regions: Regions, text: str) -> Span | None:
    """The quotation a cue introduces with a colon ("Caddell continued: “...”"): the one that
    starts right after it, past the colon and white space (a paragraph break included)."""
    at = cue.idx + len(cue.text)
    rest = text[at:at + 8]
    gap = len(rest) - len(rest.lstrip(" \t\n:"))
    if ":" not in rest[:gap]:
        return None
    r = regions.starting_at_or_after(at + gap)
    if r is not None and r[0] == at + gap:
        return Span(r[0], r[1], text[r[0]:r[1]])
    return None


# A speaker's turn in a transcript: a paragraph opening with a label in capitals ("PENCE: ...",
# "MR. TRUMP: ..."), and a pull quote signed with a dash ("“...” ― Sonya Herridge").
_TURN = re.compile(r"(?m)^[\"“']?(?P<label>[A-Z][A-Z.'\- ]{1,40}[A-Z.]):[ \t]+(?P<content>\S[^\n]*)")
_SIGNED = re.compile(r"(?P<quote>[“\"][^“”\"\n]{10,}[”\"])[ \t\xa0]*(?P<dash>[―—]|--)[ \t\xa0]*"
                     r"(?P<name>[A-Z][\w.'-]*(?:[ \t\xa0]+[A-Z][\w.'-]*){0,4})")


def _turns_and_signed(text: str) -> list[Attribution]:
    out = []
    for m in _TURN.finditer(text):
        label, content = m.span("label"), m.span("content")
        body = text[content[0]:content[1]].rstrip(" \t\"”")
        end = content[0] + len(body)
        if end > content[0]:
            out.append(Attribution(Span(*label, text[label[0]:label[1]]), Span(label[1], label[1] + 1, ":"),
                                   Span(content[0], end, text[content[0]:end]), "speech", True, False))
    for m in _SIGNED.finditer(text):
        q, d, n = m.span("quote"), m.span("dash"), m.span("name")
        name = text[n[0]:n[1]].rstrip(".")
        out.append(Attribution(Span(n[0], n[0] + len(name), name), Span(*d, text[d[0]:d[1]]),
                               Span(*q, text[q[0]:q[1]]), "speech", True, False))
    return out


def _preceding_quote(verb: Any, src_tokens: list[Any], regions: Regions, text: str) -> Span | None:
    """The quotation a cue follows ("“...,” Leslie Wimes, a caucus president, said" or "“...,”
    said James Acton"): the one that ends right before the cue phrase, past commas and white
    space."""
    first = min([verb.idx] + [t.idx for t in src_tokens if t.i < verb.i])
    if src_tokens and src_tokens[0].lower_ in ("that", "which", "who"):
        return None  # "a “very dangerous assassination” that threatened ...": no speaker
    r = regions.ending_by(first)
    if r is None:
        return None
    start, end = r
    gap = text[end:first]
    # the quotation ends with its own punctuation ("...,” she said) or a comma follows it
    if not gap.strip(" \t\n,") and (
            "," in gap or text[max(start, end - 3):end].rstrip("”\"'»")[-1:] in (",", "?", "!", "—", "-")):
        return Span(start, end, text[start:end])
    return None


def _parenthetical(sent: Any, verb: Any, src_tokens: list[Any]) -> list[Any] | None:
    """The content around a cue set off by commas: "A, he said, B" -> A and B; "A, he said."
    -> A. None when the cue is not parenthetical."""
    if not src_tokens:
        return None  # "A, he said, B" always names its speaker
    first = min([verb.i] + [t.i for t in src_tokens])
    if first - 1 <= sent.start or sent.doc[first - 1].text != ",":
        return None
    if any(c.dep_ in ("ccomp", "xcomp", "dobj", "obj", "parataxis") and c.i > verb.i for c in verb.children):
        return None  # "..., he said that ..." reports what follows
    left = [t for t in sent if t.i < first - 1]
    if len([t for t in left if not t.is_punct]) < 3:
        return None
    comma = next((t.i for t in sent if t.i > verb.i and t.text in (",", ";")), None)
    right = [t for t in sent if comma is not None and t.i > comma]
    if right and right[0].tag_ == "VBG":  # "..., she said, adding that ...": its own attribution
        right = []
    return left + right


def _with_parts(a: Attribution, text: str, regions: Regions) -> Attribution:
    """Split a content around the cue phrase when the phrase stands inside it."""
    c = a.content
    phrase = [a.cue] + ([a.source] if a.source else [])
    lo, hi = min(p.start for p in phrase), max(p.end for p in phrase)
    if not (c.start < lo and hi < c.end):
        return a
    if a.direct:
        parts = [Span(r0, r1, text[r0:r1]) for r0, r1 in regions.within(c.start, c.end)]
    else:
        # the phrase runs to the next comma or full stop ("he said on Wednesday,")
        stop = min([i for i in (text.find(",", hi, c.end), text.find(".", hi, c.end)) if i >= 0] or [hi])
        parts = []
        for r0, r1 in ((c.start, lo), (stop, c.end)):
            piece = text[r0:r1]
            lead, trail = len(piece) - len(piece.lstrip(_EDGE)), len(piece) - len(piece.rstrip(_EDGE))
            if r1 - trail > r0 + lead:
                parts.append(Span(r0 + lead, r1 - trail, text[r0 + lead:r1 - trail]))
    if len(parts) < 2:
        return a
    return Attribution(a.source, a.cue, c, a.kind, a.direct, a.denial, tuple(parts))


def extract(doc: Any) -> list[Attribution]:
    """Every attribution found in a parsed spaCy `Doc`, in text order."""
    lex = lexicon()
    text = doc_text(doc)
    regions = Regions(quote_regions(text))
    out: list[Attribution] = []
    for sent in doc.sents:
        out += _according(sent, lex)
        for tok in sent:
            entry = lex.forms.get(tok.lower_)
            if entry is None and tok.lower_ in lex.introducers and tok.tag_.startswith("VB"):
                content = _introduced_quote(tok, regions, text)
                cue = _span(doc, [tok])
                if content is not None and cue is not None:
                    out.append(Attribution(_span(doc, _source(tok)), cue, content, "speech", True, False))
                continue
            if entry is None or not tok.tag_.startswith("VB"):
                nominal = _nominal(tok, lex)
                if nominal is not None:
                    out.append(nominal)
                continue
            lemma, kind = entry
            src_tokens = _source(tok)
            content_tokens = _parenthetical(sent, tok, src_tokens) if tok.dep_ not in ("ccomp",) else None
            if content_tokens is None:
                content_tokens = _content(tok, lemma, lex.kinds[lemma], lex)
            content_tokens = _strip_punct_edges(content_tokens)
            if [t for t in content_tokens if not t.is_punct]:
                content = _span(doc, content_tokens)
            else:
                content = (_introduced_quote(tok, regions, text)
                           or _preceding_quote(tok, src_tokens, regions, text))
            if content is None:
                continue
            # the cue with its auxiliaries and particles ("has learned", "pointed out")
            cue_tokens = [tok] + [c for c in tok.children if c.dep_ in ("aux", "auxpass", "prt", "neg")
                                  and abs(c.i - tok.i) <= 3
                                  and not any(t.is_punct for t in doc[min(c.i, tok.i):max(c.i, tok.i)])]
            cue = _span(doc, sorted(cue_tokens, key=lambda t: t.i))
            if cue is None:
                continue
            out.append(Attribution(_span(doc, src_tokens), cue, content, kind,
                                   _quoted(content.text, content.start, content.end, text), kind == "denial"))
    out = _extend_quotes(out, text, [sent.end_char for sent in doc.sents], regions)
    marked = _turns_and_signed(text)
    # a cue inside a quotation (or a speaker's turn) is the quoted speaker's own wording ("“I
    # don't think ...,” she said"): the quotation is the attribution, not the words inside it
    turns = Regions([(a.content.start - 1, a.content.end + 1) for a in marked])
    out = [_with_parts(a, text, regions) for a in out
           if a.kind == "according" or not (regions.containing(a.cue.start) or turns.containing(a.cue.start))]
    taken = Regions([(a.content.start, a.content.end) for a in out])
    out += [a for a in marked if not taken.overlapping(a.content.start, a.content.end)]
    out.sort(key=lambda a: (a.content.start, a.cue.start))
    return out
