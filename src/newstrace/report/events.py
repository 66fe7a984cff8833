"""The report's events section: who did what to whom, as coded from the articles' sentences.

Built from event records (one line of events.jsonl each: the sentence's span `start`/`end`
into its article's `text`, the `trigger`, the `source` and `target` actors (each with its
`code`, `name`, the `text` as written and its span; either may be null), the CAMEO `code`
and `name`, `goldstein` (-10 most conflictual .. +10 most cooperative), `quad_class` (1 verbal
cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict), `mode`
(asserted, negated, hypothetical, attempted, denied), `frame`, the `attribution` it is
reported under, and its `date`). Every offset is into the article's original text.

Four things come out of it (`Events.context`):

- a summary: events by mode and by quad class, the most active actors as source and as
  target;
- the actor network, as SVG geometry: one node per actor code, one arrow per directed
  (source, target) pair, its width by the number of events and its colour by the quad class
  most of them have (cooperation blue or green, conflict orange or red; verbal dashed). The
  layout is a spring layout (`spring_layout`, Fruchterman-Reingold with numpy, fixed seed, so
  the same events always give the same drawing); at most `NETWORK_ACTORS` actors are drawn;
- a timeline per dyad (the `TIMELINE_DYADS` busiest): each event a dot by its date (one time
  axis shared by all the charts, from `render.timeline`) and its Goldstein score;
- the table of all events (at most `TABLE_LIMIT`, by date then article order) with each
  event's sentence cut into pieces (`render.split_spans`) so that its trigger, source and
  target are highlighted.

Only asserted events (`COUNTED_MODES`) that name both a source and a target count in the
network and the timelines, and only asserted ones in the actor counts; the table lists every
mode, the others marked. The records are all given before the articles stream past; `take`
is fed every article once and keeps, for the table's rows only (a bounded heap), the
sentences out of the article's text. Nothing here produces HTML: escaping is left to the
(autoescaping) templates.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np

from newstrace.report import render
from newstrace.report.attributions import cut
from newstrace.report.render import Span, split_spans, field_number, field_text

# Event modes, in the order they are listed; a record with another mode keeps its own name.
MODES = ("asserted", "negated", "hypothetical", "attempted", "denied")
# The modes of events said to have happened: the ones the actors, network and timelines count.
COUNTED_MODES = ("asserted",)
# CAMEO quad classes.
QUADS = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
VERBAL = (1, 3)

# Actors drawn in the network (the most active); the rest are counted in a note.
NETWORK_ACTORS = 40
# Dyads given a timeline (the busiest), dots drawn in each, undated events named under each.
TIMELINE_DYADS = 12
TIMELINE_DOTS = 400
UNDATED_SHOWN = 6
# Rows of the event table (by date, then article order); the rest are counted.
TABLE_LIMIT = 500
# Actors listed as the most active sources and targets.
TOP_ACTORS = 10
# Characters of an event's sentence shown in the table (a long one is cut around the event).
SENTENCE_CHARS = 360
TITLE_CHARS = 90

# Network geometry (SVG user units).
NET_WIDTH = 760
NET_PAD = 34
NODE_R = (7.0, 24.0)  # smallest and largest node radius
EDGE_W = (1.5, 7.0)  # thinnest and thickest arrow
LABEL_ROOM = 16  # below a node, for its label
BEND = 0.16  # how far an arrow bows out (a share of its length) when the pair has both directions
LAYOUT_SEED = 20240806
LAYOUT_STEPS = 300

# Timeline geometry: the shared time axis comes from render.timeline over this width.
TL_WIDTH = 760
TL_TOP = 10
TL_PLOT = 100  # height of the -10..+10 band
TL_HEIGHT = TL_TOP + TL_PLOT + 24


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _span(value: Any) -> tuple[int, int] | None:
    """A record's (start, end) when both are integers and start < end."""
    if not isinstance(value, dict):
        return None
    start, end = _int(value.get("start")), _int(value.get("end"))
    return (start, end) if start is not None and end is not None and 0 <= start < end else None


