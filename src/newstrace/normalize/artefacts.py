"""Artefacts: text inside an article that is not the story, found and recorded, never deleted.

Kinds (see docs/schema.md):
1. `repeated_headline`: the title standing again in the body (content farms repeat it).
2. `repeated_line`: any other paragraph that occurs more than once.
3. `wire_credit`: agency credits: closing lines ("With post wire", "Reporting by ..."),
   datelines ("LONDON (Reuters) -"), trailing "(AP)".
4. `dangling_embed`: a sentence that introduces something no longer there
   ("According to the New York Times:."), and lines left by embeds.
5. `boilerplate`: newsletter, sharing, advertising and navigation prompts.
Patterns live in `newstrace/data/artefacts.toml`. All spans index into `Article.text`.
"""

from __future__ import annotations

import re
from newstrace.compat import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from newstrace.records import Artefact, Article

# A repeated paragraph counts only when it is at least this long: shorter lines ("Photo:",
# "Advertisement", a byline) legitimately recur and are boilerplate's business.
REPEAT_MIN_WORDS = 4
# Boilerplate prompts are short; a long paragraph that happens to say "subscribe" is text.
BOILERPLATE_MAX_WORDS = 25
# A dangling sentence is short: the lead-in to an embed, not a paragraph that ends in a colon.
DANGLING_MAX_WORDS = 30
# Datelines are looked for in this many first non-empty lines of the body.
DATELINE_LINES = 3

_LIST_OR_QUOTE_START = re.compile(r"^\s*(?:[-*•–—]\s|\d+[.)]\s|[\"“‘'«])")
_SENTENCE_BREAK = re.compile(r"[.!?][\"”’')\]]*\s+")
_KEY_STRIP = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(slots=True)
class _Patterns:
    wire_lines: list[re.Pattern[str]]
    datelines: list[re.Pattern[str]]
    trailing: list[re.Pattern[str]]
    embed_ends: list[re.Pattern[str]]
    embed_lines: list[re.Pattern[str]]
    boilerplate: list[re.Pattern[str]]


@cache
def patterns() -> _Patterns:
    raw = tomllib.loads(resources.files("newstrace.data").joinpath("artefacts.toml").read_text("utf-8"))
    agencies = "|".join(re.escape(a) for a in sorted(raw["agencies"], key=len, reverse=True))

    def comp(items: list[str], flags: int = re.IGNORECASE) -> list[re.Pattern[str]]:
        return [re.compile(p.replace("{agencies}", agencies), flags) for p in items]

    w, d, b = raw["wire_credit"], raw["dangling_embed"], raw["boilerplate"]
    return _Patterns(
        wire_lines=comp(w["lines"]),
        # datelines are upper-case city names: match case-sensitively
        datelines=comp(w["datelines"], 0),
        trailing=comp(w["trailing"], 0),
        embed_ends=comp(d["line_ends"]),
        embed_lines=comp(d["lines"]),
        boilerplate=comp(b["lines"]),
    )


@dataclass(slots=True)
class Line:
    start: int  # of the stripped line, in the article text
    end: int
    text: str


def lines_of(text: str) -> Iterator[Line]:
    """Non-empty lines (paragraphs) of `text`, stripped, with their offsets."""
    pos = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            yield Line(pos + lead, pos + lead + len(stripped), stripped)
        pos += len(raw)


def line_key(text: str) -> str:
    """What makes two paragraphs 'the same': letters and digits, case folded."""
    return _KEY_STRIP.sub(" ", text.casefold()).strip()


def find_artefacts(article: Article) -> list[Artefact]:
    """All artefacts of an article, in text order."""
    text = article.text
    lines = list(lines_of(text))
    if article.title_span is not None:
        body = [ln for ln in lines if ln.start >= article.title_span.end]
    else:
        body = lines
    found: list[Artefact] = []
    found += _repeats(article, lines)
    found += _wire_credits(body)
    found += _dangling(body, text)
    found += _boilerplate(body)
    found.sort(key=lambda a: (a.start, a.end))
    return _drop_nested(found)


def _repeats(article: Article, lines: list[Line]) -> list[Artefact]:
    title_key = line_key(article.title) if article.title else None
    by_key: dict[str, list[Line]] = {}
    for ln in lines:
        key = line_key(ln.text)
        if len(key.split()) >= REPEAT_MIN_WORDS:
            by_key.setdefault(key, []).append(ln)
    out: list[Artefact] = []
    for key, occ in by_key.items():
        if key == title_key:
            # The headline itself is not an artefact: it stands at the title span, or as the
            # first line of the text; every other occurrence is.
            first = occ[0]
            is_headline = (article.title_span is not None and first.start == article.title_span.start) \
                or first is lines[0]
            rest = occ[1:] if is_headline else occ
            out += [Artefact("repeated_headline", ln.start, ln.end) for ln in rest]
        elif len(occ) > 1:
            out += [Artefact("repeated_line", ln.start, ln.end, f"{len(occ)} times") for ln in occ[1:]]
    return out


def _wire_credits(body: list[Line]) -> list[Artefact]:
    p = patterns()
    out: list[Artefact] = []
    for ln in body:
        if any(r.search(ln.text) for r in p.wire_lines):
            out.append(Artefact("wire_credit", ln.start, ln.end, ln.text))
    for ln in body[:DATELINE_LINES]:
        for r in p.datelines:
            m = r.match(ln.text)
            if m:
                out.append(Artefact("wire_credit", ln.start, ln.start + len(m.group().rstrip()),
                                    m.group().strip()))
                break
    if body:
        last = body[-1]
        for r in p.trailing:
            m = r.search(last.text)
            if m and m.start() > 0:
                s = last.start + m.start() + (len(m.group()) - len(m.group().lstrip()))
                out.append(Artefact("wire_credit", s, last.end, m.group().strip()))
                break
    return out


def _dangling(body: list[Line], text: str) -> list[Artefact]:
    p = patterns()
    out: list[Artefact] = []
    for i, ln in enumerate(body):
        if any(r.search(ln.text) for r in p.embed_lines):
            out.append(Artefact("dangling_embed", ln.start, ln.end))
            continue
        if not any(r.search(ln.text) for r in p.embed_ends):
            continue
        nxt = body[i + 1] if i + 1 < len(body) else None
        colon_dot = ln.text.rstrip().endswith(".") and ":" in ln.text[-4:]
        if not colon_dot and nxt is not None and _LIST_OR_QUOTE_START.match(nxt.text):
            continue  # the colon introduces a list or a quote that is still there
        # the last sentence of the line
        starts = [m.end() for m in _SENTENCE_BREAK.finditer(ln.text)]
        starts = [s for s in starts if s < len(ln.text) - 2]
        s = starts[-1] if starts else 0
        sentence = ln.text[s:]
        if len(sentence.split()) <= DANGLING_MAX_WORDS:
            out.append(Artefact("dangling_embed", ln.start + s, ln.end, sentence))
    return out


def _boilerplate(body: list[Line]) -> list[Artefact]:
    p = patterns()
    out: list[Artefact] = []
    for ln in body:
        if len(ln.text.split()) > BOILERPLATE_MAX_WORDS:
            continue
        if any(r.search(ln.text) for r in p.boilerplate):
            out.append(Artefact("boilerplate", ln.start, ln.end, ln.text))
    return out


def _drop_nested(found: list[Artefact]) -> list[Artefact]:
    """One artefact per stretch of text: drop any contained in an earlier one."""
    out: list[Artefact] = []
    for a in found:
        if out and a.start >= out[-1].start and a.end <= out[-1].end:
            continue
        out.append(a)
    return out
