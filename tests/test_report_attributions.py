"""Attributions in the HTML report: highlights in each article's text (source, cue, content),
the article's "who said what" table, and the page's attributions section (totals, per
outlet, per story grouped by speaker). Built from invented articles and hand-written
attribution records; the page is read as HTML, except for one check in a browser."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import newstrace.report.attributions as attmod
from newstrace.report import write_report
from newstrace.report.attributions import Attributions, story_att_anchor
from newstrace.report.render import Mark, anchor_id, render_text, story_anchor

from .helpers import browser_page

# ---------------------------------------------------------------------------------------
# An invented run: a dam in the town of Brellin needs repairs. The Brellin Post reports it
# first hand; the Valley Ledger retells what the Post and a radio station reported; a page
# with markup in it nests one attribution inside another; an unrelated article has none.

POST = ("Dam repairs ordered in Brellin\n\n"
        "The regional engineer Mara Telk said the Oster dam needs urgent repairs. "
        "\u201cThe spillway is cracked,\u201d she said, \u201cand the gates are rusted.\u201d "
        "According to two officials, the work could take a year.\n\n"
        "A spokesman denied that the dam had leaked. According to the council:")
LEDGER = ("Repairs at Oster dam\n\n"
          "Mara Telk told the Brellin Post that the spillway is cracked. "
          "Residents fear floods, sources told Kessler Radio.")
EVIL = ("Mayor Ivo Renn said <script>alert(\"x\")</script> & 'quotes' matter, "
        "and he added that the council, which the auditor said was broke, will pay.")
LONER = "A bakery in Tarn won a bread prize."
PART1, PART2 = "\u201cThe spillway is cracked,\u201d", "\u201cand the gates are rusted.\u201d"


def _article(aid: str, title: str, text: str, source: str | None) -> dict:
    return {"id": aid, "title": title, "text": text, "source": source, "url": f"https://news.example/{aid}",
            "published": "2026-04-02", "crawled": None, "author": None, "language": "en", "artefacts": [],
            "title_span": None, "duplicate_of": None,
            "input": {"path": "inputs/dam.jsonl", "ref": aid, "format": "jsonl", "encoding": "utf-8"},
            "content_hash": "0" * 40}


ARTICLES = [
    _article("post-1", "Dam repairs ordered in Brellin", POST, "Brellin Post"),
    _article("ledger-1", "Repairs at Oster dam", LEDGER, "Valley Ledger"),
    _article("evil-1", "Mayor <b>pays</b>", EVIL, "Evil <b>Outlet</b>"),
    _article("loner-1", "Bread prize", LONER, None),
]
TEXTS = {a["id"]: a["text"] for a in ARTICLES}


def _at(aid: str, needle: str, after: int = 0) -> dict:
    """The span of `needle` in article `aid` (its first occurrence at or after `after`)."""
    start = TEXTS[aid].index(needle, after)
    return {"start": start, "end": start + len(needle), "text": needle}


def _speaker(name, type_="person", role=None, country=None, anonymous=False, resolved_from="text") -> dict:
    return {"name": name, "kind": type_, "role": role, "country": country, "anonymous": anonymous,
            "resolved_from": resolved_from}


def _record(aid: str, n: int, kind: str, source, cue, content, *, parts=(), speaker=None, via=(),
            second_hand=False, direct=False, denial=False) -> dict:
    if isinstance(source, dict) and isinstance(speaker, dict):
        source = dict(source, **speaker)  # who the source is rides on its span (docs/schema.md)
    return {"id": f"{aid}:a{n}", "article_id": aid, "sentence_id": f"{aid}:s{n}", "cue_kind": kind,
            "direct": direct, "denial": denial, "cue": cue, "source": source, "content": content,
            "content_parts": list(parts), "via": list(via), "second_hand": second_hand}


def _records() -> dict[str, list]:
    p, lg, ev = "post-1", "ledger-1", "evil-1"
    quote_at = POST.index("\u201cThe spillway")
    council = _at(p, "the council")
    quoted = f"{PART1} she said, {PART2}"
    telk = _speaker("Mara Telk", role="regional engineer", country="Freland")
    return {
        p: [
            _record(p, 0, "speech", _at(p, "The regional engineer Mara Telk"), _at(p, "said"),
                    _at(p, "the Oster dam needs urgent repairs"), speaker=telk),
            _record(p, 1, "speech", _at(p, "she", quote_at), _at(p, "said", quote_at), _at(p, quoted),
                    parts=[_at(p, PART1), _at(p, PART2)],
                    speaker=dict(telk, resolved_from="pronoun"), direct=True),
            _record(p, 2, "according", _at(p, "two officials"), _at(p, "According to"),
                    _at(p, "the work could take a year"), speaker=_speaker(None, "anonymous", anonymous=True)),
            _record(p, 3, "denial", _at(p, "A spokesman"), _at(p, "denied"), _at(p, "the dam had leaked"),
                    speaker=_speaker(None, "unknown"), denial=True),
            # "According to the council:" with nothing after it: an empty content
            _record(p, 4, "according", council, _at(p, "According to", council["start"] - 14),
                    {"start": council["end"], "end": council["end"], "text": ""},
                    speaker=_speaker("Brellin council", "government")),
        ],
        lg: [
            _record(lg, 0, "speech", _at(lg, "Mara Telk"), _at(lg, "told"), _at(lg, "the spillway is cracked"),
                    speaker=telk, via=[dict(_at(lg, "the Brellin Post"), name="Brellin Post", type="outlet")],
                    second_hand=True),
            _record(lg, 1, "speech", _at(lg, "sources"), _at(lg, "told", LEDGER.index("sources")),
                    _at(lg, "Residents fear floods"),
                    speaker=_speaker(None, "anonymous", anonymous=True),
                    via=[dict(_at(lg, "Kessler Radio"), name="Kessler Radio", type="outlet")], second_hand=True),
        ],
        ev: [
            # the outer content holds the whole inner attribution (nested contents)
            _record(ev, 0, "speech", _at(ev, "Mayor Ivo Renn"), _at(ev, "said"),
                    _at(ev, "<script>alert(\"x\")</script> & 'quotes' matter"),
                    speaker=_speaker("Ivo <script>Renn</script> \"the mayor\"", role="Mayor <i>")),
            _record(ev, 1, "speech", _at(ev, "he", EVIL.index("he added")), _at(ev, "added"),
                    _at(ev, "the council, which the auditor said was broke, will pay"),
                    speaker=_speaker("Ivo <script>Renn</script> \"the mayor\"", resolved_from="pronoun")),
            _record(ev, 2, "speech", _at(ev, "the auditor"), _at(ev, "said", EVIL.index("the auditor")),
                    _at(ev, "was broke"), speaker=_speaker(None, "unknown")),
        ],
        "loner-1": [],
    }


def _sentences() -> dict[str, list]:
    """A few sentences and entities, some crossing attribution spans."""
    def ent(aid, needle, label, after=0):
        return dict(_at(aid, needle, after), label=label)

    s1_start = POST.index("The regional")
    s1_end = POST.index("repairs.") + len("repairs.")
    return {
        "post-1": [
            {"id": "post-1:s1", "start": s1_start, "end": s1_end, "text": POST[s1_start:s1_end],
             # an entity inside the source, one inside the content, one across cue and content
             "entities": [ent("post-1", "Mara Telk", "PERSON"), ent("post-1", "Oster dam", "FAC"),
                          ent("post-1", "said the Oster", "MISC")],
             "numbers": []},
        ],
        "evil-1": [
            {"id": "evil-1:s1", "start": 0, "end": len(EVIL), "text": EVIL,
             "entities": [ent("evil-1", "Ivo Renn", "PERSON"), ent("evil-1", "council, which the", "ORG")],
             "numbers": []},
        ],
    }


def _stories() -> list[dict]:
    def member(aid, arrival):
        a = next(x for x in ARTICLES if x["id"] == aid)
        return {"article_id": aid, "title": a["title"], "source": a["source"], "published": a["published"],
                "probability": 0.9, "arrival": arrival}

    return [
        {"id": "story-dam", "label": "Oster dam needs repairs", "size": 2, "first_article": "post-1",
         "start": "2026-04-02", "end": "2026-04-02",
         "outlets": [{"source": "Brellin Post", "articles": 1}, {"source": "Valley Ledger", "articles": 1}],
         "top_entities": [], "members": [member("post-1", 1), member("ledger-1", 2)]},
        {"id": "story-bread", "label": "Bread prize", "size": 1, "first_article": "loner-1",
         "start": "2026-04-02", "end": "2026-04-02", "outlets": [{"source": None, "articles": 1}],
         "top_entities": [], "members": [member("loner-1", 1)]},
    ]


RUN = {"tool": "newstrace", "version": "0.1.0", "generated": "2026-04-03T10:00:00+00:00", "totals": {}, "summary": {}}


def build(tmp_path: Path, records=None, *, articles=ARTICLES, with_attributions=True, calls=None,
          detail_limit: int = 2000, stories=None) -> str:
    records = _records() if records is None else records
    sentences = _sentences()

    def attributions_for(aid):
        if calls is not None:
            calls.append(aid)
        return records.get(aid, [])

    out = tmp_path / "report.html"
    write_report(out, run=RUN, articles=iter(articles), sentences_for=lambda aid: sentences.get(aid, []),
                 detail_limit=detail_limit, stories=_stories() if stories is None else stories,
                 attributions_for=attributions_for if with_attributions else None)
    return out.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# reading the page

_TIP = re.compile(r"^#(\d+) (source|cue|content) ·")
VOID = {"meta", "br", "img", "input", "link", "hr", "wbr", "circle", "line", "rect", "path", "polygon"}


class _Text(HTMLParser):
    """The text of each article's `.atext`, piece by piece: (text, classes, {(n, role)}),
    with None between paragraphs; and a check that every tag is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.texts: dict[str, list] = {}
        self._article: str | None = None
        self._atext_depth: int | None = None
        self._piece: dict | None = None
        self._in_p = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "article":
            self._article = a.get("id")
        elif tag == "div" and "atext" in (a.get("class") or "").split():
            self._atext_depth = len(self.stack)
            self.texts[self._article] = []
        elif self._atext_depth is not None and tag == "span":
            if self._piece is not None:
                self.errors.append("nested span inside a piece")
            tips = (a.get("data-tip") or "").split("\n")
            roles = {(int(m.group(1)), m.group(2)) for m in map(_TIP.match, tips) if m}
            self._piece = {"classes": set((a.get("class") or "").split()), "roles": roles,
                           "groups": {int(x) for x in (a.get("data-att") or "").split()}, "tip": a.get("data-tip")}
        elif self._atext_depth is not None and tag == "p":
            self.texts[self._article].append(None)
            self._in_p = True

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "span" and self._atext_depth is not None:
            self._piece = None
        elif tag == "p":
            self._in_p = False
        elif tag == "div" and self._atext_depth is not None and len(self.stack) < self._atext_depth:
            self._atext_depth = None

    def handle_data(self, data):
        if self._atext_depth is None or self._article is None or not self._in_p:
            return
        piece = self._piece or {"classes": set(), "roles": set(), "groups": set(), "tip": None}
        if "a-tag" in piece["classes"]:
            return
        self.texts[self._article].append((data, piece))


