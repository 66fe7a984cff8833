"""The report's provenance section: which articles were derived from which.

Built from derivation records (as in derivations.jsonl, see `newstrace.provenance.records`).
Only records with `derived: true` in their decided reading are shown; the best-candidate-only
`reverse` lines and the pairs judged not derived are counted, nothing more.

Three things are drawn, all server-side:

- `graph`: the derivation graph as SVG geometry. Nodes are the articles of the drawn edges;
  an edge runs from the source to the derived article. The layout is layered (Sugiyama-style):
  within each connected component an article's column is its generation depth (the longest
  chain of sources before it), so a rewrite of a rewrite reads left to right and a wire copy
  reprinted by many outlets fans out into one column. Edges spanning several columns pass
  through reserved lanes in the columns between (no edge crosses a node); the order within a
  column is improved by barycentre sweeps, and rows are then placed near their neighbours.
  Components are packed in shelves, largest first. Everything is deterministic.
- `table`: the derived pairs, highest score first.
- `views`: for the first pairs, both texts side by side, cut into pieces (`render.split_spans`)
  so that aligned passages (numbered, coloured by kind) and the derived text's unaligned
  parts (additions) are flat spans whose text is exactly the article's text.

Nothing here produces HTML: escaping is left to the (autoescaping) templates.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from newstrace.report import render
from newstrace.report.render import Span, split_spans

# Edges drawn in the graph (the highest-scoring); the rest are counted in a note.
GRAPH_EDGE_LIMIT = 300
# Derived pairs listed in the table (highest score first).
PAIR_TABLE_LIMIT = 300
# Families drawn as trees (the largest first), and members shown per family.
FAMILY_LIMIT = 50
FAMILY_MEMBERS = 60
# Pairs shown side by side (the first of the table).
PAIR_VIEW_LIMIT = 20
# Up to this many side-by-side views, they are open when the page loads.
PAIR_VIEWS_OPEN = 2
# Characters of each text shown side by side (longer texts are cut, with a note).
TEXT_LIMIT = 60_000
# Passage kinds, strongest first; others are shown under their own name.
KINDS = ("verbatim", "near-verbatim", "paraphrase")

# Graph geometry (SVG user units).
NODE_W = 220
NODE_H = 38
GAP_X = 70  # between columns (room for the arrows)
GAP_Y = 12  # between rows
LANE_H = 4  # height reserved in a column for an edge passing through it
COMP_PAD = 10  # padding of a component's background
COMP_GAP = 18  # between components
ARROW = 8  # arrowhead length
BACK_ROOM = 28  # room above a component for arrows against the layering (in cycles)
MIN_WIDTH = 4 * (NODE_W + GAP_X) - GAP_X + 2 * COMP_PAD  # components are packed up to this width
LABEL_CHARS = 31  # characters of a label line that fit a node


def pair_anchor(derived_id: Any, source_id: Any) -> str:
    """The fragment id of a pair's side-by-side view."""
    return f"derivation-{render._safe_id(derived_id)}_3c_{render._safe_id(source_id)}"


def _outlet(source: Any) -> str | None:
    """An outlet's name, or None for an unknown outlet."""
    return None if source is None or str(source).strip() == "" else " ".join(str(source).split())


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def derived_pairs(records: Iterable[Any] | None) -> tuple[list[dict], int]:
    """The records that say `derived: true` in their decided reading (one per pair, the
    highest score kept), highest score first; and how many pairs were judged in all."""
    best: dict[tuple[str, str], dict] = {}
    judged: set[tuple[str, str]] = set()
    for r in records or ():
        if not isinstance(r, dict) or r.get("reading", "decided") != "decided":
            continue
        d, s = r.get("derived_id"), r.get("source_id")
        if d is None or s is None:
            continue
        key = (str(d), str(s))
        judged.add(key)
        if r.get("derived") is not True or key[0] == key[1]:
            continue
        if key not in best or (_num(r.get("score")) or 0) > (_num(best[key].get("score")) or 0):
            best[key] = r
    pairs = sorted(best.items(), key=lambda kv: (-(_num(kv[1].get("score")) or 0), kv[0]))
    return [r for _, r in pairs], len(judged)


