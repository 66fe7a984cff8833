"""Shared test helpers."""

import json
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


CHROMIUM = Path("/usr/bin/chromium")


@contextmanager
def browser_page(path: Path):
    """A page of Debian's chromium (through Playwright) at `path`, with the page errors and
    console errors or warnings (`errors`) and every URL requested (`requests`) collected;
    skips the test when chromium or Playwright is missing. Yields (page, errors, requests)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            requests: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            yield page, errors, requests
        finally:
            browser.close()


def run_fuzz(*args: str, timeout: int) -> str:
    """Run every fuzz target of benchmarks/fuzz.py with `args`; assert none crashed (skips
    without atheris). Returns what it printed."""
    import subprocess
    import sys

    import pytest

    pytest.importorskip("atheris", reason="atheris is not installed (pip install 'newstrace[test]')")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fuzz.py"), *args],
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert proc.stdout.count("no crash") == 6, proc.stdout
    return proc.stdout
