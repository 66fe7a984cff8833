"""Turning an article and its analysis into what the report template draws.

The central piece is `split_spans`: annotations on an article (sentences, entities, numbers,
artefacts, the title) are character ranges into `text` that may overlap freely (an artefact
may contain entities, a MONEY entity may coincide with a number, a sentence may cross an
artefact). Rather than nesting HTML elements, which only works for properly nested ranges,
the text is cut at every span boundary; each resulting piece carries all spans covering it.
The template then draws every piece as one flat `<span>` with the classes of those spans.
Further layers (the source, cue and content of attributions; claims coloured by status) come
in as `Mark` spans: each adds its CSS class to the pieces it covers, so they overlap and nest
like everything else.

Nothing here produces HTML: escaping is left to the (autoescaping) template.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

# Kinds of span, in the order their classes and tooltip lines are listed.
ARTEFACT, ENTITY, NUMBER, TITLE, MARK, SENTENCE = "artefact", "entity", "number", "title", "mark", "sentence"
_KIND_ORDER = {ARTEFACT: 0, ENTITY: 1, NUMBER: 2, TITLE: 3, MARK: 4, SENTENCE: 5}

# Hues for the usual spaCy entity labels; other labels get a hue derived from their name.
LABEL_HUES = {
    "PERSON": 212, "PER": 212, "ORG": 28, "GPE": 140, "LOC": 165, "NORP": 275, "FAC": 190,
    "EVENT": 330, "PRODUCT": 250, "WORK_OF_ART": 300, "LAW": 12, "LANGUAGE": 180,
    "DATE": 48, "TIME": 58, "MONEY": 100, "PERCENT": 88, "QUANTITY": 78, "CARDINAL": 230,
    "ORDINAL": 235, "MISC": 300,
}

# How artefact kinds are named on the page; unknown kinds are shown by their own name.
ARTEFACT_NAMES = {
    "repeated_headline": "repeated headline",
    "repeated_line": "repeated line",
    "wire_credit": "wire credit",
    "dangling_embed": "dangling embed",
    "boilerplate": "boilerplate",
    "duplicate_article": "duplicate article",
}

# Blank lines (possibly with spaces) separate paragraphs; so does leading/trailing space.
# A text without any blank line (as extracted from HTML) has one paragraph per line.
# (Each pattern starts at a newline, so scanning stays linear even over long runs of spaces.)
_PARA_BREAK = re.compile(r"\r?\n(?:[^\S\n]*\n)+[^\S\n]*")
_LINE_BREAK = re.compile(r"\r?\n\s*")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\r?\n")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True, eq=False)
class Span:
    """One annotation over `text[start:end]`. Spans compare (and hash) by identity, so two
    annotations over the same range stay two; `key` orders them stably."""

    start: int
    end: int
    kind: str
    data: Any = None
    key: int = 0


@dataclass(frozen=True, slots=True)
class Mark:
    """An extra layer over the text, drawn as a class on the pieces it covers: `cls` on every
    piece, `<cls>-s` on its first and `<cls>-e` on its last drawn piece, and `<cls>-nest` on
    pieces that two or more marks of that class cover. `tip` is a tooltip line; `group` (a
    positive number, e.g. an attribution's number in its article) is listed in the pieces'
    `groups` when `attr` is "att" (drawn as `data-att`), else in their `data` under `attr`
    (drawn as `data-<attr>`, e.g. `data-claim`), so that all the pieces of one group can be
    found. A `label` (e.g. "U2") is a small tag drawn before the mark's first piece, linking
    to the fragment `href` when one is given."""

    cls: str
    tip: str = ""
    group: int | None = None
    attr: str = "att"
    label: str = ""
    href: str = ""


@dataclass(frozen=True, slots=True)
class Segment:
    """A maximal stretch of text over which the set of covering spans does not change."""

    start: int
    end: int
    spans: tuple[Span, ...]


@dataclass(slots=True)
class Piece:
    """What the template draws for one segment (within one paragraph)."""

    text: str
    classes: str = ""
    tip: str = ""
    sentence: int | None = None
    tags: tuple[tuple[str, str], ...] = ()  # artefact tags (css class, name) drawn before it
    mark: bool = False  # a sentence starts here, mid-line: a faint boundary mark before it
    groups: tuple[int, ...] = ()  # groups of the `Mark`s covering it (attr "att")
    data: tuple[tuple[str, str], ...] = ()  # (attr, groups joined by spaces) of other marks
    labels: tuple[Mark, ...] = ()  # marks starting here that have a label, drawn before it

    @property
    def plain(self) -> bool:
        return not (self.classes or self.tip or self.sentence is not None or self.tags or self.mark
                    or self.groups or self.data or self.labels)


def split_spans(length: int, spans: Iterable[Span], cuts: Iterable[int] = ()) -> list[Segment]:
    """Cut `[0, length)` at every span boundary (and at `cuts`); return the pieces in order.

    Each segment lists the spans that cover it entirely, sorted by kind then position.
    Spans are clipped to the text; empty or inverted ones are ignored. Segments covered by
    no span are included (with no spans), so the segments always tile the whole text.
    """
    starts: dict[int, list[Span]] = {}
    ends: dict[int, list[Span]] = {}
    bounds = {0, length}
    for s in spans:
        a, b = max(0, s.start), min(length, s.end)
        if a >= b:
            continue
        starts.setdefault(a, []).append(s)
        ends.setdefault(b, []).append(s)
        bounds.add(a)
        bounds.add(b)
    bounds.update(c for c in cuts if 0 < c < length)
    order = sorted(bounds)
    active: dict[Span, None] = {}
    out: list[Segment] = []
    for a, b in zip(order, order[1:]):
        for s in ends.get(a, ()):
            active.pop(s, None)
        for s in starts.get(a, ()):
            active[s] = None
        covering = tuple(sorted(active, key=lambda s: (_KIND_ORDER.get(s.kind, 9), s.start, -s.end, s.key)))
        out.append(Segment(a, b, covering))
    return out


def field_text(value: Any) -> str | None:
    """A record's text field with its whitespace collapsed, or None when empty (or not text at all)."""
    if value is None or isinstance(value, (dict, list, tuple, set)):
        return None
    text = " ".join(str(value).split())
    return text or None


def field_number(value: Any) -> float | None:
    """A record's number field, or None when it is missing, not a number, NaN or infinite."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (
            float("inf"), float("-inf")):
        return None
    return float(value)


def css_name(value: str) -> str:
    """A string made safe to use inside a CSS class name."""
    return _UNSAFE.sub("_", value) or "_"


def anchor_id(article_id: Any) -> str:
    """The fragment id of an article's section: `article-<id>`, with the id made URL-safe.

    Letters, digits and `-` are kept; every other character (including `_`) becomes
    `_<hex code>_`, so different ids never share an anchor.
    """
    return f"article-{_safe_id(article_id)}"


def story_anchor(story_id: Any) -> str:
    """The fragment id of a story's section: `story-<id>`, made safe as `anchor_id` does."""
    return f"story-{_safe_id(story_id)}"


def _safe_id(value: Any) -> str:
    text = str(value)
    return "".join(c if (c.isascii() and c.isalnum()) or c == "-" else f"_{ord(c):x}_" for c in text)


def label_hue(label: str) -> int:
    if label in LABEL_HUES:
        return LABEL_HUES[label]
    return zlib.crc32(label.encode("utf-8")) % 360


def artefact_name(kind: str) -> str:
    return ARTEFACT_NAMES.get(kind, str(kind).replace("_", " "))


def format_value(value: Any) -> str:
    """A number's normalised value as a person would write it: 1200000, 2.5, 0.03."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):
        if float(value).is_integer() and abs(value) < 1e18:
            return f"{int(value):,}"
        return f"{value:,.6g}" if abs(value) >= 1e6 else f"{value:g}"
    return str(value)


def number_tip(n: dict) -> str:
    unit = n.get("unit")
    value = format_value(n.get("value"))
    if unit == "percent":
        shown = f"{value} %"
    elif unit:
        shown = f"{value} {unit}"
    else:
        shown = value
    return f"{n.get('kind') or 'number'} = {shown}"


def entity_tip(e: dict) -> str:
    tip = str(e.get("label") or "entity")
    if e.get("value"):
        tip += f" → {e['value']}"
    return tip


def artefact_tip(a: dict) -> str:
    tip = f"artefact: {artefact_name(str(a.get('kind')))}"
    if a.get("detail"):
        tip += f" ({a['detail']})"
    return tip


def paragraph_cuts(text: str) -> list[tuple[int, int]]:
    """Ranges of `text` that separate paragraphs: blank lines, or line ends in a text that
    has no blank line at all; and leading/trailing space."""
    n = len(text)
    lead, tail = n - len(text.lstrip()), len(text.rstrip())
    if lead == n:
        return [(0, n)] if n else []
    pattern = _PARA_BREAK if _BLANK_LINE.search(text, lead, tail) else _LINE_BREAK
    cuts = [(0, lead)] if lead else []
    cuts += [(m.start(), m.end()) for m in pattern.finditer(text, lead, tail)]
    if tail < n:
        cuts.append((tail, n))
    return cuts


def render_text(text: str, *, sentences: Sequence[dict] = (), artefacts: Sequence[dict] = (),
                title_span: dict | None = None,
                marks: Iterable[tuple[int, int, Mark]] = ()) -> list[list[Piece]]:
    """Paragraphs of pieces for an article's text, with every annotation attached.

    Entities and numbers come from `sentences`; `marks` are further layers, as (start, end,
    `Mark`); all offsets are into `text` (ranges outside it are clipped, empty or inverted ones
    left out).
    """
    text = text or ""
    spans: list[Span] = []
    key = 0

    def add(start: Any, end: Any, kind: str, data: Any) -> None:
        nonlocal key
        if isinstance(start, int) and isinstance(end, int) and not isinstance(start, bool):
            spans.append(Span(start, end, kind, data, key))
            key += 1

    for a in artefacts or ():
        add(a.get("start"), a.get("end"), ARTEFACT, a)
    for i, s in enumerate(sentences or ()):
        add(s.get("start"), s.get("end"), SENTENCE, i)
        for e in s.get("entities") or ():
            add(e.get("start"), e.get("end"), ENTITY, e)
        for n in s.get("numbers") or ():
            add(n.get("start"), n.get("end"), NUMBER, n)
    if title_span:
        add(title_span.get("start"), title_span.get("end"), TITLE, None)
    for start, end, m in marks or ():
        add(start, end, MARK, m)

    breaks = paragraph_cuts(text)
    cuts = [c for r in breaks for c in r]
    segments = split_spans(len(text), spans, cuts)

    # Which segments fall inside a paragraph break (they are not drawn; they end a paragraph).
    in_break = []
    bi = 0
    for seg in segments:
        while bi < len(breaks) and breaks[bi][1] <= seg.start:
            bi += 1
        in_break.append(bi < len(breaks) and breaks[bi][0] <= seg.start and seg.end <= breaks[bi][1])

    # First and last drawn segment of every span: entities get rounded ends, artefacts a tag,
    # sentences a boundary mark.
    first: dict[Span, int] = {}
    last: dict[Span, int] = {}
    for i, seg in enumerate(segments):
        if in_break[i]:
            continue
        for s in seg.spans:
            first.setdefault(s, i)
            last[s] = i

    paragraphs: list[list[Piece]] = []
    current: list[Piece] = []
    seen_sentence = False
    for i, seg in enumerate(segments):
        if in_break[i]:
            if current:
                paragraphs.append(current)
                current = []
            seen_sentence = False  # a new paragraph needs no sentence mark
            continue
        classes: list[str] = []
        tips: list[str] = []
        tags: list[tuple[str, str]] = []
        groups: list[int] = []
        data: dict[str, list[str]] = {}  # data attribute -> groups of other marks
        labels: list[Mark] = []
        layers: dict[str, int] = {}  # mark class -> how many marks of it cover the piece
        sentence: int | None = None
        mark = False
        for s in seg.spans:
            starts_here = first.get(s) == i
            ends_here = last.get(s) == i
            if s.kind == ARTEFACT:
                kind = str(s.data.get("kind") or "artefact")
                classes += ["a", f"k-{css_name(kind)}"]
                tips.append(artefact_tip(s.data))
                if starts_here:
                    tags.append((f"k-{css_name(kind)}", artefact_name(kind)))
            elif s.kind == ENTITY:
                classes += ["e", f"l-{css_name(str(s.data.get('label') or 'entity'))}"]
                if starts_here:
                    classes.append("e-s")
                if ends_here:
                    classes.append("e-e")
                tips.append(entity_tip(s.data))
            elif s.kind == NUMBER:
                classes.append("n")
                tips.append(number_tip(s.data))
            elif s.kind == TITLE:
                classes.append("t")
            elif s.kind == MARK:
                cls = s.data.cls
                classes.append(cls)
                if starts_here:
                    classes.append(f"{cls}-s")
                if ends_here:
                    classes.append(f"{cls}-e")
                layers[cls] = layers.get(cls, 0) + 1
                if s.data.tip:
                    tips.append(s.data.tip)
                if s.data.group is not None:
                    if s.data.attr == "att":
                        groups.append(s.data.group)
                    else:
                        data.setdefault(s.data.attr, []).append(str(s.data.group))
                if starts_here and s.data.label:
                    labels.append(s.data)
            elif s.kind == SENTENCE and sentence is None:
                sentence = s.data
                if starts_here:
                    mark = seen_sentence and not _at_line_start(text, seg.start)
                    seen_sentence = True
        classes += [f"{cls}-nest" for cls, n in layers.items() if n > 1]
        current.append(Piece(text[seg.start:seg.end], " ".join(_dedupe(classes)),
                             "\n".join(_dedupe(tips)), sentence, tuple(tags), mark,
                             tuple(_dedupe(groups)),
                             tuple((k, " ".join(_dedupe(v))) for k, v in data.items()), tuple(labels)))
    if current:
        paragraphs.append(current)
    return paragraphs


def _at_line_start(text: str, pos: int) -> bool:
    """Whether only spaces or tabs stand between `pos` and the line's start."""
    before = text[max(0, pos - 200):pos].rstrip(" \t")
    return not before or before.endswith(("\n", "\r"))


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def safe_url(url: Any) -> str | None:
    """`url` if it is an http(s) address that may be linked to, else None."""
    if isinstance(url, str) and re.match(r"(?i)^https?://[^\s]+$", url.strip()):
        return url.strip()
    return None


def is_english(language: Any) -> bool | None:
    if not language:
        return None
    return str(language).lower().split("-")[0].split("_")[0] == "en"


def short_date(value: Any) -> str:
    """The date part of an ISO date or datetime, as found otherwise."""
    if not value:
        return ""
    text = str(value)
    m = re.match(r"^\d{4}-\d{2}-\d{2}", text)
    return m.group(0) if m else text


def pretty_datetime(value: Any) -> str:
    """An ISO date/datetime for reading: `2024-03-05 09:30 UTC`; anything else as found."""
    if not value:
        return ""
    text = str(value)
    if not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
        return text
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    shown = dt.strftime("%Y-%m-%d %H:%M")
    if dt.second:
        shown += dt.strftime(":%S")
    offset = dt.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds() // 60)
        shown += " UTC" if minutes == 0 else f" {'+' if minutes > 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return shown


def format_generated(value: Any) -> str:
    """A run's ISO timestamp shown as `2024-05-01 14:03:07 UTC` (or as given)."""
    if not value:
        return ""
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    zone = dt.strftime("%Z") if dt.tzinfo else ""
    if zone in ("UTC+00:00",):
        zone = "UTC"
    return dt.strftime("%Y-%m-%d %H:%M:%S") + (f" {zone}" if zone else "")


def reason_key(reason: Any) -> str:
    """Groups skip reasons for counting: the part before the first colon."""
    return str(reason or "unknown").split(":", 1)[0].strip() or "unknown"


# ---------------------------------------------------------------------------------------
# stories: dates and the timeline drawing

# The timeline's drawing box (SVG user units; the drawing scales to the page's width).
TIMELINE_WIDTH = 760
_TL_PAD = 46  # room at each end for a tick label centred on the first/last mark
_TL_TOP = 9
_TL_LANE = 13  # vertical distance between stacked marks
_TL_GAP = 11  # marks closer than this (horizontally) go to another lane
_TL_LANES = 6  # more marks that close overlap in the top lane
_TL_TICKS = 7
_MIDNIGHT = datetime.min.time()


def parse_when(value: Any) -> datetime | None:
    """An ISO date or datetime (as found in `published`) as a naive UTC datetime, else None."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if not m:
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt


def outlet_hues(sources: Iterable[Any]) -> dict[str, int]:
    """Hues for a story's outlets, in the order given: spread by the golden angle, so the
    outlets of one story get clearly different colours. Unknown outlets (None, "") get none."""
    hues: dict[str, int] = {}
    for source in sources:
        if source and str(source) not in hues:
            hues[str(source)] = round(205 + len(hues) * 137.508) % 360
    return hues


def percent(value: Any) -> str:
    """A probability (0..1) as a whole percentage: `93%`; `—` if not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return "—"
    return f"{value * 100:.0f}%"


def count_of(value: Any) -> Any:
    """What a later capability recorded for a story, shown as a count where it is one:
    None stays None (not run); a list or mapping is counted; anything else is shown as is."""
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple, dict, set)):
        return len(value)
    return str(value)