class Provenance:
    """The derivations to show, and what the article stream tells about their articles.

    Built before the articles are read; `take` is called with every article (it keeps the
    title, outlet and date of the articles in a derived pair, and the text of those shown side
    by side); `context` gives the template's variables once the stream is done.
    """

    def __init__(self, records: Iterable[Any] | None, families: Iterable[Any] | None = None) -> None:
        self.given = records is not None
        self.pairs, self.judged = derived_pairs(records)
        self.listed = self.pairs[:PAIR_TABLE_LIMIT]
        self.viewed = self.listed[:PAIR_VIEW_LIMIT]
        self.families = sorted((f for f in families or () if isinstance(f, dict) and f.get("article_ids")),
                               key=lambda f: (-len(f["article_ids"]), str(f.get("id"))))
        self.ids = {str(r[k]) for r in self.pairs for k in ("derived_id", "source_id")}
        self.ids |= {str(i) for f in self.families[:FAMILY_LIMIT] for i in f["article_ids"][:FAMILY_MEMBERS]}
        self.need_text = {str(r[k]) for r in self.viewed for k in ("derived_id", "source_id")}
        self.meta: dict[str, dict] = {}
        self.texts: dict[str, str] = {}

    def take(self, article: dict) -> None:
        aid = str(article.get("id"))
        if aid not in self.ids or aid in self.meta:
            return
        self.meta[aid] = {"title": " ".join(str(article.get("title") or "").split()),
                          "source": _outlet(article.get("source")),
                          "published": str(article.get("published") or article.get("crawled") or "")}
        if aid in self.need_text:
            text = article.get("text")
            self.texts[aid] = text if isinstance(text, str) else ""

    def _article(self, aid: str, sections: dict[str, bool], hues: dict[str, int]) -> dict:
        m = self.meta.get(aid, {})
        source = m.get("source")
        return {"id": aid, "title": m.get("title") or "", "source": source,
                "published": m.get("published") or "", "known": aid in self.meta,
                "href": f"#{render.anchor_id(aid)}" if sections.get(aid) else None,
                "hue": hues.get(source or "")}

    def _tree(self, family: dict, sections: dict[str, bool], anchors: dict[tuple[str, str], str],
              viewed: set[tuple[str, str]]) -> dict[str, Any]:
        """A family as nested nodes: its originals at the root, each derived article under its
        source (under its first source only, when it has several: the others are named), each
        node with its relation to its parent. Siblings are counted."""
        members = [str(i) for i in family["article_ids"]]
        shown = set(members[:FAMILY_MEMBERS])
        children: dict[str, list[dict]] = {}
        parents: dict[str, list[str]] = {}
        for e in family.get("derivations") or ():
            d, src = str(e.get("derived_id")), str(e.get("source_id"))
            parents.setdefault(d, []).append(src)
            if len(parents[d]) == 1:
                children.setdefault(src, []).append(e)
        hues = render.outlet_hues(self.meta.get(a, {}).get("source") for a in members)

        def node(aid: str, edge: dict | None, depth: int) -> dict[str, Any]:
            key = (aid, str(edge.get("source_id"))) if edge else None
            return {"article": self._article(aid, sections, hues), "relation": (edge or {}).get("relation"),
                    "score": _num((edge or {}).get("score")),
                    "other_sources": parents.get(aid, [])[1:],
                    "href": f"#{anchors[key]}" if key in viewed and key in anchors else None,
                    "children": [node(str(c["derived_id"]), c, depth + 1)
                                 for c in sorted(children.get(aid, []), key=lambda c: str(c["derived_id"]))
                                 if str(c["derived_id"]) in shown] if depth < 12 else []}

        roots = [str(r) for r in family.get("roots") or () if str(r) in shown] or members[:1]
        return {"id": family.get("id"), "size": len(members), "roots": [node(r, None, 0) for r in roots],
                "derived": len(parents), "siblings": len(family.get("siblings") or ()),
                "hidden": max(0, len(members) - FAMILY_MEMBERS)}

    def context(self, sections: dict[str, bool]) -> dict[str, Any]:
        """The template's provenance variables; `sections` tells which articles have a section."""
        if not self.given:
            return {"provenance": False}
        drawn = self.pairs[:GRAPH_EDGE_LIMIT]
        order = list(dict.fromkeys(str(r[k]) for r in drawn for k in ("source_id", "derived_id")))
        hues = render.outlet_hues(self.meta.get(a, {}).get("source") for a in order)
        viewed = {(str(r["derived_id"]), str(r["source_id"])) for r in self.viewed}
        anchors: dict[tuple[str, str], str] = {}
        used: set[str] = set()
        for r in self.listed:
            key = (str(r["derived_id"]), str(r["source_id"]))
            anchor = base = pair_anchor(*key)
            n = 1
            while anchor in used:  # only ids containing "<" can collide
                n += 1
                anchor = f"{base}-{n}"
            used.add(anchor)
            anchors[key] = anchor

        nodes = {a: self._article(a, sections, hues) for a in order}
        edges = [{"from": str(r["source_id"]), "to": str(r["derived_id"]), "score": _num(r.get("score")) or 0.0,
                  "undetermined": _direction(r)["decided_by"] == "undetermined",
                  "href": f"#{anchors[(str(r['derived_id']), str(r['source_id']))]}"
                  if (str(r["derived_id"]), str(r["source_id"])) in viewed else None}
                 for r in drawn]
        graph = derivation_graph(nodes, edges) if edges else None

        rows = []
        for r in self.listed:
            key = (str(r["derived_id"]), str(r["source_id"]))
            derived = self._article(key[0], sections, hues)
            source = self._article(key[1], sections, hues)
            rows.append({
                "derived": derived, "source": source, "score": _num(r.get("score")),
                "found_by": str(r.get("found_by") or ""),
                "mix": kind_mix(r.get("passages")),
                "coverage_derived": _num(r.get("coverage_derived")),
                "coverage_source": _num(r.get("coverage_source")),
                "direction": _direction(r),
                "anchor": anchors[key], "viewed": key in viewed,
            })
        for row, r in zip(rows, self.listed):
            row["relation"] = r.get("relation")
        views = []
        for row, r in zip(rows, self.viewed):
            d_text = self.texts.get(row["derived"]["id"])
            s_text = self.texts.get(row["source"]["id"])
            sides = pair_sides(d_text, s_text, r.get("passages"))
            views.append({**row, **sides})
        trees = [self._tree(f, sections, anchors, viewed) for f in self.families[:FAMILY_LIMIT]]
        return {
            "provenance": True,
            "prov_families": trees,
            "prov_families_total": len(self.families),
            "prov_judged": self.judged,
            "prov_total": len(self.pairs),
            "prov_articles": len(self.ids),
            "prov_derived_articles": len({str(r["derived_id"]) for r in self.pairs}),
            "prov_graph": graph,
            "prov_drawn": len(drawn),
            "prov_undrawn": len(self.pairs) - len(drawn),
            "prov_rows": rows,
            "prov_unlisted": len(self.pairs) - len(rows),
            "prov_views": views,
            "prov_unviewed": len(self.pairs) - len(views),
            "prov_views_open": len(views) <= PAIR_VIEWS_OPEN,
            "prov_kinds": [(k, k) for k in KINDS],
        }


