"""Stories in the HTML report: the stories table, each story's section with its timeline,
and the link from an article to its story. No browser (the page is read as text)."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

try:
    import newstrace.report  # noqa: F401
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from newstrace.report import STORY_LIMIT, write_report
from newstrace.report.render import anchor_id, story_anchor

from .helpers import browser_page

# ---------------------------------------------------------------------------------------
# An invented run: six articles about three events.


def _article(aid: str, title: str, text: str, source: str | None, published: str | None) -> dict:
    return {"id": aid, "title": title, "text": text, "source": source, "url": f"https://news.example/{aid}",
            "published": published, "crawled": None, "author": None, "language": "en", "artefacts": [],
            "title_span": None, "duplicate_of": None,
            "input": {"path": "inputs/stories.jsonl", "ref": aid, "format": "jsonl", "encoding": "utf-8"},
            "content_hash": "0" * 40}


ARTICLES = [
    _article("gazette-1", "Oil spill closes Marrowick harbour",
             "A tanker leaked fuel oil into Marrowick harbour on Tuesday.\n\nThe harbour master closed the port.",
             "Harbour Gazette", "2026-03-03T08:00:00"),
    _article("courier-1", "Marrowick port shut after tanker leak",
             "Marrowick's port stayed shut on Wednesday after a tanker leak.", "Coast Courier", "2026-03-04"),
    _article("gazette-2", "Clean-up crews reach Marrowick",
             "Clean-up crews arrived in Marrowick on Thursday.", "Harbour Gazette", "2026-03-05T17:30:00+00:00"),
    _article("blog-1", "Spill: what we know", "Notes on the Marrowick spill, no date given.", None, None),
    _article("valley-1", "Bridge <b>vote</b> & \"delay\"",
             "The Tarrow bridge vote was delayed again.", "Valley Post", "2026-02-20"),
    _article("valley-2", "Bridge vote delayed", "Councillors in Tarrow put off the bridge vote.",
             "Valley Post", "2026-02-21"),
]


def _member(aid: str, arrival: int, probability: float) -> dict:
    a = next(x for x in ARTICLES if x["id"] == aid)
    return {"article_id": aid, "title": a["title"], "source": a["source"], "published": a["published"],
            "probability": probability, "arrival": arrival}


def _stories() -> list[dict]:
    spill = {
        "id": "story-3", "label": "Oil spill closes Marrowick harbour", "label_article": "gazette-1",
        "size": 4, "first_article": "gazette-1", "start": "2026-03-03", "end": "2026-03-05",
        "outlets": [{"source": "Harbour Gazette", "articles": 2}, {"source": "Coast Courier", "articles": 1},
                    {"source": None, "articles": 1}],
        "top_entities": [{"text": "Marrowick", "label": "GPE", "count": 7},
                         {"text": "Harbour Gazette", "label": "ORG", "count": 2},
                         {"text": "Tuesday", "label": "DATE", "count": 1},
                         {"text": "Fourth Entity", "label": "PERSON", "count": 1}],
        "active": True,
        "members": [_member("gazette-1", 1, 1.0), _member("courier-1", 2, 0.934),
                    _member("blog-1", 3, 0.61), _member("gazette-2", 4, 0.88)],
        "derived_articles": None, "unsupported_claims": None,
    }
    bridge = {
        "id": "story/7 <b>", "label": "Bridge <script>alert('x')</script> vote & \"delay\"",
        "label_article": "valley-1", "size": 2, "first_article": "valley-1",
        "start": "2026-02-20", "end": "2026-02-21",
        "outlets": [{"source": "Valley Post", "articles": 2}],
        "top_entities": [{"text": "Tarrow", "label": "GPE", "count": 2}],
        "active": False,
        "members": [_member("valley-1", 1, 1.0), _member("valley-2", 2, 0.72)],
        "derived_articles": None, "unsupported_claims": None,
    }
    lonely = {
        "id": "story-9", "label": "Spill: what we know", "label_article": "blog-1", "size": 1,
        "first_article": "blog-1", "start": None, "end": None, "outlets": [{"source": None, "articles": 1}],
        "top_entities": [], "active": True, "members": [_member("blog-1", 1, 1.0)],
        "derived_articles": None, "unsupported_claims": None,
    }
    # given out of order: the report sorts them
    return [lonely, bridge, spill]


def _sentences_for(aid: str) -> list[dict]:
    return []


RUN = {"tool": "newstrace", "version": "0.1.0", "generated": "2026-03-06T10:00:00+00:00", "totals": {}, "summary": {}}


def build(tmp_path: Path, stories, articles=ARTICLES, detail_limit: int = 2000) -> str:
    out = tmp_path / "report.html"
    write_report(out, run=RUN, articles=iter(articles), sentences_for=_sentences_for,
                 detail_limit=detail_limit, stories=stories)
    return out.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# reading the page


class _Elements(HTMLParser):
    """Start tags (name, attributes) in document order, and the text inside given ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _tags(html: str) -> list[tuple[str, dict]]:
    p = _Elements()
    p.feed(html)
    return p.tags


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _text(html: str) -> str:
    p = _Text()
    p.feed(html)
    return " ".join(" ".join(p.parts).split())


