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
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from newstrace.claims.corpus import Checker
from newstrace.claims.source import Source, dump_source, source_version
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


def _build_chunk(ids: list[str]) -> list[bytes | None]:
    assert _checker is not None
    return [_dump(_checker.build(article_id)) for article_id in ids]


def _dump(src: Source | None) -> bytes | None:
    return dump_source(src) if src is not None else None


class Claims(Stage):
    name = "claims"

    def __init__(self, store: Store, on_progress: Callable[[str, int, int], None] | None = None,
                 jobs: int | None = None, executor: str = "local") -> None:
        self.store = store
        self.on_progress = on_progress or (lambda phase, done, total: None)
        self.jobs = jobs or len(os.sched_getaffinity(0))
        self.executor = executor  # "ray": the checks run as Ray tasks (`claims.cluster`)

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
        with self._workers(len(todo), checker) as pool:
            if isinstance(pool, ProcessPoolExecutor):
                stats.notes[f"worker processes: {self.jobs}"] += 1
            elif pool is not None:
                stats.notes[f"checked in Ray tasks ({self.jobs} CPUs)"] += 1
            if todo:  # Sources missing are built by local workers, which read the store
                self._prepare(checker, pool if isinstance(pool, ProcessPoolExecutor) else None, stats)
            for n, (article_id, signature, records) in enumerate(self._checked(checker, pool, todo), 1):
                self.store.put_claims(article_id, records, signature)
                stats.processed += 1
                stats.kept += 1
                for r in records:
                    statuses[r["status"]] += 1
                self.on_progress("checking claims", n, len(todo))
        self.store.commit()
        stats.notes["claims checked"] += sum(statuses.values())
        for status, count in sorted(statuses.items()):
            stats.notes[status] += count
        return statuses

    @contextmanager
    def _workers(self, n: int, checker: Checker) -> Iterator[Any]:
        """`jobs` worker processes reading the store (or, on Ray, a `RayChecks` sending the checks
        to the cluster) when `n` articles are worth them, else None."""
        if self.executor == "ray" and n >= PARALLEL_FROM:
            from newstrace.claims.cluster import RayChecks

            ray_pool = RayChecks(checker)
            self.jobs = ray_pool.cpus()
            yield ray_pool
            return
        if self.jobs <= 1 or n < PARALLEL_FROM:
            yield None
            return
        self.store.commit()  # the workers read only what is committed
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker,
                                 initargs=(os.getpid(), str(self.store.path))) as pool:
            yield pool
        # a pool broken by a dead worker is shut down by the `with`; the passes went on here

    def _prepare(self, checker: Checker, pool: ProcessPoolExecutor | None, stats: StageStats) -> None:
        """Store the Source of every English article that has none under the current version
        (the unit makes them as it analyses; articles it did not embed, such as exact duplicates,
        and stores analysed by another version of this code are built here)."""
        version = source_version()
        ids = self.store.ids_without_claim_source(version)
        if not ids:
            return
        stats.notes["articles prepared for checking in this pass"] += len(ids)
        local = (lambda chunk: [_dump(checker.build(a)) for a in chunk])
        for n, (article_id, blob) in enumerate(self._map(pool, _build_chunk, local, ids), 1):
            if blob is not None:
                self.store.put_claim_source(article_id, version, blob)
            self.on_progress("preparing claims", n, len(ids))
        self.store.commit()

    def _checked(self, checker: Checker, pool: Any,
                 todo: list[tuple[str, list[str], str]]) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
        """(article, signature, claim records) for each article to check: in this process, or in
        the workers (each keeps its own cache of candidate articles; the articles of one story go
        to one worker, story by story)."""
        signatures = {a: sig for a, _, sig in todo}
        if pool is not None:
            story = {a: self.store.story_of(a) or a for a, _, _ in todo}
            todo = sorted(todo, key=lambda t: story[t[0]])  # stable: story by story, in stored order
        local = (lambda chunk: [checker.check(a, c) for a, c in chunk])
        for (article_id, _), records in self._map(pool, _check_chunk, local, [(a, c) for a, c, _ in todo]):
            yield article_id, signatures[article_id], records

    def _map(self, pool: Any, remote: Callable[[list[Any]], list[Any]],
             local: Callable[[list[Any]], list[Any]], items: list[Any]) -> Iterator[tuple[Any, Any]]:
        """(item, result) for each item, in order: chunks of `CHUNK` in the pool (at most two per
        worker in flight), else here. If a worker dies (out of memory, killed), the rest is done
        here."""
        chunks = [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]
        if pool is None:
            for chunk in chunks:
                yield from zip(chunk, local(chunk))
            return
        pending: deque[tuple[list[str], Future]] = deque()
        it = iter(chunks)
        k = 0
        try:
            for chunk in it:
                pending.append((chunk, pool.submit(remote, chunk)))
                if len(pending) >= 2 * self.jobs:
                    break
            while pending:
                chunk, future = pending[0]
                results = future.result()
                pending.popleft()
                yield from zip(chunk, results)
                k += 1
                nxt = next(it, None)
                if nxt is not None:
                    pending.append((nxt, pool.submit(remote, nxt)))
        except BrokenProcessPool as exc:
            log.warning("claims workers stopped (%s); doing the rest in this process", exc)
            for chunk in chunks[k:]:
                yield from zip(chunk, local(chunk))