def _direction(r: dict) -> dict:
    d = r.get("direction")
    d = d if isinstance(d, dict) else {}
    by = str(d.get("decided_by") or "undetermined")
    evidence = d.get("evidence")
    if isinstance(evidence, str):
        evidence = [evidence]
    lines = [str(e) for e in (evidence or ()) if e is not None and str(e).strip()]
    common = [str(c) for c in r.get("common_sources") or ()]
    if common:
        lines.append(f"both also derive from {', '.join(common)}: they may be two rewrites of it rather than one "
                     "of the other")
    return {"decided_by": by, "confidence": _num(d.get("confidence")), "evidence": lines}


def _passages(passages: Any) -> list[dict]:
    """Well-formed passages, numbered in the order of the derived text."""
    out = []
    for p in passages or ():
        if not isinstance(p, dict):
            continue
        ds, de, ss, se = (_int(p.get(k)) for k in ("derived_start", "derived_end", "source_start", "source_end"))
        out.append({"ds": ds, "de": de, "ss": ss, "se": se, "kind": str(p.get("kind") or "passage"),
                    "similarity": _num(p.get("similarity"))})
    out.sort(key=lambda p: (p["ds"] if p["ds"] is not None else 1 << 62, p["ss"] if p["ss"] is not None else 0))
    for i, p in enumerate(out, 1):
        p["n"] = i
    return out