def goldstein(value: float | None) -> str:
    """A Goldstein score as shown: `+3.4`, `-10.0`, `0.0`; `—` when there is none."""
    if value is None:
        return "—"
    return "0.0" if abs(value) < 0.05 else f"{value:+.1f}"


def _actor(value: Any) -> dict[str, Any] | None:
    """An actor of a record made safe to show, or None when there is none (a null, or neither
    a code nor any text). `code` may still be None (an actor written but not coded)."""
    if not isinstance(value, dict):
        return None
    code, text = field_text(value.get("code")), field_text(value.get("text"))
    if code is None and text is None:
        return None
    return {"code": code, "name": field_text(value.get("name")), "text": text, "span": _span(value),
            "country": field_text(value.get("country"))}


def normalise(record: Any, index: int) -> dict[str, Any] | None:
    """One event record made safe to show (None if it is not a record at all): texts
    collapsed, numbers checked, the mode lower-cased, the date parsed (`when`, None when there
    is none or it is not a date; a record without a mode is taken as asserted); `index` is its
    place in the records, for a stable order."""
    if not isinstance(record, dict):
        return None
    aid = record.get("article_id")
    quad = _int(record.get("quad_class"))
    quad = quad if quad in QUADS else None
    att = record.get("attribution")
    attribution = None
    if isinstance(att, dict):
        attribution = {"source": field_text(att.get("source")), "kind": field_text(att.get("kind")),
                       "direct": att.get("direct") is True, "cue": _span(att.get("cue"))}
    date = field_text(record.get("date"))
    return {
        "index": index, "id": field_text(record.get("id")) or "",
        "aid": None if aid is None or isinstance(aid, (dict, list)) else str(aid),
        "span": _span(record), "start": _int(record.get("start")), "text": record.get("text"),
        "trigger": _span(record.get("trigger")),
        "source": _actor(record.get("source")), "target": _actor(record.get("target")),
        "code": field_text(record.get("code")) or "", "name": field_text(record.get("name")) or "",
        "goldstein": field_number(record.get("goldstein")), "quad": quad,
        "quad_name": QUADS.get(quad or 0) or field_text(record.get("quad_name")),
        "mode": (field_text(record.get("mode")) or "asserted").lower(), "frame": field_text(record.get("frame")),
        "attribution": attribution, "date": date, "when": render.parse_when(date),
        "date_source": field_text(record.get("date_source")),
    }


def counted(v: dict) -> bool:
    """Whether an event counts in the actors, network and timelines: asserted."""
    return v["mode"] in COUNTED_MODES


def dyad_of(v: dict) -> tuple[str, str] | None:
    """An event's (source code, target code) when it counts and names both actors."""
    s, t = v["source"], v["target"]
    if not counted(v) or s is None or t is None or s["code"] is None or t["code"] is None:
        return None
    return s["code"], t["code"]


# ---------------------------------------------------------------------------------------
# the network


def spring_layout(n: int, weights: np.ndarray, *, seed: int = LAYOUT_SEED,
                  steps: int = LAYOUT_STEPS) -> np.ndarray:
    """Positions (n x 2, centred on 0) for `n` nodes joined by `weights` (a symmetric n x n
    matrix, 0 where there is no edge): Fruchterman-Reingold, every pair repelling and joined
    nodes attracting (more so the heavier the edge), with a little gravity so that separate
    groups stay near; the start (a circle, jittered by `seed`) and every step are fixed, so
    the result is the same every time. Three nodes or fewer are put on a circle."""
    if n <= 0:
        return np.zeros((0, 2))
    angles = (np.pi if n == 2 else -np.pi / 2) + 2 * np.pi * np.arange(n) / n  # two side by side
    circle = np.column_stack([np.cos(angles), np.sin(angles)])
    if n == 1:
        return np.zeros((1, 2))
    if n <= 3:
        return circle
    rng = np.random.default_rng(seed)
    pos = circle + rng.normal(scale=0.05, size=(n, 2))
    w = np.log1p(np.asarray(weights, dtype=float))
    np.fill_diagonal(w, 0.0)
    k = math.sqrt(4.0 / n)  # the ideal distance, for an area of 2 x 2
    heat = 0.3
    for _ in range(steps):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta ** 2).sum(axis=-1))
        np.fill_diagonal(dist, 1.0)
        dist = np.maximum(dist, 1e-3)
        # along delta / dist: repulsion k² / d, attraction w d² / k
        pull = k * k / dist ** 2 - w * dist / k
        np.fill_diagonal(pull, 0.0)
        move = (delta * pull[:, :, None]).sum(axis=1) - 0.35 * pos * math.sqrt(n)
        length = np.maximum(np.sqrt((move ** 2).sum(axis=-1)), 1e-9)
        pos = pos + move * (np.minimum(length, heat) / length)[:, None]
        heat = max(heat * 0.985, 0.004)
    return pos - pos.mean(axis=0)