def _read(page: str) -> _Text:
    p = _Text()
    p.feed(page)
    p.close()
    assert p.errors == [], p.errors[:5]
    assert p.stack == [], f"unclosed: {p.stack}"
    return p


def _paragraphs(items: list) -> list[str]:
    paras: list[str] = []
    for item in items:
        if item is None:
            paras.append("")
        else:
            paras[-1] += item[0]
    return paras


def _runs(items: list, n: int, role: str) -> list[str]:
    """The highlights of attribution `n`'s `role`: maximal runs of consecutive pieces that
    name it in their tooltip."""
    runs: list[str] = []
    inside = False
    for item in items:
        if item is not None and (n, role) in item[1]["roles"]:
            assert f"att-{role}" in item[1]["classes"] and n in item[1]["groups"]
            if inside:
                runs[-1] += item[0]
            else:
                runs.append(item[0])
            inside = True
        else:
            inside = False
    return runs


def _expected_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n")]


def _block(page: str, start_marker: str, end: str) -> str:
    start = page.index(start_marker)
    return page[start:page.index(end, start)]


def _section(page: str) -> str:
    return _block(page, '<section class="block" id="attributions"', "</section>")


def _article_section(page: str, aid: str) -> str:
    return _block(page, f'id="{anchor_id(aid)}"', "</article>")


