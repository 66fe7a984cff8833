"""The `Provenance` stage: each saved article is checked against every earlier one; and the
`Families` pass that decides, once the stream has ended, who derives from whom.

Runs after `Stories`. Articles come in small batches so their sentences are embedded in one
call; then, one by one, the candidate indexes are queried (shared 5-grams for copies, the
document vector for rewrites), each candidate pair is judged both ways (`decide.judge`), the
judged pairs and the article's own index entry (MinHash, vectors) are written to the store,
and the article is added to the indexes. The indexes are saved in the store when the stage
closes; entries written after the last save (an interrupted run) are re-added on the next
start from the stored rows, and stored articles never checked are checked first.

Exact duplicates are recorded as copies of their original without alignment. Articles not in
English are matched as copies only (sentence embeddings are English); articles with fewer
than two sentences of substance are neither indexed nor judged, so they cannot produce a
derivation.
"""

from __future__ import annotations

import logging
import pickle
import zlib
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from newstrace.language.embed import dim, embed_sentences
from newstrace.pipeline import RunContext, Stage, StageStats, batches
from newstrace.provenance.align import MIN_WORDS, units
from newstrace.provenance.candidates import CandidateIndex, minhash, to_bytes
from newstrace.provenance.decide import Model, judge, row_of
from newstrace.provenance.family import Decisions, FamilyModel, Member, Pair, decide, default_family_model, groups
from newstrace.provenance.score import Doc, make_doc
from newstrace.provenance.signals import ArticleSignals, score_articles
from newstrace.records import Article
from newstrace.store import Store

log = logging.getLogger(__name__)

STATE = "provenance.index"
STATE_VERSION = 1
# Bumped when what a judged pair stores changes (2: both readings in full, for the family pass;
# rewriting signals per article; 3: the sentences copied verbatim). A store judged under another version is judged again.
PROVENANCE_VERSION = "3"
BATCH = 16
# Candidate documents kept in memory (an LRU): enough for a story's articles, bounded.
DOC_CACHE = 512


def substantive(doc: Doc) -> bool:
    """Two sentences or more with something of their own to say."""
    return sum(len(u.words) >= MIN_WORDS for u in doc.units) >= 2