def timeline(points: Sequence[tuple[datetime, Any]], width: int = TIMELINE_WIDTH) -> dict[str, Any]:
    """Where to draw dated marks on a horizontal time axis.

    `points` are (when, payload) pairs. Returns the drawing's `width` and `height`, the
    axis' `y` and ends (`x0`, `x1`), `marks` (x, y, payload; marks that would touch are
    stacked in lanes above the axis) and `ticks` (x, label). Positions are in SVG units.
    """
    x0, x1 = _TL_PAD, width - _TL_PAD
    pts = sorted(points, key=lambda p: p[0])
    if not pts:
        return {"width": width, "height": 0, "y": 0, "x0": x0, "x1": x1, "marks": [], "ticks": []}
    lo, hi = pts[0][0], pts[-1][0]
    timed = any(when.time() != _MIDNIGHT for when, _ in pts)
    if timed and hi - lo >= timedelta(days=1):  # over days: the axis runs from midnight to midnight
        lo = datetime(lo.year, lo.month, lo.day)
        if hi.time() != _MIDNIGHT:
            hi = datetime(hi.year, hi.month, hi.day) + timedelta(days=1)
    span = (hi - lo).total_seconds()

    def x_of(when: datetime) -> float:
        if span <= 0:
            return (x0 + x1) / 2
        return x0 + (x1 - x0) * (when - lo).total_seconds() / span

    placed: list[tuple[float, int, Any, datetime]] = []
    lanes: list[float] = []  # last x drawn in each lane
    for when, payload in pts:
        x = x_of(when)
        lane = next((i for i, last in enumerate(lanes) if x - last >= _TL_GAP), None)
        if lane is None:
            if len(lanes) < _TL_LANES:
                lanes.append(x)
                lane = len(lanes) - 1
            else:
                lane = min(range(len(lanes)), key=lambda i: lanes[i])
        lanes[lane] = x
        placed.append((x, lane, payload, when))
    axis = _TL_TOP + len(lanes) * _TL_LANE + 2
    marks = [{"x": round(x, 1), "y": axis - 8 - lane * _TL_LANE, "lane": lane, "item": payload, "when": when}
             for x, lane, payload, when in placed]
    ticks = [{"x": round(x_of(t), 1), "label": label} for t, label in _ticks(lo, hi, timed)]
    return {"width": width, "height": axis + 24, "y": axis, "x0": x0, "x1": x1, "marks": marks, "ticks": ticks}


