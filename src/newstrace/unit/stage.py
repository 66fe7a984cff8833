"""The `Analyze` stage: the per-article unit (`newstrace.unit`) over the stream, in worker processes.

Articles are sent in batches to worker processes (each loads spaCy once) with a bounded
number of batches in flight, and come back in input order, so the stage streams. A short
input (fewer than `INLINE_MAX` articles) is analysed in this process: starting workers
costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from newstrace.language.nlp import load_nlp, load_parser
from newstrace.language.embed import backend as embed_backend, sentence_model
from newstrace.unit import EMBED_THREADS, Analysis, Payload, Prepare, analyze_batch
from newstrace.pipeline import RunContext, Stage, StageStats, batches
from newstrace.records import Article, Skipped
from newstrace.workers import die_with_parent

# Articles per batch sent to a worker: large enough that pickling and scheduling cost
# little, small enough that both workers stay busy on short inputs.
BATCH_SIZE = 16
# Batches in flight per worker: 2 keeps a worker fed while the parent stores results.
IN_FLIGHT_PER_WORKER = 2
# Inputs this short are analysed in-process (worker start-up is about 2 s).
INLINE_MAX = 2 * BATCH_SIZE
# Batches a worker analyses before a fresh one takes its place (Python 3.11 and later): a
# worker's memory creeps up as it runs (one process measured 414 MB after 16 articles and 467 MB
# after 976, while spaCy's string store grew by only 7,000 strings; 500 to 530 MB after 5,000 in
# a 10,000-article run), and a fresh worker costs about 3 s, once per 2,400 articles.
WORKER_BATCHES = 150


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def load_models(parse: bool, parser: bool = False, embeddings: bool = False) -> None:
    """Load, once in a worker (a local process or a Ray actor), the models the unit will use."""
    load_nlp(parse)
    if parser:
        load_parser()
    if embeddings:
        embed_backend(EMBED_THREADS)


def _init_worker(parent: int, parse: bool, attributions: bool = False, embeddings: bool = False) -> None:
    die_with_parent(parent)
    load_models(parse, attributions, embeddings)


def _payload(article: Article) -> Payload:
    return Payload(article.id, article.text, article.published,
                   [(a.kind, a.start, a.end) for a in article.artefacts], article.source, article.title,
                   bool(article.duplicate_of))


class Analyze(Stage):
    name = "analyze"

    def __init__(self, jobs: int | None = None, batch_size: int = BATCH_SIZE, parse: bool = False,
                 attributions: bool = False, events: bool = False, actors: str | None = None,
                 embeddings: bool = False, prepare: dict[str, Prepare] | None = None) -> None:
        self.jobs = jobs or default_jobs()
        self.embeddings = embeddings  # sentence and lead vectors (read by stories, provenance, claims)
        self.parse = parse
        self.attributions = attributions
        self.events = events  # code events from the same parse (newstrace.events)
        self.actors = actors  # a user's actor dictionary (path), for the event coder
        self.prepare = prepare or {}  # what the corpus passes ask the unit to make, by name (unit.Prepare)
        self.batch_size = batch_size
        self._pool: ProcessPoolExecutor | None = None

    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        head: list[Article] = []
        for article in articles:
            head.append(article)
            if len(head) > INLINE_MAX:
                break
        if self.jobs <= 1 or len(head) <= INLINE_MAX:
            yield from self._inline(_chain(head, articles), stats, run)
        else:
            yield from self._parallel(_chain(head, articles), stats, run)

    def _apply(self, batch: list[Article], results: list[Analysis], stats: StageStats,
               run: RunContext) -> Iterator[Article]:
        for article, res in zip(batch, results):
            stats.processed += 1
            if res.error:
                run.skip(stats, Skipped(article.input_path or article.id, res.error, article.input_ref))
                continue
            if res.normalised:
                stats.notes["text normalised"] += 1
            article.language = article.language or res.language
            if not res.english:
                stats.notes[f"not English ({res.language}): sentences only"] += 1
            article.sentences = res.sentences
            if res.attributions is not None:
                article.attributions = res.attributions
                stats.notes["attributions"] += len(res.attributions)
            if res.events is not None:
                article.events = res.events
                stats.notes["events"] += len(res.events)
            if res.prepared:
                article.prepared = res.prepared
            if res.sentence_vectors is not None:
                article.title_vector, article.sentence_vectors = res.title_vector, res.sentence_vectors
                article.embedding = res.lead_vector
            stats.kept += 1
            yield article

    def _inline(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        for batch in batches(articles, self.batch_size):
            yield from self._apply(batch, self._analyze([_payload(a) for a in batch]),
                                   stats, run)

    def _parallel(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        ctx = multiprocessing.get_context("spawn")
        self._pool = self._new_pool(ctx)
        pending: deque[tuple[list[Article], Future[list[Analysis]]]] = deque()
        limit = self.jobs * IN_FLIGHT_PER_WORKER
        todo = batches(articles, self.batch_size)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < limit:
                batch = next(todo, None)
                if batch is None:
                    exhausted = True
                    break
                pending.append((batch, self._submit(batch)))
            if not pending:
                break
            batch, fut = pending.popleft()
            try:
                results = fut.result()
            except BrokenProcessPool:
                # A worker died (out of memory, a crash in native code): redo this batch
                # in-process, one article at a time, so only the culprit is lost.
                self._restart_pool(ctx)
                results = []
                for a in batch:
                    try:
                        results += self._analyze([_payload(a)])
                    except Exception as exc:  # noqa: BLE001
                        results.append(Analysis(a.id, None, [], f"language analysis failed: {exc}"))
                pending = deque((b, self._submit(b)) for b, _ in pending)
            yield from self._apply(batch, results, stats, run)
        self.close()  # the workers' memory is given back before the corpus passes run

    def _submit(self, batch: list[Article]) -> Future[list[Analysis]]:
        assert self._pool is not None
        return self._pool.submit(analyze_batch, [_payload(a) for a in batch], self.parse, self.attributions,
                                 self.events, self.actors, self.embeddings, self.prepare)

    def _analyze(self, payloads: list[Payload]) -> list[Analysis]:
        return analyze_batch(payloads, self.parse, self.attributions, self.events, self.actors, self.embeddings,
                             self.prepare)

    def _init_args(self) -> tuple[int, bool, bool, bool]:
        # the static model is numpy only, loaded on first use; MiniLM's session is loaded up front
        return (os.getpid(), self.parse, self.attributions or self.events,
                self.embeddings and sentence_model() == "minilm")

    def _restart_pool(self, ctx) -> None:  # type: ignore[no-untyped-def]
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool(ctx)

    def _new_pool(self, ctx) -> ProcessPoolExecutor:  # type: ignore[no-untyped-def]
        fresh = {"max_tasks_per_child": WORKER_BATCHES} if sys.version_info >= (3, 11) else {}
        return ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker,
                                   initargs=self._init_args(), **fresh)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _chain(head: list[Article], rest: Iterator[Article]) -> Iterator[Article]:
    yield from head
    yield from rest