def _spread(pos: np.ndarray, radii: list[float], width: float, height: float) -> list[tuple[float, float]]:
    """Layout positions scaled into the drawing (`NET_PAD` and each node's radius and label
    inside its edges), then pushed apart where two nodes (with their labels) would touch."""
    n = len(radii)
    if n == 0:
        return []
    room = max(radii)
    lo_x, hi_x = NET_PAD + room, width - NET_PAD - room
    lo_y, hi_y = NET_PAD + room, height - NET_PAD - room - LABEL_ROOM
    if n <= 3:  # a few actors: nearer the middle than the drawing's far ends
        mid, half = (lo_x + hi_x) / 2, (hi_x - lo_x) * 0.3
        lo_x, hi_x = mid - half, mid + half
    xy: list[list[float]] = []
    mins, maxs = pos.min(axis=0), pos.max(axis=0)
    for p in pos:
        point = []
        for axis, (lo, hi) in enumerate(((lo_x, hi_x), (lo_y, hi_y))):
            span = maxs[axis] - mins[axis]
            point.append((lo + hi) / 2 if span < 1e-9 else lo + (hi - lo) * (p[axis] - mins[axis]) / span)
        xy.append(point)
    for _ in range(80):
        moved = False
        for i in range(n):
            for j in range(i + 1, n):
                dx, dy = xy[j][0] - xy[i][0], xy[j][1] - xy[i][1]
                d = math.hypot(dx, dy)
                need = radii[i] + radii[j] + LABEL_ROOM
                if d >= need:
                    continue
                if d < 1e-6:
                    dx, dy, d = 1.0, 0.0, 1.0
                push = (need - d) / 2
                ux, uy = dx / d * push, dy / d * push
                xy[i][0] -= ux
                xy[i][1] -= uy
                xy[j][0] += ux
                xy[j][1] += uy
                moved = True
        for p in xy:
            p[0] = min(max(p[0], lo_x), hi_x)
            p[1] = min(max(p[1], lo_y), hi_y)
        if not moved:
            break
    return [(round(x, 1), round(y, 1)) for x, y in xy]


def _unit(dx: float, dy: float) -> tuple[float, float]:
    d = math.hypot(dx, dy)
    return (1.0, 0.0) if d < 1e-9 else (dx / d, dy / d)


def _arrow(tip: tuple[float, float], u: tuple[float, float], width: float) -> tuple[str, tuple[float, float]]:
    """An arrowhead's polygon points with its tip at `tip`, pointing along `u`; and the middle
    of its base (where the line should stop, so it does not show past the tip)."""
    length = 7.0 + 1.3 * width
    half = max(4.0, 0.5 * length)
    bx, by = tip[0] - u[0] * length, tip[1] - u[1] * length
    nx, ny = -u[1], u[0]
    points = [tip, (bx + nx * half, by + ny * half), (bx - nx * half, by - ny * half)]
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points), (bx, by)