def _ticks(lo: datetime, hi: datetime, timed: bool) -> list[tuple[datetime, str]]:
    """At most `_TL_TICKS` round dates between `lo` and `hi` (inclusive), with labels. Ticks
    within a day are only used when the dates have times (`timed`) and span two days at most."""
    if hi <= lo:
        return [(lo, lo.strftime("%Y-%m-%d %H:%M" if timed else "%Y-%m-%d"))]
    units = [("d", 1), ("d", 2), ("d", 7), ("d", 14), ("m", 1), ("m", 2), ("m", 3), ("m", 6),
             ("y", 1), ("y", 2), ("y", 5), ("y", 10), ("y", 25), ("y", 50), ("y", 100)]
    if timed and hi - lo <= timedelta(days=2):
        units = [("h", 1), ("h", 3), ("h", 6), ("h", 12), *units]
    for unit, step in units:
        ticks = _round_dates(lo, hi, unit, step, _TL_TICKS + 1)
        if 2 <= len(ticks) <= _TL_TICKS:
            fmt = {"d": "%Y-%m-%d", "m": "%Y-%m", "y": "%Y"}.get(unit)
            return [(t, t.strftime(fmt or ("%H:%M" if t.time() != _MIDNIGHT else "%Y-%m-%d"))) for t in ticks]
    if lo.date() == hi.date():
        return [(lo, lo.strftime("%H:%M")), (hi, hi.strftime("%H:%M"))]
    fmt = "%Y-%m-%d %H:%M" if timed and hi - lo <= timedelta(days=2) else "%Y-%m-%d"
    return [(lo, lo.strftime(fmt)), (hi, hi.strftime(fmt))]