def _plain(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


def _cells(row_html: str) -> list[str]:
    return [_plain(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)]


# ---------------------------------------------------------------------------------------
# highlights in the text


def test_source_cue_and_content_are_highlighted_with_their_own_classes(tmp_path):
    page = build(tmp_path)
    items = _read(page).texts[anchor_id("post-1")]
    assert _paragraphs(items) == _expected_paragraphs(POST)  # nothing dropped, in order
    assert _runs(items, 1, "source") == ["The regional engineer Mara Telk"]
    assert _runs(items, 1, "cue") == ["said"]
    assert _runs(items, 1, "content") == ["the Oster dam needs urgent repairs"]
    assert _runs(items, 3, "source") == ["two officials"]
    assert _runs(items, 3, "cue") == ["According to"]
    assert _runs(items, 3, "content") == ["the work could take a year"]
    assert _runs(items, 4, "cue") == ["denied"]
    # each class is on exactly the pieces of its spans: the text under att-cue is the cues
    cue_text = "".join(t for t, p in filter(None, items) if "att-cue" in p["classes"])
    assert cue_text == "said" + "said" + "According to" + "denied" + "According to"
    # the tooltip names the speaker (resolved name and type) and the kind
    tips = {p["tip"] for t, p in filter(None, items) if (1, "source") in p["roles"]}
    assert any("#1 source · speech · Mara Telk (person)" in tip for tip in tips)
    denial = next(p["tip"] for t, p in filter(None, items) if (4, "content") in p["roles"])
    assert "denial" in denial and "“A spokesman” (unknown)" in denial
    # a legend for the three colours
    section = _article_section(page, "post-1")
    for cls in ("att-source", "att-cue", "att-content"):
        assert f'<span class="sample {cls}">' in section


def test_content_parts_are_separate_highlights_without_the_cue_between(tmp_path):
    page = build(tmp_path)
    items = _read(page).texts[anchor_id("post-1")]
    assert _runs(items, 2, "content") == [PART1, PART2]
    assert _runs(items, 2, "source") == ["she"]
    assert _runs(items, 2, "cue") == ["said"]
    # each part starts a highlight of its own; the cue phrase between them is not content
    pieces = [(t, p) for t, p in filter(None, items) if 2 in p["groups"]]
    assert sum("att-content-s" in p["classes"] for _, p in pieces) == 2
    assert "".join(t for t, p in pieces) == PART1 + "she" + "said" + PART2
    assert all("att-content" not in p["classes"] for t, p in pieces if t in ("she", "said"))


def test_empty_content_is_not_highlighted(tmp_path):
    page = build(tmp_path)
    items = _read(page).texts[anchor_id("post-1")]
    assert _runs(items, 5, "source") == ["the council"]
    assert _runs(items, 5, "cue") == ["According to"]
    assert _runs(items, 5, "content") == []
    # it is still in the table, saying nothing was written after the cue
    assert "(nothing written after the cue)" in _article_section(page, "post-1")


def test_nested_and_overlapping_spans_keep_the_html_and_the_text_whole(tmp_path):
    page = build(tmp_path)
    text = _read(page)  # every tag closed in order, pieces never nested
    items = text.texts[anchor_id("evil-1")]
    assert _paragraphs(items) == [EVIL]  # markup, quotes and all, read back as text, in order
    assert _runs(items, 2, "content") == ["the council, which the auditor said was broke, will pay"]
    assert _runs(items, 3, "source") == ["the auditor"]
    assert _runs(items, 3, "cue") == ["said"]
    assert _runs(items, 3, "content") == ["was broke"]
    # the inner content is inside the outer one: its pieces carry both, marked as nested
    broke = [p for t, p in filter(None, items) if (3, "content") in p["roles"]]
    assert broke and all((2, "content") in p["roles"] and "att-content-nest" in p["classes"] for p in broke)
    # an entity crossing into the outer content keeps both layers on the shared pieces
    org = [(t, p) for t, p in filter(None, items) if "l-ORG" in p["classes"]]
    assert "".join(t for t, _ in org) == "council, which the"
    assert all("att-content" in p["classes"] for _, p in org)
    # in the first article an entity runs from the cue into the content
    post = text.texts[anchor_id("post-1")]
    misc = [(t, p) for t, p in filter(None, post) if "l-MISC" in p["classes"]]
    assert "".join(t for t, _ in misc) == "said the Oster"
    assert [t for t, p in misc if "att-cue" in p["classes"]] == ["said"]
    assert "".join(t for t, p in misc if "att-content" in p["classes"]) == "the Oster"
    person = [(t, p) for t, p in filter(None, post) if "l-PERSON" in p["classes"]]
    assert "".join(t for t, _ in person) == "Mara Telk" and all("att-source" in p["classes"] for _, p in person)


def test_bad_spans_are_ignored_and_odd_records_do_not_break_the_page(tmp_path):
    n = len(LONER)
    records = {"loner-1": [
        _record("loner-1", 0, "speech", {"start": 10, "end": 4, "text": "inverted"},
                {"start": -3, "end": 2, "text": "negative"}, {"start": 5, "end": n + 50, "text": "too far"},
                speaker=None),
        _record("loner-1", 1, "speech", None, {"start": "2", "end": 5}, {"start": 0, "end": n, "text": LONER},
                parts=[{"start": 0, "end": 999}, "junk"], speaker="not a dict", via=["Tarn FM", 7]),
        "not a record", None,
    ]}
    page = build(tmp_path, records)
    items = _read(page).texts[anchor_id("loner-1")]
    assert _paragraphs(items) == [LONER]
    for role in ("source", "cue", "content"):
        assert _runs(items, 1, role) == []
    # the second record's content is good: its only part lies outside the text, so the content
    # is highlighted whole; its cue (offsets not numbers) is not drawn
    assert _runs(items, 2, "content") == [LONER]
    assert _runs(items, 2, "cue") == []
    section = _article_section(page, "loner-1")
    assert section.count("<tr data-att=") == 2  # the two records, the junk left out
    assert "too far" in section  # the record's own text stands in for a span outside the text
    assert "no source written" in section
    assert "via <b>Tarn FM</b>" in section


def test_the_table_under_the_text_says_who_said_what(tmp_path):
    page = build(tmp_path)
    section = _article_section(page, "post-1")
    rows = re.findall(r'<tr data-att="(\d+)".*?</tr>', section, re.S)
    assert rows == ["1", "2", "3", "4", "5"]
    cells = [_cells(r) for r in re.findall(r'<tr data-att=.*?</tr>', section, re.S)]
    assert cells[0][1] == "Mara Telk regional engineer · Freland written “The regional engineer Mara Telk”"
    assert cells[0][2] == "person"
    assert cells[0][3] == "said speech"
    assert cells[1][1].startswith("Mara Telk") and "resolved from pronoun" in cells[1][1]
    assert "quote" in cells[1][2]
    assert cells[1][4] == "“The spillway is cracked,” … “and the gates are rusted.” · 2 parts"
    assert cells[2][1] == "“two officials”" and cells[2][2] == "anonymous"
    assert "denial" in cells[3][2]
    ledger = [_cells(r) for r in re.findall(r'<tr data-att=.*?</tr>', _article_section(page, "ledger-1"), re.S)]
    assert ledger[0][5] == "via Brellin Post" and "second-hand" in ledger[0][2]
    assert ledger[1][5] == "via Kessler Radio" and "anonymous" in ledger[1][2] and "second-hand" in ledger[1][2]
    assert "<b>5</b> attributions" in section
    assert "No attributions were found in this article." in _article_section(page, "loner-1")


def test_long_contents_are_cut_in_tables_but_highlighted_whole(tmp_path):
    long = "The engineer said " + " ".join(["the water level keeps rising"] * 20) + "."
    article = _article("long-1", "Long", long, "Brellin Post")
    content = {"start": 18, "end": len(long) - 1, "text": long[18:-1]}
    records = {"long-1": [_record("long-1", 0, "speech", {"start": 0, "end": 12, "text": "The engineer"},
                                  {"start": 13, "end": 17, "text": "said"}, content,
                                  speaker=_speaker("Ona Brel"))]}
    page = build(tmp_path, records, articles=[article], stories=[])
    items = _read(page).texts[anchor_id("long-1")]
    assert _runs(items, 1, "content") == [long[18:-1]]
    cell = _cells(re.search(r'<tr data-att=.*?</tr>', _article_section(page, "long-1"), re.S).group(0))[4]
    assert cell.endswith("…") and 150 <= len(cell) <= 201 and long[18:-1].startswith(cell[:-1])


def test_render_text_marks_are_layers_on_the_pieces():
    text = "Ana said it rained."
    paras = render_text(text, sentences=[{"start": 0, "end": 19, "entities": [
        {"start": 0, "end": 3, "label": "PERSON"}], "numbers": []}],
        marks=[(0, 3, Mark("att-source", "#1 source", 1)), (4, 8, Mark("att-cue", "#1 cue", 1)),
               (9, 18, Mark("att-content", "#1 content", 1)), (12, 18, Mark("att-content", "#2 content", 2)),
               (15, 99, Mark("att-cue", "clipped", 3)), (7, 2, Mark("att-cue", "inverted", 4))])
    pieces = paras[0]
    assert "".join(p.text for p in pieces) == text
    ana = pieces[0]
    assert {"e", "l-PERSON", "att-source", "att-source-s", "att-source-e"} <= set(ana.classes.split())
    assert ana.groups == (1,) and "PERSON" in ana.tip and "#1 source" in ana.tip
    rai = next(p for p in pieces if p.text == "rai")
    assert {"att-content", "att-content-nest"} <= set(rai.classes.split()) and rai.groups == (1, 2)
    assert "att-cue" not in rai.classes.split()
    ned = next(p for p in pieces if p.text == "ned")
    assert {"att-content", "att-content-nest", "att-cue", "att-cue-s"} <= set(ned.classes.split())
    assert ned.groups == (1, 2, 3)
    assert all("inverted" not in p.tip for p in pieces)


# ---------------------------------------------------------------------------------------
# the attributions section


def test_section_totals_and_navigation(tmp_path):
    calls: list[str] = []
    page = build(tmp_path, calls=calls, detail_limit=1)
    assert calls == [a["id"] for a in ARTICLES]  # every article once, detailed or not
    section = _section(page)
    cards = dict((k, v) for v, k in re.findall(r'<div class="v">([\d,]+)</div><div class="k">([^<]+)</div>', section))
    assert cards == {"attributions": "10", "direct quotes": "1", "anonymous": "2", "second-hand": "2", "denials": "1"}
    assert "in 3 of 4 articles" in section
    assert '<a data-nav href="#attributions">Attributions</a>' in page
    assert '<a href="#attributions">Attributions</a>' in page
    # only the first article has a section with highlights
    assert page.count('<tr data-att="') == 5


def test_outlet_table_counts_anonymous_and_second_hand(tmp_path):
    page = build(tmp_path)
    table = _block(_section(page), 'class="tbl att-outlets', "</table>")
    rows = {c[0]: c for c in map(_cells, re.findall(r"<tr>\s*<td.*?</tr>", table, re.S))}
    assert list(rows) == ["Brellin Post", "Evil <b>Outlet</b>", "Valley Ledger", "unknown outlet"]
    post = rows["Brellin Post"]
    assert post[1:5] == ["1", "5", "20%", "0%"]  # 1 of 5 anonymous, none second-hand
    assert post[5] == "Mara Telk 2 Brellin council 1"
    ledger = rows["Valley Ledger"]
    assert ledger[1:5] == ["1", "2", "50%", "100%"]
    assert ledger[5] == "Mara Telk 1"  # the anonymous sources are not "speakers"
    assert rows["unknown outlet"][1:5] == ["1 (0 with)", "0", "—", "—"]
    # counted directly as well
    atts = Attributions([])
    records = _records()
    for a in ARTICLES:
        atts.take(a, records[a["id"]], detailed=False)
    by = {o["source"]: o for o in atts.context({})["att_outlets"]}
    assert (by["Valley Ledger"]["n_anonymous"], by["Valley Ledger"]["n_second_hand"]) == (1, 2)
    assert (by["Brellin Post"]["n_anonymous"], by["Brellin Post"]["n_second_hand"]) == (1, 0)


def test_story_lists_who_said_what_grouped_by_speaker(tmp_path):
    page = build(tmp_path)
    section = _section(page)
    anchor = story_att_anchor("story-dam")
    story = _block(section, f'id="{anchor}"', "</details>")
    assert story_att_anchor("story-bread") not in section  # no attributions: not listed
    assert "1 listed story has no attribution." in section
    # speakers, most quoted first
    heads = [_plain(h) for h in re.findall(r'<div class="att-sh">(.*?)</div>\s*<ol', story, re.S)]
    assert heads == [
        "Mara Telk regional engineer · Freland person · 3 attributions in 2 outlets",
        "Brellin council government · 1 attribution",
        "“A spokesman” unknown · 1 attribution",
        "“sources” anonymous · 1 attribution",
        "“two officials” anonymous · 1 attribution",
    ]
    telk = re.search(r'<li class="att-speaker">.*?</li>\s*</ol>', story, re.S).group(0)
    items = re.findall(r'<span class="att-o">(.*?)</span>', telk)
    assert items == ["Brellin Post", "Brellin Post", "Valley Ledger"]
    assert f'href="#{anchor_id("post-1")}"' in telk and f'href="#{anchor_id("ledger-1")}"' in telk
    assert "via <b>Brellin Post</b>" in telk and "second-hand" in telk
    # per outlet within the story
    outs = [_cells(r) for r in re.findall(r"<tr><td>.*?</tr>", _block(story, "att-souts", "</table>"), re.S)]
    assert outs == [["Brellin Post", "1", "5", "1", "0"], ["Valley Ledger", "1", "2", "1", "2"]]
    # the story's own section links to it, and it links back
    assert f'href="#{anchor}"' in _block(page, f'id="{story_anchor("story-dam")}"', "</details>")
    assert f'href="#{story_anchor("story-dam")}"' in story
    # an article without a section is named, not linked
    page = build(tmp_path, detail_limit=1)
    story = _block(_section(page), f'id="{anchor}"', "</details>")
    assert f'href="#{anchor_id("ledger-1")}"' not in story and "(not detailed)" in story


def test_story_lists_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(attmod, "STORY_ATT_LIMIT", 3)
    monkeypatch.setattr(attmod, "STORY_SPEAKER_LIMIT", 4)
    page = build(tmp_path)
    story = _block(_section(page), f'id="{story_att_anchor("story-dam")}"', "</details>")
    assert len(re.findall(r'<span class="att-o">', story)) == 3
    assert "The first 3 of 7 attributions are listed." in story
    assert "1 attribution of further speakers is only counted." in story
    assert "<b>7</b> attributions" in story  # all counted


def test_attribution_text_is_escaped_everywhere(tmp_path):
    page = build(tmp_path)
    assert page.count("<script") == 1  # the page's own script only
    assert "<b>Outlet</b>" not in page and "Evil &lt;b&gt;Outlet&lt;/b&gt;" in page
    assert "<i>" not in page and "Mayor &lt;i&gt;" in page
    assert "Ivo &lt;script&gt;Renn&lt;/script&gt; &#34;the mayor&#34;" in page
    # quotes inside an attribute stay inside it: the tooltip reads back whole
    items = _read(page).texts[anchor_id("evil-1")]
    tip = next(p["tip"] for t, p in filter(None, items) if (1, "source") in p["roles"])
    assert 'Ivo <script>Renn</script> "the mayor" (person)' in tip
    table = _cells(re.search(r'<tr data-att=.*?</tr>', _article_section(page, "evil-1"), re.S).group(0))
    assert table[4] == "<script>alert(\"x\")</script> & 'quotes' matter"


def test_without_attributions_nothing_changes(tmp_path):
    page = build(tmp_path, with_attributions=False)
    body = page[page.index("<body"):page.rindex("<script>")]  # the inline CSS and JS know of them
    assert 'id="attributions"' not in body and "#attributions" not in body
    assert not re.search(r'class="[^"]*\batt-', body) and " data-att=" not in body
    assert "Who said what" not in body and "attribution" not in _article_section(page, "post-1")
    # the same page as one written without the argument at all
    out = tmp_path / "plain.html"
    sentences = _sentences()
    write_report(out, run=RUN, articles=iter(ARTICLES), sentences_for=lambda aid: sentences.get(aid, []),
                 stories=_stories())
    assert out.read_text(encoding="utf-8") == page


def test_no_attributions_found_says_so(tmp_path):
    page = build(tmp_path, {})
    section = _section(page)
    assert "No attribution (who said what, according to whom) was found in the 4 articles." in section


# ---------------------------------------------------------------------------------------
# in a browser (Debian's chromium via Playwright; skipped when either is missing)

@pytest.mark.browser
def test_attributions_in_a_browser(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    build(tmp_path)
    expect = sync_api.expect
    with browser_page(tmp_path / "report.html") as (page, errors, requests):
        post = page.locator(f"#{anchor_id('post-1')}")
        source = post.locator(".atext .att-source-s").first
        expect(source).to_be_visible()
        expect(post.locator(".atext .att-cue").first).to_be_visible()
        content = post.locator(".atext .att-content:not(.e)").first
        expect(content).to_be_visible()
        # three different looks: blue source text, magenta cue text, a tinted content
        colour = [el.evaluate("el => getComputedStyle(el).color")
                  for el in (source, post.locator(".atext .att-cue").first)]
        assert colour[0] != colour[1]
        background = content.evaluate("el => getComputedStyle(el).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "transparent")
        # hovering a highlight names the speaker
        post.locator(".atext .att-content", has_text="urgent repairs").first.hover()
        expect(page.locator("#tip")).to_contain_text("Mara Telk (person)")
        # hovering a row of the table outlines that attribution's highlights
        post.locator(".att-tbl tr[data-att='3']").hover()
        expect(post.locator(".atext .att-on")).to_have_count(
            post.locator(".atext [data-att~='3']").count())
        # the story's who-said-what list is collapsed; its link in the story section opens it
        story = page.locator(f"#{story_att_anchor('story-dam')}")
        assert story.evaluate("el => el.open") is False
        expect(story.locator(".att-speaker").first).to_be_hidden()
        page.locator(f"#{story_anchor('story-dam')} a.att-link").click()
        assert story.evaluate("el => el.open") is True
        expect(story.locator(".att-speaker").first).to_be_visible()
        expect(story.locator(".att-speaker").first).to_contain_text("Mara Telk")
        # the markup in an attribution stayed text
        evil = page.locator(f"#{anchor_id('evil-1')} .atext")
        assert '<script>alert("x")</script>' in evil.evaluate("el => el.textContent")
        assert errors == []
        assert [u for u in requests if not u.startswith("file://")] == []
