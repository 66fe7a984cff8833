"""Attribution records: what `attributions.jsonl` holds (schema in docs/schema.md).

`records_for` runs inside the analysis workers: it extracts and resolves the attributions of
one parsed article (the parse is of the analysis view of the text) and maps every span back
to the original text, so `text[start:end]` is what was found. `iter_attributions` reads them
back from the store for the export and the report.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newstrace.attribution.extract import Span, extract
from newstrace.attribution.resolve import resolve
from newstrace.records import Sentence


def _mapped(span: Span | None, text: str, omap: Any) -> dict[str, Any] | None:
    if span is None:
        return None
    if span.end <= span.start:  # an empty content: where it stands
        pos = omap.start(span.start)
        return {"start": pos, "end": pos, "text": ""}
    start, end = omap.span(span.start, span.end)
    return {"start": start, "end": end, "text": text[start:end]}


def records_for(article_id: str, text: str, doc: Any, entities: list[tuple[int, int, str]], omap: Any,
                sentences: list[Sentence], outlet: str | None) -> list[dict[str, Any]]:
    """The attributions.jsonl records of one article, in text order."""
    out: list[dict[str, Any]] = []
    starts = [(s.start, s.end, s.id) for s in sentences]
    for n, r in enumerate(resolve(doc, extract(doc), entities, outlet)):
        a = r.attribution
        cue = _mapped(a.cue, text, omap)
        content = _mapped(a.content, text, omap)
        assert cue is not None and content is not None
        sentence_id = next((sid for s, e, sid in starts if s <= cue["start"] < e), None)
        source = _mapped(a.source, text, omap)
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
            "content_parts": [_mapped(p, text, omap) for p in a.parts],
            "via": [{"name": name, "type": "outlet", **(_mapped(span, text, omap) or {})} for name, span in r.via],
            "second_hand": r.second_hand,
        })
    return out


def iter_attributions(store: Any) -> Iterator[dict[str, Any]]:
    """Every stored attribution, article by article in input order."""
    yield from store.iter_attributions()