class Provenance(Stage):
    name = "provenance"

    def __init__(self, store: Store, model: Model | None = None) -> None:
        self.store = store
        self.model = model
        self.index: CandidateIndex | None = None
        self.docs: OrderedDict[str, tuple[Doc, str | None, str | None]] = OrderedDict()

    # -- state ---------------------------------------------------------------------------
    def _load(self, stats: StageStats) -> CandidateIndex:
        index = None
        blob = self.store.load_state(STATE)
        if blob is not None:
            try:
                version, state = pickle.loads(zlib.decompress(blob))
                if version != STATE_VERSION:
                    raise ValueError(f"state version {version}")
                index = CandidateIndex.restore(state)
            except Exception as exc:  # noqa: BLE001 - an unreadable index is rebuilt from the store
                log.warning("provenance index unreadable (%s): rebuilt from the stored entries", exc)
                stats.notes["provenance index rebuilt"] += 1
        if index is None:
            index = CandidateIndex()
        added = index.add_stored(self.store.provenance_index_rows(index.max_key))
        if added and blob is not None:
            stats.notes["index entries re-added after an interrupted run"] += added
        return index

    def _save(self) -> None:
        if self.index is not None:
            blob = zlib.compress(pickle.dumps((STATE_VERSION, self.index.dump()), protocol=pickle.HIGHEST_PROTOCOL), 1)
            self.store.put_state(STATE, blob)

    def close(self) -> None:
        self._save()

    # -- the stream ----------------------------------------------------------------------
    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        self.model = self.model or Model.load()
        version = self.store.get_meta("provenance_version")
        if version != PROVENANCE_VERSION:
            if version is not None or self.store.unchecked_provenance() != self.store.all_article_ids():
                self.store.reset_provenance()
                stats.notes["stored articles judged again (provenance of an older newstrace)"] += 1
            self.store.set_meta("provenance_version", PROVENANCE_VERSION)
        self.index = self._load(stats)
        backlog = self.store.unchecked_provenance()
        if backlog:
            stats.notes["stored articles not yet checked, checked first"] += len(backlog)
            for batch in batches(self.store.load_articles(backlog), BATCH):
                for a in batch:
                    a.attributions = self.store.attributions_for(a.id)
                for _ in self._check(batch, stats):
                    pass
        for batch in batches(articles, BATCH):
            yield from self._check(batch, stats)

    def _docs(self, batch: list[Article]) -> list[Doc]:
        """Provenance documents of the batch, with the sentence vectors the stories stage
        computed (embedded here for articles that have none: duplicates, a backlog); the
        articles' rewriting signals are stored on the way."""
        english = [a.language in (None, "en") and not a.duplicate_of for a in batch]
        embed_sentences([a for a, en in zip(batch, english) if en])
        for sig in score_articles(batch, [a.language in (None, "en") for a in batch]):
            self.store.put_signals(sig.article_id, sig.to_json())
        out = []
        for a, en in zip(batch, english):
            ss = [(s.start, s.end, s.text) for s in a.sentences if s.artefact is None]
            v = a.sentence_vectors if en else np.zeros((len(ss), dim()), dtype=np.float32)  # copies only: no cosine
            out.append(make_doc(a.id, units(ss), v))
            a.sentence_vectors = a.title_vector = None  # not needed downstream; keeps memory flat
        return out

    def _candidate(self, key: int) -> tuple[Doc, str | None, str | None] | None:
        """A candidate's document, publication date and outlet."""
        article_id = self.store.provenance_article(key)
        if article_id is None:
            return None  # the article changed since it was indexed
        if article_id in self.docs:
            self.docs.move_to_end(article_id)
            return self.docs[article_id]
        vecs = self.store.sentence_vectors(article_id)
        a = self.store.load_article(article_id)
        if a is None or vecs is None:
            return None
        ss = [(s.start, s.end, s.text) for s in a.sentences if s.artefact is None]
        v = np.frombuffer(vecs, dtype=np.float16).astype(np.float32).reshape(len(ss), -1) if ss else \
            np.zeros((0, dim()), dtype=np.float32)
        item = (make_doc(article_id, units(ss), v), a.published, a.source)
        self.docs[article_id] = item
        if len(self.docs) > DOC_CACHE:
            self.docs.popitem(last=False)
        return item

    def _check(self, batch: list[Article], stats: StageStats) -> Iterator[Article]:
        if not batch:
            return
        assert self.index is not None and self.model is not None
        for a, doc in zip(batch, self._docs(batch)):
            stats.processed += 1
            if a.duplicate_of:
                self._duplicate(a)
                stats.notes["exact duplicates recorded as copies"] += 1
            elif not substantive(doc):
                self.store.put_provenance_doc(a.id, None, None, None)
                stats.notes["too short to judge"] += 1
            else:
                self._judge(a, doc, stats)
            stats.kept += 1
            yield a

    def _judge(self, a: Article, doc: Doc, stats: StageStats) -> None:
        assert self.index is not None
        english = a.language in (None, "en")
        mh = a.prepared.pop("minhash") if "minhash" in a.prepared else minhash(" ".join(u.text for u in doc.units))
        vec = doc.vector if english and len(doc.vectors) else None
        for key, found_by in self.index.query(mh, vec).items():
            cand = self._candidate(key)
            if cand is None or cand[0].id == a.id or not substantive(cand[0]):
                continue
            other, published, outlet = cand
            v = judge(doc, other, a.published, published, self.model, outlet_a=a.source, outlet_b=outlet)
            self.store.put_derivation(row_of(v, found_by))
            stats.notes["pairs judged"] += 1
            if v.is_derived:
                stats.notes["derivations found"] += 1
        sent16 = doc.vectors.astype(np.float16).tobytes() if english else None
        self.docs.pop(a.id, None)  # an article checked again (its text changed): no stale copy
        key = self.store.put_provenance_doc(a.id, to_bytes(mh) if mh else None,
                                            vec.astype(np.float16).tobytes() if vec is not None else None, sent16)
        self.index.add(key, mh, vec)
        self.store.commit_if_due()

    def _duplicate(self, a: Article) -> None:
        self.store.put_provenance_doc(a.id, None, None, None)
        original = a.duplicate_of
        assert original is not None
        stored = self.store.load_article(original)
        whole = [{"derived_start": 0, "derived_end": len(a.text), "source_start": 0,
                  "source_end": len(stored.text) if stored else len(a.text), "kind": "verbatim", "similarity": 1.0}]
        n_a = sum(1 for s in a.sentences if s.artefact is None)
        n_s = sum(1 for s in stored.sentences if s.artefact is None) if stored else n_a
        both = {"coverage_derived": 1.0, "coverage_source": 1.0, "details_kept": 1.0, "structure": 1.0, "order": 1.0}
        extra = {"probability": 1.0, "copied": 1.0, "aligned": list(range(n_a)), "verbatim_sentences": list(range(n_a)),
                 "reverse_verbatim_sentences": list(range(n_s)), "reverse_features": both,
                 "reverse_copied": 1.0, "reverse_aligned": list(range(n_s)), "reverse_passages": [
                     {**whole[0], "derived_end": whole[0]["source_end"], "source_end": whole[0]["derived_end"]}]}
        self.store.put_derivation({
            "derived_id": a.id, "source_id": original, "score": 1.0, "reverse_score": 1.0, "derived": True,
            "direction": "undetermined", "confidence": 0.5,
            "evidence": ["identical text; the article stored first is taken as the source"], "features": both,
            "coverage_derived": 1.0, "coverage_source": 1.0, "passages": whole, "found_by": "duplicate",
            "extra": extra})


# A derived article's material that no related article has is shown from this share of its text.
UNSUPPORTED_SHARE = 0.2
# "Quotes nobody" is shown when a source has at least this many quotation marks.
SOURCE_QUOTES = 2


