"""What an article asserts: its check-worthy claims (issue 6, part 1).

A claim is a sentence, or a clause of a long one, that says something checkable. It is built
from what the analysis already stored, so extraction needs no model:

- **units**: each sentence that is not an artefact (repeated headline, wire credit,
  boilerplate); a sentence over `MAX_CHARS` (run-on sentences, lists and tables flattened into
  text) is cut at line breaks, semicolons and dashes, then at commas, so no claim is longer
  than `MAX_CHARS`;
- **dropped**: pieces of fewer than `MIN_WORDS` words, pieces that are mostly figures or
  symbols (table rows), questions, and sentences that are only an attribution frame
  ("According to the New York Times:");
- **check-worthiness** (0 to 1): names, figures, an attribution and a sentence of some length
  raise it; first- and second-person talk, questions and very short pieces lower it. The
  weights are set by hand (there is no labelled check-worthiness data in the development set)
  and documented in `CHECKWORTHY`; claims under `MIN_CHECKWORTHY` are left out;
- **attribution**: the attribution whose cue or content lies in the claim, with its source;
- **denials**: a claim that is a denial ("The Iranian Defense Ministry has denied the reports")
  points to the claims it denies: the content of the denial when it is explicit, else what
  "the reports" refers to: the nearest earlier claim that reports something (an outlet's
  report, "according to ...") within `DENIAL_LOOKBACK` claims, else the claim just before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from newstrace.claims.support import tokens

MAX_CHARS = 400
MIN_WORDS = 4
MIN_CHECKWORTHY = 0.3
DENIAL_LOOKBACK = 3
# Check-worthiness: a base and what each property adds (hand-set, see the module docstring).
CHECKWORTHY = {"base": 0.3, "names": 0.25, "numbers": 0.2, "attribution": 0.15, "length": 0.1,
               "short": -0.2, "question": -0.4, "personal": -0.2}

_ALPHA = re.compile(r"[A-Za-z]{2,}")
_LINES = re.compile(r"\s*\n\s*")
_CUT_STRONG = re.compile(r";\s+|\s+[—–]\s+|\s+--\s+")
_CUT_WEAK = re.compile(r",\s+")
_PERSONAL = re.compile(r"\b(I|we|you|my|our|your|us|me)\b")
_BACKREF = re.compile(r"^\s*(the|these|those|such|this|that|its|their)?\s*(report|reports|claim|claims|allegation|"
                      r"allegations|accusation|accusations|story|stories|account|accounts|rumou?rs?|it|this|that|"
                      r"them|charges?)\b", re.I)
_NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"}
_NUMBER_LABELS = {"CARDINAL", "MONEY", "PERCENT", "QUANTITY"}


@dataclass(slots=True)
class Claim:
    id: str
    article_id: str
    sentence_id: str
    start: int
    end: int
    text: str
    checkworthiness: float
    entities: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[dict[str, Any]] = field(default_factory=list)
    attribution: dict[str, Any] | None = None
    denies: list[str] = field(default_factory=list)  # ids of the claims this one denies
    denial_content: str | None = None  # what is denied, when the denial says it

    @property
    def names(self) -> list[str]:
        return [e["text"].lower() for e in self.entities if e["label"] in _NAME_LABELS]

    @property
    def values(self) -> list[float]:
        return [float(n["value"]) for n in self.numbers]


def words(text: str) -> list[str]:
    """Word tokens, as the support features count them."""
    return tokens(text)


def pieces(start: int, end: int, text: str) -> list[tuple[int, int]]:
    """Spans (absolute) of `text` (which starts at `start`): cut at line breaks (list items, table
    rows), then, where still over MAX_CHARS, at semicolons and dashes, then commas, then spaces."""
    out = []
    prev = 0
    for m in [*_LINES.finditer(text), None]:  # list items and table rows sit on lines of their own
        stop = m.start() if m else len(text)
        out += [(start + s, start + e) for s, e in _cut(text, prev, stop, (_CUT_STRONG, _CUT_WEAK))]
        prev = m.end() if m else prev
    return out


def _cut(text: str, s: int, e: int, cutters: tuple[re.Pattern[str], ...]) -> list[tuple[int, int]]:
    s, e = _trim(text, s, e)
    if e - s <= MAX_CHARS or s >= e:
        return [(s, e)] if s < e else []
    if not cutters:  # no place left to cut: fixed windows at spaces
        out = []
        while e - s > MAX_CHARS:
            cut = text.rfind(" ", s, s + MAX_CHARS)
            cut = cut if cut > s else s + MAX_CHARS
            out.append((s, cut))
            s, _ = _trim(text, cut, e)
        return out + ([(s, e)] if s < e else [])
    marks = [m for m in cutters[0].finditer(text, s, e)]
    if not marks:
        return _cut(text, s, e, cutters[1:])
    out: list[tuple[int, int]] = []
    if cutters[0] is _CUT_WEAK:  # commas: gather clauses up to MAX_CHARS rather than cut at every one
        begin = s
        last = s
        for m in marks:
            if m.start() - begin > MAX_CHARS and last > begin:
                out.append((begin, last))
                begin = last
            last = m.end()
        rest = [(begin, e)]
        out_rest = _cut(text, begin, e, cutters[1:]) if e - begin > MAX_CHARS else rest
        return [p for p in (_trim(text, a, b) for a, b in out) if p[0] < p[1]] + out_rest
    prev = s
    for m in marks:
        out += _cut(text, prev, m.start(), cutters)
        prev = m.end()
    out += _cut(text, prev, e, cutters[1:] if prev == s else cutters)
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and (text[s].isspace() or text[s] in ",;-*•·–—"):  # separators and list bullets
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def checkworthiness(text: str, n_names: int, n_numbers: int, attributed: bool) -> float:
    w = CHECKWORTHY
    n = len(words(text))
    score = w["base"]
    score += w["names"] if n_names else 0.0
    score += w["numbers"] if n_numbers else 0.0
    score += w["attribution"] if attributed else 0.0
    score += w["length"] if n >= 8 else 0.0
    score += w["short"] if n < 5 else 0.0
    if text.rstrip().rstrip("\"'”’").endswith("?"):
        score += w["question"]
    if _PERSONAL.search(_unquoted(text)):
        score += w["personal"]
    return round(max(0.0, min(1.0, score)), 3)


def _unquoted(text: str) -> str:
    return re.sub(r"[\"“][^\"”]*[\"”]", " ", text)


def _headline_case(text: str) -> bool:
    """Most words capitalised, as in a headline ("Russia Asks Iran to Minimize Casualties")."""
    ws = [w for w in _ALPHA.findall(text) if len(w) > 3]
    return len(ws) >= 3 and sum(w[0].isupper() for w in ws) >= 0.8 * len(ws)


def _table_like(text: str) -> bool:
    toks = text.split()
    if not toks:
        return True
    alpha = sum(1 for t in toks if _ALPHA.search(t))
    return alpha / len(toks) < 0.5


def _within(items: list[dict[str, Any]], s: int, e: int) -> list[dict[str, Any]]:
    return [x for x in items if x["start"] >= s and x["end"] <= e]


def _frame_only(text: str, s: int, e: int, attribution: dict[str, Any] | None) -> bool:
    """A piece that is nothing but "According to X:" or "X said:": no content of its own."""
    if attribution is None:
        return False
    content = [(c["start"], c["end"]) for c in attribution.get("content_parts") or []]
    if attribution.get("content"):
        content.append((attribution["content"]["start"], attribution["content"]["end"]))
    inside = any(cs < e and ce > s and len(words(text[max(cs, s) - s:min(ce, e) - s])) >= 2 for cs, ce in content)
    return not inside


def _attribution_for(attributions: list[dict[str, Any]], s: int, e: int) -> dict[str, Any] | None:
    """The attribution that says who asserts the piece: of those whose cue lies in it or whose
    content covers most of it, the one whose content covers the most ("Putin urged Tehran to
    ..., a senior source said": the source's, not Putin's)."""
    best, best_cover = None, -1
    for a in attributions:
        cue = a.get("cue") or {}
        parts = [a["content"]] if a.get("content") else []
        parts += a.get("content_parts") or []
        cover = sum(max(0, min(e, p.get("end", 0)) - max(s, p.get("start", 0))) for p in parts)
        in_cue = bool(cue) and s <= cue.get("start", -1) < e
        if (in_cue or cover > 0.5 * (e - s)) and cover > best_cover:
            best, best_cover = a, cover
    return best


def _attribution_json(a: dict[str, Any]) -> dict[str, Any]:
    src = a.get("source") or {}
    return {"id": a.get("id"), "cue": (a.get("cue") or {}).get("text"), "cue_kind": a.get("cue_kind"),
            "source": src.get("name") or src.get("text"), "source_kind": src.get("kind"),
            "via": a.get("via") or [], "denial": bool(a.get("denial"))}


def extract_claims(article_id: str, text: str, sentences: list[dict[str, Any]],
                   attributions: list[dict[str, Any]] | None = None) -> list[Claim]:
    """The check-worthy claims of one stored article, in text order.

    `sentences` are in the shape of `sentences.jsonl` (with entities and numbers);
    `attributions` in that of `attributions.jsonl`.
    """
    attributions = attributions or []
    body_names = {x["text"].lower() for sent in sentences if not sent.get("artefact") and not _headline_case(sent["text"])
                  for x in sent.get("entities", []) if x["label"] in _NAME_LABELS}
    out: list[Claim] = []
    seen: set[str] = set()
    for sent in sentences:
        if sent.get("artefact"):
            # "According to the New York Times:" before an embed the page lost: the frame
            # still speaks for the claim before it
            frame = _attribution_for(attributions, sent["start"], sent["end"])
            if (frame is not None and not frame.get("denial") and out and out[-1].attribution is None
                    and _frame_only(text, sent["start"], sent["end"], frame)):
                out[-1].attribution = _attribution_json(frame) | {"detached": True}
            continue
        s0, e0 = sent["start"], sent["end"]
        for s, e in pieces(s0, e0, text[s0:e0]):
            piece = text[s:e]
            key = " ".join(piece.lower().split())
            if key in seen or len(words(piece)) < MIN_WORDS or _table_like(piece):
                continue
            attribution = _attribution_for(attributions, s, e)
            if attribution is not None and not attribution.get("denial") and _frame_only(text, s, e, attribution):
                # a detached frame ("... air defence systems. According to the New York Times:")
                # speaks for the claim just before it, when that one has no source of its own
                if out and out[-1].attribution is None and out[-1].sentence_id != sent["id"]:
                    out[-1].attribution = _attribution_json(attribution) | {"detached": True}
                continue
            ents = _within(sent.get("entities", []), s, e)
            if _headline_case(piece):  # NER guesses on Title Case: keep names the body confirms
                ents = [x for x in ents if x["label"] not in _NAME_LABELS or x["text"].lower() in body_names]
            nums = _within(sent.get("numbers", []), s, e)
            n_names = sum(1 for x in ents if x["label"] in _NAME_LABELS)
            n_numbers = len(nums) + sum(1 for x in ents if x["label"] in _NUMBER_LABELS and not nums)
            worth = checkworthiness(piece, n_names, n_numbers, attribution is not None)
            if worth < MIN_CHECKWORTHY:
                continue
            seen.add(key)
            claim = Claim(f"{article_id}:c{len(out)}", article_id, sent["id"], s, e, piece, worth, ents, nums,
                          _attribution_json(attribution) if attribution else None)
            if attribution is not None and attribution.get("denial"):
                _link_denial(claim, attribution, out, text)
            out.append(claim)
    return out


def _link_denial(claim: Claim, attribution: dict[str, Any], earlier: list[Claim], text: str) -> None:
    content = attribution.get("content") or {}
    said = text[content["start"]:content["end"]] if content else ""
    if said and not (_BACKREF.match(said) and len(words(said)) <= 4):
        claim.denial_content = said
        return
    # "denied the reports": the nearest earlier claim that reports something, else the one before
    recent = earlier[-DENIAL_LOOKBACK:]
    for c in reversed(recent):
        a = c.attribution
        if a and not a["denial"] and (a["cue_kind"] == "report" or a["via"] or a["source_kind"] == "outlet"):
            claim.denies.append(c.id)
            return
    if recent:
        claim.denies.append(recent[-1].id)