SPILL_SPAN = '<time datetime="2026-03-03">2026-03-03</time>–<time datetime="2026-03-05">2026-03-05</time>'


def _table(page: str) -> str:
    start = page.index('<section class="block" id="stories"')
    return page[start:page.index("</section>", start)]


def _story(page: str, story_id: str) -> str:
    start = page.index(f'id="{story_anchor(story_id)}"')
    return page[start:page.index("</details>", start)]


def _article_section(page: str, aid: str) -> str:
    start = page.index(f'id="{anchor_id(aid)}"')
    return page[start:page.index("</article>", start)]


def _rows(table: str) -> list[str]:
    body = table[table.index('id="stories-body"'):]
    return re.findall(r"<tr data-q=.*?</tr>", body, re.S)


# ---------------------------------------------------------------------------------------


def test_stories_table_lists_largest_first_with_links(tmp_path):
    page = build(tmp_path, _stories())
    table = _table(page)
    # after the overview, before the article index, and linked from the top bar and sidebar
    assert page.index('id="overview"') < page.index('id="stories"') < page.index('id="articles"')
    assert 'href="#stories"' in page
    rows = _rows(table)
    assert len(rows) == 3
    order = [re.search(r'<a href="#([^"]+)"', r).group(1) for r in rows]
    assert order == [story_anchor("story-3"), story_anchor("story/7 <b>"), story_anchor("story-9")]
    spill = _text(rows[0])
    assert "Oil spill closes Marrowick harbour" in spill
    assert "Harbour Gazette 2" in spill and "Coast Courier 1" in spill and "unknown outlet 1" in spill
    assert SPILL_SPAN in rows[0]
    # the top three entities only
    assert "Marrowick" in spill and "Tuesday" in spill and "Fourth Entity" not in spill
    assert "undated" in _text(rows[2])
    # single-article stories are listed, marked for the toggle
    assert "data-single" in rows[2] and "data-single" not in rows[0]
    assert 'id="stories-singles"' in table and "hide single-article stories" in table
    assert 'id="stories-filter"' in table
    # every row links to an existing story section
    ids = {a.get("id") for _, a in _tags(page)}
    assert all(anchor in ids for anchor in order)
    assert re.fullmatch(r"story-[A-Za-z0-9_-]+", story_anchor("story/7 <b>"))


