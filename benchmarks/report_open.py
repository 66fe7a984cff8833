"""How big a report is and how long Chromium takes to open it.

    python benchmarks/report_open.py OUT_DIR [OUT_DIR ...]

For each output folder of `newstrace analyze`, prints the size of report.html and the time
headless Chromium (Debian's /usr/bin/chromium, through Playwright) takes from navigation to the
page's `load` event, and then until the first frame after it is painted (the page is usable),
best of three opens. Used for issue 17's bar on reports of 1,000 and 10,000 articles
(benchmarks/throughput.py --keep DIR writes such folders).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def open_times(page_path: Path, repeats: int = 3) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    best: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for _ in range(repeats):
            page = browser.new_page()
            t = time.perf_counter()
            page.goto(page_path.resolve().as_uri(), wait_until="load", timeout=600_000)
            loaded = time.perf_counter() - t
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
            painted = time.perf_counter() - t
            heap = page.evaluate("() => (performance.memory || {}).usedJSHeapSize || 0")
            nodes = page.evaluate("() => document.getElementsByTagName('*').length")
            page.close()
            if not best or painted < best["painted_s"]:
                best = {"load_s": loaded, "painted_s": painted, "js_heap_mb": heap / 2**20, "elements": nodes}
        browser.close()
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dirs", nargs="+", type=Path)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    results = {}
    for out in args.out_dirs:
        report = out / "report.html"
        if not report.is_file():
            sys.exit(f"{report}: no report there")
        pages = sorted(out.glob("report*.html")) + sorted((out / "report").glob("**/*.html"))
        size = report.stat().st_size
        total = sum(p.stat().st_size for p in pages)
        r = open_times(report, args.repeats)
        r.update({"report_mb": size / 2**20, "all_pages_mb": total / 2**20, "pages": len(pages)})
        results[str(out)] = r
        print(f"{out}: report.html {size / 2**20:.1f} MB ({len(pages)} page(s), {total / 2**20:.1f} MB in all); "
              f"load {r['load_s']:.2f} s, usable {r['painted_s']:.2f} s, {r['elements']:,} elements", flush=True)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
