"""Speed of attribution extraction on 1,000 articles, against the bare spaCy pass, in one run.

    python benchmarks/attribution_speed.py [--n 1000] [--jobs 2]

Articles: the ECB+ news texts of ../shared/data/clustering/ecbplus.dev.jsonl, repeated to the
size asked. Measured, each on the same texts and the same number of processes:
  1. bare spaCy: the fast pipeline (sentences and entities) alone, `nlp.pipe(n_process=jobs)`;
  2. the analysis stage without attributions (what `analyze --no-attributions` runs);
  3. the analysis stage with attributions (parse, extraction, source resolution);
and the attributions found per second of (3), and per second of what (3) adds to (2).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newstrace.unit.stage import Analyze  # noqa: E402
from newstrace.language.nlp import load_nlp  # noqa: E402
from newstrace.normalize.stages import FindArtefacts  # noqa: E402
from newstrace.pipeline import Pipeline, RunContext  # noqa: E402
from newstrace.records import Article  # noqa: E402

ECB = ROOT.parent / "shared" / "data" / "clustering" / "ecbplus.dev.jsonl"


def articles(n: int) -> list[Article]:
    rows = [json.loads(line) for line in ECB.open(encoding="utf-8")]
    return [Article(id=f"a{i}", text=rows[i % len(rows)]["text"], source="Benchmark Wire") for i in range(n)]


def run_stage(n: int, jobs: int, attributions: bool) -> tuple[float, int]:
    found = 0

    def done(a: Article) -> None:
        nonlocal found
        found += len(a.attributions)

    t = time.perf_counter()
    Pipeline([FindArtefacts(), Analyze(jobs=jobs, attributions=attributions)]).run(
        iter(articles(n)), RunContext(on_article_done=done))
    return time.perf_counter() - t, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if not ECB.exists():
        sys.exit(f"needs {ECB} (the shared development data)")
    texts = [a.text for a in articles(args.n)]
    words = sum(len(t.split()) for t in texts)
    nlp = load_nlp()
    t = time.perf_counter()
    for _ in nlp.pipe(texts, n_process=args.jobs, batch_size=16):
        pass
    bare = time.perf_counter() - t
    plain, _ = run_stage(args.n, args.jobs, False)
    full, found = run_stage(args.n, args.jobs, True)
    print(f"{args.n} articles ({words / args.n:.0f} words each), {args.jobs} processes")
    print(f"bare spaCy (sentences, entities): {args.n / bare:.1f} articles/s ({bare:.1f} s)")
    print(f"analysis stage without attributions: {args.n / plain:.1f} articles/s ({plain:.1f} s)")
    print(f"analysis stage with attributions: {args.n / full:.1f} articles/s ({full:.1f} s), "
          f"{found} attributions ({found / args.n:.1f} per article)")
    print(f"attributions per second: {found / full:.0f} overall; {found / max(full - plain, 1e-9):.0f} "
          f"per second of the time they add ({full - plain:.1f} s)")
    print(f"ratio to the bare spaCy pass: {bare / full:.2f} (without attributions {bare / plain:.2f})")


if __name__ == "__main__":
    main()
