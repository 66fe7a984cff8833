"""Provenance in the HTML report: the derivation graph (SVG), the table of derived pairs and the
texts side by side. Built from invented articles and hand-written derivation records; the
page is read as HTML (no browser), except for one quick check in a browser at the end."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import newstrace.report.provenance as prov
from newstrace.report import write_report
from newstrace.report.provenance import derivation_graph, pair_anchor
from newstrace.report.render import anchor_id

from .helpers import browser_page

# ---------------------------------------------------------------------------------------
# An invented run: a wire story about a lighthouse, reprinted verbatim by a daily (which a
# blog then paraphrases: a chain), closely rewritten by a weekly (a fan-out from the wire),
# and copied by a page with markup in it; a loner that derives from nothing.

WIRE_P1 = ("KETTERBY, May 4 - Volunteers on Saturday finished a three-year restoration of the Ketterby "
           "lighthouse, the oldest working light on the Fenmoor coast. The lamp will be lit again on "
           "12 May, the trust that owns it said.")
WIRE_P2 = "The work cost 1.4 million pounds, most of it raised from local donors."
WIRE = f"Volunteers finish restoring the Ketterby lighthouse\n\n{WIRE_P1}\n\n{WIRE_P2}"

DAILY_ADDED = "The Harbour Daily will stream the lighting on its website."
DAILY_P2 = "The work cost 1.4 million pounds, most of it given by local donors."
DAILY = f"Ketterby lighthouse shines again\n\n{WIRE_P1}\n\n{DAILY_P2}\n\n{DAILY_ADDED}"

BLOG_P = ("After three years of volunteer work the old Ketterby light is finished, and it will shine "
          "again from 12 May.")
BLOG = f"{BLOG_P}\n\nMy own view: about time somebody did it."

WEEKLY_S1 = "Volunteers have finished restoring the Ketterby lighthouse after three years."
WEEKLY_S2 = "The oldest working light on the Fenmoor coast will be lit again on 12 May."
WEEKLY = f"{WEEKLY_S1} {WEEKLY_S2}\n\nFenmoor Weekly visited the tower last spring."

EVIL_COPY = "<script>alert('x')</script> " + WIRE_P2
EVIL = f"{EVIL_COPY}\n\nMore: <img src=x onerror=alert(1)> & \"quotes\"."

LONER = "Ketterby's bakery wins a regional bread prize."


def _article(aid: str, title: str, text: str, source: str | None, published: str | None) -> dict:
    return {"id": aid, "title": title, "text": text, "source": source, "url": f"https://news.example/{aid}",
            "published": published, "crawled": None, "author": None, "language": "en", "artefacts": [],
            "title_span": None, "duplicate_of": None,
            "input": {"path": "inputs/lighthouse.jsonl", "ref": aid, "format": "jsonl", "encoding": "utf-8"},
            "content_hash": "0" * 40}


ARTICLES = [
    _article("wire-1", "Volunteers finish restoring the Ketterby lighthouse", WIRE, "Northgate Wire",
             "2026-05-04T08:00:00+00:00"),
    _article("daily-1", "Ketterby lighthouse shines again", DAILY, "Harbour Daily", "2026-05-04T12:00:00+00:00"),
    _article("blog-1", "The light is back", BLOG, "Coast Notes", "2026-05-05"),
    _article("weekly-1", "Lighthouse restored", WEEKLY, "Fenmoor Weekly", "2026-05-06"),
    _article("evil-1", "Lighthouse <script>alert('t')</script> & \"more\"", EVIL, "Evil <b>Outlet</b>", None),
    _article("loner-1", "Bakery wins prize", LONER, "Harbour Daily", "2026-05-04"),
]
TEXTS = {a["id"]: a["text"] for a in ARTICLES}


def _span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def _passage(derived: str, d_needle: str, source: str, s_needle: str, kind: str, similarity: float) -> dict:
    ds, de = _span(TEXTS[derived], d_needle)
    ss, se = _span(TEXTS[source], s_needle)
    return {"derived_start": ds, "derived_end": de, "source_start": ss, "source_end": se, "kind": kind,
            "similarity": similarity}


def _record(derived: str, source: str, score: float, passages: list[dict], *, derived_flag: bool = True,
            by: str = "dates", evidence=("the source is dated earlier",), reading: str = "decided") -> dict:
    return {"id": f"{derived}<{source}", "derived_id": derived, "source_id": source, "score": score,
            "derived": derived_flag, "direction": {"decided_by": by, "confidence": 1.0 if by == "dates" else 0.5,
                                                   "evidence": list(evidence)},
            "coverage_derived": 0.8, "coverage_source": 0.7, "passages": passages, "found_by": "copy",
            "reading": reading, "reverse_score": score, "features": {}}


def records() -> list[dict]:
    return [
        _record("daily-1", "wire-1", 0.93, [
            _passage("daily-1", WIRE_P1, "wire-1", WIRE_P1, "verbatim", 1.0),
            _passage("daily-1", DAILY_P2, "wire-1", WIRE_P2, "near-verbatim", 0.82),
        ]),
        _record("blog-1", "daily-1", 0.55, [
            _passage("blog-1", BLOG_P, "daily-1", WIRE_P1, "paraphrase", 0.71),
        ], by="content", evidence=["it is the shorter", "it drops the other's attributions (said, according to)"]),
        # two derived sentences rewritten from overlapping stretches of the same source passage
        _record("weekly-1", "wire-1", 0.66, [
            _passage("weekly-1", WEEKLY_S1, "wire-1", WIRE_P1[:120], "near-verbatim", 0.6),
            _passage("weekly-1", WEEKLY_S2, "wire-1", WIRE_P1[60:], "paraphrase", 0.74),
        ]),
        _record("evil-1", "wire-1", 0.71, [
            _passage("evil-1", EVIL_COPY, "wire-1", WIRE_P2, "near-verbatim", 0.7),
        ], by="undetermined", evidence=["the content does not show which came first; <b>not bold</b>"]),
        # judged, not derived; and a best-candidate-only reverse line: neither is drawn
        _record("loner-1", "wire-1", 0.04, [], derived_flag=False),
        _record("wire-1", "daily-1", 0.9, [], derived_flag=False, reading="reverse"),
    ]


EDGES = {("wire-1", "daily-1"), ("daily-1", "blog-1"), ("wire-1", "weekly-1"), ("wire-1", "evil-1")}
RUN = {"tool": "newstrace", "version": "0.1.0", "generated": "2026-05-07T10:00:00+00:00", "totals": {}, "summary": {}}


def build(tmp_path: Path, derivations, articles=ARTICLES, **kw) -> str:
    out = tmp_path / "report.html"
    write_report(out, run=RUN, articles=iter(articles), sentences_for=lambda aid: [],
                 derivations=derivations, **kw)
    return out.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# reading the page


class _Page(HTMLParser):
    """The graph's nodes and edges, and the pieces of every side-by-side text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: dict[str, dict] = {}
        self.edges: list[dict] = []
        self.sides: dict[tuple[str, str], list[tuple[dict | None, str]]] = {}  # (pair id, side) -> pieces
        self._g: dict | None = None
        self._pair: str | None = None
        self._side: tuple[str, str] | None = None
        self._span: dict | None = None
        self._in_svg_text = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "g" and "pv-node" in cls:
            self._g = {"kind": "node", "id": a["data-id"], "depth": int(a["data-depth"]), "class": cls, "text": []}
            self.nodes[a["data-id"]] = self._g
        elif tag == "g" and "pv-edge" in cls:
            self._g = {"kind": "edge", "from": a["data-from"], "to": a["data-to"], "class": cls,
                       "score": float(a["data-score"])}
            self.edges.append(self._g)
        elif tag == "rect" and self._g is not None and self._g["kind"] == "node" and "rect" not in self._g:
            self._g["rect"] = {k: float(a[k]) for k in ("x", "y", "width", "height")}
        elif tag == "path" and self._g is not None and self._g["kind"] == "edge":
            self._g["d"] = a["d"]
        elif tag == "polygon" and self._g is not None and self._g["kind"] == "edge":
            self._g["arrow"] = [tuple(map(float, p.split(","))) for p in a["points"].split()]
        elif tag == "text" and self._g is not None:
            self._in_svg_text = True
        elif tag == "details" and "pv-pair" in cls:
            self._pair = a["id"]
        elif tag == "div" and "pv-text" in cls:
            self._side = (self._pair, a["data-side"])
            self.sides[self._side] = []
        elif tag == "span" and self._side is not None:
            assert self._span is None, "pieces are flat spans"
            self._span = a

    def handle_endtag(self, tag):
        if tag == "g":
            self._g = None
        elif tag == "text":
            self._in_svg_text = False
        elif tag == "span" and self._side is not None:
            self._span = None
        elif tag == "div" and self._side is not None:
            self._side = None

    def handle_data(self, data):
        if self._side is not None:
            self.sides[self._side].append((self._span, data))
        elif self._in_svg_text and self._g is not None and self._g["kind"] == "node":
            self._g["text"].append(data)


