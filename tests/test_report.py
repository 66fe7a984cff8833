"""The HTML report, without a browser: span splitting, escaping, limits, overview tables.

`sample_run()` builds a small invented run (articles, sentences, skips) that
test_report_browser.py reuses.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path


try:
    import newstrace.report  # noqa: F401
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newstrace.report import write_report
from newstrace.report.render import Span, anchor_id, render_text, split_spans

# ---------------------------------------------------------------------------------------
# An invented run. Offsets are found in the text, so the fixture stays correct if edited.


def _at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def _sentences(aid: str, text: str, entities=(), numbers=(), artefacts=()) -> list[dict]:
    """Split at ., ! or ? before a space, and at line ends; attach entities/numbers."""
    out = []
    for i, m in enumerate(re.finditer(r"\S[^\n]*?(?:[.!?](?=\s|$)|$)", text, re.M)):
        s, e = m.span()
        art = next((a["kind"] for a in artefacts if a["start"] <= s and e <= a["end"]), None)
        out.append({"id": f"{aid}-s{i}", "article_id": aid, "start": s, "end": e, "text": m.group(0),
                    "entities": [x for x in entities if s <= x["start"] and x["end"] <= e],
                    "numbers": [x for x in numbers if s <= x["start"] and x["end"] <= e],
                    "artefact": art})
    placed = sum(len(s["entities"]) + len(s["numbers"]) for s in out)
    assert placed == len(entities) + len(numbers), "fixture: a span crosses a sentence boundary"
    return out


def _ent(text: str, needle: str, label: str, nth: int = 0, **extra) -> dict:
    s, e = _at(text, needle, nth)
    return {"start": s, "end": e, "text": needle, "label": label, **extra}


def _num(text: str, needle: str, value, unit=None, kind="cardinal") -> dict:
    s, e = _at(text, needle)
    return {"start": s, "end": e, "text": needle, "value": value, "unit": unit, "kind": kind}


def _article(aid: str, title: str, text: str, **fields) -> dict:
    base = {
        "id": aid, "title": title, "text": text, "source": "Coastal Ledger",
        "url": f"https://ledger.example/{aid}", "published": "2024-03-05T09:30:00+00:00",
        "crawled": None, "author": "Staff", "language": "en", "artefacts": [], "title_span": None,
        "duplicate_of": None,
        "input": {"path": "inputs/feed-01.jsonl", "ref": "line 1", "format": "jsonl", "encoding": "utf-8"},
        "content_hash": "0" * 40,
    }
    base.update(fields)
    return base


def sample_run() -> tuple[dict, list[dict], dict[str, list[dict]]]:
    """(run, articles, sentences by article id) of a small invented run."""
    articles: list[dict] = []
    sentences: dict[str, list[dict]] = {}

    # 1: repeated headline at the top, entities, numbers, a wire credit containing a name.
    t1 = ("Harbour council approves new ferry line\n\n"
          "Harbour council approves new ferry line\n\n"
          "PORT ELLERY, March 5 - The Harbour Council on Tuesday approved a ferry line to Gull Island, "
          "budgeted at 4.2 million euros. Councillor Mara Lindqvist said tickets would cost 30 percent "
          "less than the current water taxi.\n\n"
          "Service is due to start in June, with 12 crossings a day.\n\n"
          "(Reporting by Tomas Reyes; editing by Ana Kovac)")
    e1 = [_ent(t1, "PORT ELLERY", "GPE"), _ent(t1, "March 5", "DATE", value="2024-03-05"),
          _ent(t1, "Harbour Council", "ORG"), _ent(t1, "Tuesday", "DATE", value="2024-03-05"),
          _ent(t1, "Gull Island", "LOC"), _ent(t1, "4.2 million euros", "MONEY"),
          _ent(t1, "Mara Lindqvist", "PERSON"), _ent(t1, "June", "DATE"),
          _ent(t1, "Tomas Reyes", "PERSON"), _ent(t1, "Ana Kovac", "PERSON")]
    n1 = [_num(t1, "4.2 million euros", 4_200_000, "EUR", "money"),
          _num(t1, "30 percent", 30, "percent", "percent"), _num(t1, "12", 12)]
    h0, h1 = _at(t1, "Harbour council approves new ferry line", 1)
    w0, w1 = _at(t1, "(Reporting by Tomas Reyes; editing by Ana Kovac)")
    a1 = [{"kind": "repeated_headline", "start": h0, "end": h1},
          {"kind": "wire_credit", "start": w0, "end": w1, "detail": "Reporting by"}]
    articles.append(_article("ledger-001", "Harbour council approves new ferry line", t1, artefacts=a1,
                             title_span={"start": 0, "end": len("Harbour council approves new ferry line")}))
    sentences["ledger-001"] = _sentences("ledger-001", t1, e1, n1, a1)

    # 2: not English.
    t2 = ("Le conseil du port a approuvé mardi une nouvelle ligne de ferry vers l'île aux Goélands.\n\n"
          "Le service doit commencer en juin.")
    e2 = [_ent(t2, "île aux Goélands", "LOC")]
    articles.append(_article("ledger-002", "Le port lance une ligne de ferry", t2, language="fr",
                             source="Écho du Port", author="Rédaction"))
    sentences["ledger-002"] = _sentences("ledger-002", t2, e2)

    # 3: markup in title and text must come out as text; a dangling embed; an unknown kind.
    t3 = ("Storm closes mountain pass <b>overnight</b>\n\n"
          "Snowdrifts closed the Kestrel Pass road for 9 hours, the roads agency said.\n"
          "<script>document.title = 'owned'</script>\n\n"
          "Sponsored: winter tyres from Example Garage.")
    e3 = [_ent(t3, "Kestrel Pass", "FAC")]
    n3 = [_num(t3, "9", 9)]
    d0, d1 = _at(t3, "<script>document.title = 'owned'</script>")
    s0, s1 = _at(t3, "Sponsored: winter tyres from Example Garage.")
    a3 = [{"kind": "dangling_embed", "start": d0, "end": d1},
          {"kind": "sponsor_note", "start": s0, "end": s1}]
    articles.append(_article("ledger/003 <x>", "Storm closes <i>mountain</i> pass", t3, artefacts=a3,
                             source="Valley Post", url="javascript:alert(1)", language="en-GB",
                             input={"path": "inputs/feed-02.jsonl", "ref": "line 4", "format": "jsonl",
                                    "encoding": "utf-8"}))
    sentences["ledger/003 <x>"] = _sentences("ledger/003 <x>", t3, e3, n3, a3)

    # 4: a duplicate of 1.
    articles.append(_article("wire-104", "Harbour council approves new ferry line", t1, source="Wire Digest",
                             duplicate_of="ledger-001",
                             artefacts=[{"kind": "duplicate_article", "start": 0, "end": len(t1)}]))
    sentences["wire-104"] = []

    skips = [
        {"path": "inputs/feed-02.jsonl", "where": "line 3", "reason": "malformed JSON: Expecting value",
         "stage": "read", "problem": True},
        {"path": "inputs/photo.jpg", "where": None, "reason": "binary file", "stage": "read", "problem": True},
        {"path": "crawl/site.warc.gz", "where": "record 2", "reason": "not a response: request record",
         "stage": "read", "problem": False},
        {"path": "crawl/site.warc.gz", "where": "record 5", "reason": "not a response: request record",
         "stage": "read", "problem": False},
    ]
    run = {
        "tool": "newstrace", "version": "0.1.0", "schema_version": "1.0",
        "generated": "2024-03-06T10:15:00+00:00",
        "inputs": ["inputs/feed-01.jsonl", "inputs/feed-02.jsonl", "inputs/photo.jpg", "crawl/site.warc.gz"],
        "out_dir": "out/run-1",
        "totals": {"articles": len(articles), "sentences": sum(map(len, sentences.values())),
                   "entities": sum(len(s["entities"]) for ss in sentences.values() for s in ss),
                   "skipped": len(skips)},
        "summary": {
            "seconds": 1.84, "articles": len(articles), "skipped": len(skips),
            "stages": [
                {"stage": "read", "processed": 8, "kept": 4, "dropped": {"malformed JSON": 1, "binary file": 1,
                                                                          "not a response": 2},
                 "notes": {}, "seconds": 0.21},
                {"stage": "language", "processed": 4, "kept": 4, "dropped": {}, "notes": {"non-English": 1},
                 "seconds": 1.5},
                {"stage": "dedupe", "processed": 4, "kept": 4, "dropped": {}, "notes": {"duplicate": 1},
                 "seconds": 0.01},
            ],
            "skips": skips,
        },
    }
    return run, articles, sentences


def build(tmp_path: Path, detail_limit: int = 2000, articles=None, **options) -> tuple[str, dict]:
    run, arts, sents = sample_run()
    out = tmp_path / "report.html"
    calls: list[str] = []

    def sentences_for(aid: str) -> list[dict]:
        calls.append(aid)
        return sents.get(aid, [])

    source = arts if articles is None else articles
    write_report(out, run=run, articles=(a for a in source), sentences_for=sentences_for,
                 detail_limit=detail_limit, **options)
    return out.read_text(encoding="utf-8"), {"calls": calls, "articles": arts, "sentences": sents}


def _section(page: str, aid: str) -> str:
    start = page.index(f'id="{anchor_id(aid)}"')
    end = page.find("</article>", start)
    return page[start:end]


# ---------------------------------------------------------------------------------------
# span splitting


def test_split_spans_overlapping_cuts_at_every_boundary():
    art = Span(2, 10, "artefact", "A")
    ent = Span(5, 14, "entity", "E")  # crosses the artefact's end
    num = Span(5, 7, "number", "N")  # inside both
    segs = split_spans(16, [ent, art, num])
    assert [(s.start, s.end) for s in segs] == [(0, 2), (2, 5), (5, 7), (7, 10), (10, 14), (14, 16)]
    assert [tuple(x.data for x in s.spans) for s in segs] == [
        (), ("A",), ("A", "E", "N"), ("A", "E"), ("E",), ()]


def test_split_spans_identical_and_nested_spans_and_bad_ranges():
    a = Span(0, 4, "entity", "a", key=1)
    b = Span(0, 4, "entity", "b", key=2)  # same range, another span
    c = Span(1, 2, "number", "c")
    segs = split_spans(6, [a, b, c, Span(3, 3, "entity", "empty"), Span(5, 2, "entity", "inverted"),
                           Span(4, 99, "artefact", "clipped")])
    assert [(s.start, s.end, {x.data for x in s.spans}) for s in segs] == [
        (0, 1, {"a", "b"}), (1, 2, {"a", "b", "c"}), (2, 4, {"a", "b"}), (4, 6, {"clipped"})]


def test_render_text_marks_pieces_and_keeps_paragraphs():
    text = "Alpha Beta said.\n\nGamma costs 5 euros. End"
    sents = [{"start": 0, "end": 16, "entities": [{"start": 0, "end": 10, "label": "PERSON"}], "numbers": []},
             {"start": 18, "end": 38, "entities": [], "numbers": [
                 {"start": 30, "end": 31, "text": "5", "value": 5, "unit": None, "kind": "cardinal"}]},
             {"start": 39, "end": 42, "entities": [], "numbers": []}]
    arts = [{"kind": "wire_credit", "start": 6, "end": 24}]  # from inside the entity into paragraph 2
    paras = render_text(text, sentences=sents, artefacts=arts)
    assert ["".join(p.text for p in para) for para in paras] == ["Alpha Beta said.", "Gamma costs 5 euros. End"]
    first = paras[0]
    assert [p.text for p in first] == ["Alpha ", "Beta", " said."]
    assert "e-s" in first[0].classes and "a" not in first[0].classes.split()
    assert {"e", "l-PERSON", "e-e", "a", "k-wire_credit"} <= set(first[1].classes.split())
    assert first[1].tags == (("k-wire_credit", "wire credit"),)  # tag where the artefact starts
    assert "PERSON" in first[1].tip and "wire credit" in first[1].tip
    second = paras[1]
    assert [p.text for p in second] == ["Gamma ", "costs ", "5", " euros.", " ", "End"]
    assert "a" in second[0].classes.split() and not second[0].tags  # continued, not re-tagged
    five = second[2]
    assert "n" in five.classes.split() and "cardinal = 5" in five.tip
    assert second[5].mark and not second[0].mark  # a sentence starts mid-line (not at a line start)
    assert {p.sentence for p in second} == {1, None, 2}


def test_anchor_ids_are_url_safe_and_distinct():
    ids = ["abc-1", "a/b", "a_2f_b", "a b", "é", "x<y>"]
    anchors = [anchor_id(i) for i in ids]
    assert len(set(anchors)) == len(ids)
    assert all(re.fullmatch(r"article-[A-Za-z0-9_-]+", a) for a in anchors)
    assert anchor_id("abc-1") == "article-abc-1"


# ---------------------------------------------------------------------------------------
# the page


class _TextOf(HTMLParser):
    """Paragraph texts inside an article's `.atext`, leaving out the artefact tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # > 0 inside .atext
        self.skip = 0  # > 0 inside an .a-tag
        self.paras: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if self.depth:
            self.tags.append(tag)
            self.depth += 1
            if self.skip or "a-tag" in cls.split():
                self.skip += 1
            if tag == "p":
                self.paras.append("")
        elif tag == "div" and cls == "atext":
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if self.skip:
                self.skip -= 1

    def handle_data(self, data):
        if self.depth > 1 and not self.skip and self.paras:
            self.paras[-1] += data