def kind_mix(passages: Any) -> list[dict]:
    """Per passage kind (strongest first): how many passages, and their share of the aligned
    characters of the derived text."""
    counts: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    for p in _passages(passages):
        counts[p["kind"]] += 1
        if p["ds"] is not None and p["de"] is not None:
            chars[p["kind"]] += max(0, p["de"] - p["ds"])
    total = sum(chars.values())
    order = sorted(counts, key=lambda k: (KINDS.index(k) if k in KINDS else len(KINDS), k))
    return [{"kind": k, "css": render.css_name(k), "count": counts[k],
             "share": chars[k] / total if total else 1 / len(order)} for k in order]


def pair_sides(derived_text: str | None, source_text: str | None, passages: Any) -> dict[str, Any]:
    """Both texts of a pair cut into pieces for drawing side by side.

    Each side is None (text not in this report) or a dict with `pieces` (text, css classes,
    passage numbers covering it, numbers of the passages starting there), its `length` and
    `cut` (characters left out past `TEXT_LIMIT`). Pieces tile the text exactly. Derived
    pieces that no passage covers and that are not blank are additions; such source pieces
    are marked as not carried over.
    """
    ps = _passages(passages)
    return {"passages": ps,
            "derived_side": _side(derived_text, ps, "ds", "de", "pv-add"),
            "source_side": _side(source_text, ps, "ss", "se", "pv-out")}


_LINE_BREAKS = re.compile(r"(\s*\n\s*)")
_EDGE_SPACE = re.compile(r"(\s*\n\s*|^\s+|\s+$)")


def _side(text: str | None, ps: list[dict], start: str, end: str, unaligned: str) -> dict | None:
    if text is None:
        return None
    shown = text[:TEXT_LIMIT]
    spans = [Span(p[start], p[end], "passage", p, p["n"]) for p in ps
             if p[start] is not None and p[end] is not None]
    pieces = []
    firsts: set[int] = set()
    for seg in split_spans(len(shown), spans):
        piece_text = shown[seg.start:seg.end]
        covering = sorted(seg.spans, key=lambda s: s.key)
        if covering:
            numbers = [s.key for s in covering]
            # where passages overlap, the one that started last (the innermost) gives the colour
            kind = max(covering, key=lambda s: (s.start, s.key)).data["kind"]
            classes = f"pv-p pv-k-{render.css_name(kind)}" + (" pv-multi" if len(covering) > 1 else "")
            tip = "\n".join(f"passage {s.key}: {s.data['kind']}" for s in covering)
            # line breaks inside a passage stay in it, but are not painted (no stray marks)
            for part in _LINE_BREAKS.split(piece_text):
                if not part:
                    continue
                gap = not part.strip() and "\n" in part
                starts = [] if gap else [n for n in numbers if n not in firsts]
                firsts.update(starts)
                pieces.append({"text": part, "classes": classes + (" pv-gap" if gap else ""),
                               "p": " ".join(map(str, numbers)), "n": " ".join(map(str, starts)), "tip": tip})
        else:  # unaligned: marked line by line, the space around it left plain
            for part in _EDGE_SPACE.split(piece_text):
                if part:
                    marked = unaligned if part.strip() else ""
                    pieces.append({"text": part, "classes": marked, "p": "", "n": "", "tip": ""})
    aligned = sum(len(p["text"]) for p in pieces if p["p"])
    return {"pieces": pieces, "length": len(text), "cut": len(text) - len(shown),
            "aligned": aligned / len(shown) if shown else None}


