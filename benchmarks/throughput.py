"""Throughput and memory of `newstrace analyze`, against a bare spaCy pass over the same texts.

    python benchmarks/throughput.py                 # 1,000 articles
    python benchmarks/throughput.py --n 1000 10000  # and memory growth from 1k to 10k

Articles are the ECB+ news texts of ../shared/data/clustering/ecbplus.dev.jsonl, repeated
to the size asked (each copy gets its own id). Every measurement runs in a fresh process
tree; peak memory is the largest sum of RSS over the tree (parent + workers), sampled every
0.1 s from /proc. Prints one line per measurement and a JSON summary at the end.
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
ECB = ROOT.parent / "shared" / "data" / "clustering" / "ecbplus.dev.jsonl"

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


def _tree_rss(root: int) -> int:
    """Sum of RSS (bytes) of `root` and all its descendants."""
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
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
        stack += children.get(pid, [])
    return total


def measure(cmd: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak tree RSS bytes, stdout) of a command."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    stop.set()
    th.join()
    if proc.returncode not in (0, 3):
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    return time.perf_counter() - t, peak, out


def make_corpus(n: int, path: Path) -> None:
    rows = [json.loads(line) for line in ECB.open(encoding="utf-8")]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            r = rows[i % len(rows)]
            fh.write(json.dumps({"id": f"a{i}", "title": r["lead"][:120], "text": r["text"],
                                 "url": r["url"]}) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[1000], help="corpus sizes (articles)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--parse", action="store_true", help="also time the bare pass with the parser")
    args = ap.parse_args()
    if not ECB.exists():
        sys.exit(f"needs {ECB} (the shared development data)")
    py = sys.executable
    results: dict[str, dict[str, float]] = {}
    print(f"cores: {os.cpu_count()}; jobs: {args.jobs}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.n:
            corpus = Path(tmp) / f"corpus-{n}.jsonl"
            make_corpus(n, corpus)
            words = sum(len(json.loads(l)["text"].split()) for l in corpus.open())
            if n == args.n[0]:
                modes = ["fast"] + (["parse"] if args.parse else [])
                for mode in modes:
                    wall, peak, out = measure([py, "-c", BARE, str(corpus), mode, str(args.jobs)])
                    secs = json.loads(out)["seconds"]
                    key = f"bare_spacy_{mode}_{n}"
                    results[key] = {"articles_per_s": n / secs, "wall_s": wall, "peak_rss_mb": peak / 2**20}
                    print(f"{key}: {n / secs:.1f} articles/s (parse time {secs:.1f} s, wall with model "
                          f"loading {wall:.1f} s), peak RSS {peak / 2**20:.0f} MB")
            for report in (False, True):
                out_dir = Path(tmp) / f"out-{n}-{report}"
                cmd = [py, "-m", "newstrace", "analyze", str(corpus), "--out", str(out_dir), "--quiet",
                       "--format", "json", "--jobs", str(args.jobs)] + ([] if report else ["--no-report"])
                wall, peak, out = measure(cmd)
                summary = json.loads(out)
                key = f"analyze{'_with_report' if report else ''}_{n}"
                results[key] = {"articles_per_s": n / wall, "wall_s": wall, "peak_rss_mb": peak / 2**20,
                                "pipeline_s": summary["summary"]["seconds"]}
                print(f"{key}: {n / wall:.1f} articles/s over the whole command ({wall:.1f} s; "
                      f"pipeline {summary['summary']['seconds']:.1f} s), peak RSS {peak / 2**20:.0f} MB, "
                      f"{words / n:.0f} words/article")
    first = args.n[0]
    bare = results[f"bare_spacy_fast_{first}"]["articles_per_s"]
    ratio = results[f"analyze_{first}"]["articles_per_s"] / bare
    print(f"analyze / bare spaCy (same components, {first} articles): {ratio:.2f}")
    if len(args.n) > 1:
        lo, hi = args.n[0], args.n[-1]
        growth = results[f"analyze_{hi}"]["peak_rss_mb"] / results[f"analyze_{lo}"]["peak_rss_mb"] - 1
        print(f"peak memory growth {lo} -> {hi} articles: {growth:+.1%}")
        results["memory_growth"] = {"ratio": growth}
    results["ratio_to_bare"] = {"ratio": ratio}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