def _paragraphs(section: str) -> tuple[list[str], list[str]]:
    parser = _TextOf()
    parser.feed(section)
    return parser.paras, parser.tags


def test_markup_in_articles_is_escaped(tmp_path):
    page, data = build(tmp_path)
    assert "<script>document.title" not in page
    assert "&lt;script&gt;" in page
    assert "<i>mountain</i>" not in page and "&lt;i&gt;mountain&lt;/i&gt;" in page
    assert "<b>overnight</b>" not in page
    assert 'href="javascript:' not in page  # only http(s) addresses are linked
    assert page.count("<script") == 1  # the page's own script, nothing from the articles
    # the text reads back exactly as given, markup and all, paragraph by paragraph
    text = data["articles"][2]["text"]
    paras, tags = _paragraphs(_section(page, "ledger/003 <x>"))
    assert paras == [p.strip() for p in text.split("\n\n")]
    assert set(tags) == {"p", "span"}  # no element came from the article


def test_sections_entities_and_artefacts(tmp_path):
    page, data = build(tmp_path)
    first = _section(page, "ledger-001")
    given = sum(len(s["entities"]) for s in data["sentences"]["ledger-001"])
    assert given == 10
    text_part = first[first.index('<div class="atext"'):]
    assert len(re.findall(r'class="[^"]*\be-s\b', text_part)) == given
    paras, _ = _paragraphs(first)
    assert paras == data["articles"][0]["text"].split("\n\n")
    assert 'class="a-tag k-repeated_headline"' in first and 'class="a-tag k-wire_credit"' in first
    assert 'data-tip="MONEY\nmoney = 4,200,000 EUR"' in first  # entity and number on one piece
    third = _section(page, "ledger/003 <x>")
    assert 'class="a-tag k-sponsor_note"' in third and ">sponsor note<" in third  # unknown kind, generic
    dup = _section(page, "wire-104")
    assert f'href="#{anchor_id("ledger-001")}"' in dup
    row = page[page.index(f'id="row-{anchor_id("wire-104")}"'):]
    row = row[:row.index("</tr>")]
    assert f'duplicate of <a href="#{anchor_id("ledger-001")}"' in row
    fr = _section(page, "ledger-002")
    assert "non-English" in fr and 'lang="fr"' in fr


