"""The analysis view of an article's text, and the map back to the original.

`Article.text` is never changed. Language analysis runs on a normalised copy (Unicode
NFKC, invisible characters removed, whitespace folded, line-break hyphens joined where
safe, hard-wrapped lines unwrapped) and every offset it finds is mapped back through
`OffsetMap`, so all spans index into the original text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

# Characters that carry no text: zero-width space/joiners, word joiner, BOM, soft hyphen.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")

# A text counts as hard-wrapped (line breaks inside sentences, as in e-mail or PDF text)
# when at least this share of its single line breaks fall mid-sentence (the next line goes
# on in lower case). News paragraphs, one per line, give close to 0; wrapped text well over
# half. Chosen between the two; see tests/test_normalize.py.
HARD_WRAP_SHARE = 0.5
HARD_WRAP_MIN_BREAKS = 4

_HYPHEN_BREAK = re.compile(r"(?<=\w-)[ \t]*\n[ \t]*(?=[a-z])")
_SINGLE_BREAK = re.compile(r"(?<=\S)[ \t]*\n[ \t]*(?=\S)")


@dataclass(slots=True)
class OffsetMap:
    """Maps offsets in a normalised text back to the original.

    `segments` are (norm_start, orig_start, norm_len, orig_len): copied stretches have equal
    lengths; replaced stretches (a folded run of spaces, an expanded ligature) do not, and
    any position inside one maps to its edges.
    """

    segments: list[tuple[int, int, int, int]]
    _starts: list[int]

    @classmethod
    def build(cls, segments: list[tuple[int, int, int, int]]) -> OffsetMap:
        return cls(segments, [s[0] for s in segments])

    def _segment(self, pos: int) -> tuple[int, int, int, int]:
        i = bisect_right(self._starts, pos) - 1
        return self.segments[max(i, 0)]

    def start(self, pos: int) -> int:
        """Original offset of the character at normalised offset `pos`."""
        if not self.segments:
            return pos
        ns, os_, nl, ol = self._segment(pos)
        if nl == ol:
            return os_ + min(pos - ns, ol)
        return os_

    def end(self, pos: int) -> int:
        """Original offset just after the character at normalised offset `pos - 1`."""
        if not self.segments:
            return pos
        if pos <= 0:
            return self.start(0)
        ns, os_, nl, ol = self._segment(pos - 1)
        if nl == ol:
            return os_ + min(pos - ns, ol)
        return os_ + ol

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), self.end(end)


@dataclass(slots=True)
class NormalizedText:
    text: str
    map: OffsetMap

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.map.span(start, end)


class _Builder:
    """Accumulates the normalised text and its segments."""

    __slots__ = ("parts", "segments", "n")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.segments: list[tuple[int, int, int, int]] = []
        self.n = 0

    def add(self, out: str, orig_start: int, orig_len: int) -> None:
        if not out and not orig_len:
            return
        nl = len(out)
        segs = self.segments
        if nl == orig_len and segs:
            ps, po, pnl, pol = segs[-1]
            if pnl == pol and ps + pnl == self.n and po + pol == orig_start:
                segs[-1] = (ps, po, pnl + nl, pol + orig_len)
                self.parts.append(out)
                self.n += nl
                return
        # A deletion (nl == 0) is kept as an empty segment: lookups never land on it, so the
        # deleted characters fall inside spans that cross them and outside spans that don't.
        segs.append((self.n, orig_start, nl, orig_len))
        self.parts.append(out)
        self.n += nl


def _normalize_chars(text: str) -> tuple[str, list[tuple[int, int, int, int]]]:
    """NFKC per base character (with its combining marks), invisible characters dropped."""
    b = _Builder()
    i, n = 0, len(text)
    ascii_run = re.compile(r"[\x20-\x7e\n\t]+")
    while i < n:
        m = ascii_run.match(text, i)
        if m:  # the common case: plain ASCII needs nothing
            b.add(m.group(), i, m.end() - i)
            i = m.end()
            continue
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        chunk = text[i:j]
        if chunk in INVISIBLE:
            out = ""
        elif chunk == "\r":
            out = "\n" if not (j < n and text[j] == "\n") else ""
        else:
            out = unicodedata.normalize("NFKC", chunk)
            if out in ("\u2028", "\u2029", "\x85", "\x0b", "\x0c"):
                out = "\n"
        b.add(out, i, j - i)
        i = j
    return "".join(b.parts), b.segments


def _compose(outer: OffsetMap, inner: OffsetMap, length: int) -> OffsetMap:
    """Map of a text normalised twice: inner maps step 2 -> step 1, outer step 1 -> original."""
    segs: list[tuple[int, int, int, int]] = []
    for ns, os_, nl, ol in inner.segments:
        if nl == ol and nl > 0:
            # split where the outer map's segments change
            pos = 0
            while pos < nl:
                mid = os_ + pos
                o = outer._segment(mid)
                seg_end = o[0] + o[2] if o[2] else mid + 1
                take = max(1, min(nl - pos, seg_end - mid))
                a, z = outer.start(mid), outer.end(mid + take)
                segs.append((ns + pos, a, take, z - a))
                pos += take
        else:
            a = outer.start(os_) if ol else outer.start(min(os_, max(length - 1, 0)))
            z = outer.end(os_ + ol) if ol else a
            segs.append((ns, a, nl, z - a))
    return OffsetMap.build(segs)


def _rewrite(text: str, pattern: re.Pattern[str], repl) -> tuple[str, OffsetMap]:
    """Apply `repl(match) -> str` to every match, keeping the offset map."""
    b = _Builder()
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            b.add(text[pos:m.start()], pos, m.start() - pos)
        b.add(repl(m), m.start(), m.end() - m.start())
        pos = m.end()
    if pos < len(text):
        b.add(text[pos:], pos, len(text) - pos)
    return "".join(b.parts), OffsetMap.build(b.segments)


_SPACES = re.compile(r"[ \t]{2,}|\t|[ \t]+(?=\n)|\n[ \t]+|\n{3,}")


def _fold_space(m: re.Match[str]) -> str:
    s = m.group()
    if "\n" in s:
        return "\n\n" if s.count("\n") >= 2 else "\n"
    return " "


def is_hard_wrapped(text: str) -> bool:
    """True when single line breaks mostly fall inside sentences (wrapped e-mail/PDF text)."""
    breaks = list(_SINGLE_BREAK.finditer(text))
    breaks = [m for m in breaks if m.group().count("\n") == 1]
    if len(breaks) < HARD_WRAP_MIN_BREAKS:
        return False
    inside = sum(1 for m in breaks if text[m.end()].islower() or text[m.start() - 1] in ",;")
    return inside / len(breaks) >= HARD_WRAP_SHARE


def normalize_text(text: str) -> NormalizedText:
    """Build the analysis view of `text`; see the module docstring for what changes."""
    out, segs = _normalize_chars(text)
    omap = OffsetMap.build(segs)
    steps: list[tuple[re.Pattern[str], object]] = [(_SPACES, _fold_space)]
    # Join "inter-\nnational" only as "inter-national": never invents a word, and the
    # parser reads either form; the line break inside a word is what breaks analysis.
    steps.append((_HYPHEN_BREAK, lambda m: ""))
    for pattern, repl in steps:
        new, inner = _rewrite(out, pattern, repl)
        if new != out:
            omap = _compose(omap, inner, len(out))
            out = new
    if is_hard_wrapped(out):
        new, inner = _rewrite(out, re.compile(r"(?<=\S)\n(?=\S)"), lambda m: " ")
        omap = _compose(omap, inner, len(out))
        out = new
    return NormalizedText(out, omap)
