"""The `Claims` stage: every article's claims checked against the rest of the corpus.

Runs last, after `Provenance`. Whether a claim is supported depends on every article of the
corpus, including those read after it, so the stage passes the stream through untouched and
does its work when the stream ends: for each English article in the store it lists the
candidates (`corpus.Checker.candidates`), and checks the article again only when that list
or a text in it changed since the last check (the signature stored beside its claims). An
interrupted pass keeps every article it finished; the next run does the rest.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from newstrace.claims.corpus import Checker
from newstrace.pipeline import RunContext, Stage, StageStats
from newstrace.records import Article
from newstrace.store import Store
from newstrace.workers import die_with_parent

log = logging.getLogger(__name__)

# Articles per task sent to a worker, and the fewest articles worth starting workers for
# (starting one costs about 2 s: spaCy's word lists and the embedding model load).
CHUNK = 16
PARALLEL_FROM = 64

_checker: Checker | None = None


def _init_worker(parent: int, path: str) -> None:
    global _checker
    die_with_parent(parent)
    _checker = Checker(Store.reader(path))


def _check_chunk(tasks: list[tuple[str, list[str]]]) -> list[list[dict[str, Any]]]:
    assert _checker is not None
    return [_checker.check(article_id, candidates) for article_id, candidates in tasks]


class Claims(Stage):
    name = "claims"

    def __init__(self, store: Store, on_progress: Callable[[int, int], None] | None = None,
                 jobs: int | None = None) -> None:
        self.store = store
        self.on_progress = on_progress or (lambda done, total: None)
        self.jobs = jobs or len(os.sched_getaffinity(0))

    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        yield from articles
        self.check_corpus(stats)

    def check_corpus(self, stats: StageStats) -> Counter:
        """Check every article whose candidates changed; returns claims counted by status."""
        checker = Checker(self.store)
        checker.load_hashes()
        done = self.store.claim_signatures()
        todo = []
        ids = self.store.english_article_ids()
        for article_id in ids:
            candidates = checker.candidates(article_id)
            signature = checker.signature(article_id, candidates)
            if done.get(article_id) != signature:
                todo.append((article_id, candidates, signature))
        if len(ids) > len(todo):
            stats.notes["articles already checked against the same articles"] += len(ids) - len(todo)
        statuses: Counter = Counter()
        for n, (article_id, signature, records) in enumerate(self._checked(checker, todo), 1):
            self.store.put_claims(article_id, records, signature)
            stats.processed += 1
            stats.kept += 1
            for r in records:
                statuses[r["status"]] += 1
            self.on_progress(n, len(todo))
        self.store.commit()
        stats.notes["claims checked"] += sum(statuses.values())
        if self.jobs > 1 and len(todo) >= PARALLEL_FROM:
            stats.notes[f"worker processes: {self.jobs}"] += 1
        for status, count in sorted(statuses.items()):
            stats.notes[status] += count
        return statuses

    def _checked(self, checker: Checker, todo: list[tuple[str, list[str], str]]
                 ) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
        """(article, signature, claim records) for each article to check, in order: in this
        process for a few articles, else in `jobs` worker processes reading the store (each
        keeps its own cache of candidate articles; articles of one story go to one worker)."""
        if self.jobs <= 1 or len(todo) < PARALLEL_FROM:
            for article_id, candidates, signature in todo:
                yield article_id, signature, checker.check(article_id, candidates)
            return
        done: set[str] = set()
        try:
            for item in self._in_workers(todo):
                done.add(item[0])
                yield item
        except BrokenProcessPool as exc:  # a worker died (out of memory, killed): go on here
            log.warning("claim-checking workers stopped (%s); checking the rest in this process", exc)
            for article_id, candidates, signature in todo:
                if article_id not in done:
                    yield article_id, signature, checker.check(article_id, candidates)

    def _in_workers(self, todo: list[tuple[str, list[str], str]]) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
        self.store.commit()  # the workers read only what is committed
        story = {a: self.store.story_of(a) or a for a, _, _ in todo}
        ordered = sorted(todo, key=lambda t: story[t[0]])  # stable: story by story, in stored order
        chunks = [ordered[i:i + CHUNK] for i in range(0, len(ordered), CHUNK)]
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker,
                                 initargs=(os.getpid(), str(self.store.path))) as pool:
            pending: list[tuple[list[tuple[str, list[str], str]], Future]] = []
            it = iter(chunks)
            for chunk in it:  # at most 2 chunks per worker in flight
                pending.append((chunk, pool.submit(_check_chunk, [(a, c) for a, c, _ in chunk])))
                if len(pending) >= 2 * self.jobs:
                    break
            while pending:
                chunk, future = pending.pop(0)
                for (article_id, _, signature), records in zip(chunk, future.result()):
                    yield article_id, signature, records
                nxt = next(it, None)
                if nxt is not None:
                    pending.append((nxt, pool.submit(_check_chunk, [(a, c) for a, c, _ in nxt])))