def _read(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


def _section(page: str) -> str:
    start = page.index('<section class="block" id="provenance"')
    return page[start:page.index("</section>", start)]


def _numbers(attrs: dict | None, key: str) -> set[int]:
    return {int(n) for n in ((attrs or {}).get(key) or "").split()}


def _path_points(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", d)]


# ---------------------------------------------------------------------------------------
# the graph


def test_graph_draws_each_derived_pair_as_an_arrow_from_source_to_derived(tmp_path):
    page = build(tmp_path, records())
    g = _read(page)
    # nodes: the articles of derived pairs only (not the loner, judged not derived)
    assert set(g.nodes) == {"wire-1", "daily-1", "blog-1", "weekly-1", "evil-1"}
    assert {(e["from"], e["to"]) for e in g.edges} == EDGES and len(g.edges) == 4
    for e in g.edges:
        src, dst = g.nodes[e["from"]]["rect"], g.nodes[e["to"]]["rect"]
        pts = _path_points(e["d"])
        # the line leaves the source's right side at its middle ...
        assert pts[0] == (src["x"] + src["width"], src["y"] + src["height"] / 2)
        # ... and the arrowhead's tip touches the derived article's left side, pointing right
        tip = e["arrow"][0]
        assert tip == (dst["x"], dst["y"] + dst["height"] / 2)
        assert all(x < tip[0] for x, _ in e["arrow"][1:])
        assert pts[-1][0] < tip[0] and pts[-1][1] == tip[1]
    # generations: the wire is an original, the blog rewrites the daily's reprint of it
    assert {a: n["depth"] for a, n in g.nodes.items()} == {
        "wire-1": 0, "daily-1": 1, "weekly-1": 1, "evil-1": 1, "blog-1": 2}
    xs = {a: n["rect"]["x"] for a, n in g.nodes.items()}
    assert xs["wire-1"] < xs["daily-1"] == xs["weekly-1"] == xs["evil-1"] < xs["blog-1"]
    # the fan-out: the three copies of the wire are stacked in one column, not overlapping
    ys = sorted(g.nodes[a]["rect"]["y"] for a in ("daily-1", "weekly-1", "evil-1"))
    h = g.nodes["wire-1"]["rect"]["height"]
    assert all(b - a >= h for a, b in zip(ys, ys[1:]))
    # undetermined direction: dashed; scores on the edges
    styles = {(e["from"], e["to"]): e for e in g.edges}
    assert "pv-und" in styles[("wire-1", "evil-1")]["class"]
    assert not any("pv-und" in e["class"] for k, e in styles.items() if k != ("wire-1", "evil-1"))
    assert styles[("wire-1", "daily-1")]["score"] == 0.93
    # labels: outlet (and date), then the title
    assert g.nodes["blog-1"]["text"] == ["Coast Notes · 2026-05-05", "The light is back"]
    long = g.nodes["wire-1"]["text"]  # a long title is cut to fit its box (and is whole in the tooltip)
    assert long[1].endswith("…") and "Volunteers finish restoring the Ketterby lighthouse".startswith(long[1][:-1])
    # nodes link to the article's section, edges to the comparison
    sec = _section(page)
    assert f'<a class="pv-node-link" href="#{anchor_id("blog-1")}">' in sec
    assert f'<a class="pv-edge-link" href="#{pair_anchor("blog-1", "daily-1")}">' in sec


def test_graph_layout_chains_fan_outs_long_edges_and_cycles():
    def node(i: int) -> dict:
        return {"title": f"T{i}", "source": "S", "published": f"2026-01-{i + 1:02d}", "href": None, "hue": None}

    def edge(s: str, d: str, score: float = 0.8, und: bool = False) -> dict:
        return {"from": s, "to": d, "score": score, "undetermined": und, "href": None}

    ids = [f"n{i}" for i in range(8)]
    nodes = {a: node(i) for i, a in enumerate(ids)}
    # a chain n0 -> n1 -> n2 -> n3 with a shortcut n0 -> n3; a fan-out n4 -> n5, n6, n7
    edges = [edge("n0", "n1"), edge("n1", "n2"), edge("n2", "n3"), edge("n0", "n3"),
             edge("n4", "n5"), edge("n4", "n6"), edge("n4", "n7")]
    g = derivation_graph(nodes, edges)
    by = {n["id"]: n for n in g["nodes"]}
    assert [by[a]["depth"] for a in ids] == [0, 1, 2, 3, 0, 1, 1, 1]
    assert by["n0"]["x"] < by["n1"]["x"] < by["n2"]["x"] < by["n3"]["x"]
    assert len(g["components"]) == 2
    # no two boxes overlap
    boxes = [(n["x"], n["y"], n["x"] + n["w"], n["y"] + n["h"]) for n in g["nodes"]]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    # the fan-out's source sits level with the middle of its copies
    kids = sorted(by[a]["y"] for a in ("n5", "n6", "n7"))
    assert by["n4"]["y"] == kids[1]
    # the shortcut n0 -> n3 crosses the columns of n1 and n2 beside them, never through them
    (short,) = [e for e in g["edges"] if (e["from"], e["to"]) == ("n0", "n3")]
    for x, y in _path_points(short["d"])[1:-1]:
        for a in ("n1", "n2"):
            n = by[a]
            assert not (n["x"] <= x <= n["x"] + n["w"] and n["y"] <= y <= n["y"] + n["h"])
    # a cycle (possible with undetermined directions) is drawn, one arrow arcing back
    cyc = derivation_graph({a: node(i) for i, a in enumerate(("a", "b", "c"))},
                           [edge("a", "b", und=True), edge("b", "c", und=True), edge("c", "a", und=True)])
    assert len(cyc["edges"]) == 3 and sum(e["back"] for e in cyc["edges"]) == 1
    # deterministic
    assert derivation_graph(nodes, edges) == g


def test_graph_edge_cap_says_how_many_were_left_out(tmp_path, monkeypatch):
    monkeypatch.setattr(prov, "GRAPH_EDGE_LIMIT", 2)
    monkeypatch.setattr(prov, "PAIR_VIEW_LIMIT", 1)
    page = build(tmp_path, records())
    g = _read(page)
    # the two highest-scoring pairs are drawn
    assert {(e["from"], e["to"]) for e in g.edges} == {("wire-1", "daily-1"), ("wire-1", "evil-1")}
    assert set(g.nodes) == {"wire-1", "daily-1", "evil-1"}
    text = " ".join(_section(page).split())
    assert "draws the 2 highest-scoring of 4 derived pairs; 2 more pairs are left out of the drawing" in text
    # the table still lists all four; one pair is shown side by side, and the rest are counted
    assert _section(page).count('<td class="pv-dir"') == 4
    assert page.count('<details class="pv-pair"') == 1
    assert "3 more are not" in text


# ---------------------------------------------------------------------------------------
# the table


def test_table_lists_derived_pairs_by_score_with_kinds_coverage_and_direction(tmp_path):
    sec = _section(build(tmp_path, records()))
    rows = re.findall(r"<tr>\s*<td class=\"title\".*?</tr>", sec, re.S)
    assert len(rows) == 4
    firsts = [re.search(r'data-label="Derived article">(?:<a href="[^"]*">)?([^<]*)<', r).group(1) for r in rows]
    assert firsts == ["Ketterby lighthouse shines again",
                      "Lighthouse &lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; &amp; &#34;more&#34;",
                      "Lighthouse restored", "The light is back"]
    daily = rows[0]
    assert "<b>0.93</b>" in daily
    assert re.search(r"verbatim <b>1</b></span> · <span class=\"nowrap\">near-verbatim <b>1</b>", daily)
    assert "derived 80%" in daily and "source 70%" in daily
    assert 'pv-by-dates">by dates</span>' in daily and "the source is dated earlier" in daily
    assert f'href="#{pair_anchor("daily-1", "wire-1")}"' in daily
    blog = rows[3]
    assert "by content" in blog and "<li>it is the shorter</li>" in blog
    assert "undetermined" in rows[1] and "&lt;b&gt;not bold&lt;/b&gt;" in rows[1]
    assert "Northgate Wire" in daily and "2026-05-04" in daily
    # the overview counts the derived articles
    assert 'href="#provenance">derived articles</a>' in build(tmp_path, records())


# ---------------------------------------------------------------------------------------
# side by side


def test_side_by_side_highlights_exactly_the_passages_and_marks_additions(tmp_path):
    page = build(tmp_path, records())
    g = _read(page)
    recs = [r for r in records() if r["derived"]]
    assert page.count('<details class="pv-pair"') == len(recs)
    for r in recs:
        anchor = pair_anchor(r["derived_id"], r["source_id"])
        for side, text_id, lo, hi in (("derived", r["derived_id"], "derived_start", "derived_end"),
                                      ("source", r["source_id"], "source_start", "source_end")):
            pieces = g.sides[(anchor, side)]
            text = TEXTS[text_id]
            # the pieces are the whole text, unchanged
            assert "".join(t for _, t in pieces) == text
            # numbered in the order of the derived text
            order = sorted(r["passages"], key=lambda p: p["derived_start"])
            for n, p in enumerate(order, 1):
                lit = "".join(t for attrs, t in pieces if n in _numbers(attrs, "data-p"))
                assert lit == text[p[lo]:p[hi]], (anchor, side, n)
                # its number is shown once on each side, where it starts, and coloured by kind
                starts = [(attrs, t) for attrs, t in pieces if n in _numbers(attrs, "data-n")]
                assert len(starts) == 1 and text[p[lo]:].startswith(starts[0][1])
                assert f"pv-k-{p['kind']}" in starts[0][0]["class"].split()
    # additions: what the daily added to the wire (its own headline and last line), nothing else
    daily = g.sides[(pair_anchor("daily-1", "wire-1"), "derived")]
    added = [t for attrs, t in daily if attrs and "pv-add" in attrs["class"].split()]
    assert added == ["Ketterby lighthouse shines again", DAILY_ADDED]
    # the wire's headline was not carried over into the daily
    wire = g.sides[(pair_anchor("daily-1", "wire-1"), "source")]
    assert [t for attrs, t in wire if attrs and "pv-out" in attrs["class"].split()] == [
        "Volunteers finish restoring the Ketterby lighthouse"]
    # overlapping source passages (weekly-1): the overlap is in both
    weekly_src = g.sides[(pair_anchor("weekly-1", "wire-1"), "source")]
    both = [(attrs, t) for attrs, t in weekly_src if _numbers(attrs, "data-p") == {1, 2}]
    assert [t for _, t in both] == [WIRE_P1[60:120]] and "pv-multi" in both[0][0]["class"].split()
    # the legend explains the marks
    sec = _section(page)
    assert "added: not aligned to the source" in sec
    for kind in ("verbatim", "near-verbatim", "paraphrase"):
        assert f'<span class="sample pv-p pv-k-{kind}">' in sec


def test_article_markup_is_escaped_everywhere(tmp_path):
    page = build(tmp_path, records())
    # the page's own script is the only one; the article's markup is text
    assert len(re.findall(r"<script", page)) == 1
    assert "<img" not in page and "<b>Outlet</b>" not in page and "<b>not bold</b>" not in page
    sec = _section(page)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in sec  # side by side
    assert "Lighthouse &lt;script&gt;alert(&#39;t&#39;)&lt;/s" in sec  # graph label and table
    assert "Evil &lt;b&gt;Outlet&lt;/b&gt;" in sec
    # and it reads back as the article's own text
    g = _read(page)
    pieces = g.sides[(pair_anchor("evil-1", "wire-1"), "derived")]
    assert "".join(t for _, t in pieces) == EVIL
    assert "".join(g.nodes["evil-1"]["text"]).startswith("Evil <b>Outlet</b>")


def test_text_missing_from_the_run_and_odd_passages(tmp_path):
    """A pair whose source is not among the articles, with passages past the text's end or
    without offsets: the page is still written, the derived side still exact."""
    odd = _record("daily-1", "gone-9", 0.8, [
        {"derived_start": 0, "derived_end": 10_000, "source_start": 5, "source_end": 50, "kind": "verbatim"},
        {"derived_start": None, "derived_end": 4, "kind": "mystery"}, "not a passage"])
    page = build(tmp_path, [odd])
    g = _read(page)
    assert set(g.nodes) == {"daily-1", "gone-9"}
    assert "".join(g.nodes["gone-9"]["text"]) == "unknown outlet" + "gone-9"
    derived = g.sides[(pair_anchor("daily-1", "gone-9"), "derived")]
    assert "".join(t for a, t in derived if 1 in _numbers(a, "data-p")) == DAILY
    assert (pair_anchor("daily-1", "gone-9"), "source") not in g.sides
    assert "This article's text is not in this report." in page


# ---------------------------------------------------------------------------------------
# empty states


def test_no_derivations_says_so(tmp_path):
    page = build(tmp_path, [])
    sec = _section(page)
    assert "No article was found to be derived from another" in sec
    assert "<svg" not in sec and "<table" not in sec and '<details class="pv-pair"' not in page
    assert 'href="#provenance"' in page
    # pairs compared, none derived (the reverse line is not a comparison of its own)
    judged = [r for r in records() if not r["derived"]]
    sec = _section(build(tmp_path, judged))
    assert "No article was found to be derived from another (1 pair was compared)" in " ".join(sec.split())
    # not analysed at all: no section
    page = build(tmp_path, None)
    assert 'id="provenance"' not in page and 'href="#provenance"' not in page
    out = tmp_path / "plain.html"
    write_report(out, run=RUN, articles=iter(ARTICLES), sentences_for=lambda aid: [])
    assert 'id="provenance"' not in out.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# in a browser (Debian's chromium via Playwright; skipped when either is missing)

@pytest.mark.browser
def test_provenance_in_a_browser(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    build(tmp_path, records())
    expect = sync_api.expect
    with browser_page(tmp_path / "report.html") as (page, errors, requests):
        expect(page.locator("#provenance svg.pv .pv-node")).to_have_count(5)
        expect(page.locator("#provenance svg.pv .pv-edge")).to_have_count(4)
        # the comparison is collapsed; its link opens it
        view = page.locator(f"#{pair_anchor('daily-1', 'wire-1')}")
        assert view.evaluate("el => el.open") is False
        page.locator(f"a.pv-cmp[href='#{pair_anchor('daily-1', 'wire-1')}']").click()
        assert view.evaluate("el => el.open") is True
        # the passage number is drawn, and hovering a passage outlines it on both sides
        first = view.locator(".pv-text[data-side=derived] [data-n='1']")
        expect(first).to_be_visible()
        assert first.evaluate("el => getComputedStyle(el, '::before').content") == '"1"'
        first.hover()
        expect(view.locator(".pv-on")).to_have_count(2)
        expect(view.locator(".pv-text[data-side=source] .pv-on")).to_have_count(1)
        # the markup in an article stayed text
        evil = page.locator(f"#{pair_anchor('evil-1', 'wire-1')} .pv-text[data-side=derived]")
        assert "<script>alert('x')</script>" in evil.evaluate("el => el.textContent")
        assert errors == []
        assert [u for u in requests if not u.startswith("file://")] == []

def test_pairs_with_a_common_source_say_they_may_be_siblings():
    from newstrace.report.provenance import _direction

    d = _direction({"direction": {"decided_by": "content", "confidence": 0.8, "evidence": ["it is the shorter"]},
                    "common_sources": ["wire-1"]})
    assert d["evidence"][0] == "it is the shorter"
    assert "wire-1" in d["evidence"][1] and "two rewrites" in d["evidence"][1]
    assert len(_direction({"direction": {"evidence": []}, "common_sources": []})["evidence"]) == 0


def test_families_drawn_as_trees_and_an_articles_provenance_box(tmp_path):
    families = [{"id": "family-wire-1", "roots": ["wire-1"],
                 "article_ids": ["wire-1", "daily-1", "blog-1", "weekly-1", "evil-1"],
                 "derivations": [
                     {"derived_id": "daily-1", "source_id": "wire-1", "relation": "copy", "score": 0.93},
                     {"derived_id": "blog-1", "source_id": "daily-1", "relation": "partial_rewrite", "score": 0.55},
                     {"derived_id": "weekly-1", "source_id": "wire-1", "relation": "rewrite", "score": 0.66},
                     {"derived_id": "evil-1", "source_id": "wire-1", "relation": "edit", "score": 0.71}],
                 "siblings": [{"article_ids": ["daily-1", "weekly-1"], "common_sources": ["wire-1"]}]}]
    articles = [dict(a) for a in ARTICLES]
    blog = next(a for a in articles if a["id"] == "blog-1")
    start = blog["text"].index("My own view")
    blog["provenance"] = {"family_id": "family-wire-1", "role": "derived", "added": [
        {"start": start, "end": len(blog["text"])}],
        "sources": [{"id": "daily-1", "relation": "partial_rewrite", "score": 0.55, "coverage_derived": 0.6,
                     "coverage_source": 0.3, "order": 1.0}]}
    blog["rewrite_signals"] = [
        {"kind": "machine_phrasing", "evidence": "reads as machine-written <i>(+1.20)</i>", "score": 1.2},
        {"kind": "outlet_attribution", "evidence": "attributes its material to X", "start": 0, "end": 5},
        {"kind": "outlet_attribution", "evidence": "attributes its material to Y", "start": 6, "end": 11}]
    html = build(tmp_path, records(), articles=articles, families=families)
    tree = html[html.index('class="pv-tree"'):html.index("Derived pairs")]
    # the original at the root, the chain under the daily, relations named
    assert tree.index("Volunteers finish restoring") < tree.index("Ketterby lighthouse shines again") \
        < tree.index("The light is back")
    assert "partial rewrite" in tree and "copy" in tree
    assert "1 sibling pair" in html
    box = html[html.index('class="prov-box"'):]
    box = box[:box.index("</section>")]
    assert "Derived from another article here" in box
    assert "retells 30% of it, in its order; 60% of this article is its material" in box
    assert "My own view: about time somebody did it." in box
    assert "×2" in box and "attributes its material to other outlets" in box
    assert "<i>" not in box and "&lt;i&gt;" in box
