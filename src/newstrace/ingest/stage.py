"""The `Read` stage: turns what the readers yield into the article stream.

Readers yield `Article` or `Skipped`; this stage records every skip (one clear message
naming the file and the record), counts articles by input format, and applies `--limit`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from newstrace.pipeline import RunContext, Stage, StageStats
from newstrace.records import Article, Skipped


class Read(Stage):
    name = "read"

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.already_stored = 0

    def counting(self, seen: Callable[[str], bool]) -> Callable[[str], bool]:
        """Wrap the store's `seen` so records skipped as already stored are counted too."""

        def wrapped(key: str) -> bool:
            if seen(key):
                self.already_stored += 1
                return True
            return False

        return wrapped

    def run(self, items: Iterator[Article | Skipped], stats: StageStats, run: RunContext) -> Iterator[Article]:
        for item in items:
            stats.processed += 1
            if isinstance(item, Skipped):
                if item.problem:
                    run.skip(stats, item)
                else:  # skipped by design (a WARC's images): counted, not reported one by one
                    stats.notes[item.reason.split("(")[0].strip()] += 1
                continue
            stats.kept += 1
            stats.notes[f"format {item.input_format}"] += 1
            if item.encoding and item.encoding not in ("utf-8", "ascii"):
                stats.notes[f"decoded as {item.encoding}"] += 1
            yield item
            if self.limit is not None and stats.kept >= self.limit:
                stats.notes["stopped at --limit"] += 1
                break
        if self.already_stored:
            stats.notes["already stored, input unchanged"] += self.already_stored
