"""Story clustering at scale: 100,000 synthetic articles clustered as one stream.

    python benchmarks/stories_scale.py [--n 100000] [--report-every 10000]

The articles are generated, not read: events of Zipf-distributed size (most are one
article, a few are large) over a year, several events per topic (so look-alikes abound),
each article a bag of ~150 words drawn from a Zipfian background vocabulary plus its
topic's and event's words, ~15 entity mentions (its event's people and places, plus common
countries), a date a few days after its event, and a 384-d lead vector near its event's
direction. This measures the clusterer itself (features in, stories out), which is what
grows with the stream; the cost of language analysis and embeddings per article is measured
by benchmarks/throughput.py. Prints, every `--report-every` articles: throughput of the
last block, resident memory, live stories, index size; and at the end BCubed against the
generated events (a sanity check, not a quality figure).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newstrace.stories.cluster import StoryClusterer, StoryFeatures  # noqa: E402

DIM = 384


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM), in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    return _status_mb("VmRSS")


def peak_mb() -> float:
    return _status_mb("VmHWM")


class Generator:
    def __init__(self, n: int, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.vocab = [f"w{i}" for i in range(30_000)]
        ranks = np.arange(1, len(self.vocab) + 1)
        self.vocab_p = (1 / ranks) / (1 / ranks).sum()
        self.countries = [f"country{i}" for i in range(150)]
        self.n = n
        self.topics = max(50, n // 60)
        self.topic_words = [[f"t{t}_{j}" for j in range(25)] for t in range(self.topics)]
        self.topic_dirs = self.np.standard_normal((self.topics, DIM)).astype(np.float32)

    def events(self) -> list[tuple[int, int, float]]:
        """(topic, size, day) per event until n articles are covered."""
        out, total = [], 0
        while total < self.n:
            size = min(int(self.np.zipf(1.9)), 300)
            out.append((self.rng.randrange(self.topics), size, self.rng.uniform(0, 365)))
            total += size
        return out

    def stream(self):
        arts = []
        for e, (topic, size, day) in enumerate(self.events()):
            words = [f"e{e}_{j}" for j in range(12)]
            ents = [f"person{e}_{j}" for j in range(3)] + [f"place{e}_{j}" for j in range(2)]
            direction = self.topic_dirs[topic] + 0.8 * self.np.standard_normal(DIM).astype(np.float32)
            for k in range(size):
                arts.append((day + self.rng.expovariate(1 / 1.5), e, topic, words, ents, direction))
        arts.sort(key=lambda a: a[0])
        arts = arts[: self.n]
        background = self.np.choice(len(self.vocab), size=(len(arts), 110), p=self.vocab_p)
        for i, (day, e, topic, words, ents, direction) in enumerate(arts):
            w = Counter(self.vocab[j] for j in background[i])
            w.update(self.rng.choices(self.topic_words[topic], k=25))
            w.update(self.rng.choices(words, k=15))
            ent = Counter(self.rng.choices(ents, k=10))
            ent.update(self.rng.choices(self.countries, k=5))
            v = direction + 0.9 * self.np.standard_normal(DIM).astype(np.float32)
            v /= np.linalg.norm(v)
            dates = frozenset({f"2026-{1 + int(day) // 31:02d}"})
            yield StoryFeatures(f"a{i}", w, ent, 20454.0 + day, vector=v, dates=dates), e


def bcubed(pred: list[str], gold: list[int]) -> tuple[float, float, float]:
    pc, gc, both = Counter(pred), Counter(gold), Counter(zip(pred, gold))
    p = sum(both[(a, b)] / pc[a] for a, b in zip(pred, gold)) / len(pred)
    r = sum(both[(a, b)] / gc[b] for a, b in zip(pred, gold)) / len(pred)
    return p, r, 2 * p * r / (p + r)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--report-every", type=int, default=10_000)
    args = ap.parse_args()
    gen = Generator(args.n)
    base = rss_mb()
    c = StoryClusterer()
    pred, gold = [], []
    t0 = t_block = time.perf_counter()
    gen_time = 0.0
    print(f"{'articles':>9} {'art/s (block)':>13} {'RSS MB':>8} {'live stories':>12} {'index keys':>10} {'retired':>8}")
    stream = gen.stream()
    retired = 0
    for i in range(1, args.n + 1):
        g0 = time.perf_counter()
        f, e = next(stream)
        gen_time += time.perf_counter() - g0
        pred.append(c.add(f).story_id)
        gold.append(e)
        retired += len(c.retired)
        c.retired.clear()  # the stage hands them to the store
        if i % args.report_every == 0:
            now = time.perf_counter()
            rate = args.report_every / max(now - t_block - gen_time, 1e-9)
            print(f"{i:>9,} {rate:>13.0f} {rss_mb():>8.0f} {len(c.active):>12,} {len(c.index):>10,} {retired:>8,}",
                  flush=True)
            t_block, gen_time = now, 0.0
    total = time.perf_counter() - t0
    p, r, f1 = bcubed(pred, gold)
    print(f"{args.n:,} articles in {total:.0f} s (generation included) = {args.n / total:.0f} art/s; "
          f"peak RSS {peak_mb():.0f} MB (process at start {base:.0f} MB); "
          f"{len(set(pred)):,} stories for {len(set(gold)):,} generated events; "
          f"BCubed P {p:.3f} R {r:.3f} F1 {f1:.3f} (sanity check)")


if __name__ == "__main__":
    main()
