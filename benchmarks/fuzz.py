"""Fuzz the readers and `check-claims` input lines with atheris (coverage-guided, libFuzzer).

    python benchmarks/fuzz.py                        # every target, 600 s each
    python benchmarks/fuzz.py --target html --seconds 60
    python benchmarks/fuzz.py --runs 300             # a short run of each (what CI does)

Targets: `txt` (a text file with a front-matter block), `html`, `jsonl`, `feed` (RSS/Atom), `warc`
(gzipped or not) and `pairs` (`check-claims` input lines). Each writes the fuzzed bytes to a file
of its kind, seeded with small valid examples written here, and reads it as `newstrace analyze`
does. A crash is an exception out of the reader, or a reader error that the ingest guard had to
catch ("unexpected error while reading"); a hang is 10 s on one input (libFuzzer's -timeout); too
much memory is 1 GB (-rss_limit_mb). Each target runs in its own process; printed: runs, seconds
and the outcome per target. Needs `pip install atheris`.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ("txt", "html", "jsonl", "feed", "warc", "pairs")
SUFFIX = {"txt": ".txt", "html": ".html", "jsonl": ".jsonl", "feed": ".rss", "warc": ".warc.gz", "pairs": ".jsonl"}
TIMEOUT = 10  # seconds on one input
RSS_LIMIT_MB = 1024
MAX_LEN = 4096  # bytes of one fuzzed input


def _warc(payload: bytes) -> bytes:
    body = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + payload
    head = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/a\r\n"
            b"WARC-Date: 2026-03-04T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:0000>\r\n"
            b"Content-Type: application/http; msgtype=response\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    return gzip.compress(head + body + b"\r\n\r\n")


SEEDS = {
    "txt": [b"---\nsource: Gazette\npublished: 2026-03-03\n---\nHeadline here\n\nA body line. Another one.\n"],
    "html": [b"<html><head><title>T</title><meta charset='utf-8'></head><body><article><p>A body line of text."
             b"</p></article></body></html>"],
    "jsonl": [b'{"id": "a", "title": "T", "text": "A body line.", "published": "2026-03-03"}\n'],
    "feed": [b"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title><item><title>T</title>"
             b"<description>A body line.</description><guid>g1</guid></item></channel></rss>"],
    "warc": [_warc(b"<html><body><p>A body line of text.</p></body></html>")],
    "pairs": [b'{"id": 1, "source": "The bank raised rates.", "claim": "Rates rose."}\n'],
}


def run_target(target: str, argv: list[str]) -> None:
    """In this process: fuzz one target with atheris (never returns when it finds a crash)."""
    import atheris

    with atheris.instrument_imports():
        from newstrace.claims.check import read_pairs
        from newstrace.ingest import read_path
        from newstrace.ingest.common import ReadOptions
        from newstrace.records import Skipped

    folder = tempfile.mkdtemp(prefix=f"fuzz-{target}-")
    path = Path(folder) / f"input{SUFFIX[target]}"
    options = ReadOptions(max_bytes=1_000_000, max_chars=100_000)

    def one(data: bytes) -> None:
        if target == "warc" and not data.startswith(b"\x1f\x8b"):
            data = _warc(data)  # mostly fuzz the payload; raw bytes (gzip magic) fuzz the container
        path.write_bytes(data)
        if target == "pairs":
            list(read_pairs(path, lambda message: None))
            return
        for item in read_path(str(path), options):
            if isinstance(item, Skipped) and item.reason.startswith("unexpected error while reading"):
                raise RuntimeError(f"reader error caught by the guard: {item.reason}")

    corpus = Path(folder) / "corpus"
    corpus.mkdir()
    for k, seed in enumerate(SEEDS[target]):
        (corpus / f"seed{k}").write_bytes(seed)
    atheris.Setup([sys.argv[0], *argv, str(corpus)], one)
    atheris.Fuzz()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", choices=TARGETS, action="append", help="the target(s) to fuzz (default: all)")
    ap.add_argument("--seconds", type=int, default=600, help="time per target")
    ap.add_argument("--runs", type=int, default=None, help="inputs per target instead of a time")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args, rest = ap.parse_known_args()
    if args.child:
        run_target(args.child, rest)
        return
    failed = []
    for target in args.target or TARGETS:
        budget = [f"-runs={args.runs}"] if args.runs else [f"-max_total_time={args.seconds}"]
        cmd = [sys.executable, __file__, "--child", target, *budget, f"-timeout={TIMEOUT}",
               f"-rss_limit_mb={RSS_LIMIT_MB}", f"-max_len={MAX_LEN}", "-print_final_stats=1"]
        t = time.time()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tempfile.gettempdir(),
                              env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
        runs = next((line.split(":")[-1].strip() for line in proc.stderr.splitlines()
                     if "stat::number_of_executed_units" in line), "?")
        outcome = "no crash" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        print(f"{target}: {runs} inputs in {time.time() - t:.0f} s: {outcome}", flush=True)
        if proc.returncode != 0:
            failed.append(target)
            print("\n".join(proc.stderr.splitlines()[-40:]))
    if failed:
        raise SystemExit(f"crashes in: {', '.join(failed)}")


if __name__ == "__main__":
    main()
