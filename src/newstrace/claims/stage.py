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
from collections import Counter
from collections.abc import Callable, Iterator

from newstrace.claims.corpus import Checker
from newstrace.pipeline import RunContext, Stage, StageStats
from newstrace.records import Article
from newstrace.store import Store

log = logging.getLogger(__name__)


class Claims(Stage):
    name = "claims"

    def __init__(self, store: Store, on_progress: Callable[[int, int], None] | None = None) -> None:
        self.store = store
        self.on_progress = on_progress or (lambda done, total: None)

    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        yield from articles
        self.check_corpus(stats)

    def check_corpus(self, stats: StageStats) -> Counter:
        """Check every article whose candidates changed; returns claims counted by status."""
        checker = Checker(self.store)
        checker.load_hashes()
        done = self.store.claim_signatures()
        todo = []
        ids = [r[0] for r in self.store.db.execute("SELECT id FROM articles WHERE language IS NULL OR language='en' "
                                                   "ORDER BY seq")]
        for article_id in ids:
            candidates = checker.candidates(article_id)
            signature = checker.signature(article_id, candidates)
            if done.get(article_id) != signature:
                todo.append((article_id, candidates, signature))
        if len(ids) > len(todo):
            stats.notes["articles already checked against the same articles"] += len(ids) - len(todo)
        statuses: Counter = Counter()
        for n, (article_id, candidates, signature) in enumerate(todo, 1):
            records = checker.check(article_id, candidates)
            self.store.put_claims(article_id, records, signature)
            stats.processed += 1
            stats.kept += 1
            for r in records:
                statuses[r["status"]] += 1
            self.on_progress(n, len(todo))
        self.store.commit()
        stats.notes["claims checked"] += sum(statuses.values())
        for status, count in sorted(statuses.items()):
            stats.notes[status] += count
        return statuses
