"""Events in the HTML report: the events section (counts by mode and quad class, the most
active actors, the actor network drawn as inline SVG, a timeline per dyad, the table of every
event with its sentence). Built from invented articles and hand-written event records; the
page is read as HTML (the browser check is in test_report_browser.py)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import newstrace.report.events as evmod
from newstrace.report import RESERVED_SECTIONS, write_report
from newstrace.report.render import anchor_id

# ---------------------------------------------------------------------------------------
# An invented run: Varnia and Ostrel quarrel over a border. Varnia's president first appeals
# to Ostrel, then threatens it and closes the border; Ostrel sends aid once. Ostreli troops
# shell a crossing (no target named), Varnian police arrest traders, rebels storm a post (in
# a page with markup in it). Some events are negated, hypothetical, denied or attempted.

QUADS = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
HOSTILE = "<script>alert('x')</script>"

S1 = "Varnian President Mila Dravic urged Ostrel to reopen the border talks."
S2 = "Ostreli troops shelled the river crossing near Kel on Tuesday, officials said."
TALKS = f"Border talks stall\n\n{S1} {S2}"

S3 = "Ostrel sent food aid to Varnia on Friday."
S4 = "Varnia did not attack the convoy."
S5 = "Teodor Kask may impose sanctions on Varnia, a spokesman warned."
S6 = "Varnian police arrested Ostreli traders at the market on Thursday."
S7 = "Ostreli opposition leaders denied meeting Dravic."
AID = f"Aid and anger\n\n{S3} {S4} {S5}\n\n{S6} {S7}"

S8 = f"Rebels {HOSTILE} stormed the Ostreli army post at dawn."
S9 = "Dravic threatened Ostrel with a full blockade."
S10 = "Ostreli soldiers tried to seize the Varnian police station."
STORM = f"A post <b>stormed</b>\n\n{S8} {S9} {S10}"

S11 = "Varnia closed its border with Ostrel."
CLOSE = f"Border shut\n\n{S11}"

CHOIR = "A choir in Dunmere sang at the harvest fair."


def _article(aid: str, title: str, text: str, source: str | None, published: str | None) -> dict:
    return {"id": aid, "title": title, "text": text, "source": source, "url": f"https://news.example/{aid}",
            "published": published, "crawled": None, "author": None, "language": "en", "artefacts": [],
            "title_span": None, "duplicate_of": None,
            "input": {"path": "inputs/border.jsonl", "ref": aid, "format": "jsonl", "encoding": "utf-8"},
            "content_hash": "0" * 40}


ARTICLES = [
    _article("talks-1", "Border talks stall", TALKS, "Varnia Herald", "2031-03-01T08:00:00"),
    _article("aid-1", "Aid and anger", AID, "Ostrel Post", "2031-03-05"),
    _article("storm-1", "A post <b>stormed</b>", STORM, f"Evil {HOSTILE} Wire", "2031-03-08"),
    _article("close-1", "Border shut", CLOSE, "Varnia Herald", None),
    _article("choir-1", "Harvest choir", CHOIR, None, "2031-03-02"),
]
TEXTS = {a["id"]: a["text"] for a in ARTICLES}


def _find(aid: str, sentence: str, needle: str) -> tuple[int, int]:
    start = TEXTS[aid].index(sentence) + sentence.index(needle)
    return start, start + len(needle)


def _actor(aid: str, sentence: str, code: str | None, written: str, name: str | None = None) -> dict:
    start, end = _find(aid, sentence, written)
    return {"code": code, "country": code[:3] if code else None, "sector": code[3:] if code else None, "group": None,
            "name": name, "text": written, "start": start, "end": end, "resolved_from": "name"}


def _event(aid: str, n: int, sentence: str, trigger: str, code: str, name: str, goldstein: float, quad: int, *,
           source: tuple | None = None, target: tuple | None = None, mode: str = "asserted",
           date: str | None = None, date_source: str = "article", attribution: dict | None = None,
           frame: str | None = None) -> dict:
    base = TEXTS[aid].index(sentence)
    ts, te = _find(aid, sentence, trigger)
    return {"id": f"{aid}:e{n}", "article_id": aid, "sentence_id": f"{aid}:s{n}",
            "start": base, "end": base + len(sentence), "text": sentence,
            "trigger": {"start": ts, "end": te, "text": trigger},
            "source": _actor(aid, sentence, *source) if source else None,
            "target": _actor(aid, sentence, *target) if target else None,
            "code": code, "base_code": code[:3], "root_code": code[:2], "name": name, "plover": None,
            "goldstein": goldstein, "quad_class": quad, "quad_name": QUADS[quad], "mode": mode, "frame": frame,
            "attribution": attribution, "date": date, "date_source": date_source, "is_root": True, "depth": 0}


def _records() -> list[dict]:
    officials = {"source": "officials", "kind": "unnamed", "source_actor": None,
                 "cue": dict(zip(("start", "end"), _find("talks-1", S2, "said")), text="said"), "direct": False}
    return [
        # talks-1 (1 March)
        _event("talks-1", 0, S1, "urged", "025", "Appeal to yield", 3.0, 1, frame="appeal",
               source=("VARGOV", "Varnian President Mila Dravic", "Mila Dravic"), target=("OSTGOV", "Ostrel", "Ostrel"),
               date="2031-03-01"),
        _event("talks-1", 1, S2, "shelled", "194", "Fight with artillery and tanks", -10.0, 4,
               source=("OSTMIL", "Ostreli troops"), date="2031-03-01", attribution=officials),
        # aid-1 (5 March)
        _event("aid-1", 0, S3, "sent", "070", "Provide aid", 7.0, 2,
               source=("OSTGOV", "Ostrel", "Ostrel"), target=("VARGOV", "Varnia", "Varnia"), date="2031-03-05"),
        _event("aid-1", 1, S4, "attack", "190", "Use conventional military force", -10.0, 4, mode="negated",
               source=("VARGOV", "Varnia"), target=("OSTGOV", "the convoy"), date="2031-03-05"),
        _event("aid-1", 2, S5, "impose sanctions", "163", "Impose embargo, boycott, or sanctions", -8.0, 4,
               mode="hypothetical", source=("OSTGOV", "Teodor Kask", "Teodor Kask"), target=("VARGOV", "Varnia"),
               date="2031-03-05"),
        _event("aid-1", 3, S6, "arrested", "173", "Arrest, detain", -5.0, 4,
               source=("VARCOP", "Varnian police"), target=("OSTBUS", "Ostreli traders"),
               date="2031-03-04", date_source="text"),
        _event("aid-1", 4, S7, "meeting", "040", "Consult", 1.0, 1, mode="denied",
               source=("OSTOPP", "Ostreli opposition leaders"), target=("VARGOV", "Dravic", "Mila Dravic"),
               date="2031-03-05"),
        # storm-1 (7 and 8 March)
        _event("storm-1", 0, S8, "stormed", "182", "Physically assault", -9.0, 4,
               source=("VARREB", "Rebels"), target=("OSTMIL", "the Ostreli army post"), date="2031-03-07",
               date_source="text"),
        _event("storm-1", 1, S9, "threatened", "138", "Threaten with military force", -6.0, 3,
               source=("VARGOV", "Dravic", "Mila Dravic"), target=("OSTGOV", "Ostrel"), date="2031-03-08"),
        _event("storm-1", 2, S10, "tried to seize", "184", "Seize or capture", -9.2, 4, mode="attempted",
               source=("OSTMIL", "Ostreli soldiers"), target=("VARCOP", "the Varnian police station"),
               date="2031-03-08"),
        # close-1 (undated)
        _event("close-1", 0, S11, "closed", "1721", "Close a border", -7.0, 4,
               source=("VARGOV", "Varnia"), target=("OSTGOV", "Ostrel")),
    ]


NODES = {"VARGOV", "OSTGOV", "VARCOP", "OSTBUS", "VARREB", "OSTMIL"}
EDGES = {("VARGOV", "OSTGOV"): 3, ("OSTGOV", "VARGOV"): 1, ("VARCOP", "OSTBUS"): 1, ("VARREB", "OSTMIL"): 1}
RUN = {"tool": "newstrace", "version": "0.1.0", "generated": "2031-03-10T10:00:00+00:00", "totals": {}, "summary": {}}


def build(tmp_path: Path, events: list | None = None, *, articles=ARTICLES, with_events: bool = True,
          detail_limit: int = 2000) -> str:
    out = tmp_path / "report.html"
    write_report(out, run=RUN, articles=iter(articles), sentences_for=lambda aid: [], detail_limit=detail_limit,
                 events=(_records() if events is None else events) if with_events else None)
    return out.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# reading the page


def _block(page: str, start_marker: str, end: str) -> str:
    start = page.index(start_marker)
    return page[start:page.index(end, start)]


def _section(page: str) -> str:
    return _block(page, '<section class="block" id="events"', "</section>")


def _plain(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


def _attrs(tag: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}


def _network(page: str) -> tuple[dict[str, dict], dict[tuple[str, str], dict]]:
    """The network read back: nodes by actor code and edges by (source, target), each with
    its attributes, tooltip and inner markup."""
    svg = _block(_section(page), '<svg class="ev-graph"', "</svg>")
    nodes, edges = {}, {}
    for tag, body in re.findall(r'(<g class="ev-node"[^>]*>)(.*?)</g>', svg, re.S):
        a = _attrs(tag)
        nodes[a["data-actor"]] = dict(a, title=html.unescape(re.search(r"<title>(.*?)</title>", body, re.S).group(1)),
                                      body=body)
    for tag, body in re.findall(r'(<g class="ev-edge[^"]*"[^>]*>)(.*?)</g>', svg, re.S):
        a = _attrs(tag)
        edges[(a["data-from"], a["data-to"])] = dict(
            a, title=html.unescape(re.search(r"<title>(.*?)</title>", body, re.S).group(1)), body=body)
    return nodes, edges


def _dyads(page: str) -> dict[tuple[str, str], str]:
    """Each dyad's figure, by (source, target)."""
    out = {}
    for fig in re.findall(r'<figure class="ev-dyad">.*?</figure>', _section(page), re.S):
        head = _plain(_block(fig, "<figcaption", "</figcaption>"))
        s, t = head.split(" · ")[0].split(" → ")
        out[(s, t)] = fig
    return out


