"""What provenance costs in a whole run, now and in an earlier version, measured in one go.

    python benchmarks/provenance_cost.py [--baseline COMMIT] [--n 1000]

Corpus: the first N articles of the LLM-rewrite data (sources and rewrites, many related pairs)
followed by ECB+ articles (../shared/data), as one JSON lines file. The same `newstrace analyze
--no-claims --no-report` runs twice in fresh processes on this machine, one after the other:
with this checkout's code and with COMMIT's (checked out into a temporary git worktree and put
first on PYTHONPATH; the installed dependencies are shared). Printed: each run's seconds for the
provenance stage (and the families pass, which the earlier version does not have), the whole
run's seconds, and the pairs judged.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def corpus(path: Path, n: int) -> None:
    rows = [json.loads(x) for x in (SHARED / "text-reuse" / "llm-rewrites.dev.jsonl").read_text().splitlines()]
    rows += [{"id": f"ecb-{r['doc_id']}", "text": r["text"]} for r in
             (json.loads(x) for x in (SHARED / "clustering" / "ecbplus.dev.jsonl").read_text().splitlines())]
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows[:n]:
            fh.write(json.dumps({"id": r["id"], "text": r["text"]}) + "\n")


def run(src: Path, data: Path, out: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    code = ("import sys, newstrace.cli; assert newstrace.__file__.startswith(sys.argv[1]), newstrace.__file__; "
            "sys.argv = ['newstrace'] + sys.argv[2:]; newstrace.cli.main()")
    proc = subprocess.run([sys.executable, "-c", code, str(src), "analyze", str(data), "--out", str(out),
                           "--no-claims", "--no-report", "--quiet", "--jobs", "2"],
                          env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"run with {src} failed:\n{proc.stderr[-3000:]}")
    summary = json.loads((out / "summary.json").read_text())
    stages = {s["stage"]: s for s in summary["summary"]["stages"]}
    return {"total": summary["summary"]["seconds"],
            "provenance": stages["provenance"]["seconds"],
            "families": stages.get("families", {}).get("seconds"),
            "pairs": stages["provenance"]["notes"].get("pairs judged")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", default="b629f10", help="the earlier version to compare with (a commit)")
    ap.add_argument("--n", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        data = tmp_path / "corpus.jsonl"
        corpus(data, args.n)
        base = tmp_path / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.baseline],
                       check=True, capture_output=True)
        try:
            results = {}
            for name, src in (("baseline " + args.baseline, base / "src"), ("this checkout", ROOT / "src")):
                results[name] = r = run(src, data, tmp_path / f"out-{len(results)}")
                fam = f" + families pass {r['families']:.1f} s" if r["families"] is not None else ""
                print(f"{name}: provenance stage {r['provenance']:.1f} s{fam}; whole run {r['total']:.1f} s; "
                      f"{r['pairs']} pairs judged ({args.n} articles, 2 cores)")
            print(json.dumps(results))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], capture_output=True)


if __name__ == "__main__":
    main()
