"""HTML pages and RSS/Atom feeds."""

from __future__ import annotations

import re
from pathlib import Path

from newstrace.ingest import read_paths
from newstrace.ingest.feed import read_feed
from newstrace.ingest.html import html_to_text, read_html
from newstrace.records import Article, Skipped

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Harbour bridge reopens | Coast Gazette</title>
<meta name="author" content="Jane Roe">
<meta property="og:site_name" content="Coast Gazette">
<meta property="article:published_time" content="2024-03-05T08:00:00Z">
<link rel="canonical" href="https://example.org/news/harbour-bridge">
</head><body>
<nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Harbour bridge reopens</h1>
<p>The harbour bridge reopened on Tuesday after six weeks of repairs, the city council said.</p>
<p>Traffic was light in the morning, and officials expect the usual queues to return by Friday.</p>
</article>
<footer>Copyright Coast Gazette</footer>
</body></html>
"""


def test_html_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "bridge.html"
    path.write_text(PAGE, encoding="utf-8")
    [art] = read_html(str(path))
    assert isinstance(art, Article)
    assert "reopened on Tuesday after six weeks of repairs" in art.text
    assert "queues to return by Friday" in art.text
    assert "Sport" not in art.text  # navigation is not article text
    assert (art.id, art.title, art.author, art.source) == (
        "bridge", "Harbour bridge reopens", "Jane Roe", "Coast Gazette")
    assert art.published == "2024-03-05"
    assert art.url == "https://example.org/news/harbour-bridge"
    assert (art.input_format, art.input_ref, art.encoding) == ("html", None, "utf-8")
    assert art.title_span is not None
    assert art.text[art.title_span.start:art.title_span.end] == art.title


def test_html_declared_charset_is_honoured(tmp_path: Path) -> None:
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            "<title>Caf\u00e9 rules</title></head><body><p>Caf\u00e9 owners say the \u201cnew rules\u201d "
            "will cost them \u20ac2,000 a year, and the council disagrees.</p></body></html>")
    path = tmp_path / "cafe.htm"
    path.write_bytes(page.encode("cp1252"))
    [art] = read_paths([str(path)])
    assert art.encoding == "cp1252"
    assert "Caf\u00e9 owners say the \u201cnew rules\u201d will cost them \u20ac2,000" in art.text


def test_broken_html_does_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "broken.html"
    path.write_text("<html><body><div><p>The mayor said the <b>new park will open in May"
                    "<div><p>Residents welcomed the plan &amp; asked for more benches</td></body",
                    encoding="utf-8")
    [art] = read_html(str(path))
    assert isinstance(art, Article)
    assert "new park will open in May" in art.text
    assert "Residents welcomed the plan & asked for more benches" in art.text


def test_html_without_text_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "shell.html"
    path.write_text("<html><head><title>Loading</title><script>boot()</script></head><body></body></html>",
                    encoding="utf-8")
    [item] = read_html(str(path))
    assert isinstance(item, Skipped)
    assert (item.path, item.reason) == (str(path), "no article text found in the HTML")


def test_html_to_text_keeps_paragraph_breaks() -> None:
    text = html_to_text("<p>First  paragraph,\n wrapped.</p><p>Second<br>line two <!-- note -->still"
                        "<script>x()</script> going</p><ul><li>one</li><li>two</li></ul>")
    assert text == "First paragraph, wrapped.\n\nSecond\nline two still going\n\none\n\ntwo"


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Valley Courier</title>
<link>https://courier.example/</link>
<description>Local news</description>
<item>
  <title>Flood barrier finished early</title>
  <link>https://courier.example/flood-barrier</link>
  <guid>courier-101</guid>
  <dc:creator>Sam Patel</dc:creator>
  <pubDate>Tue, 05 Mar 2024 08:30:00 +0000</pubDate>
  <description>Short summary only.</description>
  <content:encoded><![CDATA[<p>The flood barrier on the east bank was finished two weeks early.</p><p>Engineers said it would be tested in April.</p>]]></content:encoded>
</item>
<item>
  <title>School roof repaired</title>
  <link>https://courier.example/school-roof</link>
  <pubDate>Wed, 06 Mar 2024 10:00:00 GMT</pubDate>
  <description>The roof of the primary school was repaired over the weekend, the head teacher said.</description>
</item>
<item>
  <title>Photo: sunset over the valley</title>
  <link>https://courier.example/photo</link>
</item>
</channel>
</rss>
"""


def test_rss_entries_become_articles(tmp_path: Path) -> None:
    path = tmp_path / "courier.rss"
    path.write_text(RSS, encoding="utf-8")
    first, second, third = read_feed(str(path))
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.text == ("The flood barrier on the east bank was finished two weeks early.\n\n"
                          "Engineers said it would be tested in April.")
    assert (first.title, first.url, first.author, first.source) == (
        "Flood barrier finished early", "https://courier.example/flood-barrier", "Sam Patel", "Valley Courier")
    assert first.published == "2024-03-05T08:30:00+00:00"
    assert re.fullmatch(r"courier-[0-9a-f]{10}", first.id)
    assert (first.input_ref, first.input_format) == ("entry 1", "feed")
    assert second.text == "The roof of the primary school was repaired over the weekend, the head teacher said."
    assert second.published == "2024-03-06T10:00:00+00:00"
    assert second.input_ref == "entry 2" and second.id != first.id
    assert isinstance(third, Skipped)
    assert (third.path, third.where) == (str(path), "entry 3")
    assert "no content" in third.reason


def test_atom_feed_is_sniffed_under_any_name(tmp_path: Path) -> None:
    path = tmp_path / "updates.data"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Town Hall Updates</title><id>urn:town</id><updated>2024-04-01T09:00:00Z</updated>"
        "<entry><title>Library hours extended</title><id>urn:town:7</id>"
        "<updated>2024-04-01T09:00:00Z</updated><author><name>Press Office</name></author>"
        '<content type="html">&lt;p&gt;The library will open until 8pm on weekdays.&lt;/p&gt;</content>'
        "</entry></feed>", encoding="utf-8")
    [art] = read_paths([str(path)])
    assert art.text == "The library will open until 8pm on weekdays."
    assert (art.source, art.author, art.published) == ("Town Hall Updates", "Press Office", "2024-04-01T09:00:00+00:00")


def test_file_that_is_not_a_feed_is_skipped_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "sitemap.xml"
    broken.write_text('<?xml version="1.0"?><urlset><url><loc>https://example.org/a</loc></url>',
                      encoding="utf-8")
    empty = tmp_path / "quiet.rss"
    empty.write_text("<rss><channel><title>Nothing yet</title></channel></rss>", encoding="utf-8")
    first, second = read_paths([str(broken), str(empty)])
    assert first.path == str(broken)
    assert first.reason.startswith("not a valid feed: ") and "no element found" in first.reason
    assert (second.path, second.reason) == (str(empty), "feed has no entries")