def _round_dates(lo: datetime, hi: datetime, unit: str, step: int, limit: int) -> list[datetime]:
    """Dates in [lo, hi] that are whole multiples of `step` units; at most `limit` of them
    (so a result of `limit` dates may mean there were more)."""
    out: list[datetime] = []
    if unit in ("h", "d"):
        size = timedelta(hours=step) if unit == "h" else timedelta(days=step)
        base = datetime(lo.year, lo.month, lo.day) if unit == "h" else datetime(lo.year, 1, 1)
        first = base + size * -(-(lo - base) // size)  # the first multiple at or after lo
        if first > hi:
            return out
        count = min((hi - first) // size + 1, limit)
        return [first + size * i for i in range(count)]
    if unit == "m":
        months = lo.year * 12 + lo.month - 1
        if lo != datetime(lo.year, lo.month, 1):
            months += 1
        months = -(-months // step) * step
        while len(out) < limit:
            t = datetime(months // 12, months % 12 + 1, 1)
            if t > hi:
                break
            out.append(t)
            months += step
        return out
    year = lo.year if lo == datetime(lo.year, 1, 1) else lo.year + 1
    year = -(-year // step) * step
    while len(out) < limit and year <= 9999:
        t = datetime(year, 1, 1)
        if t > hi:
            break
        out.append(t)
        year += step
    return out