def family_signals(article_id: str, sources: list[dict], added: list[int], spans: list[tuple[int, int]],
                   members: dict[str, Member]) -> list[dict]:
    """The rewriting signals that need the article's sources: material no related article has,
    quotations turned into reported speech."""
    if not sources:
        return []
    out: list[dict] = []
    total = sum(e - s for s, e in spans)
    share = sum(spans[i][1] - spans[i][0] for i in added if i < len(spans)) / total if total else 0.0
    if share >= UNSUPPORTED_SHARE:
        blocks: list[list[int]] = []
        for i in sorted(i for i in added if i < len(spans)):
            if blocks and blocks[-1][-1] == i - 1:
                blocks[-1].append(i)
            else:
                blocks.append([i])
        out.append({"kind": "unsupported_material",
                    "evidence": f"{share:.0%} of its text ({len(added)} sentences) is in no related article here: "
                                f"material added to what it retells"})
        out += [{"kind": "unsupported_material", "evidence": f"{len(b)} sentence(s) no related article has",
                 "start": spans[b[0]][0], "end": spans[b[-1]][1]} for b in blocks]
    mine = members[article_id].signals
    quoted = [src["id"] for src in sources if members[src["id"]].signals.quotes >= SOURCE_QUOTES]
    if mine.quotes == 0 and quoted:
        out.append({"kind": "few_quotations",
                    "evidence": f"it quotes nobody directly, while its source {quoted[0]} has "
                                f"{members[quoted[0]].signals.quotes} quotation marks"})
    return out


class Families(Stage):
    """The family pass: once the stream has ended, every related group of judged pairs is
    decided at once (`family.decide`): each article's source(s), siblings, families, and what
    each derived article adds. Decisions are rewritten whole on every run (they depend on
    every article of the group, old and new); the judged pairs they read are kept."""

    name = "families"

    def __init__(self, store: Store, model: FamilyModel | None = None) -> None:
        self.store = store
        self.model = model

    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        yield from articles
        self.decide_corpus(stats)

    def decide_corpus(self, stats: StageStats) -> None:
        model = self.model or default_family_model()
        self.store.clear_family_decisions()
        for group in groups(self.store.pair_links()):
            members, spans = {}, {}
            for article_id, seq, published, sentence_spans in self.store.provenance_members(group):
                sig = self.store.signals_for(article_id)
                if sig is None:
                    continue
                spans[article_id] = sentence_spans
                members[article_id] = Member(article_id, seq, (published or "")[:10] or None,
                                             ArticleSignals.from_json(sig), [e - s for s, e in sentence_spans])
            pairs = [Pair.from_row(r) for r in self.store.pairs_among(list(members))]
            decisions = decide(members, pairs, model)
            self._store(decisions, spans, members)
            stats.processed += len(members)
            stats.kept += len(members)
            stats.notes["derivations"] += len(decisions.edges)
            stats.notes["sibling pairs (a shared source)"] += len(decisions.siblings)
            stats.notes["families"] += len(decisions.families)
        self.store.commit()

    def _store(self, d: Decisions, spans: dict[str, list[tuple[int, int]]], members: dict[str, Member]) -> None:
        family_of = {i: f["id"] for f in d.families for i in f["article_ids"]}
        links = []
        for e in d.edges:
            links.append((e.derived, e.source, "derived", {
                "relation": e.relation, "score": e.probability, "rank": e.rank, "decided_by": e.decided_by,
                "evidence": e.evidence, "coverage_derived": round(e.coverage_derived, 4),
                "coverage_source": round(e.coverage_source, 4), "family_id": family_of.get(e.derived)}))
        for a, b, common in d.siblings:
            links.append((a, b, "sibling", {"relation": "shared_source", "common_sources": common,
                                            "family_id": family_of.get(a)}))
        sources: dict[str, list[dict]] = {}
        for e in d.edges:
            sources.setdefault(e.derived, []).append({"id": e.source, "relation": e.relation, "score": e.probability,
                                                      "coverage_derived": round(e.coverage_derived, 4),
                                                      "coverage_source": round(e.coverage_source, 4),
                                                      "order": round(e.order, 4)})
        derived_from = {e.source for e in d.edges}
        records = []
        for article_id, cands in d.candidates.items():
            role = "derived" if article_id in sources else "original" if article_id in derived_from else \
                "shares_source" if article_id in family_of else None
            records.append((article_id, {
                "family_id": family_of.get(article_id), "role": role, "sources": sources.get(article_id, []),
                "candidates": [{"id": c.source, "score": round(c.probability, 4), "derived": round(c.derived, 4),
                                **({"not_eligible": c.reason} if not c.eligible else {})} for c in cands[:5]],
                "added": [{"start": spans[article_id][i][0], "end": spans[article_id][i][1]}
                          for i in d.added.get(article_id, []) if i < len(spans[article_id])],
                "signals": family_signals(article_id, sources.get(article_id, []), d.added.get(article_id, []),
                                          spans[article_id], members)}))
        self.store.put_family_decisions(links, records, d.families)