def test_overview_skips_stages_and_artefact_links(tmp_path):
    page, _ = build(tmp_path)
    skipped = page[page.index('id="skipped"'):page.index('id="stages"')]
    assert re.search(r'<td class="path"[^>]*>inputs/feed-02\.jsonl</td><td[^>]*>line 3</td>'
                     r'<td class="reason"[^>]*>malformed JSON: Expecting value</td>', skipped)
    assert skipped.index("malformed JSON") < skipped.index("Skipped by design")  # problems first
    assert re.search(r'not a response</td><td class="num"[^>]*>2</td>', skipped)  # summarised by reason
    assert "record 5" not in skipped  # by-design skips are not listed one by one
    stages = page[page.index('id="stages"'):page.index('id="articles"')]
    assert "non-English <b>1</b>" in stages and "malformed JSON <b>1</b>" in stages
    arts = page[page.index('id="artefacts"'):page.index('id="skipped"')]
    for kind in ("repeated_headline", "wire_credit", "dangling_embed", "duplicate_article", "sponsor_note"):
        assert f'data-filter="kind:{kind}"' in arts
    # the affected articles are linked to their sections
    wire = arts[arts.index('id="artefact-wire_credit"'):]
    wire = wire.split('<li class="kind"')[0]  # up to the next kind
    assert f'href="#{anchor_id("ledger-001")}"' in wire
    # each index row carries the artefact kinds the filter matches on
    assert re.search(r'id="row-article-ledger-001" data-q="[^"]*kind:wire_credit', page)