def test_story_section_has_a_timeline_with_one_mark_per_dated_member(tmp_path):
    page = build(tmp_path, _stories())
    section = _story(page, "story-3")
    assert section.startswith(f'id="{story_anchor("story-3")}"')
    svg = section[section.index("<svg"):section.index("</svg>") + 6]
    marks = [a for tag, a in _tags(svg) if tag == "circle" and "tl-mark" in a.get("class", "").split()]
    assert len(marks) == 3  # gazette-1, courier-1, gazette-2; blog-1 has no date
    xs = [float(a["cx"]) for a in marks]
    assert xs == sorted(xs) and xs[0] < xs[1] < xs[2]  # placed by date, earliest left
    # March 4 lies between March 3 08:00 and March 5 17:30
    assert 0.2 < (xs[1] - xs[0]) / (xs[2] - xs[0]) < 0.6
    # each mark links to its article's section, titled with outlet and title
    links = re.findall(r'<a class="tl-link" href="#([^"]+)"><title>([^<]*)</title>', svg)
    assert [h for h, _ in links] == [anchor_id("gazette-1"), anchor_id("courier-1"), anchor_id("gazette-2")]
    assert "Coast Courier — Marrowick port shut after tanker leak" in links[1][1]
    assert "first" in marks[0]["class"]  # the first report
    assert "<text" in svg and "2026-03-04" in svg  # a dated axis
    # the undated member is listed below the timeline
    undated = section[section.index('<div class="undated">'):]
    undated = undated[:undated.index("</div>")]
    assert section.index("</svg>") < section.index('<div class="undated">')
    assert f'href="#{anchor_id("blog-1")}"' in undated and "Spill: what we know" in undated
    assert "unknown outlet" in undated
    # the plain list: every member with date, outlet, title and join probability
    members = section[section.index('<ol class="members">'):]
    items = re.findall(r"<li.*?</li>", members, re.S)
    assert len(items) == 4
    texts = [_text(i) for i in items]
    assert texts[0].startswith("2026-03-03 Harbour Gazette Oil spill closes Marrowick harbour")
    assert "93%" in texts[1] and "2026-03-04" in texts[1]
    assert texts[3].startswith("undated unknown outlet Spill: what we know") and "61%" in texts[3]
    # label, span, outlets and all top entities in the section
    text = _text(section)
    assert "Oil spill closes Marrowick harbour" in text and "Fourth Entity" in text
    assert SPILL_SPAN in section and "Coast Courier" in text


def test_undated_story_has_no_timeline(tmp_path):
    page = build(tmp_path, _stories())
    lonely = _story(page, "story-9")
    assert "<svg" not in lonely and "Spill: what we know" in lonely and "undated" in lonely


def test_article_sections_link_to_their_story(tmp_path):
    page = build(tmp_path, _stories())
    gazette = _article_section(page, "gazette-2")
    link = re.search(r'Story: <a class="story-link" href="#([^"]+)">([^<]*)</a>', gazette)
    assert link and link.group(1) == story_anchor("story-3")
    assert link.group(2) == "Oil spill closes Marrowick harbour"
    valley = _article_section(page, "valley-2")
    assert f'href="#{story_anchor("story/7 <b>")}"' in valley
    # blog-1 is in two listed stories: linked to both
    blog = _article_section(page, "blog-1")
    assert blog.count('class="story-link"') == 2


def test_members_without_a_section_are_not_linked(tmp_path):
    page = build(tmp_path, _stories(), detail_limit=2)  # only gazette-1 and courier-1 have sections
    section = _story(page, "story-3")
    svg = section[section.index("<svg"):section.index("</svg>")]
    assert f'href="#{anchor_id("gazette-2")}"' not in section
    assert len(re.findall(r'<circle class="tl-mark', svg)) == 3  # still drawn, just not linked
    assert svg.count('<a class="tl-link"') == 2
    assert "Clean-up crews reach Marrowick" in section and "(not detailed)" in section
    assert f'href="#{anchor_id("courier-1")}"' in section


def test_labels_and_ids_are_escaped(tmp_path):
    page = build(tmp_path, _stories())
    assert "<script>alert" not in page
    assert page.count("<script") == 1  # the page's own
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; vote &amp; &#34;delay&#34;" in page
    assert "<b>vote</b>" not in page and "story/7 <b>" not in page
    bridge = _story(page, "story/7 <b>")
    assert "Bridge <script>alert('x')</script> vote & \"delay\"" in _text(bridge)
    assert not re.search(r"<(?:script|link|img|iframe)[^>]+(?:src|href)=", page)


def test_derived_and_unsupported_columns_only_when_known(tmp_path):
    page = build(tmp_path, _stories())
    table = _table(page)
    assert "Derived" not in table and "Unsupported claims" not in table
    stories = _stories()
    stories[1]["derived_articles"] = ["valley-2"]
    stories[2]["unsupported_claims"] = 5
    table = _table(build(tmp_path, stories))
    assert "<th class=\"num\">Derived</th>" in table and "<th class=\"num\">Unsupported claims</th>" in table
    rows = _rows(table)
    bridge = next(r for r in rows if "Bridge" in r)
    assert re.search(r'data-label="Derived">1</td>', bridge)
    assert re.search(r'data-label="Unsupported claims">—</td>', bridge)
    spill = next(r for r in rows if "Oil spill" in r)
    assert re.search(r'data-label="Unsupported claims">5</td>', spill)


