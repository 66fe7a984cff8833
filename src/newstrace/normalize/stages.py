"""Pipeline stages of normalisation in the main process: `FindArtefacts`, `MarkDuplicates` (the
analysis view of the text is made by the per-article unit, `newstrace.unit`)."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator

from newstrace.normalize.artefacts import find_artefacts, line_key
from newstrace.pipeline import RunContext, Stage, StageStats
from newstrace.records import Artefact, Article
from newstrace.store import Store

# Duplicate keys of this run's most recent articles kept in memory; older ones are found
# in the store (they have been written by then), so memory stays bounded on any input.
RECENT_KEYS = 50_000


class FindArtefacts(Stage):
    name = "artefacts"

    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        for a in articles:
            stats.processed += 1
            a.artefacts = find_artefacts(a) + [x for x in a.artefacts if x.kind == "duplicate_article"]
            for x in a.artefacts:
                stats.notes[x.kind] += 1
            stats.kept += 1
            yield a


def duplicate_key(a: Article) -> str:
    """Two articles are exact duplicates when their texts match as a reader sees them:
    same words in the same order, whatever the case, punctuation and spacing."""
    return hashlib.sha1(line_key(a.text).encode("utf-8", "surrogatepass")).hexdigest()


class MarkDuplicates(Stage):
    """Flags an article whose text repeats an earlier one; it is kept and analysed."""

    name = "duplicates"

    def __init__(self, store: Store) -> None:
        self.store = store
        self._recent: OrderedDict[str, str] = OrderedDict()

    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        for a in articles:
            stats.processed += 1
            key = duplicate_key(a)
            a.dup_key = key
            first = self._recent.get(key) or self.store.find_duplicate(key, a.id)
            if first is not None and first != a.id:
                a.duplicate_of = first
                a.artefacts.append(Artefact("duplicate_article", 0, len(a.text), first))
                stats.notes["exact duplicate of an earlier article"] += 1
            else:
                self._recent[key] = a.id
                if len(self._recent) > RECENT_KEYS:
                    self._recent.popitem(last=False)
            stats.kept += 1
            yield a
