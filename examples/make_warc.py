"""Build examples/corpus/crawl.warc.gz for the newstrace example corpus.

The crawl is a small, deterministic WARC: fixed WARC-Date and WARC-Record-ID
values, and warcio's gzip writer (which stores no timestamp in the gzip
header), so running this script twice writes byte-identical files.

Records, in order (warcio writes each pair response first, then the request
with WARC-Concurrent-To pointing at the response):
  1. warcinfo
  2. response            https://www.linhaven-observer.example.net/robots.txt (text/plain)
  3. response + request  https://www.linhaven-observer.example.net/news/... (day 2 of the Marrowick spill story)
  4. response + request  https://www.linhaven-observer.example.net/sport/... (an unrelated football report)
  5. response            https://static.linhaven-observer.example.net/.../pixel.png (image/png)

Everything in the pages is invented. Run with:
    python examples/make_warc.py
"""

from __future__ import annotations

import struct
import zlib
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OUT = Path(__file__).resolve().parent / "corpus" / "crawl.warc.gz"

HOST = "www.linhaven-observer.example.net"
STATIC = "static.linhaven-observer.example.net"
USER_AGENT = "newstrace-example-crawler/0.1 (+https://newstrace.example.org/bot)"
CRAWL_DATE = "2026-03-05T08:00:00Z"

SPILL_URL = f"https://{HOST}/news/2026/03/04/norwegian-vessel-joins-marrowick-clean-up"
FOOTBALL_URL = f"https://{HOST}/sport/2026/03/04/linhaven-athletic-edge-corran-united"
ROBOTS_URL = f"https://{HOST}/robots.txt"
PNG_URL = f"https://{STATIC}/assets/img/pixel.png"


