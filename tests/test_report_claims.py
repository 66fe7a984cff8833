"""Claims in the HTML report: claims coloured by status over each article's text (with a
letter tag each), the article's claims list with each claim's details, the page's claims
section (totals, per outlet, unsupported claims worth checking, contradicted claims) and each
story's claim matrix. Built from invented articles and hand-written claim records; the page
is read as HTML (the browser check is in test_report_browser.py)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import newstrace.report.claims as clmod
from newstrace.report import RESERVED_SECTIONS, write_report
from newstrace.report.claims import claim_anchor
from newstrace.report.render import anchor_id, story_anchor

# ---------------------------------------------------------------------------------------
# An invented run: the ferry to the island of Vessa stops after an engine fire. The Island
# Courier has it first (published earlier, though it arrived second); the Tidewater Gazette
# tells the same two claims and adds an unsupported figure; a page with markup in it
# contradicts the fire; a choir article is a story of its own with no claims.

TIDE = ("Ferry to Vessa halted\n\n"
        "The Vessa ferry stopped running on Monday after an engine fire. "
        "The operator said 240 passengers were stranded overnight. "
        "Repairs will cost 3 million crowns, the harbour office said.")
ISLE = ("Island cut off\n\n"
        "An engine fire halted the Vessa ferry on Monday. "
        "Around 240 passengers were stranded. "
        "The mayor blamed the operator.")
EVIL = "Officials said <script>alert(1)</script> no fire happened & the ferry ran on time."
CHOIR = "A choir in Dunmere sang at the harvest fair."

HOSTILE = '<script>alert("x")</script>'


def _article(aid: str, title: str, text: str, source: str | None, published: str | None) -> dict:
    return {"id": aid, "title": title, "text": text, "source": source, "url": f"https://news.example/{aid}",
            "published": published, "crawled": None, "author": None, "language": "en", "artefacts": [],
            "title_span": None, "duplicate_of": None,
            "input": {"path": "inputs/ferry.jsonl", "ref": aid, "format": "jsonl", "encoding": "utf-8"},
            "content_hash": "0" * 40}


ARTICLES = [
    _article("tide-1", "Ferry to Vessa halted", TIDE, "Tidewater Gazette", "2026-05-02T09:00:00"),
    _article("isle-1", "Island cut off", ISLE, "Island Courier", "2026-05-01T18:00:00"),
    _article("evil-1", "No <b>fire</b>", EVIL, f"Evil {HOSTILE} Outlet", "2026-05-03"),
    _article("choir-1", "Harvest choir", CHOIR, None, "2026-05-02"),
]
TEXTS = {a["id"]: a["text"] for a in ARTICLES}

T1 = "The Vessa ferry stopped running on Monday after an engine fire."
T2 = "The operator said 240 passengers were stranded overnight."
T3 = "Repairs will cost 3 million crowns, the harbour office said."
I1 = "An engine fire halted the Vessa ferry on Monday."
I2 = "Around 240 passengers were stranded."
I3 = "The mayor blamed the operator."
E1 = "no fire happened & the ferry ran on time."


def _span(aid: str, needle: str) -> tuple[int, int]:
    start = TEXTS[aid].index(needle)
    return start, start + len(needle)


def _ev(aid: str, needle: str, stance: str, outlet: str | None = None, similarity=0.7, score=0.6) -> dict:
    start, end = _span(aid, needle)
    outlet = outlet if outlet is not None else next(a["source"] for a in ARTICLES if a["id"] == aid)
    return {"article_id": aid, "outlet": outlet, "start": start, "end": end, "text": needle,
            "similarity": similarity, "score": score, "stance": stance}


def _claim(aid: str, n: int, needle: str, status: str, score: float, cw: float, *, evidence=(), reasons=None,
           attribution=None, denial=None, denied_in_article=None, checked_against=2) -> dict:
    start, end = _span(aid, needle)
    return {"id": f"{aid}:c{n}", "article_id": aid, "sentence_id": f"{aid}:s{n}", "start": start, "end": end,
            "text": needle, "status": status, "score": score, "checkworthiness": cw, "evidence": list(evidence),
            "reasons": reasons if reasons is not None else [f"reason for {aid} claim {n}"],
            "checked_against": checked_against, "entities": [], "numbers": [],
            "attribution": attribution, "denial": denial, "denied_in_article": denied_in_article}


def _records() -> dict[str, list]:
    operator = {"id": "tide-1:a1", "cue": "said", "cue_kind": "speech", "source": "the operator",
                "source_kind": "organisation", "via": [], "denial": False}
    return {
        "tide-1": [
            _claim("tide-1", 1, T1, "supported", 0.81, 0.7,
                   evidence=[_ev("isle-1", I1, "supports", similarity=0.83, score=0.81),
                             _ev("evil-1", E1, "contradicts", similarity=0.52, score=0.1)],
                   reasons=["supported by 1 of the 2 closest articles: Island Courier"]),
            _claim("tide-1", 2, T2, "supported", 0.74, 0.8, attribution=operator,
                   evidence=[_ev("isle-1", I2, "supports", similarity=0.77, score=0.74)]),
            _claim("tide-1", 3, T3, "unsupported", 0.12, 0.9,
                   evidence=[_ev("isle-1", I3, "neither", similarity=0.31, score=0.12)],
                   reasons=["no other article gives the figure 3 million",
                            "closest sentence elsewhere: similarity 0.31 (Island Courier)"]),
        ],
        "isle-1": [
            _claim("isle-1", 1, I1, "supported", 0.8, 0.6, evidence=[_ev("tide-1", T1, "supports")]),
            _claim("isle-1", 2, I2, "supported", 0.7, 0.5, evidence=[_ev("tide-1", T2, "supports")]),
            _claim("isle-1", 3, I3, "unsupported", 0.2, 0.4, reasons=["no other article names the mayor"]),
        ],
        "evil-1": [
            _claim("evil-1", 1, E1, "contradicted", 0.05, 0.75,
                   evidence=[_ev("tide-1", T1, "contradicts", outlet=f"Gazette {HOSTILE}", similarity=0.52)],
                   reasons=[f"the closest sentence says the opposite {HOSTILE}"]),
        ],
        "choir-1": [],
    }


def _member(aid: str, arrival: int) -> dict:
    a = next(x for x in ARTICLES if x["id"] == aid)
    return {"article_id": aid, "title": a["title"], "source": a["source"], "published": a["published"],
            "probability": 0.9, "arrival": arrival}


def _stories() -> list[dict]:
    return [
        {"id": "story-ferry", "label": "Vessa ferry halted", "size": 3, "first_article": "tide-1",
         "start": "2026-05-01", "end": "2026-05-03",
         "outlets": [{"source": "Tidewater Gazette", "articles": 1}, {"source": "Island Courier", "articles": 1},
                     {"source": ARTICLES[2]["source"], "articles": 1}],
         "top_entities": [], "members": [_member("tide-1", 1), _member("isle-1", 2), _member("evil-1", 3)]},
        {"id": "story-choir", "label": "Harvest choir", "size": 1, "first_article": "choir-1",
         "start": "2026-05-02", "end": "2026-05-02", "outlets": [{"source": None, "articles": 1}],
         "top_entities": [], "members": [_member("choir-1", 1)]},
    ]


def _sentences() -> dict[str, list]:
    """An entity inside a claim and one running out of it (across the claim's end)."""
    def ent(aid, needle, label):
        start, end = _span(aid, needle)
        return {"start": start, "end": end, "text": needle, "label": label}

    return {"tide-1": [{"id": "tide-1:s1", "start": _span("tide-1", T1)[0], "end": _span("tide-1", T2)[1],
                        "entities": [ent("tide-1", "Vessa", "GPE"), ent("tide-1", "fire. The operator", "MISC")],
                        "numbers": []}]}


RUN = {"tool": "newstrace", "version": "0.1.0", "generated": "2026-05-04T10:00:00+00:00", "totals": {}, "summary": {}}


def build(tmp_path: Path, records=None, *, articles=ARTICLES, with_claims=True, calls=None, detail_limit=2000,
          stories=None, attributions=None) -> str:
    records = _records() if records is None else records
    sentences = _sentences()

    def claims_for(aid):
        if calls is not None:
            calls.append(aid)
        return records.get(aid, [])

    out = tmp_path / "report.html"
    write_report(out, run=RUN, articles=iter(articles), sentences_for=lambda aid: sentences.get(aid, []),
                 detail_limit=detail_limit, stories=_stories() if stories is None else stories,
                 attributions_for=(lambda aid: attributions.get(aid, [])) if attributions is not None else None,
                 claims_for=claims_for if with_claims else None)
    return out.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# reading the page


class _Page(HTMLParser):
    """Every tag closed in order; ids on the page; and the pieces of each article's `.atext`:
    (text, classes, attributes) for text, ("TAG", classes, attributes) for a claim's tag."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "wbr", "circle", "line", "rect", "path", "polygon"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.texts: dict[str, list] = {}
        self.tags: dict[str, list] = {}
        self._article: str | None = None
        self._depth: int | None = None
        self._piece: tuple | None = None
        self._tag: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href", "").startswith("#"):
            self.hrefs.append(a["href"])
        if tag in self.VOID:
            return
        self.stack.append(tag)
        classes = set((a.get("class") or "").split())
        if tag == "article":
            self._article = a.get("id")
        elif tag == "div" and "atext" in classes:
            self._depth = len(self.stack)
            self.texts[self._article] = []
            self.tags[self._article] = []
        elif self._depth is not None and tag == "a" and "mk-tag" in classes:
            self._tag = {"classes": classes, "href": a.get("href"), "title": a.get("title"), "text": ""}
            self.tags[self._article].append(self._tag)
        elif self._depth is not None and tag == "span":
            if self._piece is not None:
                self.errors.append("nested span inside a piece")
            self._piece = (classes, a)

    def handle_startendtag(self, tag, attrs):  # <line/> and the like in the SVG drawings
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "span":
            self._piece = None
        elif tag == "a":
            self._tag = None
        elif tag == "div" and self._depth is not None and len(self.stack) < self._depth:
            self._depth = None

    def handle_data(self, data):
        if self._depth is None or self._article is None:
            return
        if self._tag is not None:
            self._tag["text"] += data
        elif self.stack and self.stack[-1] in ("p", "span"):
            classes, attrs = self._piece or (set(), {})
            self.texts[self._article].append((data, classes, attrs))


def _read(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    p.close()
    assert p.errors == [], p.errors[:5]
    assert p.stack == [], f"unclosed: {p.stack}"
    return p


def _runs(pieces: list, cls: str) -> list[str]:
    """Maximal runs of consecutive text pieces carrying class `cls`."""
    runs, inside = [], False
    for text, classes, _ in pieces:
        if cls in classes:
            if inside:
                runs[-1] += text
            else:
                runs.append(text)
            inside = True
        else:
            inside = False
    return runs


def _block(page: str, start_marker: str, end: str) -> str:
    start = page.index(start_marker)
    return page[start:page.index(end, start)]


def _section(page: str) -> str:
    return _block(page, '<section class="block" id="claims"', "</section>")


def _article_section(page: str, aid: str) -> str:
    return _block(page, f'id="{anchor_id(aid)}"', "</article>")


def _details(page: str, aid: str, n: int) -> str:
    return _block(page, f'id="{claim_anchor(aid, n)}"', "</details>")


def _story(page: str, sid: str) -> str:
    start = page.index(f'<details class="story', page.index('id="stories-details"'))
    start = page.index(f'id="{story_anchor(sid)}"', start)
    return page[start:page.index("\n</details>", start)]


def _plain(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


def _matrix(page: str, sid: str) -> tuple[list[str], list[tuple[str, int, list[str]]]]:
    """A story's matrix read back: the column headers and, per row, (label, count, cells)."""
    table = _block(_story(page, sid), '<table class="tbl mx">', "</table>")
    heads = [_plain(h) for h in re.findall(r'<th class="mx-col"[^>]*>(.*?)</th>', table, re.S)]
    rows = []
    for row in re.findall(r"<tr>\s*<th class=\"mx-label\".*?</tr>", table, re.S):
        label = _plain(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        n = int(_plain(re.search(r'<td class="num mx-n">(.*?)</td>', row, re.S).group(1)))
        cells = [_plain(c) for c in re.findall(r'<td class="mx-cell[^"]*"[^>]*>(.*?)</td>', row, re.S)]
        rows.append((label, n, cells))
    return heads, rows


# ---------------------------------------------------------------------------------------
# claims in the text


def test_claims_are_coloured_by_status_and_tagged_with_a_letter(tmp_path):
    page = build(tmp_path)
    read = _read(page)
    tide = read.texts[anchor_id("tide-1")]
    assert "".join(t for t, _, _ in tide).replace("\n", "") == TIDE.replace("\n\n", "")  # nothing lost
    assert _runs(tide, "cl-supported") == [T1, T2]
    assert _runs(tide, "cl-unsupported") == [T3]
    assert _runs(read.texts[anchor_id("evil-1")], "cl-contradicted") == [E1]
    # every piece of a claim names it in data-claim, and says its status in its tooltip
    third = [(t, a) for t, c, a in tide if "cl-unsupported" in c]
    assert all(a.get("data-claim") == "3" for _, a in third)
    assert all("claim 3 · unsupported · P(supported) 12% · check-worthiness 0.90" in a["data-tip"] for _, a in third)
    assert "no other article gives the figure 3 million" in third[0][1]["data-tip"]
    # a letter tag before each claim, in the status' colour class, linking to its details
    tags = [(t["text"], t["classes"], t["href"]) for t in read.tags[anchor_id("tide-1")]]
    assert tags == [("S1", {"mk-tag", "cl-supported-tag"}, f"#{claim_anchor('tide-1', 1)}"),
                    ("S2", {"mk-tag", "cl-supported-tag"}, f"#{claim_anchor('tide-1', 2)}"),
                    ("U3", {"mk-tag", "cl-unsupported-tag"}, f"#{claim_anchor('tide-1', 3)}")]
    assert [t["text"] for t in read.tags[anchor_id("evil-1")]] == ["C1"]
    assert all(h[1:] in read.ids for _, _, h in tags)
    # the page's CSS gives each status its own colour (green, amber, red) and its tag a colour
    css = page[page.index("<style>"):page.index("</style>")]
    for status in ("supported", "unsupported", "contradicted"):
        assert re.search(rf"\.cl-{status} {{ background-image: linear-gradient\(var\(--cl-\w+-bg\)", css)
        assert f".cl-{status}-tag {{ background: var(--cl-" in css
    assert "--cl-sup: #1c7a4c; --cl-uns: #9a5800; --cl-con: #b3261e;" in css
    # the article's legend names the statuses it has, with their letters
    legend = _block(_article_section(page, "tide-1"), 'class="legend"', "</div>")
    assert '<span class="mk-tag cl-supported-tag">S</span>claim</span>supported' in legend
    assert '<span class="mk-tag cl-unsupported-tag">U</span>claim</span>unsupported' in legend
    assert "contradicted" not in legend


def test_claims_overlap_entities_and_attributions_without_nesting(tmp_path):
    start, _ = _span("tide-1", T2)
    att = {"tide-1": [{"id": "tide-1:a1", "cue_kind": "speech", "direct": False, "denial": False,
                       "cue": {"start": start + 13, "end": start + 17, "text": "said"},
                       "source": {"start": start, "end": start + 12, "text": "The operator", "kind": "organisation",
                                  "name": "Vessa Ferries"},
                       "content": {"start": start + 18, "end": start + len(T2) - 1,
                                   "text": T2[18:-1]}, "content_parts": [], "via": [], "second_hand": False}]}
    page = build(tmp_path, attributions=att)
    pieces = _read(page).texts[anchor_id("tide-1")]  # every tag closed, pieces never nested
    # the entity running from claim 1 into claim 2 keeps its colour on both sides
    misc = [(t, c, a) for t, c, a in pieces if "l-MISC" in c]
    assert "".join(t for t, _, _ in misc) == "fire. The operator"
    assert {a.get("data-claim") for _, _, a in misc} == {"1", "2", None}  # the space between is in neither
    # an attribution inside a claim: one piece carries both layers and both numbers
    said = next((c, a) for t, c, a in pieces if t == "said")
    assert {"att-cue", "cl-supported"} <= said[0] and said[1]["data-att"] == "1" and said[1]["data-claim"] == "2"
    assert "".join(_runs(pieces, "att-content")) == T2[18:-1]


def test_bad_spans_are_ignored_and_odd_records_do_not_break_the_page(tmp_path):
    n = len(CHOIR)
    choir = "choir-1"

    def rec(i, start, end, status="supported", **extra):
        return dict({"id": f"{choir}:c{i}", "start": start, "end": end, "text": f"claim number {i}",
                     "status": status, "score": 0.5, "checkworthiness": 0.5, "reasons": ["why"],
                     "evidence": []}, **extra)

    records = {choir: [
        rec(1, 2, 20),                       # good: highlighted
        rec(2, 10, 30, "unsupported"),       # overlaps claim 1
        rec(3, 30, n + 40),                  # past the end of the text
        rec(4, 25, 5),                       # inverted
        rec(5, "2", 9),                      # not a number
        rec(6, None, None, "maybe"),         # no position, an unknown status
        rec(7, 33, n, "contradicted", evidence=["junk", {"article_id": {"x": 1}, "stance": "???"}],
            reasons="not a list", attribution="nobody", denial=[1], denied_in_article=7),
        "not a record", None, 42,
    ]}
    page = build(tmp_path, records)
    read = _read(page)
    pieces = read.texts[anchor_id(choir)]
    assert "".join(t for t, _, _ in pieces) == CHOIR
    assert _runs(pieces, "cl-supported") == [CHOIR[2:20]]
    assert _runs(pieces, "cl-contradicted") == [CHOIR[33:n]]
    assert _runs(pieces, "cl-unsupported") == [] and _runs(pieces, "cl-unknown") == []
    assert [t["text"] for t in read.tags[anchor_id(choir)]] == ["S1", "C7"]
    section = _article_section(page, choir)
    assert section.count('<li class="cl-item"') == 7  # the junk is left out, every record listed
    why = {i: _plain(_details(page, choir, i)).split("Not highlighted in the text: ")[-1] for i in range(2, 7)}
    assert why[2].startswith("it overlaps claim 1, highlighted instead.")
    assert why[3].startswith("its position lies outside the article's text.")
    assert why[4].startswith("its position lies outside the article's text.")
    assert why[5].startswith("it has no position in the article's text.")
    assert "?" in _plain(_details(page, choir, 6)) and "unknown" in _details(page, choir, 6)
    assert "Not highlighted" not in _details(page, choir, 1)
    # the odd evidence of claim 7 is shown as "neither", without a link
    seventh = _details(page, choir, 7)
    assert "✗" not in seventh and "neither" in seventh and "unknown article" in seventh
    assert "the article says it in its own voice" in seventh


def test_a_claim_opens_to_its_status_score_reasons_attribution_and_evidence(tmp_path):
    page = build(tmp_path)
    third = _details(page, "tide-1", 3)
    summary = _plain(_block(third, "<summary>", "</summary>"))
    assert summary == f"3 U unsupported {T3} no other article gives the figure 3 million"
    body = _plain(third)
    assert "P(supported) 12%" in body and "Check-worthiness 0.90" in body
    assert "Checked against 2 other articles" in body
    assert "closest sentence elsewhere: similarity 0.31 (Island Courier)" in body
    assert f"Island Courier {I3} 0.31 12% neither" in body
    second = _details(page, "tide-1", 2)
    assert "attributed to the operator (organisation)" in _plain(second)
    assert 'cue “<span class="att-cue-t">said</span>” <span class="faint">speech</span>' in second
    first = _details(page, "tide-1", 1)
    assert "✓ supports" in _plain(first) and "✗ contradicts" in _plain(first)
    # the compact list: one line per claim, in order, each with status, text and first reason
    listed = _block(_article_section(page, "tide-1"), 'class="cl-list"', "</ol>")
    lines = re.findall(r"<summary>(.*?)</summary>", listed, re.S)
    assert [_plain(x).split(" ", 2)[:2] for x in lines] == [["1", "S"], ["2", "S"], ["3", "U"]]
    assert "<b>3</b> claims" in _article_section(page, "tide-1")


def test_evidence_links_resolve_to_article_anchors(tmp_path):
    records = _records()
    records["isle-1"][2]["evidence"] = [_ev("tide-1", T3, "neither"),
                                        dict(_ev("tide-1", T3, "neither"), article_id="ghost-9", outlet=None)]
    page = build(tmp_path, records)
    read = _read(page)
    # every link to a fragment of the page lands somewhere
    ghost = f"#{anchor_id('ghost-9')}"
    assert read.hrefs and [h for h in read.hrefs if h[1:] not in read.ids] == [ghost]
    # evidence pointing back to an article already seen links to its section
    assert f'<a class="cl-src" href="#{anchor_id("tide-1")}" title="article tide-1">Tidewater Gazette</a>' \
        in _details(page, "isle-1", 1)
    # an article still to come is linked for the page's script to check (it unlinks it if absent)
    first = _details(page, "tide-1", 1)
    assert f'<a class="cl-src xref" href="#{anchor_id("isle-1")}" title="article isle-1">Island Courier</a>' in first
    assert f'<a class="cl-src xref" href="#{anchor_id("evil-1")}"' in first
    mayor = _details(page, "isle-1", 3)
    assert f'<a class="cl-src xref" href="#{anchor_id("ghost-9")}"' in mayor and "ghost-9" in mayor
    assert anchor_id("ghost-9") not in read.ids
    # past the detail limit nothing is linked: the later articles will not have a section
    page = build(tmp_path, records, detail_limit=1)
    first = _details(page, "tide-1", 1)
    assert f'href="#{anchor_id("isle-1")}"' not in first and "Island Courier" in first
    assert "(not detailed in this report)" in first


def test_hostile_text_is_escaped_everywhere(tmp_path):
    page = build(tmp_path)
    assert page.count("<script") == 1  # the page's own script only
    escaped = html.escape(HOSTILE, quote=False)
    evil = _article_section(page, "evil-1")
    assert "no fire happened &amp; the ferry ran on time." in evil
    assert f"the closest sentence says the opposite {escaped.replace(chr(34), '&#34;')}" in evil
    assert "Gazette &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in evil
    section = _section(page)
    assert "Evil &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Outlet" in section  # the outlet, per outlet
    assert "the closest sentence says the opposite &lt;script&gt;" in section  # a reason, in the list
    assert "Gazette &lt;script&gt;" in section  # the contradicting evidence's outlet
    matrix = _story(page, "story-ferry")
    assert "Evil &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Outlet" in matrix
    # the text read back is the text given
    pieces = _read(page).texts[anchor_id("evil-1")]
    assert "".join(t for t, _, _ in pieces) == EVIL


# ---------------------------------------------------------------------------------------
# the claims section


def test_section_totals_outlets_and_navigation(tmp_path):
    calls: list[str] = []
    page = build(tmp_path, calls=calls, detail_limit=1)
    assert calls == [a["id"] for a in ARTICLES]  # every article once, detailed or not
    section = _section(page)
    cards = [_plain(c) for c in re.findall(r'<div class="card[^"]*">(.*?)</div>\s*(?=<div class="card|{%|</div>)',
                                           section, re.S)]
    assert cards[:4] == ["7 claims", "4 S supported 57%", "2 U unsupported 29%", "1 C contradicted 14%"]
    assert "7 claims in 3 of 4 articles" in _plain(section)
    table = _block(section, "cl-outlets", "</table>")
    rows = {c[0]: c for c in ([_plain(x) for x in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
                              for r in re.findall(r"<tr>\s*<td.*?</tr>", table, re.S))}
    assert list(rows) == ["Island Courier", "Tidewater Gazette", f"Evil {HOSTILE} Outlet", "unknown outlet"]
    assert rows["Tidewater Gazette"][1:] == ["1", "3", "67%", "33%", "0%"]
    assert rows[f"Evil {HOSTILE} Outlet"][1:] == ["1", "1", "0%", "0%", "100%"]
    assert rows["unknown outlet"][1:] == ["1 (0 with)", "0", "—", "—", "—"]
    assert '<a data-nav href="#claims">Claims</a>' in page and '<a href="#claims">Claims</a>' in page
    assert "claims" not in RESERVED_SECTIONS
    # only the first article has a section: its claims are listed, the others counted
    assert page.count('<li class="cl-item"') == 3


def test_unsupported_claims_worth_checking_and_contradicted_claims(tmp_path):
    page = build(tmp_path)
    section = _section(page)
    worth = _block(section, 'id="claims-worth"', 'id="claims-contradicted"')
    items = re.findall(r'<li class="cl-top-i.*?</li>\s*(?=<li class="cl-top-i|</ol>)', worth, re.S)
    # most check-worthy first (0.90, then 0.40)
    assert [re.search(r'<div class="cl-top-t">(.*?)</div>', i, re.S).group(1) for i in items] == [
        f'<a href="#{claim_anchor("tide-1", 3)}">{T3}</a>', f'<a href="#{claim_anchor("isle-1", 3)}">{I3}</a>']
    assert f'href="#{anchor_id("tide-1")}">Ferry to Vessa halted</a>' in items[0]
    assert "no other article gives the figure 3 million" in items[0]
    assert "The 2 unsupported claims, most check-worthy first" in _plain(worth)
    contra = _block(section, 'id="claims-contradicted"', "</ol>")
    assert E1.replace("&", "&amp;") in contra
    # with what contradicts it: the stance, the linked article and its sentence
    assert "✗ contradicts" in _plain(contra) and f'href="#{anchor_id("tide-1")}"' in contra and T1 in contra


def test_corpus_lists_are_bounded_and_ordered_by_worth_then_low_score(tmp_path, monkeypatch):
    monkeypatch.setattr(clmod, "WORTH_LIMIT", 2)
    text = "One. Two. Three. Four."
    article = _article("many-1", "Many", text, "Tidewater Gazette", "2026-05-02")
    spans = [(0, 4), (5, 9), (10, 16), (17, 22)]
    # (checkworthiness, score): the 0.9 pair is kept, the lower score first
    values = [(0.5, 0.1), (0.9, 0.3), (0.9, 0.2), (0.7, 0.0)]
    records = {"many-1": [{"id": f"m{i}", "start": s, "end": e, "text": text[s:e], "status": "unsupported",
                           "score": sc, "checkworthiness": cw, "reasons": [], "evidence": []}
                          for i, ((s, e), (cw, sc)) in enumerate(zip(spans, values), 1)]}
    page = build(tmp_path, records, articles=[article], stories=[])
    worth = _block(_section(page), 'id="claims-worth"', "</ol>")
    assert re.findall(r'<div class="cl-top-t"><a [^>]*>(.*?)</a>', worth) == ["Three.", "Two."]
    assert "The 2 most check-worthy of 4 unsupported claims" in _plain(worth)


# ---------------------------------------------------------------------------------------
# the claim matrix of a story


def test_matrix_joins_the_same_claim_across_articles(tmp_path):
    page = build(tmp_path)
    heads, rows = _matrix(page, "story-ferry")
    # articles by published date: the Courier (1 May) before the Gazette (2 May), though it arrived second
    assert heads == ["Island Courier 2026-05-01", "Tidewater Gazette 2026-05-02", f"Evil {HOSTILE} Outlet 2026-05-03"]
    # a supports link joins claim 1 of both articles into one row, labelled by the earliest article's claim;
    # the evidence of the Gazette's claim that contradicts it points into the third article: ✗
    assert rows[0] == (I1, 2, ["✓ S first", "✓ S", "✗"])
    assert rows[1] == (I2, 2, ["✓ S first", "✓ S", ""])
    # claims told once are rows of their own, after those told more, in order of first appearance
    assert rows[2] == (I3, 1, ["✓ U first", "", ""])
    assert rows[3] == (T3, 1, ["", "✓ U first", ""])
    assert rows[4] == (E1, 1, ["", "✗", "✓ C first"])
    assert len(rows) == 5
    story = _story(page, "story-ferry")
    assert "5 claims, 2 told by more than one article" in _plain(story)
    # the cells link to the claims' details, the columns to the articles
    assert f'<a class="mx-mark" href="#{claim_anchor("tide-1", 1)}">' in story
    assert f'<a href="#{anchor_id("isle-1")}">Island Courier</a>' in story


def test_matrix_first_follows_the_dates_and_a_link_either_way_joins(tmp_path):
    records = _records()
    for c in records["tide-1"]:  # only the Courier's claims point at the Gazette now
        c["evidence"] = [e for e in c["evidence"] if e["stance"] != "supports"]
    stories = _stories()
    # the Gazette now published first
    stories[0]["members"][0]["published"] = "2026-04-30"
    page = build(tmp_path, records, stories=stories)
    heads, rows = _matrix(page, "story-ferry")
    assert heads[0].startswith("Tidewater Gazette")
    assert rows[0] == (T1, 2, ["✓ S first", "✓ S", "✗"])
    assert rows[1] == (T2, 2, ["✓ S first", "✓ S", ""])
    # a tie on the date goes to story order (arrival): the Gazette arrived first
    stories[0]["members"][0]["published"] = stories[0]["members"][1]["published"]
    _, rows = _matrix(build(tmp_path, records, stories=stories), "story-ferry")
    assert rows[0] == (T1, 2, ["✓ S first", "✓ S", "✗"])


def test_matrix_rows_are_closed_under_links_and_need_overlapping_spans(tmp_path):
    records = _records()
    # the third article now backs the Courier's claim 1: with the Gazette's, three articles in one row
    records["evil-1"][0]["evidence"] = [_ev("isle-1", I1, "supports")]
    records["evil-1"][0]["status"] = "supported"
    records["tide-1"][0]["evidence"] = [e for e in records["tide-1"][0]["evidence"] if e["stance"] == "supports"]
    # support pointing into the Courier where it has no claim joins nothing
    start = ISLE.index("Island cut off")
    records["tide-1"][2]["evidence"] = [dict(_ev("isle-1", I1, "supports"), start=start, end=start + 14)]
    _, rows = _matrix(build(tmp_path, records), "story-ferry")
    assert rows[0] == (I1, 3, ["✓ S first", "✓ S", "✓ S"])
    assert (T3, 1, ["", "✓ U first", ""]) in rows and len(rows) == 4


def test_matrix_rows_and_columns_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(clmod, "MATRIX_ROWS", 2)
    monkeypatch.setattr(clmod, "MATRIX_COLUMNS", 2)
    page = build(tmp_path)
    heads, rows = _matrix(page, "story-ferry")
    assert len(heads) == 2 and len(rows) == 2
    assert rows[0] == (I1, 2, ["✓ S first", "✓ S"])  # the claims told most are the ones kept
    note = _plain(_story(page, "story-ferry"))
    assert "The 2 claims told by the most articles are shown; 2 more are left out." in note
    assert "The first 2 articles by date are shown; 1 later article is left out." in note


def test_story_with_one_article_has_no_matrix_and_none_without_claims(tmp_path):
    page = build(tmp_path)
    assert 'class="cl-matrix"' in _story(page, "story-ferry")
    choir = _story(page, "story-choir")
    assert "cl-matrix" not in choir and "No claim matrix" not in choir
    # an article with no claims says so
    assert "No check-worthy claims in this article." in _article_section(page, "choir-1")
    # a story of two articles without claims says so instead of drawing an empty table
    records = {k: [] for k in _records()}
    page = build(tmp_path, records)
    story = _story(page, "story-ferry")
    assert "No check-worthy claims in these articles." in story and '<table class="tbl mx">' not in story
    assert "No check-worthy claim was found in the 4 articles." in _section(page)


def test_without_claims_nothing_changes(tmp_path):
    page = build(tmp_path, with_claims=False)
    body = page[page.index("<body"):page.rindex("<script>")]  # the inline CSS and JS know of them
    assert 'id="claims"' not in body and "#claims" not in body and "#claim-" not in body
    assert not re.search(r'class="[^"]*\b(cl|mx|mk)-', body) and " data-claim=" not in body
    assert "Claims across the articles" not in body and "claim" not in _article_section(page, "tide-1").lower()
    # the same page as one written without the argument at all
    out = tmp_path / "plain.html"
    sentences = _sentences()
    write_report(out, run=RUN, articles=iter(ARTICLES), sentences_for=lambda aid: sentences.get(aid, []),
                 stories=_stories())
    assert out.read_text(encoding="utf-8") == page
