"""`--executor ray` against the local executor, and a fault run on Ray (issue 18).

    python benchmarks/ray_scale.py --n 10000            # throughput and driver memory, both executors
    python benchmarks/ray_scale.py --fault 20000        # the unit on Ray in shards, one worker killed

Articles are distinct news-length texts built from ../shared/data by benchmarks/news_corpus.py
(as in benchmarks/throughput.py), written as one JSON Lines file that the Ray workers read in
byte ranges (`ingest.shards`).

Throughput: the whole `newstrace analyze --no-report` with `--jobs 2` (local) and with
`--executor ray --workers 2` (a Ray cluster of 2 CPUs that the command starts), one after the
other on this machine, each in a fresh process tree. Printed: articles/s of each, their ratio
(bar: Ray at least 0.8 of local), the driver's memory (RSS of the command's own process)
sampled through the run, and whether every export is byte-identical between the two.

Fault run: the reading and the per-article unit on Ray (`RayShards`, `RayAnalyze`) feeding
`read`, `resume`, `duplicates` and `save` into a store, no corpus passes; one Ray worker is
killed with SIGKILL once a third of the articles are stored. Printed: the shards planned,
recorded and read twice, and the articles in the input and in the store (bar: every shard
done exactly once, counts equal).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import news_corpus  # noqa: E402

EXPORTS = ("articles", "sentences", "attributions", "claims", "events", "stories", "derivations", "families")


def run_measured(cmd: list[str]) -> tuple[float, list[tuple[float, int]], int, str]:
    """(wall seconds, [(seconds, driver RSS bytes)] every 2 s, peak driver RSS, stdout)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []
    private: list[int] = []  # the driver's own memory (RssAnon): RSS less mapped files and shared memory
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                with open(f"/proc/{proc.pid}/status") as fh:
                    fields = dict(line.split(":", 1) for line in fh if ":" in line)
                samples.append((time.perf_counter() - t, int(fields["VmRSS"].split()[0]) * 1024))
                private.append(int(fields["RssAnon"].split()[0]) * 1024)
            except (OSError, ValueError, KeyError):
                pass
            stop.wait(2.0)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    out, err = proc.communicate()
    stop.set()
    th.join()
    if proc.returncode not in (0, 3):
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    print(f"  driver's own memory (RssAnon; RSS counts Ray's shared object store pages it has read too): "
          f"peak {max(private, default=0) / 2**20:.0f} MB; at each tenth of the run: "
          f"{_profile([(a, p) for (a, _), p in zip(samples, private)])}", flush=True)
    return time.perf_counter() - t, samples, max((r for _, r in samples), default=0), out


def _profile(samples: list[tuple[float, int]]) -> str:
    """Driver RSS at tenths of the run."""
    if not samples:
        return "(no samples)"
    end = samples[-1][0]
    picks = []
    for k in range(1, 11):
        at = end * k / 10
        rss = min(samples, key=lambda s: abs(s[0] - at))[1]
        picks.append(f"{rss / 2**20:.0f}")
    return " ".join(picks) + " MB"


def throughput(n: int, base: Path, workers: int, only: str | None = None) -> None:
    corpus = news_corpus.write(news_corpus.build(n), base / f"corpus-{n}")[0]
    py = sys.executable
    results = {}
    for name, extra in (("local", ["--jobs", str(workers)]), ("ray", ["--executor", "ray", "--workers", str(workers)])):
        if only and name != only:
            continue
        out_dir = base / f"out-{name}-{n}"
        if out_dir.exists():  # a fresh run, not a resumed one
            import shutil

            shutil.rmtree(out_dir)
        cmd = [py, "-m", "newstrace", "analyze", str(corpus), "--out", str(out_dir), "--quiet", "--format", "json",
               "--no-report", *extra]
        wall, samples, peak, out = run_measured(cmd)
        summary = json.loads(out)
        stages = {st["stage"]: round(st["seconds"], 1) for st in summary["summary"]["stages"]}
        results[name] = n / wall
        with open(base / f"driver-rss-{name}-{n}.json", "w") as fh:
            json.dump(samples, fh)
        print(f"{name}: {n} articles in {wall:.1f} s = {n / wall:.2f} articles/s; driver RSS peak {peak / 2**20:.0f} MB; "
              f"driver RSS at each tenth of the run: {_profile(samples)}; stage seconds {stages}", flush=True)
    if only:
        return
    print(f"Ray / local throughput: {results['ray'] / results['local']:.3f} (bar 0.8)")
    same = [name for name in EXPORTS
            if filecmp.cmp(base / f"out-local-{n}" / f"{name}.jsonl", base / f"out-ray-{n}" / f"{name}.jsonl", shallow=False)]
    print(f"exports byte-identical between the executors: {len(same)} of {len(EXPORTS)} "
          f"({', '.join(sorted(set(EXPORTS) - set(same))) or 'all'} {'differ' if len(same) < len(EXPORTS) else 'same'})")


