"""The `Stories` stage: each saved article joins a story, as the stream flows.

Runs after `Save`. Articles come with their lead vectors made by the per-article unit (the mean
of the headline's and the first sentences' embeddings); those that have none (loaded from the
store) are embedded here in small batches. They are then placed one by one by the
`StoryClusterer`; each membership is written to the
store as it is decided. The clusterer's state (live stories, document frequencies) is saved
in the store every `SAVE_EVERY` placements and when the stage closes, with the memberships it
covers marked in the same transaction, so a later run picks up exactly where this one stopped and extends the same
stories. Articles stored by a run that died before saving the state are placed again first.
"""

from __future__ import annotations

import logging
import pickle
import zlib
from collections.abc import Iterator

import numpy as np

from newstrace.language.embed import embed_sentences
from newstrace.pipeline import RunContext, Stage, StageStats, batches
from newstrace.records import Article
from newstrace.stories.cluster import StoryClusterer, StoryModel, article_features, lead_vector
from newstrace.store import Store

log = logging.getLogger(__name__)

STATE = "stories.clusterer"
STATE_VERSION = 1
# Articles embedded per call: batching keeps the model busy; small enough to stream.
BATCH = 32
# The clusterer's state is saved after this many placements too (and when the stage closes), so
# a run killed outright replays at most this many placements when resumed.
SAVE_EVERY = 2000


class Stories(Stage):
    name = "stories"

    def __init__(self, store: Store, model: StoryModel | None = None, embeddings: bool = True) -> None:
        self.store = store
        self.model = model
        self.embeddings = embeddings
        self.clusterer: StoryClusterer | None = None
        self._placed = 0  # placements since the state was last saved

    # -- state ---------------------------------------------------------------------------
    def _load(self, stats: StageStats) -> StoryClusterer:
        model = self.model or StoryModel.load()
        blob = self.store.load_state(STATE)
        if blob is not None:
            try:
                version, clusterer = pickle.loads(zlib.decompress(blob))
                if version != STATE_VERSION:
                    raise ValueError(f"state version {version}")
                clusterer.model = model
                return clusterer
            except Exception as exc:  # noqa: BLE001 - an unreadable state is rebuilt, not fatal
                log.warning("story state unreadable (%s): stories are rebuilt from the stored articles", exc)
                stats.notes["story state rebuilt"] += 1
                self.store.reset_stories()
        return StoryClusterer(model)

    def _save(self) -> None:
        c = self.clusterer
        if c is None:
            return
        self._placed = 0
        self.store.retire_stories([s.id for s in c.retired])
        c.retired.clear()
        model, c.model = c.model, None  # the model ships with the code, not the state
        try:
            blob = zlib.compress(pickle.dumps((STATE_VERSION, c), protocol=pickle.HIGHEST_PROTOCOL), 1)
        finally:
            c.model = model
        self.store.save_state(STATE, blob)

    # -- the stream ----------------------------------------------------------------------
    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        self.clusterer = self._load(stats)
        backlog = self.store.unclustered()
        if backlog:
            stats.notes["stored articles not yet in a story, placed first"] += len(backlog)
            for batch in batches(self.store.load_articles(backlog), BATCH):
                for _ in self._place(batch, stats):
                    pass
        for batch in batches(articles, BATCH):
            yield from self._place(batch, stats)

    def _vectors(self, batch: list[Article]) -> None:
        """Lead vectors of the articles to place: the unit's, else a stored one (an article placed
        again after an interrupted run), else made here from sentences embedded here (an article
        loaded from the store, or analysed without embeddings); a changed article has no stored
        vector (`put_article` drops it with the old text). Provenance reads the same sentence vectors."""
        if not self.embeddings:
            return
        todo, new = [], []
        for a in batch:
            if a.embedding is not None:  # made by the unit
                new.append(a)
                continue
            stored = self.store.get_vector(a.id)
            if stored is not None:
                a.embedding = np.frombuffer(stored, dtype=np.float32)
            else:
                todo.append(a)
        embed_sentences(todo)
        for a in todo:
            a.embedding = lead_vector(a)
        for a in new + todo:
            if a.embedding is not None:
                self.store.put_vector(a.id, a.embedding.tobytes())

    def _place(self, batch: list[Article], stats: StageStats) -> Iterator[Article]:
        if not batch:
            return
        assert self.clusterer is not None
        c = self.clusterer
        # An exact duplicate reports what its original reports: it joins the original's story
        # and adds nothing to the story's centroids (nor needs an embedding).
        originals = {a.id: self.store.story_of(a.duplicate_of) for a in batch if a.duplicate_of}
        self._vectors([a for a in batch if originals.get(a.id) is None])
        for a in batch:
            stats.processed += 1
            original = originals.get(a.id)
            if original is not None:
                self.store.put_membership(a.id, original, 1.0, c.arrivals, False)
                stats.notes["exact duplicates joined their original's story"] += 1
            else:
                placed = c.add(article_features(a))
                self.store.put_membership(a.id, placed.story_id, round(placed.probability, 4),
                                          c.arrivals, placed.new)
                stats.notes["new stories" if placed.new else "joined a story"] += 1
            if c.retired:
                self.store.retire_stories([s.id for s in c.retired])
                c.retired.clear()
            self._placed += 1
            if self._placed >= SAVE_EVERY:
                self._save()
            stats.kept += 1
            a.embedding = None  # not needed downstream; keeps memory flat
            yield a

    def close(self) -> None:
        self._save()
