"""Claims checked per second on a 1,000-article corpus, 2 cores (issue 6).

    python benchmarks/claims_speed.py [--n 1000] [--keep DIR]

The corpus: the ECB+ dev articles of ../shared/data/clustering/ecbplus.dev.jsonl (news told by
several outlets, two look-alike events per topic), topped up with the distinct source
articles of ../shared/data/claim-support/claims.dev.jsonl (news stories with no sibling),
to `--n` articles. `newstrace analyze` runs over it once (whole pipeline, no report); the
claims stage's own time comes from the run summary. Then every article's claims are checked
again from scratch (the stored signatures dropped) with the stage alone, in this process,
which times claim checking without the rest of the pipeline. Prints both, as claims/s and
articles/s, with the status counts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared" / "data"
ECB = SHARED / "clustering" / "ecbplus.dev.jsonl"
CLAIMS = SHARED / "claim-support" / "claims.dev.jsonl"


def make_corpus(n: int, path: Path) -> int:
    rows = []
    for line in open(ECB, encoding="utf-8"):
        r = json.loads(line)
        rows.append({"id": f"ecb-{r['doc_id']}", "text": r["text"]})
    seen = set()
    for line in open(CLAIMS, encoding="utf-8"):
        if len(rows) >= n:
            break
        r = json.loads(line)
        if r["source"] in seen or len(r["source"]) < 400:
            continue
        seen.add(r["source"])
        rows.append({"id": f"cs-{len(seen)}", "text": r["source"]})
    rows = rows[:n]
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--keep", type=Path, help="keep the run's output folder here")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for the stage alone")
    args = ap.parse_args()
    for need in (ECB, CLAIMS):
        if not need.exists():
            sys.exit(f"skipped: {need} is missing (the shared development data sits beside the repository)")
    tmp = Path(tempfile.mkdtemp(prefix="nt-claims-speed-"))
    out = args.keep or tmp / "out"
    corpus = tmp / "corpus.jsonl"
    n = make_corpus(args.n, corpus)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "newstrace", "analyze", str(corpus), "--out", str(out), "--no-report",
                    "--quiet", "--jobs", "2"], check=False, stdout=subprocess.DEVNULL)
    whole = time.perf_counter() - t
    summary = json.loads((out / "summary.json").read_text())
    stage = next(s for s in summary["summary"]["stages"] if s["stage"] == "claims")
    claims = stage["notes"].get("claims checked", 0)
    print(f"corpus: {n} articles; whole analyze {whole:.1f} s ({n / whole:.1f} articles/s)")
    print(f"in the run: claims stage {stage['seconds']:.1f} s for {stage['processed']} articles, {claims} claims: "
          f"{claims / max(stage['seconds'], 1e-9):.1f} claims/s")

    from newstrace.claims.stage import Claims
    from newstrace.pipeline import StageStats
    from newstrace.store import Store

    store = Store(out / "newstrace.db")
    store.db.execute("DELETE FROM claim_checks")
    stats = StageStats("claims")
    t = time.perf_counter()
    statuses = Claims(store, jobs=args.jobs).check_corpus(stats)
    alone = time.perf_counter() - t
    store.close()
    total = sum(statuses.values())
    print(f"again, the stage alone ({args.jobs} processes): {alone:.1f} s for {stats.processed} articles, {total} claims: "
          f"{total / alone:.1f} claims/s, {stats.processed / alone:.1f} articles/s")
    print("statuses: " + ", ".join(f"{k} {v} ({v / max(total, 1):.0%})" for k, v in sorted(statuses.items())))
    print(json.dumps({"articles": n, "claims": total, "claims_per_s": round(total / alone, 1),
                      "stage_seconds_in_run": stage["seconds"], "stage_alone_seconds": round(alone, 1),
                      "statuses": dict(statuses)}))


if __name__ == "__main__":
    main()
