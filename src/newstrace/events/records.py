"""Event records: what `events.jsonl` holds (schema in docs/schema.md).

`records_for` runs inside the analysis workers, on the parse attributions already read: it
codes each parsed piece of an article and maps every span back to the original text, so
`text[start:end]` is what was found.
"""

from __future__ import annotations

import bisect
from functools import cache
from pathlib import Path
from typing import Any

from newstrace.events.actors import Actor, actor_table
from newstrace.events.codes import code_table, plover_of
from newstrace.events.coder import Coder, Context, Event
from newstrace.events.dictionary import dictionary
from newstrace.records import Sentence

# Modes of events that are said to have happened (or, for threats and promises, said): the
# ones the GDELT export, the actor network and the timeline count.
COUNTED_MODES = ("asserted",)


def coder(actors: str | None = None) -> Coder:
    """The coder (one per process), with a user's actor dictionary added when given (a path)."""
    return _coder(actors or None)


@cache
def _coder(actors: str | None) -> Coder:
    return Coder(actor_table(Path(actors) if actors else None), dictionary())


def _mapped(start: int, end: int, text: str, omap: Any, offset: int) -> dict[str, Any]:
    a, b = omap.span(start + offset, end + offset)
    return {"start": a, "end": b, "text": text[a:b]}


def _actor(a: Actor | None, text: str, omap: Any, offset: int) -> dict[str, Any] | None:
    if a is None:
        return None
    out = a.to_json()
    out.update(_mapped(a.start, a.end, text, omap, offset))
    return out


def event_record(e: Event, n: int, article_id: str, text: str, omap: Any, offset: int,
                 sentences: list[Sentence], starts: list[int]) -> dict[str, Any]:
    table = code_table()
    info = table.get(e.code) or table.get(e.code[:3]) or table[e.code[:2]]
    trig = _mapped(e.trigger[0], e.trigger[1], text, omap, offset)
    k = bisect.bisect_right(starts, trig["start"]) - 1
    sent = sentences[k] if k >= 0 and trig["start"] < sentences[k].end else None
    span = _mapped(e.sentence[0], e.sentence[1], text, omap, offset)
    attribution = None
    if e.attribution:
        cue = e.attribution.get("cue")
        attribution = {**{k2: v for k2, v in e.attribution.items() if k2 != "cue"},
                       "cue": _mapped(cue.start, cue.end, text, omap, offset) if cue is not None else None}
    return {
        "id": f"{article_id}:e{n}",
        "article_id": article_id,
        "sentence_id": sent.id if sent else None,
        "start": span["start"], "end": span["end"], "text": span["text"],
        "trigger": trig,
        "source": _actor(e.source, text, omap, offset),
        "target": _actor(e.target, text, omap, offset),
        "code": e.code,
        "base_code": info.base if len(e.code) >= 3 else e.code,
        "root_code": e.code[:2],
        "name": info.name,
        "plover": plover_of(e.code),
        "goldstein": info.goldstein,
        "quad_class": info.quad_class,
        "quad_name": info.quad_name,
        "negated": e.mode in ("negated", "denied"),
        "mode": e.mode,
        "frame": e.frame,
        "attribution": attribution,
        "date": e.date,
        "date_source": e.date_source,
        "is_root": k == 0 if sent else False,
        "depth": e.depth,
        "coded_by": e.by,
        "confidence": e.confidence,
    }


def _embedded(sentences: list[Sentence], model: str | None) -> tuple[list[Sentence], Any, str] | None:
    """The article's sentences (artefacts left out) embedded with the sentence model, if it is the
    one the trained model was fitted with (any, when `model` is None); None otherwise (the
    model then reads no vector)."""
    from newstrace.language.embed import embed, sentence_model

    if model is not None and sentence_model() != model:
        return None
    kept = [s for s in sentences if s.artefact is None]
    return kept, embed([s.text for s in kept]), sentence_model()


def records_for(article_id: str, text: str, docs: list[tuple[int, Any]], found: list[tuple[int, Any]],
                entities: list[tuple[int, int, str]], omap: Any, sentences: list[Sentence],
                published: str | None, actors: str | None = None,
                vectors: tuple[list[Sentence], Any, str] | None = None) -> list[dict[str, Any]]:
    """The events.jsonl records of one article, in text order. `docs` are the parsed pieces of
    its analysis view with their offsets; `found` the resolved attributions with theirs;
    `vectors`, when the caller has them, the sentences embedded, their vectors and the sentence
    model's fingerprint (the trained model reads them; without them it embeds what it needs)."""
    c = coder(actors)
    if vectors is None and (c.model is not None or c.collect is not None):
        vectors = _embedded(sentences, c.model.vector_model if c.model is not None else None)
    spans: list[tuple[int, int, Any]] = []
    vector_model = None
    if vectors is not None:
        embedded, rows, vector_model = vectors
        spans = [(s.start, s.end, v) for s, v in zip(embedded, rows)]
    dates: list[tuple[int, int, str]] = []
    for s in sentences:
        for ent in s.entities:
            if ent.label == "DATE" and ent.value and len(ent.value) == 10:
                dates.append((ent.start, ent.end, ent.value))
    day = (published or "")[:10] or None
    ctx = Context(date=day if day and len(day) == 10 else None)
    out: list[dict[str, Any]] = []
    starts = [s.start for s in sentences]
    artefacts = {s.id for s in sentences if s.artefact}
    for offset, doc in docs:
        end = offset + len(doc.text)
        ctx.entities = [(s - offset, e - offset, lab) for s, e, lab in entities if s >= offset and e <= end]
        ctx.attributions = [r for off, r in found if off == offset]
        # DATE values and sentence vectors are on original offsets; map the piece's characters
        ctx.dates, ctx.vectors, ctx.vector_model = [], [], vector_model
        if dates or spans:
            orig = [omap.start(t.idx + offset) for t in doc]
            for s, e, value in dates:
                k = bisect.bisect_left(orig, s)
                if k < len(doc) and orig[k] < e:
                    t = doc[k]
                    ctx.dates.append((t.idx, t.idx + max(1, e - s), value))
            for s, e, v in spans:
                k = bisect.bisect_left(orig, s)
                j = bisect.bisect_left(orig, e)
                if k < len(doc) and orig[k] < e:
                    last = doc[j - 1]
                    ctx.vectors.append((doc[k].idx, last.idx + len(last), v))
        seen = len(c.collect) if c.collect is not None else 0
        coded = c.code_doc(doc, ctx)
        if c.collect is not None:  # candidates gathered for training: on the original text
            for rec in c.collect[seen:]:
                for key in ("sentence", "source", "target"):
                    rec[key] = omap.span(rec[key][0] + offset, rec[key][1] + offset)
                rec["trigger"] = omap.span(rec["trigger"] + offset, rec["trigger"] + offset + 1)[0]
                rec["article_id"] = article_id
        for e in coded:
            rec = event_record(e, len(out), article_id, text, omap, offset, sentences, starts)
            if rec["sentence_id"] in artefacts:  # a repeated headline, a credit line: not reported again
                continue
            rec["id"] = f"{article_id}:e{len(out)}"
            out.append(rec)
    return out
