"""Soak: 5,000 articles into one store in runs killed with SIGKILL, against one clean run.

    python benchmarks/soak.py                  # 5,000 articles, five killed runs, then one to the end
    python benchmarks/soak.py --n 500 --seed 7 --work /tmp/soak-small

The corpus is `--n` distinct articles built from ../shared/data by benchmarks/news_corpus.py
(ECB+ news, the LLM-rewrite and compilation sets, so there are derivations and families, and
the FNC-1 and ARC news bodies; never copied into the repository), in 50 JSONL files under `--work`.

1. A clean run: `newstrace analyze CORPUS --out WORK/clean`, its progress lines timed (the CLI
   prints one per phase when stderr is not a terminal).
2. The soak: the same command into WORK/soak, killed with SIGKILL (the main process alone, as
   the out-of-memory killer does) five times: twice at a random time during the stream, once at
   a random point of the claims pass, of the export, and of the report (the delay drawn from
   that phase's length in the clean run); then run once more to the end. After each kill the
   script checks that no worker process outlives the main one.
3. Every export (the JSONL files and the GDELT table) of the soak compared byte for byte with
   the clean run's (the GDELT table without its DATEADDED column, the time of the export); report.html compared without the parts that describe the last run rather
   than the corpus (its header, overview, skip and stage tables, time and output folder). Prints one line per run and one per file, and exits 1 when a file differs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import news_corpus  # noqa: E402

FILES = 50
NL = b"\n"


class Run:
    """One `newstrace analyze` process: its progress lines, timed, and an optional kill."""

    def __init__(self, corpus: Path, out: Path, log: Path) -> None:
        cmd = [sys.executable, "-m", "newstrace", "analyze", str(corpus), "--out", str(out), "--format", "json"]
        self.log = open(log, "a", encoding="utf-8")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
        self.phases: list[tuple[float, str]] = []  # (seconds since start, phase)
        self.killed_in: str | None = None
        self.stdout = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._out = threading.Thread(target=lambda: setattr(self, "stdout", self.proc.stdout.read()), daemon=True)
        self._out.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.log.write(line)
            self.log.flush()
            if line.startswith("progress: "):
                phase = line[len("progress: "):].strip()
                phase = "analysing" if phase.startswith("articles analysed") else re.sub(r" \d+/\d+ articles$", "", phase)
                if not self.phases or self.phases[-1][1] != phase:
                    self.phases.append((time.monotonic() - self.started, phase))

    def phase(self) -> str:
        return self.phases[-1][1] if self.phases else "starting"

    def wait_for(self, phase: str, delay: float) -> bool:
        """Kill `delay` s after `phase` starts; False when the run ended before that."""
        while self.proc.poll() is None:
            seen = next((t for t, p in self.phases if p == phase), None)
            if seen is not None and time.monotonic() - self.started >= seen + delay:
                return self.kill()
            time.sleep(0.05)
        return False

    def kill_after(self, seconds: float) -> bool:
        while self.proc.poll() is None:
            if time.monotonic() - self.started >= seconds:
                return self.kill()
            time.sleep(0.05)
        return False

    def kill(self) -> bool:
        self.killed_in = self.phase()
        try:
            os.kill(self.proc.pid, signal.SIGKILL)  # the main process alone
        except ProcessLookupError:
            return False
        return True

    def finish(self) -> tuple[int, float]:
        code = self.proc.wait()
        self._reader.join(5)
        self._out.join(5)
        self.log.close()
        return code, time.monotonic() - self.started

    def survivors(self, wait: float = 15.0) -> int:
        """Processes of the run's session still alive `wait` s after the main one died (then killed)."""
        deadline = time.monotonic() + wait
        while True:
            alive = [pid for pid in _session(self.proc.pid)]
            if not alive or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return len(alive)


def _session(sid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":  # session id; zombies are already dead
            pids.append(int(entry))
    return pids


def _stored(out: Path) -> dict[str, int]:
    db = out / "newstrace.db"
    if not db.exists():
        return {}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "stories", "claims", "derivations")}
    except sqlite3.Error:
        return {}
    finally:
        con.close()


def _masked_report(path: Path, out: Path) -> bytes:
    """report.html without what describes the last run rather than the corpus: the run header,
    the overview, artefact, skip and stage tables (counts of that run), the title and footer
    (the time), and the output folder's name."""
    text = path.read_text(encoding="utf-8")
    for pattern in (r'<section class="block" id="(overview|artefacts|skipped|stages)">.*?</section>',
                    r'<header class="runhead">.*?</header>', r"<title>.*?</title>", r"<footer.*?</footer>"):
        text = re.sub(pattern, "", text, flags=re.S)
    return text.replace(str(out), "OUT").encode()


def _without_dateadded(data: bytes) -> bytes:
    rows = []
    for line in data.split(NL):
        fields = line.split(b"\t")
        if len(fields) > 2:
            fields[-2] = b"<added>"
        rows.append(b"\t".join(fields))
    return NL.join(rows)