def test_more_than_the_limit_says_how_many_more(tmp_path):
    many = []
    for i in range(STORY_LIMIT + 7):
        many.append({"id": f"story-{i}", "label": f"Story number {i}", "size": 1 + i % 5,
                     "start": f"2026-01-{1 + i % 28:02d}", "end": f"2026-01-{1 + i % 28:02d}",
                     "outlets": [{"source": "Valley Post", "articles": 1}], "top_entities": [],
                     "members": [], "derived_articles": None, "unsupported_claims": None})
    page = build(tmp_path, many, articles=ARTICLES[:1])
    table = _table(page)
    assert len(_rows(table)) == STORY_LIMIT
    assert page.count('<details class="story') == STORY_LIMIT
    assert "7 more stories are not listed here" in _text(table)
    # largest first, then the latest end
    sizes = [int(re.search(r'data-label="Articles">(\d+)<', r).group(1)) for r in _rows(table)]
    assert sizes == sorted(sizes, reverse=True)
    fives = [re.search(r"<time datetime=\"([^\"]+)\"", r).group(1) for r in _rows(table) if 'Articles">5<' in r]
    assert fives == sorted(fives, reverse=True)


def test_no_stories_no_section(tmp_path):
    for stories in (None, []):
        page = build(tmp_path, stories)
        assert 'id="stories"' not in page and 'href="#stories"' not in page
        assert "<details class=\"story" not in page and "story-link" not in page
        assert "Story details" not in page
        assert page.count('<article class="article') == len(ARTICLES)
    # write_report without the keyword at all
    out = tmp_path / "plain.html"
    write_report(out, run=RUN, articles=iter(ARTICLES), sentences_for=_sentences_for)
    assert 'id="stories"' not in out.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------
# in a browser (Debian's chromium via Playwright; skipped when either is missing)

@pytest.mark.browser
def test_stories_in_a_browser(tmp_path, monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    import newstrace.report as report

    monkeypatch.setattr(report, "STORIES_OPEN", 0)  # story sections start collapsed
    build(tmp_path, _stories())
    path = tmp_path / "report.html"
    expect = sync_api.expect
    with browser_page(path) as (page, errors, requests):
        rows = page.locator("#stories-body tr[data-q]")
        expect(rows).to_have_count(3)
        # hide single-article stories
        page.locator("#stories-singles").check()
        expect(page.locator("#stories-body tr[data-q]:visible")).to_have_count(2)
        expect(page.locator("#stories-count")).to_have_text("2 of 3 shown")
        page.locator("#stories-singles").uncheck()
        expect(page.locator("#stories-body tr[data-q]:visible")).to_have_count(3)
        # the text filter (the article index is not touched)
        page.locator("#stories-filter").fill("tarrow")
        expect(page.locator("#stories-body tr[data-q]:visible")).to_have_count(1)
        expect(page.locator("#stories-body tr[data-q]:visible")).to_contain_text("Bridge <script>")
        expect(page.locator("#index-body tr[data-q]:visible")).to_have_count(len(ARTICLES))
        page.locator("#stories-filter").fill("no-such-story")
        expect(page.locator("#stories-none")).to_be_visible()
        page.locator("#stories-filter").fill("")
        # an article's story link opens the collapsed story section
        spill = page.locator(f"#{story_anchor('story-3')}")
        assert spill.evaluate("el => el.open") is False
        page.locator(f"#{anchor_id('gazette-2')} a.story-link").click()
        assert spill.evaluate("el => el.open") is True
        expect(spill.locator("svg.tl")).to_be_visible()
        expect(spill.locator("circle.tl-mark")).to_have_count(3)
        # a timeline mark leads to its article
        spill.locator("a.tl-link").nth(1).click()
        expect(page).to_have_url(path.as_uri() + f"#{anchor_id('courier-1')}")
        # opening the page at a story's address opens it too
        page.goto(path.as_uri() + f"#{story_anchor('story/7 <b>')}")
        page.reload()
        assert page.locator(f"#{story_anchor('story/7 <b>')}").evaluate("el => el.open") is True
        assert errors == []
        assert [u for u in requests if not u.startswith("file://")] == []
