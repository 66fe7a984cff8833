"""Attribution records: what `attributions.jsonl` holds (schema in docs/schema.md).

`records_for` runs inside the analysis workers: it extracts and resolves the attributions of
one parsed article (the parse is of the analysis view of the text) and maps every span back
to the original text, so `text[start:end]` is what was found. The store reads them back
(`Store.iter_attributions`, `Store.attributions_for`) for the export and the report.
"""

from __future__ import annotations

import bisect
from typing import Any

from newstrace.attribution.extract import Span, doc_text, extract
from newstrace.attribution.resolve import resolve
from newstrace.records import Sentence


# Texts longer than this are parsed in pieces of at most this many characters, cut at
# paragraph breaks: the parser's memory grows with the length of a text (a 900,000-character
# "article" parsed whole needs several GB per worker). Sources are then resolved within a piece.
CHUNK_CHARS = 50_000


def chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) pieces of `text` of at most about `size` characters, cut after a paragraph
    break (else a line break, else a space) when one is near."""
    out, start, n = [], 0, len(text)
    while start < n:
        end = min(n, start + size)
        if end < n:
            window = text[start + size // 2:end]
            for sep in ("\n\n", "\n", " "):
                cut = window.rfind(sep)
                if cut >= 0:
                    end = start + size // 2 + cut + len(sep)
                    break
        out.append((start, end))
        start = end
    return out


def _mapped(span: Span | None, text: str, omap: Any, offset: int = 0) -> dict[str, Any] | None:
    if span is None:
        return None
    if span.end <= span.start:  # an empty content: where it stands
        pos = omap.start(span.start + offset)
        return {"start": pos, "end": pos, "text": ""}
    start, end = omap.span(span.start + offset, span.end + offset)
    return {"start": start, "end": end, "text": text[start:end]}


def found_in(docs: list[tuple[int, Any]], entities: list[tuple[int, int, str]],
             outlet: str | None) -> list[tuple[int, Any]]:
    """The resolved attributions of an article's parsed pieces, each with its piece's offset.
    `docs` are the parsed pieces of its analysis view with their offsets in it (one piece
    unless it is long)."""
    found = []
    for offset, doc in docs:
        end = offset + len(doc_text(doc))
        ents = [(s - offset, e - offset, lab) for s, e, lab in entities if s >= offset and e <= end]
        found += [(offset, r) for r in resolve(doc, extract(doc), ents, outlet)]
    return found


def records_for(article_id: str, text: str, found: list[tuple[int, Any]], omap: Any,
                sentences: list[Sentence]) -> list[dict[str, Any]]:
    """The attributions.jsonl records of one article, in text order, from `found_in`."""
    out: list[dict[str, Any]] = []
    starts = [s.start for s in sentences]
    for n, (offset, r) in enumerate(found):
        a = r.attribution
        cue = _mapped(a.cue, text, omap, offset)
        content = _mapped(a.content, text, omap, offset)
        assert cue is not None and content is not None
        k = bisect.bisect_right(starts, cue["start"]) - 1
        sentence_id = sentences[k].id if k >= 0 and cue["start"] < sentences[k].end else None
        source = _mapped(a.source, text, omap, offset)
        if source is not None:
            sp = r.speaker.to_json() if r.speaker else {"name": None, "type": "unknown"}
            source["kind"] = sp.pop("type")
            source.update(sp)
        out.append({
            "id": f"{article_id}:a{n}",
            "article_id": article_id,
            "sentence_id": sentence_id,
            "cue_kind": a.kind,
            "direct": a.direct,
            "denial": a.denial,
            "cue": cue,
            "source": source,
            "content": content,
            "content_parts": [_mapped(p, text, omap, offset) for p in a.parts],
            "via": [{"name": name, "type": "outlet", **(_mapped(span, text, omap, offset) or {})}
                    for name, span in r.via],
            "second_hand": r.second_hand,
        })
    return out
