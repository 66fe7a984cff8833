"""The pipeline runner: a plain list of stages that each take and yield articles.

A stage is small and named for what it does. `run(articles, stats)` consumes an iterator
and yields the articles it keeps; it records in `stats` what it processed, kept and dropped
(with the reason). Stages are chained lazily, so the whole run streams: memory is bounded
by what each stage holds in flight, not by the size of the input.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from newstrace.records import Article, Skipped

# How many individual skip messages a run keeps for its summary and report; counts by
# reason are kept for all of them.
MAX_SKIPS_KEPT = 2000
_FIGURES = re.compile(r"\d[\d.,]*")


@dataclass(slots=True)
class StageStats:
    name: str
    processed: int = 0
    kept: int = 0
    dropped: Counter = field(default_factory=Counter)  # reason -> count
    notes: Counter = field(default_factory=Counter)  # things seen, not drops: "non-English: 3"
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"stage": self.name, "processed": self.processed, "kept": self.kept,
                "dropped": dict(self.dropped), "notes": dict(self.notes),
                "seconds": round(self.seconds, 3)}


class Stage:
    """Base class of a pipeline stage. Subclasses set `name` and implement `run`."""

    name = "stage"

    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (worker pools, files). Called once, at the end of a run."""


@dataclass
class RunContext:
    """What every stage may need to know about the run it is part of."""

    on_skip: Callable[[Skipped], None] = lambda s: None
    on_article_done: Callable[[Article], None] = lambda a: None
    skips: list[Skipped] = field(default_factory=list)
    skip_count: int = 0

    def skip(self, stats: StageStats, item: Skipped) -> None:
        """Record a dropped input: counted by reason in `stats`, kept for the summary."""
        item.stage = stats.name
        stats.dropped[_reason_key(item.reason)] += 1
        self.skip_count += 1
        if len(self.skips) < MAX_SKIPS_KEPT:
            self.skips.append(item)
        self.on_skip(item)


def batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """Consecutive lists of `size` articles (the last may be shorter; none is empty)."""
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _reason_key(reason: str) -> str:
    """Group reasons for counting: the part before the first colon, figures blanked
    ("file is 52.4 MB, over the 20.0 MB limit" and "file is 31 MB, ..." count together)."""
    return _FIGURES.sub("N", reason.split(":", 1)[0].strip())


@dataclass
class RunSummary:
    stages: list[StageStats]
    skips: list[Skipped]
    skip_count: int
    seconds: float
    articles_out: int

    def to_json(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 3), "articles": self.articles_out,
                "skipped": self.skip_count,
                "stages": [s.to_json() for s in self.stages],
                "skips": [s.to_json() for s in self.skips]}


class _Timed:
    """Wraps a stage's iterator to charge the time spent inside it to that stage."""

    def __init__(self, it: Iterator[Article], stats: StageStats) -> None:
        self.it = it
        self.stats = stats

    def __iter__(self) -> _Timed:
        return self

    def __next__(self) -> Article:
        t = time.perf_counter()
        try:
            return next(self.it)
        finally:
            self.stats.seconds += time.perf_counter() - t


class Pipeline:
    """Runs `stages` in order over a stream of articles."""

    def __init__(self, stages: list[Stage]) -> None:
        self.stages = stages

    def run(self, source: Iterable[Article], context: RunContext | None = None) -> RunSummary:
        run = context or RunContext()
        started = time.perf_counter()
        stats = [StageStats(s.name) for s in self.stages]
        stream: Iterator[Article] = iter(source)
        for stage, st in zip(self.stages, stats):
            stream = _Timed(stage.run(stream, st, run), st)
        out = 0
        try:
            for article in stream:
                out += 1
                run.on_article_done(article)
        finally:
            for stage in self.stages:
                stage.close()
        # Time in a stage includes the time of the stages upstream of it (it pulls from
        # them); subtract so each figure is the stage's own.
        own = [s.seconds for s in stats]
        for i in range(len(stats) - 1, 0, -1):
            stats[i].seconds = max(0.0, own[i] - own[i - 1])
        return RunSummary(stats, run.skips, run.skip_count, time.perf_counter() - started, out)