def compare(clean: Path, soak: Path) -> list[str]:
    """Names of the exports that differ; prints one line per file."""
    differ = []
    names = sorted({p.name for p in clean.iterdir() if p.suffix in (".jsonl", ".tsv")}
                   | {p.name for p in soak.iterdir() if p.suffix in (".jsonl", ".tsv")})
    for name in names:
        a, b = clean / name, soak / name
        if not a.exists() or not b.exists():
            print(f"  {name}: only in {'soak' if b.exists() else 'clean'}")
            differ.append(name)
            continue
        da, db = a.read_bytes(), b.read_bytes()
        note = ""
        if name.endswith(".tsv"):  # GDELT's DATEADDED is the time of the export, by definition
            da, db = _without_dateadded(da), _without_dateadded(db)
            note = ", DATEADDED masked"
        lines = da.count(b"\n")
        if da == db:
            print(f"  {name}: identical ({lines} lines, {len(da):,} bytes{note})")
            continue
        differ.append(name)
        la, lb = da.split(b"\n"), db.split(b"\n")
        first = next((i for i, (x, y) in enumerate(zip(la, lb)) if x != y), min(len(la), len(lb)))
        print(f"  {name}: DIFFERS ({lines} vs {db.count(NL)} lines; first difference at line {first + 1})")
        print(f"    clean: {la[first][:200] if first < len(la) else b'<end>'}")
        print(f"    soak:  {lb[first][:200] if first < len(lb) else b'<end>'}")
    if (clean / "report.html").exists() and (soak / "report.html").exists():
        same = _masked_report(clean / "report.html", clean) == _masked_report(soak / "report.html", soak)
        print(f"  report.html (the last run's own header, overview, skip and stage tables masked): "
              f"{'identical' if same else 'DIFFERS'}")
        if not same:
            differ.append("report.html")
    return differ


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=5000, help="articles")
    ap.add_argument("--seed", type=int, default=16, help="seed of the corpus order and the kill points")
    ap.add_argument("--work", type=Path, default=Path("/tmp/newstrace-soak"), help="working folder (emptied)")
    ap.add_argument("--keep-clean", action="store_true", help="reuse WORK/clean when it is there")
    args = ap.parse_args()
    if not news_corpus.available():
        raise SystemExit(f"needs the development data at {news_corpus.SHARED}")
    corpus, clean, soak = args.work / "corpus", args.work / "clean", args.work / "soak"
    if soak.exists():
        shutil.rmtree(soak)
    if not (args.keep_clean and (clean / "articles.jsonl").exists()):
        for folder in (corpus, clean):
            if folder.exists():
                shutil.rmtree(folder)
    args.work.mkdir(parents=True, exist_ok=True)
    if not corpus.exists():
        articles = news_corpus.build(args.n, args.seed)
        news_corpus.write(articles, corpus, files=FILES)
        n = len(articles)
        print(f"corpus: {n} articles in {FILES} JSONL files under {corpus}", flush=True)

    timings_file = args.work / "clean-phases.json"
    if (clean / "articles.jsonl").exists() and timings_file.exists():
        phases, total = json.loads(timings_file.read_text())
        print(f"clean run: reused ({total:.0f} s)", flush=True)
    else:
        run = Run(corpus, clean, args.work / "clean.log")
        code, total = run.finish()
        phases = run.phases
        timings_file.write_text(json.dumps([phases, total]))
        print(f"clean run: exit {code} in {total:.0f} s; stored {_stored(clean)}", flush=True)
        if code not in (0, 3):
            raise SystemExit("the clean run failed: see " + str(args.work / "clean.log"))

    def length(phase: str) -> tuple[float, float]:
        """(start, length) of a phase of the clean run."""
        for i, (t, p) in enumerate(phases):
            if p == phase:
                end = phases[i + 1][0] if i + 1 < len(phases) else total
                return t, end - t
        return 0.0, 0.0

    rng = random.Random(args.seed)
    a_start, a_len = length("analysing")
    stream_end = length("checking claims")[0] or length("writing exports")[0]
    plan = [("time", rng.uniform(a_start + 10, a_start + 0.4 * (stream_end - a_start))),
            ("time", rng.uniform(a_start + 10, a_start + 0.6 * (stream_end - a_start))),
            ("checking claims", rng.uniform(0, 0.8 * length("checking claims")[1])),
            ("writing exports", rng.uniform(0, 0.8 * length("writing exports")[1])),
            ("writing report", rng.uniform(0, 0.8 * length("writing report")[1]))]
    print(f"kill plan (seed {args.seed}): " + "; ".join(
        f"{p} {d:.1f} s" if p != "time" else f"at {d:.1f} s" for p, d in plan), flush=True)
    orphans = 0
    soak_seconds = 0.0
    for k, (phase, delay) in enumerate(plan, 1):
        run = Run(corpus, soak, args.work / "soak.log")
        fired = run.kill_after(delay) if phase == "time" else run.wait_for(phase, delay)
        code, seconds = run.finish()
        soak_seconds += seconds
        left = run.survivors() if fired else 0
        orphans += left
        what = f"killed during '{run.killed_in}' after {seconds:.1f} s" if fired else f"ended (exit {code}) before the kill"
        print(f"soak run {k}: {what}; stored {_stored(soak)}; workers left alive: {left}", flush=True)
    run = Run(corpus, soak, args.work / "soak.log")
    code, seconds = run.finish()
    soak_seconds += seconds
    print(f"soak run {len(plan) + 1}: exit {code} in {seconds:.0f} s (all soak runs: {soak_seconds:.0f} s); "
          f"stored {_stored(soak)}", flush=True)
    summary = json.loads(run.stdout) if run.stdout.strip().startswith("{") else {}
    if summary:
        history = len(summary.get("summary", {}).get("stages", []))
        print(f"  final run: status {summary.get('status')}, {history} stages", flush=True)
    print("exports, soak against clean:")
    differ = compare(clean, soak)
    print(f"result: {'identical' if not differ else 'DIFFERENT: ' + ', '.join(differ)}; "
          f"worker processes that outlived a killed main process: {orphans}")
    if differ or orphans or code not in (0, 3):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
