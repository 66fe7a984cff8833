"""CI floors for the family pass on the shared development data (../shared/data/text-reuse).

The held-out figures come from `python benchmarks/provenance_families.py`; this runs the shipped
family model on a subset small enough for CI: the sources numbered below 30 with their LLM
rewrites (siblings in the corpus), the partial rewrites built from them, and 40 ECB+ articles as
distractors, each corpus read as one stream with the product's candidate indexes. The shipped
model was fitted on data including these articles, so this guards against regressions; the
benchmark's held-out figures are the ones reported. Skips where the shared data is not beside
the repository.
"""

import json
from collections import defaultdict

import numpy as np
import pytest

from newstrace.unit.stage import Analyze
from newstrace.language.embed import embed_sentences
from newstrace.normalize.stages import FindArtefacts
from newstrace.pipeline import Pipeline, RunContext
from newstrace.provenance.align import units
from newstrace.provenance.candidates import CandidateIndex, minhash
from newstrace.provenance.decide import judge
from newstrace.provenance.family import Member, Pair, decide
from newstrace.provenance.score import make_doc
from newstrace.provenance.signals import score_articles
from newstrace.provenance.decide import row_of
from newstrace.provenance.stage import substantive
from newstrace.records import Article

from .helpers import SHARED

# Measured on this subset when the floors were set (in-sample): best-ranked source the original
# 0.967 (GPT-3.5), 1.000 (GPT-4o), 1.000 (Llama-3); partial rewrites judged derived from the right
# family 0.917 (11 of 12); sibling pairs called derived 0.000; no ECB+ article derived from a
# rewrite-data article.
RANK_FLOOR = 0.9
PARTIAL_FLOOR = 0.8
SIBLING_CEILING = 0.05
SOURCES = 30


@pytest.fixture(scope="module")
def corpora():
    reuse = SHARED / "data" / "text-reuse"
    ecb_path = SHARED / "data" / "clustering" / "ecbplus.dev.jsonl"
    if not (reuse / "compilations.dev.jsonl").exists() or not ecb_path.exists():
        pytest.skip(f"needs the project's shared data beside the clone ({SHARED}); not present here")

    def rows(path):
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def number(r):
        return int((r.get("source_id") or r["id"]).rsplit("-", 1)[1])

    rewrites = [r for r in rows(reuse / "llm-rewrites.dev.jsonl") if number(r) < SOURCES]
    compilations = [r for r in rows(reuse / "compilations.dev.jsonl")
                    if r["kind"] == "compilation" and number(r) < SOURCES]
    ecb = [{"id": f"ecb-{r['doc_id']}", "kind": "distractor", "text": r["text"]} for r in rows(ecb_path)[:40]]
    items = {r["id"]: r for r in rewrites + compilations + ecb}
    done: list[Article] = []
    Pipeline([FindArtefacts(), Analyze(jobs=2, attributions=True, events=False)]).run(
        [Article(id=i, text=r["text"]) for i, r in items.items()], RunContext(on_article_done=done.append))
    embed_sentences(done)
    arts = {a.id: a for a in done}
    sigs = {s.article_id: s for s in score_articles(done, [True] * len(done))}
    docs = {i: make_doc(i, units([(s.start, s.end, s.text) for s in a.sentences if s.artefact is None]),
                        a.sentence_vectors) for i, a in arts.items()}

    def stream(ids):
        index, keys, pairs = CandidateIndex(), {}, []
        members = {i: Member(i, k, None, sigs[i], [u.end - u.start for u in docs[i].units]) for k, i in enumerate(ids)}
        for k, i in enumerate(ids, 1):
            if not substantive(docs[i]):
                continue
            mh = minhash(" ".join(u.text for u in docs[i].units))
            for key, found_by in index.query(mh, docs[i].vector).items():
                pairs.append(Pair.from_row(json.loads(json.dumps(row_of(judge(docs[i], docs[keys[key]]), found_by)))))
            index.add(k, mh, docs[i].vector)
            keys[k] = i
        return decide(members, pairs)

    compiled = {c["source_id"] for c in compilations}
    family = [r["id"] for r in rewrites if (r.get("source_id") or r["id"]) in compiled]
    return items, stream([r["id"] for r in rewrites + ecb]), stream(
        family + [c["id"] for c in compilations] + [e["id"] for e in ecb])


def test_rewrites_rank_their_original_first_and_siblings_stay_siblings(corpora):
    items, dec, _ = corpora
    hits = defaultdict(list)
    edges = {(e.derived, e.source) for e in dec.edges}
    for i, r in items.items():
        if r["kind"] == "rewrite":
            top = dec.candidates.get(i, [])
            hits[r["model"]].append(bool(top) and top[0].source == r["source_id"])
    for model, ok in hits.items():
        print(f"{model}: best-ranked source the original {np.mean(ok):.3f}")
        assert np.mean(ok) >= RANK_FLOOR, (model, np.mean(ok))
    family = defaultdict(list)
    for i, r in items.items():
        if r["kind"] == "rewrite":
            family[r["source_id"]].append(i)
    sibling = [(a in {s for d, s in edges if d == b}) or (b in {s for d, s in edges if d == a})
               for ids in family.values() for k, a in enumerate(ids) for b in ids[k + 1:]]
    print(f"sibling pairs called derived {np.mean(sibling):.3f}")
    assert np.mean(sibling) <= SIBLING_CEILING
    assert not [e for e in dec.edges if (items[e.derived]["kind"] == "distractor") !=
                (items[e.source]["kind"] == "distractor")]


def test_partial_rewrites_are_derived_from_their_family(corpora):
    items, _, dec = corpora
    sources = defaultdict(set)
    for e in dec.edges:
        sources[e.derived].add(e.source)
    ok = [bool(sources[i] & {r["source_id"], r["base_id"]}) for i, r in items.items() if r["kind"] == "compilation"]
    assert ok
    print(f"partial rewrites judged derived from the right family {np.mean(ok):.3f} ({len(ok)})")
    assert np.mean(ok) >= PARTIAL_FLOOR
