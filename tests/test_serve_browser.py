"""`newstrace serve` in a real browser (Debian's chromium, headless, driven by Playwright): a
user's path from the overview to a story, an article, a claim's evidence and a family of
rewrites; screenshots of the main pages; no console error; no request off the server; and no
script of a hostile article runs.

The server is uvicorn on a free local port, over the store `tests/test_serve.py` analyses."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright Python package is not installed (pip install playwright)")
pytest.importorskip("uvicorn")

try:  # the analysed store (with its hostile articles) is shared with test_serve.py
    from tests.test_serve import HOSTILE_OUTLET, served  # noqa: F401,E402
    from tests.test_report_browser import _png_pixels, browser  # noqa: F401,E402
except ImportError:  # tests/ not a package
    from test_serve import HOSTILE_OUTLET, served  # noqa: F401,E402
    from test_report_browser import _png_pixels, browser  # noqa: F401,E402


@pytest.fixture(scope="module")
def base_url(served):
    import uvicorn

    from newstrace.serve import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(served), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


class Session:
    """A browser page that records errors, dialogs and every request."""

    def __init__(self, browser, base: str, width: int = 1280) -> None:
        self.base = base
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

        def dialog(d):  # an alert() would mean a script ran
            self.dialogs.append(d.message)
            d.dismiss()
        self.page.on("dialog", dialog)

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, (path, response and response.status)

    def clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs
        off = [u for u in self.requests if not u.startswith(self.base)]
        assert not off, off
        self.page.close()


def test_from_the_overview_to_a_story_an_article_its_evidence_and_its_family(browser, base_url):
    s = Session(browser, base_url)
    p = s.page
    s.go("/")
    p.get_by_role("link", name="Stories", exact=True).first.click()
    p.wait_for_url("**/stories")
    p.locator("table.list tbody a[href^='/stories/']").first.click()
    p.wait_for_url("**/stories/*")
    assert p.locator("h2", has_text="Timeline").count() == 1
    assert p.locator("ol.timeline li").count() >= 2
    # a family of rewrites: its derived article, then its passages side by side
    fam = p.locator(".family").first
    assert fam.count() == 1, "the largest story of the example corpus has a family"
    fam.locator("li a[href^='/articles/']").first.click()
    p.wait_for_url("**/articles/**")
    assert p.locator("#provenance").count() == 1
    p.locator("#provenance a[href^='/compare?']").first.click()
    p.wait_for_url("**/compare?**")
    assert p.locator(".side").count() == 2 and p.locator(".side .pg").count() >= 2
    p.go_back()
    # a claim: its tag in the text leads to it, its evidence to the other article
    tag = p.locator("a.tag[href^='#claim-']").first
    target = tag.get_attribute("href")
    tag.click()
    assert p.url.endswith(target)
    assert p.locator(target).is_visible()
    evidence = p.locator("ul.evidence a[href^='/articles/']").first
    other = evidence.get_attribute("href")
    evidence.click()
    p.wait_for_url("**" + other)
    assert p.locator("h1").inner_text().strip()
    s.clean()


def test_search_and_filters_from_the_forms(browser, base_url):
    s = Session(browser, base_url)
    p = s.page
    s.go("/")
    p.get_by_role("searchbox", name="Search").fill("salvage crews")
    p.keyboard.press("Enter")
    p.wait_for_url("**/search?q=**")
    assert p.locator("ol.hits mark").count() >= 1
    s.go("/stories")
    p.locator("select[name=derived]").select_option("yes")
    p.get_by_role("button", name="Filter").click()
    p.wait_for_url("**derived=yes**")
    rows = p.locator("table.list tbody tr")
    assert rows.count() >= 1 and "No story matches" not in rows.first.inner_text()
    s.clean()


@pytest.mark.parametrize("name,path", [("overview", "/"), ("stories", "/stories"), ("claims", "/claims"),
                                       ("actors", "/actors"), ("outlets", "/outlets"),
                                       ("families", "/families"), ("search", "/search?q=fuel")])
def test_screenshots_of_the_main_pages(browser, base_url, tmp_path, name, path):
    s = Session(browser, base_url)
    s.go(path)
    shot = tmp_path / f"{name}.png"
    s.page.screenshot(path=str(shot), full_page=True)
    width, height, pixels = _png_pixels(shot.read_bytes())
    assert width == 1280 and height >= 400
    assert len(pixels) > 20, "screenshot is (nearly) uniform"
    assert s.page.locator("header.top nav a").count() == 6
    s.clean()


def test_story_and_article_screenshots_at_phone_width(browser, base_url, tmp_path):
    s = Session(browser, base_url, width=390)
    s.go("/stories")
    s.page.locator("table.list tbody a[href^='/stories/']").first.click()
    s.page.wait_for_url("**/stories/*")
    shot = tmp_path / "story-phone.png"
    s.page.screenshot(path=str(shot))
    width, _, pixels = _png_pixels(shot.read_bytes())
    assert width == 390 and len(pixels) > 20
    # nothing wider than the screen but tables, which scroll
    over = s.page.evaluate("Array.from(document.querySelectorAll('main p, main h1, header')).filter("
                           "e => e.getBoundingClientRect().right > window.innerWidth + 1).length")
    assert over == 0
    s.clean()


def test_no_script_of_a_hostile_article_runs(browser, base_url):
    s = Session(browser, base_url)
    for path in ("/articles/hostile-1", "/articles/" + quote('hostile-2"><script>x</script>', safe=""),
                 "/search?q=harbour", "/claims?q=fuel", "/stories?outlet=" + quote(HOSTILE_OUTLET, safe=""),
                 "/"):
        s.go(path)
        assert s.page.evaluate("typeof window.__owned") == "undefined", path
        assert s.page.locator("script").count() == 0, path
        assert s.page.locator("img, svg, iframe, object, embed").count() == 0, path
    links = s.page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    assert not [h for h in links if h.strip().lower().startswith("javascript:")]
    s.go("/articles/hostile-1")
    links = s.page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    assert not [h for h in links if h.strip().lower().startswith("javascript:")]
    assert "<script>" in s.page.locator("h1").inner_text()  # shown as text
    s.clean()