def test_detail_limit(tmp_path):
    page, data = build(tmp_path, detail_limit=2)
    assert page.count('<article class="article') == 2
    assert f'id="{anchor_id("ledger-001")}"' in page and f'id="{anchor_id("wire-104")}"' not in page
    assert "first 2 of 4 articles" in page and "other 2 are left out" in page and "articles.jsonl" in page
    # still indexed (without a link), still counted
    assert 'id="row-article-wire-104"' in page and "not detailed" in page


def test_sections_stop_when_the_page_is_full(tmp_path):
    """Past `detail_chars` of sections the articles are indexed only, and the page says why."""
    full, _ = build(tmp_path)
    assert full.count('<article class="article') == 4 and "quick to open" not in full
    page, data = build(tmp_path, detail_chars=1)
    # the section being written when the budget ran out and the one already prepared after it
    assert page.count('<article class="article') == 2
    assert "first 2 of 4 articles" in page and "quick to open" in page
    assert 'id="row-article-wire-104"' in page and "not detailed" in page
    assert data["calls"].count("wire-104") == 1  # still read once, for the index


def test_streams_articles_once_and_handles_empty_runs(tmp_path):
    page, data = build(tmp_path)
    assert data["calls"] == [a["id"] for a in data["articles"]]  # one pass, in order
    empty, _ = build(tmp_path, articles=[])
    assert "This run produced no articles." in empty and "<article" not in empty
    assert not list(tmp_path.glob(".*.tmp"))