def page(title: str, section: str, author: str, published: str, standfirst: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"        <p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>{title} - The Linhaven Observer</title>
  <meta property="og:title" content="{title}">
  <meta property="og:site_name" content="The Linhaven Observer">
  <meta name="author" content="{author}">
  <meta property="article:published_time" content="{published}">
  <meta property="article:section" content="{section}">
</head>
<body>
  <header class="masthead">
    <a href="/" class="brand">The Linhaven Observer</a>
    <nav><a href="/news/">News</a> <a href="/sport/">Sport</a> <a href="/community/">Community</a> <a href="/notices/">Notices</a></nav>
  </header>
  <main>
    <article>
      <h1>{title}</h1>
      <p class="standfirst">{standfirst}</p>
      <p class="byline">By {author} | <time datetime="{published}">{published[:10]}</time></p>
      <div class="article-body">
{body}
      </div>
    </article>
    <aside class="most-read">
      <h2>Most read</h2>
      <ol>
        <li><a href="/news/2026/03/02/linhaven-ferry-timetable-change">Ferry timetable changes from next month</a></li>
        <li><a href="/community/2026/03/01/linhaven-choir-centenary">Linhaven choir marks its centenary</a></li>
      </ol>
    </aside>
  </main>
  <footer><p>&copy; 2026 The Linhaven Observer. All rights reserved. <a href="/privacy/">Privacy</a></p></footer>
</body>
</html>
"""


SPILL_HTML = page(
    title="Norwegian vessel joins Marrowick clean-up as salvage teams prepare to empty wreck",
    section="News",
    author="Hannah Kvist",
    published="2026-03-04T17:30:00+00:00",
    standfirst="Harbour master warns the fuel must be off the Calloway Dawn before the weekend's storm",
    paragraphs=[
        "A Norwegian oil-recovery ship began skimming fuel off Marrowick Bay on Wednesday as salvage teams "
        "prepared to pump the remaining oil from the grounded bulk carrier Calloway Dawn before another band "
        "of bad weather arrives at the weekend.",
        "The recovery vessel, sent after Norway offered help on Tuesday, was working alongside two harbour "
        "authority tugs inside the five-kilometre exclusion zone around Gannet Reef, where the 182-metre ship "
        "has been stuck since Monday night.",
        "&ldquo;The hull is stable for now, and the divers have found no new damage,&rdquo; Captain Ingrid "
        "Hallam, the Marrowick harbour master, told reporters at the harbour office on Wednesday morning. "
        "&ldquo;What worries me is Saturday. If the forecast holds, we need that fuel off her by Friday night.&rdquo;",
        "The harbour authority said roughly 270 tonnes of fuel remained on board. Salvage crews working for "
        "Veltrane Shipping Lines, the ship's operator, were fitting hoses to the undamaged tanks on Wednesday "
        "afternoon.",
        "Speaking at a briefing in the regional capital, Aldmoor, the Solvane environment minister, Tomas "
        "Reyland, said a pollution-response vessel chartered by the European Maritime Safety Agency was "
        "expected to arrive on Thursday.",
        "&ldquo;This is not a spill that one port can handle on its own, and nobody is asking Marrowick to,&rdquo; "
        "Mr Reyland said. &ldquo;Every tonne we take out of that ship is a tonne that doesn't end up on our "
        "beaches.&rdquo;",
        "He declined to comment on the provisional fine imposed on Veltrane by the regional environment agency "
        "earlier in the day, saying only that the matter was now &ldquo;with the lawyers&rdquo;.",
        "On the shore, volunteers coordinated by Shoreline Watch collected 14 oiled seabirds on Wednesday, most "
        "of them guillemots, and took them to a temporary cleaning station set up in a fish-processing shed in "
        "Linhaven. The group said it expected the number to rise once oil reached the cliffs below the colony.",
        "Fishermen, who have been barred from the bay since Tuesday, said they had been promised compensation "
        "but had yet to be told how it would be calculated. &ldquo;We've been told to be patient,&rdquo; said "
        "one Marrowick skipper, who did not want to be named. &ldquo;Patience doesn't pay the boat loan.&rdquo;",
        "Investigators from the regional Maritime Accident Investigation Office were also on board the wreck "
        "on Wednesday. The office said it would not comment on the cause of the grounding until it had "
        "interviewed the crew.",
    ],
)

FOOTBALL_HTML = page(
    title="Linhaven Athletic edge Corran United in five-goal thriller",
    section="Sport",
    author="Gareth Moyle",
    published="2026-03-04T22:10:00+00:00",
    standfirst="Late header from Okello keeps Athletic in the promotion race",
    paragraphs=[
        "Linhaven Athletic moved up to third in the Coastal League on Wednesday night after a stoppage-time "
        "header from Joel Okello sealed a 3-2 win over Corran United at Ferry Road.",
        "Corran led twice through goals from Stefan Ruddock and a penalty by Liam Achebe-Frost, but Athletic "
        "levelled each time, first through captain Mark Tennant and then with a deflected shot from substitute "
        "Kasper Brill.",
        "&ldquo;We never stopped believing, and the crowd carried us over the line,&rdquo; said Athletic manager "
        "Diane Farrow. &ldquo;Three points from a game like that are worth more than three points.&rdquo;",
        "A crowd of 2,140 watched the match. Athletic travel to Aldmoor Town on Saturday.",
    ],
)

ROBOTS_TXT = f"""User-agent: *
Disallow: /search
Disallow: /account/
Allow: /

Sitemap: https://{HOST}/sitemap.xml
"""


def tiny_png() -> bytes:
    """A valid 1x1 PNG (one grey pixel), built by hand so the bytes are fixed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    idat = zlib.compress(b"\x00\x80", 9)  # filter byte 0, one grey pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def rid(n: int) -> str:
    return f"<urn:uuid:6e657773-7472-6163-6500-{n:012d}>"


def warc_headers(n: int, date: str = CRAWL_DATE) -> dict[str, str]:
    return {"WARC-Record-ID": rid(n), "WARC-Date": date}


def request_record(writer: WARCWriter, url: str, n: int, date: str):
    path = url.split(HOST, 1)[1] or "/"
    http = StatusAndHeaders(
        f"GET {path} HTTP/1.1",
        [("Host", HOST), ("User-Agent", USER_AGENT), ("Accept", "text/html,application/xhtml+xml"),
         ("Accept-Language", "en-GB,en;q=0.8"), ("Connection", "close")],
        is_http_request=True,
    )
    return writer.create_warc_record(url, "request", http_headers=http, warc_headers_dict=warc_headers(n, date))


def response_record(writer: WARCWriter, url: str, n: int, date: str, body: bytes, content_type: str,
                    extra: list[tuple[str, str]] | None = None):
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))),
               ("Date", "Thu, 05 Mar 2026 08:00:00 GMT"), ("Server", "nginx")]
    headers += extra or []
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                     http_headers=http, warc_headers_dict=warc_headers(n, date))


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)

        info = (
            "software: newstrace examples/make_warc.py\r\n"
            "format: WARC File Format 1.0\r\n"
            "description: Example crawl for the newstrace tutorial corpus (fictional content)\r\n"
            "isPartOf: newstrace-example-corpus\r\n"
        ).encode("utf-8")
        warcinfo = writer.create_warc_record(
            "", "warcinfo", payload=BytesIO(info), length=len(info),
            warc_content_type="application/warc-fields",
            warc_headers_dict={**warc_headers(1), "WARC-Filename": OUT.name},
        )
        writer.write_record(warcinfo)

        # robots.txt is fetched first, as a polite crawler would.
        writer.write_record(response_record(writer, ROBOTS_URL, 2, "2026-03-05T08:00:00Z",
                                            ROBOTS_TXT.encode("utf-8"), "text/plain; charset=utf-8"))

        pages = [
            (SPILL_URL, SPILL_HTML, "2026-03-05T08:00:01Z", 3),
            (FOOTBALL_URL, FOOTBALL_HTML, "2026-03-05T08:00:03Z", 5),
        ]
        for url, html, date, n in pages:
            resp = response_record(writer, url, n + 1, date, html.encode("utf-8"), "text/html; charset=utf-8",
                                   [("Last-Modified", "Wed, 04 Mar 2026 22:15:00 GMT")])
            req = request_record(writer, url, n, date)
            writer.write_request_response_pair(req, resp)

        writer.write_record(response_record(writer, PNG_URL, 7, "2026-03-05T08:00:05Z", tiny_png(), "image/png"))

    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