def fault(n: int, base: Path, workers: int) -> None:
    import ray

    from newstrace.ingest import ReadOptions
    from newstrace.ingest.shards import Shard, plan_shards
    from newstrace.ingest.stage import Read
    from newstrace.normalize.stages import MarkDuplicates
    from newstrace.pipeline import Pipeline, RunContext
    from newstrace.store import Store
    from newstrace.store.stages import Resume, Save
    from newstrace.unit.cluster import RayAnalyze, RayShards

    corpus = news_corpus.write(news_corpus.build(n), base / f"corpus-{n}")[0]
    plan = list(plan_shards([str(corpus)]))
    shards = [s for s in plan if isinstance(s, Shard)]
    print(f"fault run: {n} articles in {corpus.name}, {len(shards)} shards planned", flush=True)
    out = base / f"fault-{n}"
    out.mkdir(parents=True, exist_ok=True)
    store = Store(out / "newstrace.db")
    store.start_run([str(corpus)], "fault")
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, configure_logging=False)
    stage = RayAnalyze(embeddings=True, attributions=True, events=True)
    runner = RayShards(stage, ReadOptions(), workers=workers,
                       finished=lambda shard, c: store.put_shard(shard.key, shard.label, **c))
    stage.shards = runner
    done = 0
    killed: list[int] = []
    t = time.perf_counter()

    def on_done(_a) -> None:
        nonlocal done
        done += 1
        if done == n // 3 and not killed:
            pid = ray.get(runner.ray_actors[0].name.remote()).rsplit(":", 1)[1]
            os.kill(int(pid), signal.SIGKILL)
            killed.append(int(pid))
            print(f"  killed Ray worker {pid} after {done} articles ({time.perf_counter() - t:.0f} s)", flush=True)
        if done % 2000 == 0:
            print(f"  {done} articles stored ({time.perf_counter() - t:.0f} s)", flush=True)

    summary = Pipeline([Read(), Resume(store), MarkDuplicates(store), stage, Save(store)]).run(
        runner.stream(plan), RunContext(on_article_done=on_done, on_skip=store.put_skip))
    store.commit()
    secs = time.perf_counter() - t
    log = list(store.iter_shards())
    notes = summary.stages[3].notes
    print(f"  {secs:.0f} s, {n / secs:.2f} articles/s; notes: {dict(notes)}")
    keys = [r["key"] for r in log]
    print(f"shards planned {len(shards)}, recorded {len(log)}, distinct {len(set(keys))}, "
          f"read more than once {sum(r['attempts'] > 1 for r in log)}; every planned shard recorded once: "
          f"{sorted(keys) == sorted(s.key for s in shards)}")
    stored = store.count("articles")
    print(f"articles: input {n}, stored {stored}, counted in the shard log {sum(r['articles'] for r in log)}; "
          f"skipped {store.count('skipped')}; equal: {stored == n == sum(r['articles'] for r in log)}")
    store.close()
    ray.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, help="throughput: local and Ray executors on this many articles")
    ap.add_argument("--fault", type=int, help="fault run on this many articles")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", choices=("local", "ray"), help="throughput: run one executor only")
    ap.add_argument("--keep", type=Path, help="keep corpora and outputs in this folder")
    args = ap.parse_args()
    if not news_corpus.available():
        sys.exit(f"needs {news_corpus.SHARED} (the shared development data)")
    if not args.n and not args.fault:
        args.n = 1000
    tmp = tempfile.TemporaryDirectory()
    base = args.keep or Path(tmp.name)
    print(f"cores: {os.cpu_count()}; workers: {args.workers}", flush=True)
    if args.n:
        throughput(args.n, base, args.workers, args.only)
    if args.fault:
        fault(args.fault, base, args.workers)
    tmp.cleanup()


if __name__ == "__main__":
    main()
