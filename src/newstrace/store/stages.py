"""Stages that talk to the store: `Resume` before analysis, `Save` at the end."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator

from newstrace.pipeline import RunContext, Stage, StageStats
from newstrace.records import Article, Skipped
from newstrace.store import Store

# Input formats whose ids are made by newstrace (from file names), not given by the user:
# a clash between two inputs is settled by a suffix instead of a skip.
GENERATED_ID_FORMATS = {"txt", "html", "feed", "warc"}
# Ids claimed in this run but perhaps not yet saved (in flight through later stages) are
# remembered in memory; older ones are in the store by then. A few thousand would do; the
# margin costs little and keeps memory bounded on any input.
RECENT_IDS = 50_000


class Resume(Stage):
    """Settles article ids against the store and drops articles already analysed unchanged.

    An id already held by another input: generated ids get a short suffix from the input's
    key; ids given by the user (JSONL) are skipped with the reason, since two records claim
    one id. Same id, same content hash: the stored analysis stands, the article is not
    analysed again.
    """

    name = "resume"

    def __init__(self, store: Store, reanalyse: bool = False) -> None:
        self.store = store
        self.reanalyse = reanalyse  # the stored analysis is of another kind (version, options): redo it
        self._claimed: OrderedDict[str, str] = OrderedDict()  # id -> input_key, this run

    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        for a in articles:
            stats.processed += 1
            owner = self._claimed.get(a.id) or (self.store.owner_of(a.id) or (None, None))[0]
            if owner is not None and owner != a.input_key:
                if a.input_format in GENERATED_ID_FORMATS:
                    a.id = f"{a.id}-{hashlib.sha1(a.input_key.encode()).hexdigest()[:6]}"
                    stats.notes["id made unique"] += 1
                else:
                    run.skip(stats, Skipped(a.input_path or "-", f"duplicate id {a.id!r}: already used by {owner}",
                                            a.input_ref))
                    continue
            self._claimed[a.id] = a.input_key
            if len(self._claimed) > RECENT_IDS:
                self._claimed.popitem(last=False)
            stored = self.store.owner_of(a.id)
            if stored is not None and stored == (a.input_key, a.content_hash):
                if not self.reanalyse:
                    stats.notes["unchanged since an earlier run"] += 1
                    continue
                stats.notes["analysed again: stored under an older analysis or other options"] += 1
            stats.kept += 1
            yield a


class Save(Stage):
    """Writes each analysed article to the store (committed in small batches)."""

    name = "save"

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        for a in articles:
            stats.processed += 1
            if a.input_path and a.input_path != "<stdin>":
                self.store.record_input(a.input_path)
            self.store.put_article(a, dup_key=a.dup_key)
            a.prepared.pop("claims", None)  # stored; the claims pass reads it from the store
            stats.kept += 1
            yield a

    def close(self) -> None:
        self.store.commit()