def _edge_path(a: tuple[float, float], ra: float, b: tuple[float, float], rb: float,
               width: float, bend: float) -> tuple[str, str]:
    """The SVG path (a quadratic curve, bowed by `bend`) and arrowhead of an arrow from node
    `a` (radius `ra`) to node `b`; a node to itself gets a loop above it."""
    if a == b:
        x, y = a
        start = (x - ra * 0.55, y - ra * 0.84)
        c1, c2 = (x - ra * 1.6 - 12, y - ra * 2.6 - 22), (x + ra * 1.6 + 12, y - ra * 2.6 - 22)
        u = _unit(x + ra * 0.55 - c2[0], y - ra * 0.84 - c2[1])
        tip = (x - u[0] * (ra + 1.5), y - u[1] * (ra + 1.5))
        points, base = _arrow(tip, u, width)
        d = (f"M{start[0]:.1f},{start[1]:.1f} C{c1[0]:.1f},{c1[1]:.1f} {c2[0]:.1f},{c2[1]:.1f} "
             f"{base[0]:.1f},{base[1]:.1f}")
        return d, points
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    # bow to the left of the direction of travel: the pair's other arrow bows the other way
    ctrl = (mx + dy / max(length, 1e-9) * bend * length, my - dx / max(length, 1e-9) * bend * length)
    u0 = _unit(ctrl[0] - a[0], ctrl[1] - a[1])
    start = (a[0] + u0[0] * (ra + 1.0), a[1] + u0[1] * (ra + 1.0))
    u = _unit(b[0] - ctrl[0], b[1] - ctrl[1])
    tip = (b[0] - u[0] * (rb + 1.5), b[1] - u[1] * (rb + 1.5))
    points, base = _arrow(tip, u, width)
    d = f"M{start[0]:.1f},{start[1]:.1f} Q{ctrl[0]:.1f},{ctrl[1]:.1f} {base[0]:.1f},{base[1]:.1f}"
    return d, points


