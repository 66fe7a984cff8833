"""The HTML report in a real browser: Debian's chromium, headless, driven by Playwright.

The page is opened from file:// and must work there on its own: no request may leave
file://, nothing may log an error, and the interactive parts (index filter, tooltips,
narrow-screen drawer) must do what they claim.
"""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium "
                "(apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright Python package is not installed (pip install playwright)")

try:  # the invented run is shared with test_report.py
    from tests.test_report import build, sample_run  # noqa: E402
except ImportError:  # tests/ not a package
    from test_report import build, sample_run  # noqa: E402

from newstrace.report.render import anchor_id  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


class Opened:
    """A page opened from file://, recording every request and every error."""

    def __init__(self, browser, path: Path, width: int, height: int = 900) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def check_clean(self) -> None:
        left = [u for u in self.requests if not u.startswith("file://")]
        assert left == [], f"requests that left file://: {left}"
        assert self.errors == []

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def report(tmp_path):
    page_html, data = build(tmp_path)
    return tmp_path / "report.html", data


def _png_pixels(data: bytes, max_rows: int = 300) -> tuple[int, int, set[bytes]]:
    """Width, height and the distinct pixel values of the first `max_rows` rows of an
    8-bit RGB/RGBA PNG (decoded here: no imaging library needed)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, bytearray(), None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    rows = min(height, max_rows)
    raw = zlib.decompressobj().decompress(bytes(idat), rows * (stride + 1))
    prev = bytearray(stride)
    pixels: set[bytes] = set()
    for r in range(rows):
        f, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        pixels.update(bytes(line[i:i + bpp]) for i in range(0, stride, bpp * 7))
        prev = line
    return width, height, pixels


def test_report_in_a_browser(browser, report, tmp_path):
    path, data = report
    view = Opened(browser, path, 1280)
    page = view.page
    expect = sync_api.expect
    try:
        # the page, and an article's title, are there and readable
        assert "newstrace report" in page.title()
        expect(page.locator("h1")).to_contain_text("newstrace report")
        first = page.locator(f"#{anchor_id('ledger-001')}")
        expect(first.locator("h3")).to_be_visible()
        expect(first.locator("h3")).to_have_text("Harbour council approves new ferry line")
        # markup in an article stayed text: the title was not rewritten by its <script>
        assert "owned" not in page.title()
        expect(page.locator(f"#{anchor_id('ledger/003 <x>')} .atext")).to_contain_text("<script>document.title")

        # one highlight per entity given (an entity cut by an artefact boundary still counts once)
        given = sum(len(s["entities"]) for ss in data["sentences"].values() for s in ss)
        assert given == 12
        expect(page.locator(".atext .e-s")).to_have_count(given)
        expect(first.locator(".atext .e.l-PERSON.e-s")).to_have_count(3)
        # hovering an entity names its label; a number shows its normalised value
        first.locator(".atext .e.l-PERSON").first.hover()
        expect(page.locator("#tip")).to_be_visible()
        expect(page.locator("#tip")).to_contain_text("PERSON")
        first.locator(".atext .n", has_text="30 percent").hover()
        expect(page.locator("#tip")).to_contain_text("percent = 30 %")

        # artefacts: hatched text with a visible tag where each one starts
        tag = first.locator(".atext .a-tag.k-wire_credit")
        expect(tag).to_be_visible()
        expect(tag).to_have_text("wire credit")  # shown in capitals by CSS
        expect(first.locator(".atext .a-tag.k-repeated_headline")).to_be_visible()
        hatch = first.locator(".atext .a.k-wire_credit").first.evaluate(
            "el => getComputedStyle(el).backgroundImage")
        assert "repeating-linear-gradient" in hatch
        expect(page.locator(f"#{anchor_id('ledger-002')} .badge", has_text="non-English")).to_be_visible()
        dup = page.locator(f"#{anchor_id('wire-104')} a.dup-link")
        expect(dup).to_have_attribute("href", f"#{anchor_id('ledger-001')}")

        # the skipped-input table
        expect(page.locator("#skipped tr", has_text="malformed JSON: Expecting value")).to_contain_text("line 3")

        # the index filter hides rows that do not match
        rows = page.locator("#index-body tr[data-q]")
        expect(rows).to_have_count(4)
        page.locator("#filter").fill("valley")
        expect(page.locator("#index-body tr[data-q]:visible")).to_have_count(1)
        expect(page.locator("#index-body tr[data-q]:visible")).to_contain_text("Storm closes")
        expect(page.locator(f"#row-{anchor_id('ledger-001')}")).to_be_hidden()
        page.locator("#filter").fill("ferry harbour")
        expect(page.locator("#index-body tr[data-q]:visible")).to_have_count(2)
        page.locator("#filter").fill("nothing-like-this")
        expect(page.locator("#index-body tr[data-q]:visible")).to_have_count(0)
        expect(page.locator("#filter-none")).to_be_visible()
        page.locator("#filter-clear").click()
        expect(page.locator("#index-body tr[data-q]:visible")).to_have_count(4)
        # an artefact kind in the overview filters the index to the articles that have it
        page.locator("#artefacts a[data-filter='kind:wire_credit']").click()
        expect(page.locator("#filter")).to_have_value("kind:wire_credit")
        expect(page.locator("#index-body tr[data-q]:visible")).to_have_count(1)

        # an index link lands on the article, below the sticky bar
        page.locator(f"#row-{anchor_id('ledger-001')} td.title a").click()
        expect(page).to_have_url(path.as_uri() + f"#{anchor_id('ledger-001')}")
        top = first.locator("h3").bounding_box()["y"]
        bar = page.locator(".topbar").bounding_box()["height"]
        assert bar <= top < 900

        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        width, height, pixels = _png_pixels(shot.read_bytes())
        assert width == 1280 and height > 900  # the whole page, not the viewport
        assert len(pixels) > 20, "screenshot is (nearly) uniform"
        view.check_clean()
    finally:
        view.close()


def test_narrow_screen(browser, report):
    path, _ = report
    view = Opened(browser, path, 420, 860)
    page = view.page
    expect = sync_api.expect
    try:
        # nothing is wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 420
        # the contents are a drawer, opened from the top bar
        link = page.locator(f"#sidebar a[href='#{anchor_id('ledger-002')}']")
        expect(link).not_to_be_in_viewport()
        page.locator("#navtoggle").click()
        expect(link).to_be_in_viewport()
        link.click()
        expect(page.locator(f"#{anchor_id('ledger-002')} h3")).to_be_in_viewport()
        expect(link).not_to_be_in_viewport()  # closed again
        expect(page.locator(f"#{anchor_id('ledger-002')} .atext")).to_contain_text("île aux Goélands")
        view.check_clean()
    finally:
        view.close()


def test_reference_to_an_article_without_a_section(browser, tmp_path):
    """A duplicate seen before its original, with the original past the detail limit."""
    _, articles, _ = sample_run()
    dup = dict(articles[3], duplicate_of="ledger-002")
    page_html, _ = build(tmp_path, detail_limit=1, articles=[dup, *articles[:3]])
    assert 'class="xref dup-link"' in page_html
    view = Opened(browser, tmp_path / "report.html", 1280)
    try:
        flag = view.page.locator(f"#{anchor_id('wire-104')} .flag")
        sync_api.expect(flag).to_contain_text("(not detailed in this report)")
        sync_api.expect(flag.locator("a")).to_have_count(0)
        view.check_clean()
    finally:
        view.close()


def test_claims_in_a_browser(browser, tmp_path):
    """Claims coloured in the text; a claim's line opens to its details (also from its tag in
    the text); a reference to an article the page does not have becomes text; the story's
    claim matrix is drawn."""
    try:
        from tests.test_report_claims import _ev, _records, I3
        from tests.test_report_claims import build as build_claims
    except ImportError:  # tests/ not a package
        from test_report_claims import _ev, _records, I3
        from test_report_claims import build as build_claims
    from newstrace.report.claims import claim_anchor
    from newstrace.report.render import story_anchor

    records = _records()
    records["isle-1"][2]["evidence"] = [dict(_ev("isle-1", I3, "neither"), article_id="ghost-9", outlet=None)]
    build_claims(tmp_path, records)
    view = Opened(browser, tmp_path / "report.html", 1280)
    page = view.page
    expect = sync_api.expect
    try:
        tide = page.locator(f"#{anchor_id('tide-1')}")
        # each status its own tint, and a tag with its letter before the claim
        tints = {cls: tide.locator(f".atext .{cls}").first.evaluate("el => getComputedStyle(el).backgroundImage")
                 for cls in ("cl-supported", "cl-unsupported")}
        assert all("linear-gradient" in v for v in tints.values()) and len(set(tints.values())) == 2
        expect(tide.locator(".atext a.mk-tag")).to_have_text(["S1", "S2", "U3"])
        # a claim's details are closed until its line is clicked
        third = page.locator(f"#{claim_anchor('tide-1', 3)}")
        body = third.locator(".cl-body")
        expect(body).to_be_hidden()
        third.locator("summary").click()
        expect(body).to_be_visible()
        expect(body).to_contain_text("no other article gives the figure 3 million")
        expect(body.locator("table.cl-ev a.cl-src")).to_have_attribute("href", f"#{anchor_id('isle-1')}")
        # the tag in the text opens its claim's details
        tide.locator(".atext a.mk-tag", has_text="S1").click()
        first = page.locator(f"#{claim_anchor('tide-1', 1)}")
        expect(first.locator(".cl-body")).to_be_visible()
        assert first.evaluate("el => el.open") is True
        # the pointer on a claim's line lights that claim in the text
        tide.locator(".cl-list [data-claim='2'] > details > summary").hover()
        lit = tide.locator(".atext [data-claim~='2']").count()
        assert lit > 0
        expect(tide.locator(".atext .cl-on")).to_have_count(lit)
        # evidence from an article the page does not have is named, not linked
        mayor = page.locator(f"#{claim_anchor('isle-1', 3)}")
        mayor.locator("summary").click()
        expect(mayor.locator(".cl-body")).to_contain_text("ghost-9 (not detailed in this report)")
        expect(mayor.locator("a.cl-src")).to_have_count(0)
        # the story's claim matrix: five rows over three articles, ✓ with a status, ✗, first
        matrix = page.locator(f"#{story_anchor('story-ferry')} table.mx")
        expect(matrix).to_be_visible()
        expect(matrix.locator("thead th.mx-col")).to_have_count(3)
        expect(matrix.locator("tbody tr")).to_have_count(5)
        expect(matrix.locator("td.mx-first")).to_have_count(5)
        row = matrix.locator("tbody tr").first
        expect(row.locator("td.mx-cell").nth(0)).to_contain_text("✓S")
        expect(row.locator("td.mx-no")).to_have_text("✗")
        box = matrix.bounding_box()
        assert box["width"] > 400 and box["height"] > 150
        assert "<script>" in matrix.locator("thead").evaluate("el => el.textContent")
        view.check_clean()
    finally:
        view.close()


def test_events_in_a_browser(browser, tmp_path):
    """The actor network is drawn and visible; the pointer on an arrow lights it and its two
    actors and dims the rest, on an actor lights it and its arrows; the timelines and the table
    are there; nothing logs an error."""
    try:
        from tests.test_report_events import build as build_events
    except ImportError:  # tests/ not a package
        from test_report_events import build as build_events

    build_events(tmp_path)
    view = Opened(browser, tmp_path / "report.html", 1280)
    page = view.page
    expect = sync_api.expect
    try:
        page.locator("#sidebar a[href='#events']").click()
        expect(page.locator("#events h2")).to_be_in_viewport()
        graph = page.locator("#events svg.ev-graph")
        graph.evaluate("el => el.scrollIntoView({block: 'center'})")
        expect(graph).to_be_in_viewport(ratio=1)
        box = graph.bounding_box()
        assert box["width"] > 400 and box["height"] > 150
        expect(graph.locator("g.ev-node")).to_have_count(6)
        expect(graph.locator("g.ev-edge")).to_have_count(4)
        edge = graph.locator('g.ev-edge[data-from="VARGOV"][data-to="OSTGOV"]')
        other = graph.locator('g.ev-edge[data-from="VARREB"]')
        assert float(other.evaluate("el => getComputedStyle(el).opacity")) == 1
        # the pointer on the middle of the arrow (curved: the pair has an arrow the other way too)
        x, y = edge.locator("path.ev-hit").evaluate(
            "el => { const p = el.getPointAtLength(el.getTotalLength() / 2), m = el.getScreenCTM();"
            " return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f]; }")
        page.mouse.move(x, y)
        expect(edge).to_have_class(re.compile(r"\bev-on-e\b"))
        expect(graph.locator("g.ev-node.ev-on-e")).to_have_count(2)
        expect(graph.locator('g.ev-node[data-actor="VARGOV"]')).to_have_class(re.compile(r"\bev-on-e\b"))
        page.wait_for_function("el => parseFloat(getComputedStyle(el).opacity) < 0.5", arg=other.element_handle())
        assert float(edge.evaluate("el => getComputedStyle(el).opacity")) == 1
        # then an actor: it lights with its one arrow, and the arrow lit before is not any more
        graph.locator('g.ev-node[data-actor="VARREB"] circle').hover()
        expect(graph.locator("g.ev-edge.ev-on-n")).to_have_count(1)
        expect(graph.locator('g.ev-edge.ev-on-n[data-to="OSTMIL"]')).to_have_count(1)
        expect(graph.locator(".ev-on-e")).to_have_count(0)
        page.wait_for_function("el => parseFloat(getComputedStyle(el).opacity) < 0.5", arg=edge.element_handle())
        stroke = graph.locator('g.ev-node[data-actor="VARREB"] circle').evaluate(
            "el => getComputedStyle(el).strokeWidth")
        assert stroke == "3px"
        # away from the drawing, nothing is lit
        page.locator("#events h2").hover()
        expect(graph.locator(".ev-on-n")).to_have_count(0)
        page.wait_for_function("el => getComputedStyle(el).opacity === '1'", arg=edge.element_handle())
        # a timeline per dyad, one dot per dated event; every event in the table
        expect(page.locator("#events figure.ev-dyad svg.ev-tl")).to_have_count(4)
        expect(page.locator("#events circle.ev-dot")).to_have_count(5)
        expect(page.locator("#events tr.ev-row")).to_have_count(11)
        expect(page.locator("#events tr.ev-m-negated .ev-mode")).to_be_visible()
        view.check_clean()
    finally:
        view.close()
