"""What the HTML pages add to their data: links that keep the page's filters, and an article's
text cut into pieces with its annotations (entities and numbers, attributions, claims by
status, events; in the compare view, the passages one article takes from the other), drawn by
the same span renderer as the static report (`report/render.py`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from urllib.parse import quote

from newstrace.report import events as report_events
from newstrace.report.provenance import derivation_graph
from newstrace.report.render import Mark, outlet_hues, parse_when, render_text, timeline
from newstrace.store.catalogue import STORY_SORTS

__all__ = ["STORY_SORTS", "context", "article_text", "compare_sides", "story_timeline", "dyad_timelines",
           "family_graphs"]

LETTERS = {"supported": "S", "unsupported": "U", "contradicted": "C"}


def context(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    params = {k: v for k, v in request.query_params.items() if v != ""}
    path = request.url.path

    def link(**changes: Any) -> str:
        """This page's address with some parameters changed (None removes one)."""
        q = dict(params)
        for k, v in changes.items():
            if v is None:
                q.pop(k, None)
            else:
                q[k] = str(v)
        return path + ("?" + urlencode(q) if q else "")

    json_path = path.rstrip("/") + ".json" if path != "/" else "/.json"
    return {"path": path, "params": params, "link": link,
            "json": json_path + ("?" + urlencode(params) if params else ""),
            "section": path.strip("/").split("/")[0] or "overview"}


def article_text(data: dict[str, Any]) -> list:
    """Paragraphs of pieces of the article's text, annotated."""
    a = data["article"]
    marks: list[tuple[int, int, Mark]] = []
    for i, r in enumerate(data.get("attributions") or (), 1):
        src = r.get("source") or {}
        who = src.get("name") or src.get("text") or "unnamed source"
        content = r.get("content") or {}
        if isinstance(content.get("start"), int):
            marks.append((content["start"], content["end"], Mark("att", f"said by {who}", i, "att")))
        if isinstance(src.get("start"), int):
            marks.append((src["start"], src["end"], Mark("att-src", f"source: {who}", i, "att")))
    for i, c in enumerate(data.get("claims") or (), 1):
        status = c.get("status") or "unknown"
        marks.append((c["start"], c["end"], Mark(f"cl cl-{status}", f"claim {i}: {status}", i, "claim",
                                                 f"{LETTERS.get(status, '?')}{i}", f"claim-{i}")))
    for i, e in enumerate(data.get("events") or (), 1):
        t = e.get("trigger") or {}
        if isinstance(t.get("start"), int):
            marks.append((t["start"], t["end"], Mark("ev", f"event {i}: {e.get('name') or e.get('code')}", i, "ev",
                                                     f"E{i}", f"event-{i}")))
    for i, sg in enumerate(data.get("rewriting") or (), 1):
        if isinstance(sg.get("start"), int) and isinstance(sg.get("end"), int):
            marks.append((sg["start"], sg["end"], Mark(f"sig sig-{sg.get('kind')}", sg.get("evidence") or "", i, "sig",
                                                       f"R{i}", f"signal-{i}")))
    return render_text(a.get("text") or "", sentences=data.get("sentences") or (), artefacts=a.get("artefacts") or (),
                       title_span=a.get("title_span"), marks=marks)


def compare_sides(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The two articles' texts, each with the passages of the judged pair marked (numbered the
    same on both sides)."""
    pair = data.get("pair") or {}
    passages = pair.get("passages") or []
    sides = []
    for key in ("a", "b"):
        art = data[key]
        role = "derived" if pair and art["id"] == pair.get("derived_id") else "source"
        marks = []
        for i, p in enumerate(passages, 1):
            s, e = p.get(f"{role}_start"), p.get(f"{role}_end")
            if isinstance(s, int) and isinstance(e, int):
                marks.append((s, e, Mark(f"pg pg-{p.get('kind') or 'passage'}",
                                         f"passage {i}: {p.get('kind')}, similarity {p.get('similarity')}", i, "pg",
                                         f"P{i}", "")))
        sides.append({"article": art, "role": role if pair else None,
                      "paragraphs": render_text(art.get("text") or "", marks=marks)})
    return sides


def story_timeline(data: dict[str, Any]) -> dict[str, Any] | None:
    """The story's dated members on a time axis (the report's drawing: `render.timeline`), each
    mark with its outlet's hue and a link to the article."""
    members = data.get("members") or []
    hues = outlet_hues(m.get("source") for m in members)
    first = members[0]["article_id"] if members else None
    points = []
    for m in members:
        when = parse_when(m.get("published"))
        if when is not None:
            points.append((when, {"id": m["article_id"], "title": m.get("title"), "source": m.get("source"),
                                  "published": m.get("published"), "hue": hues.get(m.get("source") or ""),
                                  "first": m["article_id"] == first}))
    return timeline(points) if points else None


def dyad_timelines(records: list[dict[str, Any]], heads: dict[str, dict[str, Any]]
                   ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The busiest source -> target pairs of these events, each drawn on one time axis by
    Goldstein score (the report's drawing: `report.events.timelines`), dots linked to articles."""
    views = [v for v in (report_events.normalise(r, i) for i, r in enumerate(records)) if v is not None]
    names: dict[str, str] = {}
    for r in records:
        for side in (r.get("source"), r.get("target")):
            if side and side.get("code") and side.get("name"):
                names.setdefault(side["code"], side["name"])

    def article(aid: str) -> dict[str, Any]:
        h = heads.get(aid) or {}
        return {"id": aid, "title": h.get("title"), "source": h.get("source"),
                "href": "/articles/" + quote(aid, safe="")}

    return report_events.timelines(views, names, article)


def family_graphs(families: list[dict[str, Any]], titles: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each family drawn as the report draws its derivation graph (`report.provenance.derivation_graph`):
    originals on the left, each generation of rewrites further right; boxes link to the
    articles, arrows to the two texts side by side."""
    out = {}
    for f in families:
        ids = list(dict.fromkeys([*(f.get("roots") or ()), *(f.get("article_ids") or ())]))
        hues = outlet_hues((titles.get(a) or {}).get("source") for a in ids)
        nodes = {a: {"id": a, "title": (titles.get(a) or {}).get("title") or "",
                     "source": (titles.get(a) or {}).get("source"),
                     "published": (titles.get(a) or {}).get("published") or "", "known": a in titles,
                     "href": "/articles/" + quote(a, safe=""), "hue": hues.get((titles.get(a) or {}).get("source") or "")}
                 for a in ids}
        edges = [{"from": d["source_id"], "to": d["derived_id"], "score": float(d.get("score") or 0.0),
                  "undetermined": False,
                  "href": f"/compare?a={quote(d['derived_id'], safe='')}&b={quote(d['source_id'], safe='')}"}
                 for d in f.get("derivations") or ()]
        if edges:
            out[f["id"]] = derivation_graph(nodes, edges)
    return out