# ---------------------------------------------------------------------------------------
# the graph's layout


def _truncate(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def derivation_graph(nodes: dict[str, dict], edges: list[dict]) -> dict[str, Any]:
    """Where to draw the derivation graph.

    `nodes` maps article ids (in a stable order) to their views (title, source, published,
    href, hue); `edges` are {from (source id), to (derived id), score, undetermined, href}.
    Returns the drawing's `width` and `height`, `components` (background boxes), `nodes`
    (x, y, w, h of each box, its label lines and the article) and `edges` (an SVG path from
    the source's right side to the derived article's left side, its arrowhead polygon ending
    on the derived article, and the edge's data). Positions are in SVG units.
    """
    ids = list(nodes)
    index = {a: i for i, a in enumerate(ids)}
    pairs = []
    seen: set[tuple[str, str]] = set()
    for e in edges:
        key = (e["from"], e["to"])
        if key[0] in index and key[1] in index and key[0] != key[1] and key not in seen:
            seen.add(key)
            pairs.append(key)

    def order_key(a: str) -> tuple:
        when = render.parse_when(nodes[a].get("published"))
        return (when is None, when or 0, index[a])

    # generation depth: longest chain of sources, with cycles (possible when directions are
    # undetermined) broken at the earliest node still waiting
    preds: dict[str, list[str]] = {a: [] for a in ids}
    succs: dict[str, list[str]] = {a: [] for a in ids}
    for s, d in pairs:
        succs[s].append(d)
        preds[d].append(s)
    waiting = {a: len(preds[a]) for a in ids}
    heap = [(order_key(a), a) for a in ids if not waiting[a]]
    heapq.heapify(heap)
    remaining = set(ids)
    back: set[tuple[str, str]] = set()
    topo: list[str] = []
    while remaining:
        if not heap:
            a = min(remaining, key=lambda x: (waiting[x], order_key(x)))
            for p in preds[a]:
                if p in remaining:
                    back.add((p, a))
            waiting[a] = 0
            heapq.heappush(heap, (order_key(a), a))
        _, a = heapq.heappop(heap)
        remaining.discard(a)
        topo.append(a)
        for d in succs[a]:
            if (a, d) in back or d not in remaining:
                continue
            waiting[d] -= 1
            if waiting[d] == 0:
                heapq.heappush(heap, (order_key(d), d))
    depth: dict[str, int] = {}
    for a in topo:
        depth[a] = max((depth[p] + 1 for p in preds[a] if (p, a) not in back and p in depth), default=0)

    # connected components, in order of the nodes' first appearance
    parent = {a: a for a in ids}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for s, d in pairs:
        ra, rb = find(s), find(d)
        if ra != rb:
            parent[max(ra, rb, key=index.__getitem__)] = min(ra, rb, key=index.__getitem__)
    members: dict[str, list[str]] = {}
    for a in ids:
        members.setdefault(find(a), []).append(a)
    comps = sorted(members.values(), key=lambda m: (-len(m), min(order_key(a) for a in m)))

    placed_nodes: dict[str, tuple[float, float]] = {}  # id -> (x, centre y), in the whole drawing
    lanes: dict[tuple[str, str], list[tuple[float, float]]] = {}  # edge -> (column x, y) per lane
    boxes = []
    width = max(MIN_WIDTH, *(2 * COMP_PAD + (1 + max(depth[a] for a in m)) * (NODE_W + GAP_X) - GAP_X
                              for m in comps))
    shelf_x = shelf_y = shelf_h = 0.0
    for m in comps:
        local, local_lanes, w, h = _layout_component(m, pairs, depth, order_key)
        inside = set(m)
        # arrows against the layering (only in cycles) arc over the boxes: room above
        lift = BACK_ROOM if any(s in inside and depth[d] <= depth[s] for s, d in pairs) else 0
        h += lift
        local = {a: (x, y + lift) for a, (x, y) in local.items()}
        local_lanes = {k: [(x, y + lift) for x, y in pts] for k, pts in local_lanes.items()}
        bw, bh = w + 2 * COMP_PAD, h + 2 * COMP_PAD
        if shelf_x > 0 and shelf_x + bw > width:
            shelf_y += shelf_h + COMP_GAP
            shelf_x = shelf_h = 0.0
        ox, oy = shelf_x + COMP_PAD, shelf_y + COMP_PAD
        for a, (x, y) in local.items():
            placed_nodes[a] = (x + ox, y + oy)
        for key, pts in local_lanes.items():
            lanes[key] = [(x + ox, y + oy) for x, y in pts]
        boxes.append({"x": shelf_x, "y": shelf_y, "w": bw, "h": bh, "size": len(m)})
        shelf_x += bw + COMP_GAP
        shelf_h = max(shelf_h, bh)
    height = shelf_y + shelf_h
    width = max(b["x"] + b["w"] for b in boxes)  # the widest shelf, however wide it may be

    out_nodes = []
    for a in ids:
        x, cy = placed_nodes[a]
        v = nodes[a]
        day = render.short_date(v.get("published"))
        outlet = v.get("source") or "unknown outlet"
        top = _truncate(outlet, LABEL_CHARS - 2 - (len(day) + 3 if day else 0)) + (f" · {day}" if day else "")
        out_nodes.append({"id": a, "x": _r(x), "y": _r(cy - NODE_H / 2), "w": NODE_W, "h": NODE_H,
                          "line1": top, "line2": _truncate(v.get("title") or a), "depth": depth[a],
                          "article": v, "root": not preds[a]})
    out_edges = []
    for e in edges:
        key = (e["from"], e["to"])
        if key not in seen:
            continue
        seen.discard(key)
        (sx, sy), (tx, ty) = placed_nodes[key[0]], placed_nodes[key[1]]
        forward = depth[key[1]] > depth[key[0]]
        if forward:  # out of the source's right side, into the derived article's left side
            start = (sx + NODE_W, sy)
            tip = (tx, ty)
            points = [start]
            for lx, ly in lanes.get(key, ()):
                points += [(lx, ly), (lx + NODE_W, ly)]
            points.append((tip[0] - ARROW, tip[1]))
            d, arrow = _path(points), _arrow(tip)
        else:  # from the source's top, over the boxes, down onto the derived article's top
            start = (sx + NODE_W / 2 + 12, sy - NODE_H / 2)
            tip = (tx + NODE_W / 2 - 12, ty - NODE_H / 2)
            top = min(start[1], tip[1]) - BACK_ROOM * 4 / 3
            d = (f"M{_r(start[0])},{_r(start[1])} C{_r(start[0])},{_r(top)} {_r(tip[0])},{_r(top)} "
                 f"{_r(tip[0])},{_r(tip[1] - ARROW)}")
            arrow = _arrow(tip, down=True)
        out_edges.append({**e, "d": d, "arrow": arrow,
                          "x1": _r(start[0]), "y1": _r(start[1]), "x2": _r(tip[0]), "y2": _r(tip[1]),
                          "width": _r(1 + 2.5 * max(0.0, min(1.0, e["score"]))),
                          "band": 3 if e["score"] >= 0.9 else 2 if e["score"] >= 0.6 else 1,
                          "back": not forward})
    return {"width": _r(width), "height": _r(height), "components": boxes, "nodes": out_nodes,
            "edges": out_edges, "columns": 1 + max(depth.values(), default=0)}


def _layout_component(members: list[str], pairs: list[tuple[str, str]], depth: dict[str, int],
                      order_key) -> tuple[dict[str, tuple[float, float]], dict, float, float]:
    """Node positions (left x, centre y) and edge lanes within one component, from (0, 0)."""
    inside = set(members)
    # the layers, with a lane (a dummy node) for every column an edge passes through
    layer_of: dict[Any, int] = {a: depth[a] for a in members}
    up: dict[Any, list[Any]] = {a: [] for a in members}  # neighbours one column to the left
    down: dict[Any, list[Any]] = {a: [] for a in members}  # ... and to the right
    chains: dict[tuple[str, str], list[tuple]] = {}
    for s, d in pairs:
        if s not in inside or depth[d] <= depth[s]:
            continue  # other components; edges against the layering (cycles) get no lanes
        prev: Any = s
        chain = []
        for col in range(depth[s] + 1, depth[d]):
            lane = ("lane", s, d, col)
            layer_of[lane] = col
            up[lane], down[lane] = [], []
            chain.append(lane)
            down[prev].append(lane)
            up[lane].append(prev)
            prev = lane
        down[prev].append(d)
        up[d].append(prev)
        chains[(s, d)] = chain
    n_layers = 1 + max(layer_of.values())
    layers: list[list[Any]] = [[] for _ in range(n_layers)]
    for item in members:
        layers[layer_of[item]].append(item)
    for chain in chains.values():
        for lane in chain:
            layers[layer_of[lane]].append(lane)

    def item_key(item: Any) -> tuple:
        return order_key(item) if isinstance(item, str) else order_key(item[2])

    for layer in layers:
        layer.sort(key=item_key)

    # fewer crossings: barycentre sweeps, right then left
    def sweep(rng, nbrs) -> None:
        for li in rng:
            pos = {item: i for i, item in enumerate(layers[li - 1 if nbrs is up else li + 1])}
            current = {item: i for i, item in enumerate(layers[li])}

            def bary(item: Any) -> tuple:
                ns = [pos[n] for n in nbrs[item] if n in pos]
                return (sum(ns) / len(ns) if ns else current[item], current[item])
            layers[li].sort(key=bary)

    for _ in range(4):
        sweep(range(1, n_layers), up)
        sweep(range(n_layers - 2, -1, -1), down)

    def size(item: Any) -> float:
        return NODE_H if isinstance(item, str) else LANE_H

    def packed(layer: list) -> float:
        return sum(size(i) for i in layer) + GAP_Y * (len(layer) - 1)

    height = max(packed(layer) for layer in layers)
    y: dict[Any, float] = {}
    for layer in layers:  # start packed, centred
        top = (height - packed(layer)) / 2
        for item in layer:
            y[item] = top + size(item) / 2
            top += size(item) + GAP_Y

    def settle(layer: list, want: dict[Any, float]) -> None:
        """Place the layer's items as near as they can be to `want`, in order, not overlapping."""
        prev = None
        for item in layer:
            v = max(want[item], size(item) / 2)
            if prev is not None:
                v = max(v, y[prev] + (size(prev) + size(item)) / 2 + GAP_Y)
            y[item] = v
            prev = item
        nxt = None
        for item in reversed(layer):
            v = min(y[item], height - size(item) / 2)
            if nxt is not None:
                v = min(v, y[nxt] - (size(nxt) + size(item)) / 2 - GAP_Y)
            y[item] = v
            nxt = item

    def mean_of(nbrs) -> dict[Any, float]:
        return {item: (sum(y[n] for n in nbrs[item]) / len(nbrs[item]) if nbrs[item] else y[item])
                for layer in layers for item in layer}

    for _ in range(3):
        for li in range(1, n_layers):
            settle(layers[li], mean_of(up))
        for li in range(n_layers - 2, -1, -1):
            settle(layers[li], mean_of(down))

    col = NODE_W + GAP_X
    positions = {a: (layer_of[a] * col, y[a]) for a in members}
    lanes = {key: [(layer_of[lane] * col, y[lane]) for lane in chain] for key, chain in chains.items()}
    return positions, lanes, n_layers * col - GAP_X, height


def _r(v: float) -> float:
    v = round(v, 1)
    return int(v) if v == int(v) else v


def _path(points: list[tuple[float, float]]) -> str:
    """Through `points`: horizontal runs within a column, smooth S-curves between columns."""
    (x0, y0), rest = points[0], points[1:]
    d = [f"M{_r(x0)},{_r(y0)}"]
    px, py = x0, y0
    for i, (x, y) in enumerate(rest):
        if i % 2 == 1:
            d.append(f"L{_r(x)},{_r(y)}")  # across a column, in its lane
        else:
            dx = max(24.0, abs(x - px) / 2)
            d.append(f"C{_r(px + dx)},{_r(py)} {_r(x - dx)},{_r(y)} {_r(x)},{_r(y)}")
        px, py = x, y
    return " ".join(d)


def _arrow(tip: tuple[float, float], down: bool = False) -> str:
    """An arrowhead ending at `tip`, pointing right (or down)."""
    x, y = tip
    if down:
        return f"{_r(x)},{_r(y)} {_r(x - ARROW / 2)},{_r(y - ARROW)} {_r(x + ARROW / 2)},{_r(y - ARROW)}"
    return f"{_r(x)},{_r(y)} {_r(x - ARROW)},{_r(y - ARROW / 2)} {_r(x - ARROW)},{_r(y + ARROW / 2)}"


# Added sentences quoted in an article's provenance box (the rest are counted).
ADDED_SHOWN = 3
# Characters of a quoted span in the box.
QUOTE_CHARS = 240
# What several signals of one kind say together (the first one's evidence names one instance).
_SPAN_KINDS = {"outlet_attribution": "attributes its material to other outlets",
               "repeated_line": "a line repeated through its body"}
_ROLE = {"original": "The original of its family: other articles here derive from it, and it from none of them.",
         "derived": "Derived from another article here.",
         "shares_source": "Shares a source with other articles here (siblings), and derives from none of them."}


def _quote(text: str, start: Any, end: Any) -> str | None:
    s, e = _int(start), _int(end)
    if s is None or e is None or not 0 <= s < e <= len(text):
        return None
    q = " ".join(text[s:e].split())
    return q if len(q) <= QUOTE_CHARS else q[:QUOTE_CHARS - 1] + "…"


def article_view(article: dict) -> dict | None:
    """What an article's section says of its provenance, from its `provenance` and
    `rewrite_signals` records: its role, what it retells of which article (shares, order),
    what it adds that no related article has, and the signs that it is a rewrite (grouped by
    kind, spans quoted). None when there is nothing to say."""
    prov = article.get("provenance") if isinstance(article.get("provenance"), dict) else {}
    text = article.get("text") if isinstance(article.get("text"), str) else ""
    signals: dict[str, dict] = {}
    for x in article.get("rewrite_signals") or ():
        if not isinstance(x, dict):
            continue
        kind = str(x.get("kind") or "signal")
        g = signals.setdefault(kind, {"kind": kind, "evidence": None, "quotes": [], "count": 0})
        quote = _quote(text, x.get("start"), x.get("end"))
        if quote is None:  # a summary of the kind: it says it best
            g["evidence"] = str(x.get("evidence") or "")
        else:
            g["count"] += 1
            if len(g["quotes"]) < ADDED_SHOWN and quote not in g["quotes"]:
                g["quotes"].append(quote)
            if g["count"] > 1 and kind in _SPAN_KINDS:
                g["evidence"] = _SPAN_KINDS[kind]
            g["evidence"] = g["evidence"] or str(x.get("evidence") or "")
    sources = [{"id": str(src.get("id")), "anchor": render.anchor_id(str(src.get("id"))),
                "relation": str(src.get("relation") or "").replace("_", " "),
                "coverage_source": _num(src.get("coverage_source")),
                "coverage_derived": _num(src.get("coverage_derived")), "order": _num(src.get("order")),
                "view": pair_anchor(article.get("id"), src.get("id"))}
               for src in prov.get("sources") or () if isinstance(src, dict)]
    added = [q for q in (_quote(text, x.get("start"), x.get("end")) for x in prov.get("added") or ()
                         if isinstance(x, dict)) if q]
    role = prov.get("role")
    if not (role or signals):
        return None
    return {"role": _ROLE.get(str(role)) if role else None, "family": prov.get("family_id"),
            "sources": sources, "added": added[:ADDED_SHOWN], "added_total": len(added) if sources else 0,
            "signals": list(signals.values())}