"""Throughput and memory of `newstrace analyze`, against a bare spaCy pass over the same texts.

    python benchmarks/throughput.py                  # 1,000 articles
    python benchmarks/throughput.py --n 1000 10000   # and memory growth from 1k to 10k
    python benchmarks/throughput.py --no-report-run  # skip the extra run without the report

Articles are distinct news-length texts built from ../shared/data by benchmarks/news_corpus.py
(natural articles first; recombined ones beyond about 7,400). The bare pass is spaCy with the
parser and the entity recogniser (the annotations newstrace reads), in as many processes as
`--jobs`, over the same texts in the same session. Every measurement runs in a fresh process
tree; peak memory is the largest sum of RSS over the tree (parent + workers), sampled every
0.1 s from /proc. Prints one line per measurement and a JSON summary at the end; the bars of
issue 17: whole `analyze` with the report at least 0.8 of the bare pass and 25 articles/s;
peak memory at most 1.2 GB; growth from 1,000 to 10,000 articles under 20%.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import news_corpus  # noqa: E402

BARE = """
import json, sys, time
from newstrace.language.nlp import load_nlp
parse = sys.argv[2] == "parse"
texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8")]
nlp = load_nlp(parse)
t = time.perf_counter()
n = 0
for doc in nlp.pipe(texts, n_process=int(sys.argv[3]), batch_size=16):
    n += len(doc.ents)
print(json.dumps({"seconds": time.perf_counter() - t, "entities": n}))
"""


def _tree_rss(root: int) -> list[int]:
    """RSS (bytes) of `root` and of each of its descendants, root first."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    sizes, stack = [], [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as fh:
                sizes.append(int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"))
        except OSError:
            pass
        stack += children.get(pid, [])
    return sizes


def measure(cmd: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak tree RSS bytes, stdout) of a command; prints each process's RSS at
    the peak (the command's own process first)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    at_peak: list[int] = []
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, at_peak
        while not stop.is_set():
            sizes = _tree_rss(proc.pid)
            if sum(sizes) > peak:
                peak, at_peak = sum(sizes), sizes
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    stop.set()
    th.join()
    if proc.returncode not in (0, 3):
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    print("  RSS at the peak, per process (MB): " + ", ".join(f"{x / 2**20:.0f}" for x in at_peak), flush=True)
    return time.perf_counter() - t, peak, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[1000], help="corpus sizes (articles)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-report-run", action="store_true", help="skip the run without the report")
    ap.add_argument("--keep", type=Path, help="keep the corpora and outputs in this folder")
    args = ap.parse_args()
    if not news_corpus.available():
        sys.exit(f"needs {news_corpus.SHARED} (the shared development data)")
    py = sys.executable
    results: dict[str, dict[str, float]] = {}
    print(f"cores: {os.cpu_count()}; jobs: {args.jobs}", flush=True)
    articles = news_corpus.build(max(args.n))
    tmp_ctx = tempfile.TemporaryDirectory()
    base = args.keep or Path(tmp_ctx.name)
    for n in args.n:
        corpus = news_corpus.write(articles[:n], base / f"corpus-{n}")[0]
        words = sum(len(a["text"].split()) for a in articles[:n])
        if n == args.n[0]:
            wall, peak, out = measure([py, "-c", BARE, str(corpus), "parse", str(args.jobs)])
            secs = json.loads(out)["seconds"]
            results[f"bare_spacy_{n}"] = {"articles_per_s": n / secs, "wall_s": wall, "peak_rss_mb": peak / 2**20}
            print(f"bare spaCy (parser + entities, {args.jobs} processes), {n} articles: {n / secs:.1f} articles/s "
                  f"(parse time {secs:.1f} s, wall with model loading {wall:.1f} s), peak RSS {peak / 2**20:.0f} MB",
                  flush=True)
        for report in ((True,) if args.no_report_run else (True, False)):
            out_dir = base / f"out-{n}-{'report' if report else 'noreport'}"
            if out_dir.exists():
                import shutil

                shutil.rmtree(out_dir)
            cmd = [py, "-m", "newstrace", "analyze", str(corpus), "--out", str(out_dir), "--quiet",
                   "--format", "json", "--jobs", str(args.jobs)] + ([] if report else ["--no-report"])
            wall, peak, out = measure(cmd)
            summary = json.loads(out)
            key = f"analyze{'_with_report' if report else ''}_{n}"
            stages = {st["stage"]: round(st["seconds"], 1) for st in summary["summary"]["stages"]}
            results[key] = {"articles_per_s": n / wall, "wall_s": wall, "peak_rss_mb": peak / 2**20,
                            "pipeline_s": summary["summary"]["seconds"]}
            print(f"{key}: {n / wall:.1f} articles/s over the whole command ({wall:.1f} s; "
                  f"pipeline {summary['summary']['seconds']:.1f} s), peak RSS {peak / 2**20:.0f} MB, "
                  f"{words / n:.0f} words/article; stage seconds {stages}", flush=True)
    first = args.n[0]
    bare = results[f"bare_spacy_{first}"]["articles_per_s"]
    ratio = results[f"analyze_with_report_{first}"]["articles_per_s"] / bare
    print(f"analyze with report / bare spaCy ({first} articles): {ratio:.2f} (bar 0.8); "
          f"{results[f'analyze_with_report_{first}']['articles_per_s']:.1f} articles/s (bar 25)")
    print("peak memory (all processes): " + ", ".join(
        f"{n}: {results[f'analyze_with_report_{n}']['peak_rss_mb']:.0f} MB" for n in args.n) + " (bar 1,229 MB)")
    if len(args.n) > 1:
        lo, hi = args.n[0], args.n[-1]
        growth = results[f"analyze_with_report_{hi}"]["peak_rss_mb"] / results[f"analyze_with_report_{lo}"]["peak_rss_mb"] - 1
        print(f"peak memory growth {lo} -> {hi} articles: {growth:+.1%} (bar < 20%)")
        results["memory_growth"] = {"ratio": growth}
    results["ratio_to_bare"] = {"ratio": ratio}
    print(json.dumps(results, indent=1))
    tmp_ctx.cleanup()


if __name__ == "__main__":
    main()