def edge_class(quads: Counter[int], mean: float | None) -> tuple[str, bool]:
    """An arrow's colour class and whether it is drawn as verbal (dashed), from the quad
    classes of its events: cooperation or conflict by which has more events (a tie by the mean
    Goldstein score's sign, else "mixed"), verbal or material likewise (a tie is verbal).
    Returns (`ev-q1` .. `ev-q4` or `ev-qx`, verbal)."""
    coop, conflict = quads[1] + quads[2], quads[3] + quads[4]
    verbal = quads[1] + quads[3] >= quads[2] + quads[4]
    if coop == conflict:
        side = None if mean is None or abs(mean) < 1e-9 else ("coop" if mean > 0 else "conflict")
    else:
        side = "coop" if coop > conflict else "conflict"
    if side is None:
        return "ev-qx", verbal
    q = (1 if verbal else 2) if side == "coop" else (3 if verbal else 4)
    return f"ev-q{q}", verbal


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def network(views: list[dict], names: dict[str, str]) -> dict[str, Any] | None:
    """The actor network of the counted events that name both actors, as SVG geometry (None
    when there is none): `nodes` (x, y, r, code, name, counts), `edges` (path `d`, `arrow`
    points, width, class, counts), the drawing's `width` and `height`, and what was left out
    when there are more than `NETWORK_ACTORS` actors."""
    pairs: dict[tuple[str, str], list[dict]] = {}
    for v in views:
        d = dyad_of(v)
        if d is not None:
            pairs.setdefault(d, []).append(v)
    if not pairs:
        return None
    activity: Counter[str] = Counter()
    as_source: Counter[str] = Counter()
    as_target: Counter[str] = Counter()
    for (s, t), evs in pairs.items():
        as_source[s] += len(evs)
        as_target[t] += len(evs)
        activity[s] += len(evs)
        if t != s:
            activity[t] += len(evs)
    ranked = sorted(activity, key=lambda c: (-activity[c], c))
    kept = ranked[:NETWORK_ACTORS]
    index = {c: i for i, c in enumerate(kept)}
    drawn = {p: evs for p, evs in pairs.items() if p[0] in index and p[1] in index}
    left_events = sum(len(evs) for p, evs in pairs.items() if p not in drawn)

    n = len(kept)
    weights = np.zeros((n, n))
    for (s, t), evs in drawn.items():
        if s != t:
            weights[index[s], index[t]] += len(evs)
            weights[index[t], index[s]] += len(evs)
    pos = spring_layout(n, weights)
    top = max(activity[c] for c in kept)
    radii = [NODE_R[0] + (NODE_R[1] - NODE_R[0]) * (math.sqrt(activity[c]) - 1) / (math.sqrt(top) - 1)
             if top > 1 else (NODE_R[0] + NODE_R[1]) / 2.5 for c in kept]
    height = 260 if n <= 3 else 380 if n <= 10 else 520
    xy = _spread(pos, radii, NET_WIDTH, height)

    nodes = [{"i": i + 1, "code": c, "name": names.get(c), "x": xy[i][0], "y": xy[i][1], "r": round(radii[i], 1),
              "n": activity[c], "edges": [],
              "title": (f"{c} — {names[c]}" if names.get(c) else c)
              + f"\n{_plural(activity[c], 'event')}: {as_source[c]:,} as source, {as_target[c]:,} as target"}
             for i, c in enumerate(kept)]
    most = max(len(evs) for evs in drawn.values()) if drawn else 1
    edges = []
    for number, ((s, t), evs) in enumerate(sorted(drawn.items(), key=lambda kv: (-len(kv[1]), kv[0])), 1):
        count = len(evs)
        quads = Counter(v["quad"] for v in evs if v["quad"] is not None)
        mean = _mean([v["goldstein"] for v in evs if v["goldstein"] is not None])
        cls, verbal = edge_class(quads, mean)
        scale = 0.0 if most <= 1 else (math.sqrt(count) - 1) / (math.sqrt(most) - 1)
        width = EDGE_W[0] + (EDGE_W[1] - EDGE_W[0]) * scale
        # thin arrows fade a little, so that the busy pairs stand out in a dense drawing
        opacity = 0.8 if most <= 1 else 0.45 + 0.45 * scale
        a, b = nodes[index[s]], nodes[index[t]]
        bend = BEND if (t, s) in drawn and s != t else 0.0
        d, arrow = _edge_path((a["x"], a["y"]), a["r"], (b["x"], b["y"]), b["r"], width, bend)
        names_of = Counter(f"{v['code']} {v['name']}".strip() for v in evs)
        common = sorted(names_of.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        a["edges"].append(number)
        if b is not a:
            b["edges"].append(number)
        edges.append({
            "i": number, "source": s, "target": t, "from": a["i"], "to": b["i"], "n": count, "d": d,
            "arrow": arrow, "width": round(width, 2), "opacity": round(opacity, 2), "cls": cls, "verbal": verbal,
            "title": "\n".join(x for x in (
                f"{s} → {t}: {_plural(count, 'event')} · mean Goldstein {goldstein(mean)}",
                " · ".join(f"{QUADS[q]} {quads[q]:,}" for q in sorted(quads)),
                "; ".join(name + (f" ×{k}" if k > 1 else "") for name, k in common)) if x),
        })
    return {"width": NET_WIDTH, "height": height, "nodes": nodes, "edges": edges,
            "actors": len(ranked), "capped": len(ranked) > len(kept), "limit": NETWORK_ACTORS,
            "left_events": left_events, "events": sum(len(evs) for evs in pairs.values())}


# ---------------------------------------------------------------------------------------
# the timelines


def _y(score: float) -> float:
    return round(TL_TOP + (10 - max(-10.0, min(10.0, score))) / 20 * TL_PLOT, 1)


def timelines(views: list[dict], names: dict[str, str],
              article: Any) -> tuple[list[dict], dict[str, Any] | None]:
    """The busiest `TIMELINE_DYADS` dyads (counted events naming both actors), each with its
    dots on a time axis shared by all (x by date, y by Goldstein score, -10 at the bottom,
    +10 at the top), a line through each day's mean, and the events that cannot be drawn
    (undated, or without a score). `article(aid)` gives an event's article reference. Returns
    (dyads, axis); the axis is None when no event of them is dated."""
    pairs: dict[tuple[str, str], list[dict]] = {}
    for v in views:
        d = dyad_of(v)
        if d is not None:
            pairs.setdefault(d, []).append(v)
    busiest = sorted(pairs.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TIMELINE_DYADS]
    points: list[tuple[datetime, tuple[int, dict]]] = []
    dyads = []
    for k, ((s, t), evs) in enumerate(busiest):
        plotted = [v for v in evs if v["when"] is not None and v["goldstein"] is not None]
        plotted.sort(key=lambda v: (v["when"], v["index"]))
        shown = plotted[:TIMELINE_DOTS]
        points += [(v["when"], (k, v)) for v in shown]
        scores = [v["goldstein"] for v in evs if v["goldstein"] is not None]
        undrawn = [v for v in evs if v["when"] is None or v["goldstein"] is None]
        undrawn.sort(key=lambda v: v["index"])
        dyads.append({"source": s, "target": t, "source_name": names.get(s), "target_name": names.get(t),
                      "n": len(evs), "dated": len(plotted), "mean": goldstein(_mean(scores)),
                      "dots": [], "line": "", "dots_more": len(plotted) - len(shown),
                      "undrawn": [_event_line(v, article) for v in undrawn[:UNDATED_SHOWN]],
                      "undrawn_total": len(undrawn)})
    if not points:
        return dyads, None
    axis = render.timeline(points, width=TL_WIDTH)
    taken: dict[tuple[int, float, float], int] = {}
    daily: dict[int, dict[datetime, list[tuple[float, float]]]] = {}
    for mark in sorted(axis["marks"], key=lambda m: (m["item"][0], m["when"], m["item"][1]["index"])):
        k, v = mark["item"]
        x, y = mark["x"], _y(v["goldstein"])
        seen = taken.get((k, x, y), 0)  # the same day and score: side by side
        taken[(k, x, y)] = seen + 1
        dx = ((seen + 1) // 2) * 3.5 * (1 if seen % 2 else -1)
        quad = v["quad"]
        dyads[k]["dots"].append({"x": round(x + dx, 1), "y": y, "cls": f"ev-q{quad}" if quad else "ev-qx",
                                 "verbal": quad in VERBAL, **_event_line(v, article)})
        daily.setdefault(k, {}).setdefault(v["when"], []).append((x, v["goldstein"]))
    for k, days in daily.items():
        if len(days) > 1:
            dyads[k]["line"] = " ".join(f"{vals[0][0]:.1f},{_y(sum(g for _, g in vals) / len(vals)):.1f}"
                                        for _, vals in sorted(days.items()))
    grid = [{"y": _y(g), "label": f"{g:+d}" if g else "0", "zero": g == 0} for g in (10, 5, 0, -5, -10)]
    return dyads, {"width": axis["width"], "height": TL_HEIGHT, "x0": axis["x0"], "x1": axis["x1"],
                   "base": TL_TOP + TL_PLOT, "ticks": axis["ticks"], "grid": grid}


def _event_line(v: dict, article: Any) -> dict[str, Any]:
    """What a dot's tooltip (`tip`) and an undated event's line say about an event."""
    art = article(v["aid"])
    tip = " · ".join(x for x in (v["date"] or "undated", f"{v['code']} {v['name']}".strip(),
                                 f"Goldstein {goldstein(v['goldstein'])}", v["quad_name"]) if x)
    tip += "\n" + (art["title"] or art["id"] or "unknown article") + (f" ({art['source']})" if art["source"] else "")
    return {"date": v["date"] or "", "code": v["code"], "name": v["name"], "goldstein": goldstein(v["goldstein"]),
            "quad_name": v["quad_name"] or "", "article": art, "tip": tip}


# ---------------------------------------------------------------------------------------
# the table


def _window(n: int, lo: int, hi: int, limit: int) -> tuple[int, int]:
    """A stretch of at most `limit` of `n` characters around [lo, hi)."""
    if n <= limit:
        return 0, n
    if hi - lo >= limit:
        return lo, lo + limit
    start = max(0, lo - (limit - (hi - lo)) // 2)
    end = min(n, start + limit)
    return max(0, end - limit), end


def sentence_pieces(v: dict, text: str | None) -> dict[str, Any]:
    """An event's sentence cut into (text, classes, tooltip) pieces, with the trigger
    (`ev-trigger`), source (`ev-source`), target (`ev-target`) and attribution cue (`ev-cue`)
    marked; from the article's `text` when it holds the sentence's span, else from the
    record's own text. A long sentence is cut around the event (`before`/`after`: cut there)."""
    base: int | None = None
    sentence = ""
    if text is not None and v["span"] is not None and v["span"][1] <= len(text):
        base, sentence = v["span"][0], text[v["span"][0]:v["span"][1]]
    elif isinstance(v["text"], str):
        sentence = v["text"]
        base = v["start"]  # offsets into the article still place the spans, if the text is the span's
        if v["span"] is None or v["span"][1] - v["span"][0] != len(sentence):
            base = None
    marks: list[tuple[tuple[int, int], str, str]] = []
    if base is not None:
        s, t, att = v["source"], v["target"], v["attribution"]
        candidates = [(v["trigger"], "ev-trigger", f"trigger · {v['code']} {v['name']}".strip()),
                      (s["span"] if s else None, "ev-source", f"source · {s['code'] or 'not coded'}" if s else ""),
                      (t["span"] if t else None, "ev-target", f"target · {t['code'] or 'not coded'}" if t else ""),
                      (att["cue"] if att else None, "ev-cue", "attribution cue")]
        for span, cls, tip in candidates:
            if span is not None and base <= span[0] and span[1] <= base + len(sentence):
                marks.append(((span[0] - base, span[1] - base), cls, tip))
    n = len(sentence)
    focus = [m[0] for m in marks if m[1] != "ev-cue"]
    lo = min((a for a, _ in focus), default=0)
    hi = max((b for _, b in focus), default=min(n, SENTENCE_CHARS))
    a, b = _window(n, lo, hi, SENTENCE_CHARS)
    spans = [Span(s0 - a, e0 - a, cls, tip, key) for key, ((s0, e0), cls, tip) in enumerate(marks)]
    pieces = []
    for seg in split_spans(b - a, spans):
        piece = sentence[a + seg.start:a + seg.end]
        if not piece:
            continue
        classes = " ".join(dict.fromkeys(s.kind for s in seg.spans))
        tips = "\n".join(dict.fromkeys(s.data for s in seg.spans if s.data))
        pieces.append((piece, classes, tips))
    return {"pieces": pieces, "before": a > 0, "after": b < n}


class _Row:
    """A table row in the bounded heap: ordered so that the heap's top is the row that sorts
    last (the one to drop when a row that sorts earlier comes)."""

    __slots__ = ("key", "row")

    def __init__(self, key: tuple, row: dict) -> None:
        self.key = key
        self.row = row

    def __lt__(self, other: _Row) -> bool:
        return self.key > other.key


def _actor_view(a: dict | None, names: dict[str, str]) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"code": a["code"], "text": a["text"], "name": a["name"] or (names.get(a["code"]) if a["code"] else None)}


class Events:
    """The event records of a run, for the page's events section.

    `records` are the rows of events.jsonl (None: events were not analysed, the page shows
    nothing of them). `take` is called once per article, as the stream passes; `context`
    gives the template's variables once it is done.
    """

    def __init__(self, records: Iterable[Any] | None) -> None:
        self.enabled = records is not None
        self.articles = 0
        self.views = [v for v in (normalise(r, i) for i, r in enumerate(records or ())) if v is not None]
        self._by_article: dict[str | None, list[dict]] = {}
        for v in self.views:
            self._by_article.setdefault(v["aid"], []).append(v)
        self._order: dict[str, int] = {}  # article id -> its place in the stream (from 1)
        self._meta: dict[str, dict] = {}  # article id -> title and outlet
        self._rows: list[_Row] = []
        # every actor code's most frequent name, over all events
        names: dict[str, Counter[str]] = {}
        for v in self.views:
            for a in (v["source"], v["target"]):
                if a is not None and a["code"] and a["name"]:
                    names.setdefault(a["code"], Counter())[a["name"]] += 1
        self.names = {code: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for code, c in names.items()}

    def take(self, article: dict, number: int) -> None:
        """Note an article's place and title, and keep the table rows of its events that sort
        among the first `TABLE_LIMIT` so far (with their sentences out of its text)."""
        self.articles += 1
        aid = str(article.get("id"))
        if aid not in self._by_article or aid in self._order:
            return
        self._order[aid] = number
        self._meta[aid] = {"title": field_text(article.get("title")), "source": field_text(article.get("source"))}
        text = article.get("text")
        self._add(self._by_article[aid], number, text if isinstance(text, str) else None)

    def _add(self, views: list[dict], number: float, text: str | None) -> None:
        for v in views:
            key = (v["when"] is None, v["when"] or datetime.min, number,
                   v["span"][0] if v["span"] else math.inf, v["index"])
            if len(self._rows) >= TABLE_LIMIT and not key < self._rows[0].key:
                continue
            row = _Row(key, self._row(v, text))
            if len(self._rows) < TABLE_LIMIT:
                heapq.heappush(self._rows, row)
            else:
                heapq.heapreplace(self._rows, row)

    def _row(self, v: dict, text: str | None) -> dict[str, Any]:
        return {"id": v["id"], "aid": v["aid"], "date": v["date"], "date_source": v["date_source"],
                "source": _actor_view(v["source"], self.names), "target": _actor_view(v["target"], self.names),
                "code": v["code"], "name": v["name"], "quad": v["quad"], "quad_name": v["quad_name"],
                "goldstein": goldstein(v["goldstein"]), "mode": v["mode"], "frame": v["frame"],
                "counted": counted(v), "attribution": v["attribution"], "article": None,
                **sentence_pieces(v, text)}

    def _article(self, aid: str | None, sections: dict[str, bool]) -> dict[str, Any]:
        meta = self._meta.get(aid or "", {})
        return {"id": aid or "", "title": cut(meta.get("title") or "", TITLE_CHARS), "source": meta.get("source"),
                "known": aid in self._meta,
                "href": f"#{render.anchor_id(aid)}" if aid is not None and sections.get(aid) else None}

    def context(self, sections: dict[str, bool]) -> dict[str, Any]:
        """The template's event variables; `sections` tells which articles have a section."""
        if not self.enabled:
            return {"events": False}
        for aid, views in self._by_article.items():  # events of articles the stream never had
            if aid is None or aid not in self._order:
                self._add(views, math.inf, None)
        rows = [r.row for r in sorted(self._rows, key=lambda r: r.key)]
        for r in rows:
            r["article"] = self._article(r["aid"], sections)

        def article(aid: str | None) -> dict[str, Any]:
            return self._article(aid, sections)

        views = self.views
        modes = Counter(v["mode"] for v in views)
        mode_list = [m for m in MODES if modes[m]] + sorted(m for m in modes if m not in MODES)
        counted_views = [v for v in views if counted(v)]
        quads = []
        for q in (*QUADS, None):
            all_q = [v for v in views if v["quad"] == q]
            asserted = [v for v in all_q if counted(v)]
            if q is None and not all_q:
                continue
            quads.append({"quad": q, "name": QUADS.get(q or 0, "no quad class"), "n": len(all_q),
                          "asserted": len(asserted),
                          "mean": goldstein(_mean([v["goldstein"] for v in asserted if v["goldstein"] is not None]))})
        as_source = Counter(v["source"]["code"] for v in counted_views if v["source"] and v["source"]["code"])
        as_target = Counter(v["target"]["code"] for v in counted_views if v["target"] and v["target"]["code"])

        def top(c: Counter[str]) -> list[dict]:
            return [{"code": code, "name": self.names.get(code), "n": n}
                    for code, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ACTORS]]

        dyads, axis = timelines(views, self.names, article)
        return {
            "events": True,
            "ev_totals": {"events": len(views), "articles": self.articles,
                          "with_events": len([a for a in self._by_article if a is not None]),
                          "asserted": len(counted_views),
                          "conflict": sum(1 for v in counted_views if v["quad"] in (3, 4)),
                          "dyadic": sum(1 for v in views if dyad_of(v) is not None)},
            "ev_modes": [{"mode": m, "n": modes[m], "counted": m in COUNTED_MODES} for m in mode_list],
            "ev_quads": quads,
            "ev_sources": top(as_source), "ev_targets": top(as_target),
            "ev_network": network(views, self.names),
            "ev_dyads": dyads, "ev_axis": axis, "ev_dyad_limit": TIMELINE_DYADS,
            "ev_dyads_total": len({d for d in (dyad_of(v) for v in views) if d is not None}),
            "ev_rows": rows, "ev_rows_more": len(views) - len(rows), "ev_table_limit": TABLE_LIMIT,
            "ev_quad_names": QUADS,
        }