def test_page_is_self_contained(tmp_path):
    page, _ = build(tmp_path)
    assert not re.search(r"<(?:script|link|img|iframe)[^>]+(?:src|href)=", page)
    assert "@import" not in page and "url(" not in page


def test_odd_records_do_not_break_the_page(tmp_path):
    """Missing fields, offsets past the end, inverted spans, no sentences: still a page."""
    odd = [
        {"id": 7, "text": None, "title": None},
        {"id": "x", "title": "Short", "text": "Tiny text.", "language": None,
         "artefacts": [{"kind": "boilerplate", "start": 5, "end": 500}, {"kind": "x", "start": 9, "end": 2},
                       "not a dict"],
         "title_span": {"start": 0, "end": 99}},
    ]
    sentences = {"x": [{"id": "x-0", "start": 0, "end": 10, "text": "Tiny text.",
                        "entities": [{"start": 0, "end": 4, "label": "A B/C"},
                                     {"start": 8, "end": 40, "label": "ORG"},
                                     {"start": "?", "end": 3, "label": "ORG"}],
                        "numbers": [{"start": 1, "end": 1, "value": 1.5}]}]}
    out = tmp_path / "odd" / "report.html"
    write_report(out, run={}, articles=iter(odd), sentences_for=lambda aid: sentences.get(aid, []),
                 detail_limit=5)
    page = out.read_text(encoding="utf-8")
    assert page.count('<article class="article') == 2
    assert "This article has no text." in page and "(untitled)" in page
    section = _section(page, "x")
    paras, _ = _paragraphs(section)
    assert paras == ["Tiny text."]
    assert "l-A_B_C" in section and "artefact: boilerplate" in section


def test_paragraphs_from_blank_lines_or_from_lines():
    def texts(text):
        return ["".join(p.text for p in para) for para in render_text(text)]

    assert texts("One.\nstill one.\n\n  Two.\n \nThree.\n") == ["One.\nstill one.", "Two.", "Three."]
    assert texts("\nFrom HTML.\nA line each.\r\nThird.") == ["From HTML.", "A line each.", "Third."]
    assert texts("") == [] and texts(" \n ") == []