def _dots(fig: str) -> list[tuple[float, float, str, set[str]]]:
    """A dyad's dots: (x, y, tooltip, classes)."""
    dots = []
    for title, circle in re.findall(r"<title>(.*?)</title>(<circle [^>]*>)", fig, re.S):
        a = _attrs(circle)
        dots.append((float(a["cx"]), float(a["cy"]), html.unescape(title), set(a["class"].split())))
    return dots


def _rows(page: str) -> list[str]:
    table = _block(_section(page), '<table class="tbl ev-tbl', "</table>")
    return re.findall(r'<tr class="ev-row.*?</tr>', table, re.S)


def _cells(row: str) -> dict[str, str]:
    return dict(re.findall(r'<td[^>]*data-label="([^"]+)"[^>]*>(.*?)</td>', row, re.S))


# ---------------------------------------------------------------------------------------
# the section


def test_section_summary_and_navigation(tmp_path):
    page = build(tmp_path)
    section = _section(page)
    assert '<a data-nav href="#events">Events</a>' in page and '<a href="#events">Events</a>' in page
    assert "events" not in RESERVED_SECTIONS
    # the overview has a card that links to the section
    assert re.search(r'<div class="v">11</div><div class="k"><a href="#events">events</a>', page)
    plain = _plain(section)
    assert "11 events coded in 4 of 5 articles" in plain
    # counts by mode: 7 asserted, one of each other mode
    cards = [_plain(c) for c in re.findall(r'<div class="card[^"]*">(.*?)</div>\s*</div>', section, re.S)]
    assert cards[:6] == ["11 events", "7 asserted", "1 negated", "1 hypothetical", "1 attempted", "1 denied"]
    # by quad class: all events and the asserted ones, with their mean score
    quads = _block(section, '<table class="tbl ev-quads">', "</table>")
    rows = [[_plain(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr><td.*?</tr>", quads, re.S)]
    assert rows == [["verbal cooperation", "2", "1", "+3.0"], ["material cooperation", "1", "1", "+7.0"],
                    ["verbal conflict", "1", "1", "-6.0"], ["material conflict", "7", "4", "-7.8"]]
    # the most active actors, of the asserted events
    tops = re.findall(r'<ul class="bars ev-actors">(.*?)</ul>', section, re.S)
    sources = [_plain(li) for li in re.findall(r"<li>(.*?)</li>", tops[0], re.S)]
    assert sources[0] == "VARGOV Mila Dravic 3"
    assert "OSTOPP" not in tops[0]  # its only event is denied
    targets = [_plain(li) for li in re.findall(r"<li>(.*?)</li>", tops[1], re.S)]
    assert targets[0] == "OSTGOV Ostrel 3"


def test_network_has_a_node_per_actor_and_an_arrow_per_dyad(tmp_path):
    page = build(tmp_path)
    nodes, edges = _network(page)
    # only asserted events naming both actors: the negated, hypothetical, attempted and denied
    # events and the shelling (no target) add nothing
    assert set(nodes) == NODES
    assert {k: int(e["data-n"]) for k, e in edges.items()} == EDGES
    assert "OSTOPP" not in page.split('<svg class="ev-graph"')[1].split("</svg>")[0]
    # node sizes and tooltips: the code, its most frequent name and its counts
    assert int(nodes["VARGOV"]["data-n"]) == 4 and int(nodes["VARREB"]["data-n"]) == 1
    assert nodes["VARGOV"]["title"].startswith("VARGOV — Mila Dravic\n4 events: 3 as source, 1 as target")
    radius = {c: float(_attrs(re.search(r"<circle [^>]*>", n["body"]).group(0))["r"]) for c, n in nodes.items()}
    assert radius["VARGOV"] > radius["OSTBUS"]
    # every arrow has a head, and is thicker for more events
    assert all("<polygon points=" in e["body"] for e in edges.values())
    width = {k: float(re.search(r"stroke-width: ([\d.]+)px", e["body"]).group(1)) for k, e in edges.items()}
    assert width[("VARGOV", "OSTGOV")] > width[("OSTGOV", "VARGOV")]
    # a conflict arrow and a cooperation arrow look different: mostly verbal conflict (orange,
    # dashed) against material cooperation (green, solid)
    conflict = set(edges[("VARGOV", "OSTGOV")]["class"].split())
    coop = set(edges[("OSTGOV", "VARGOV")]["class"].split())
    assert {"ev-q3", "ev-verbal"} <= conflict and "ev-q2" in coop and "ev-verbal" not in coop
    assert set(edges[("VARREB", "OSTMIL")]["class"].split()) == {"ev-edge", "ev-q4"}
    css = page[page.index("<style>"):page.index("</style>")]
    colours = dict(re.findall(r"--ev-(q\d): (#[0-9a-f]{6})", css))
    assert len({colours[q] for q in ("q1", "q2", "q3", "q4")}) == 4
    assert ".ev-edge.ev-verbal .ev-line { stroke-dasharray:" in css
    # the tooltip of an arrow counts its events
    title = edges[("VARGOV", "OSTGOV")]["title"]
    assert title.startswith("VARGOV → OSTGOV: 3 events · mean Goldstein -3.3")
    assert "verbal cooperation 1 · verbal conflict 1 · material conflict 1" in title
    # the hover script can find an arrow's actors and an actor's arrows
    a, b = nodes["VARGOV"]["data-evn"], nodes["OSTGOV"]["data-evn"]
    assert edges[("VARGOV", "OSTGOV")]["data-evn"] == f"{a} {b}"
    assert edges[("VARGOV", "OSTGOV")]["data-eve"] in nodes["OSTGOV"]["data-eve"].split()
    # everything is drawn inside the picture
    svg = re.search(r'<svg class="ev-graph" viewBox="0 0 (\d+) (\d+)"', page)
    w, h = int(svg.group(1)), int(svg.group(2))
    for n in nodes.values():
        c = _attrs(re.search(r"<circle [^>]*>", n["body"]).group(0))
        x, y, r = float(c["cx"]), float(c["cy"]), float(c["r"])
        assert r <= x <= w - r and r <= y <= h - r
    assert "The network draws" not in page  # not capped


def test_network_is_capped_to_the_most_active_actors(tmp_path, monkeypatch):
    monkeypatch.setattr(evmod, "NETWORK_ACTORS", 3)
    page = build(tmp_path)
    nodes, edges = _network(page)
    assert len(nodes) == 3 and {"VARGOV", "OSTGOV"} <= set(nodes)
    assert all(s in nodes and t in nodes for s, t in edges)
    note = _plain(_block(_section(page), 'ev-capped">', "</p>")[len('ev-capped">'):])
    assert note.startswith("The network draws the 3 most active of 6 actors;")


def test_layout_is_deterministic():
    views = [v for v in (evmod.normalise(r, i) for i, r in enumerate(_records())) if v]
    first, second = evmod.network(views, {}), evmod.network(views, {})
    assert first == second
    weights = [[0, 2, 0, 1, 0], [2, 0, 1, 0, 0], [0, 1, 0, 3, 1], [1, 0, 3, 0, 0], [0, 0, 1, 0, 0]]
    import numpy as np
    a = evmod.spring_layout(5, np.array(weights, dtype=float))
    b = evmod.spring_layout(5, np.array(weights, dtype=float))
    assert np.array_equal(a, b) and np.isfinite(a).all()
    # joined nodes end up nearer than the average pair
    d = np.sqrt(((a[:, None] - a[None]) ** 2).sum(-1))
    assert d[2, 3] < d[np.triu_indices(5, 1)].mean()


def test_timelines_plot_each_dated_event_by_date_and_goldstein(tmp_path):
    page = build(tmp_path)
    dyads = _dyads(page)
    assert list(dyads)[0] == ("VARGOV", "OSTGOV")  # the busiest first
    assert set(dyads) == set(EDGES)
    dots = sorted(_dots(dyads[("VARGOV", "OSTGOV")]))
    # the undated closing of the border is listed, not drawn
    assert len(dots) == 2
    (x1, y1, t1, c1), (x2, y2, t2, c2) = dots
    assert t1.startswith("2031-03-01 · 025 Appeal to yield · Goldstein +3.0 · verbal cooperation")
    assert "Border talks stall (Varnia Herald)" in t1
    assert t2.startswith("2031-03-08 · 138 Threaten with military force · Goldstein -6.0 · verbal conflict")
    assert y2 > y1  # lower on the chart: escalation reads downwards
    assert {"ev-q1", "ev-verbal"} <= c1 and {"ev-q3", "ev-verbal"} <= c2
    undated = _block(dyads[("VARGOV", "OSTGOV")], 'class="ev-undated"', "</div>")
    assert "1721 Close a border" in _plain(undated) and "Goldstein -7.0" in _plain(undated)
    # material events are filled; the time axis is shared: 5 March sits between 1 and 8 March
    (x3, y3, t3, c3), = _dots(dyads[("OSTGOV", "VARGOV")])
    assert "Goldstein +7.0" in t3 and "ev-q2" in c3 and "ev-verbal" not in c3 and y3 < y1
    assert x1 < x3 < x2
    (x4, _, t4, _), = _dots(dyads[("VARREB", "OSTMIL")])
    assert "Goldstein -9.0" in t4 and x3 < x4 < x2
    # the zero line, and the ±10 labels
    svg = _block(dyads[("VARGOV", "OSTGOV")], "<svg", "</svg>")
    assert svg.count('class="ev-grid ev-zero"') == 1 and ">+10</text>" in svg and ">-10</text>" in svg
    # a dot links to its article
    assert f'<a class="ev-dot-link" href="#{anchor_id("talks-1")}">' in dyads[("VARGOV", "OSTGOV")]


def test_table_lists_every_event_with_its_mode_sentence_and_article(tmp_path):
    page = build(tmp_path)
    rows = _rows(page)
    assert len(rows) == 11
    # by date, then article order; the date found in the text says so; undated last
    dates = [_plain(_cells(r)["Date"]) for r in rows]
    assert dates == ["2031-03-01", "2031-03-01", "2031-03-04 from the text", "2031-03-05", "2031-03-05",
                     "2031-03-05", "2031-03-05", "2031-03-07 from the text", "2031-03-08", "2031-03-08", "undated"]
    by_code = {re.search(r'<span class="mono ev-code">(\w+)</span>', r).group(1): r for r in rows}
    # non-asserted modes are marked, and not in the network
    for code, mode in (("190", "negated"), ("163", "hypothetical"), ("040", "denied"), ("184", "attempted")):
        row = by_code[code]
        assert f'class="ev-row ev-m-{mode} ev-uncounted"' in row
        assert f'<span class="badge ev-mode ev-mode-{mode}">{mode}</span>' in _cells(row)["Event"]
    assert "ev-uncounted" not in by_code["025"] and "badge ev-mode" not in by_code["025"]
    # a missing target is a dash; the actors show their code and the words that name them
    shelling = _cells(by_code["194"])
    assert _plain(shelling["Target"]) == "—"
    assert _plain(shelling["Source"]) == "OSTMIL “Ostreli troops”"
    assert _plain(shelling["Event"]).endswith("according to officials (unnamed)")
    assert _plain(shelling["Goldstein"]) == "-10.0"
    # the sentence, with the trigger, source and target marked
    first = _cells(by_code["025"])["Event"]
    assert _plain(first).startswith(f"025 Appeal to yield · appeal {S1}")
    assert re.findall(r'<span class="ev-trigger"[^>]*>(.*?)</span>', first) == ["urged"]
    assert re.findall(r'<span class="ev-source"[^>]*>(.*?)</span>', first) == ["Varnian President Mila Dravic"]
    assert re.findall(r'<span class="ev-target"[^>]*>(.*?)</span>', first) == ["Ostrel"]
    # the cue of the attribution too
    assert re.findall(r'<span class="ev-cue"[^>]*>(.*?)</span>', shelling["Event"]) == ["said"]
    # each row links to its article's section
    assert f'<a class="ev-art" href="#{anchor_id("talks-1")}" title="article talks-1">Border talks stall</a>' \
        in _cells(by_code["025"])["Article"]
    anchors = set(re.findall(r'id="([^"]+)"', page))
    assert all(h in anchors for h in re.findall(r'href="#([^"]+)"', _section(page)))


def test_articles_past_the_detail_limit_and_unknown_articles(tmp_path):
    records = _records()
    ghost = dict(records[0], id="ghost:e0", article_id="ghost-9")
    ghost["trigger"] = dict(ghost["trigger"], start=10_000, end=10_005)  # offsets of an article not here
    page = build(tmp_path, [*records, ghost], detail_limit=1)
    rows = {re.search(r'<td class="ev-artc"[^>]*>(.*?)</td>', r, re.S).group(1) for r in _rows(page)}
    assert any('href="#article-talks-1"' in r for r in rows)
    assert any("Aid and anger</span> <span class=\"faint\">(not detailed)</span>" in r for r in rows)
    assert any('<span class="mono">ghost-9</span>' in r for r in rows)
    # the record's own sentence is shown when the article is not in the run
    ghost_row = next(r for r in _rows(page) if "ghost-9" in r)
    assert S1 in _plain(ghost_row) and "ev-trigger" not in ghost_row


def test_table_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(evmod, "TABLE_LIMIT", 3)
    page = build(tmp_path)
    rows = _rows(page)
    assert len(rows) == 3
    assert [_plain(_cells(r)["Date"]) for r in rows] == ["2031-03-01", "2031-03-01", "2031-03-04 from the text"]
    assert "8 more events are not listed (the table lists the first 3)" in _plain(_section(page))


def test_hostile_text_is_escaped(tmp_path):
    page = build(tmp_path)
    assert page.count("<script") == 1  # the page's own script only
    section = _section(page)
    assert "<b>stormed</b>" not in section
    storm = next(r for r in _rows(page) if "182" in r)
    assert '<span class="ev-source" title="source · VARREB">Rebels</span> &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; ' \
        '<span class="ev-trigger"' in _cells(storm)["Event"]
    assert "A post &lt;b&gt;stormed&lt;/b&gt;" in storm and "Evil &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Wire" in storm
    # and in the dots' tooltips
    (_, _, title, _), = _dots(_dyads(page)[("VARREB", "OSTMIL")])
    assert "A post <b>stormed</b> (Evil <script>" in title


def test_odd_records_do_not_break_the_page(tmp_path):
    records = _records()
    odd = dict(records[0], id="odd", goldstein="high", quad_class=9, mode=None, date="someday",
               source={"code": None, "text": None}, target="nobody", trigger=None, attribution="x", start=None)
    page = build(tmp_path, [*records, odd, "not a record", None, 42])
    assert len(_rows(page)) == 12
    row = next(r for r in _rows(page) if 'id="odd"' in r or "someday" in r)
    assert _plain(_cells(row)["Source"]) == "—" and _plain(_cells(row)["Goldstein"]) == "—"
    nodes, edges = _network(page)
    assert set(nodes) == NODES and {k: int(e["data-n"]) for k, e in edges.items()} == EDGES


def test_no_events_coded(tmp_path):
    page = build(tmp_path, [])
    section = _section(page)
    assert "No events coded in the 5 articles." in _plain(section)
    assert "<svg" not in section and "<table" not in section
    assert '<a data-nav href="#events">Events</a>' in page


def test_without_events_nothing_changes(tmp_path):
    page = build(tmp_path, with_events=False)
    body = page[page.index("<body"):page.rindex("<script>")]  # the inline CSS and JS know of them
    assert 'id="events"' not in body and "#events" not in body
    assert not re.search(r'class="[^"]*\bev-', body)
    # the same page as one written without the argument at all
    out = tmp_path / "plain.html"
    write_report(out, run=RUN, articles=iter(ARTICLES), sentences_for=lambda aid: [])
    assert out.read_text(encoding="utf-8") == page
