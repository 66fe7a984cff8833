"""Passage alignment and pair features, on the invented example corpus and edge cases."""

import numpy as np
import pytest

from newstrace.ingest import ReadOptions, read_paths
from newstrace.unit.stage import Analyze
from newstrace.language.embed import embed
from newstrace.normalize.stages import FindArtefacts
from newstrace.pipeline import Pipeline, RunContext
from newstrace.provenance.align import align, units
from newstrace.provenance.score import FEATURES, make_doc, pair_features
from newstrace.records import Article

from .helpers import ROOT


def _docs(articles):
    done = []
    Pipeline([FindArtefacts(), Analyze(jobs=1)]).run(articles, RunContext(on_article_done=done.append))
    out = {}
    for a in done:
        sents = [(s.start, s.end, s.text) for s in a.sentences if s.artefact is None]
        out[a.id] = (a, make_doc(a.id, units(sents), embed([t for _, _, t in sents])))
    return out


@pytest.fixture(scope="module")
def corpus():
    arts = [a for a in read_paths([str(ROOT / "examples" / "corpus")], ReadOptions()) if isinstance(a, Article)]
    return _docs(arts)


def _find(corpus, prefix):
    return next(v for k, v in corpus.items() if k.startswith(prefix))


def test_verbatim_reprint_aligns_as_copies(corpus):
    (src_a, src), (rep_a, rep) = _find(corpus, "harbour-gazette"), _find(corpus, "mdd-2026")
    x, al = pair_features(rep, src)
    kinds = {s.kind for s in al.seeds}
    assert kinds <= {"verbatim", "near-verbatim"} and "verbatim" in kinds
    assert x[FEATURES.index("coverage_derived")] > 0.8
    for p in al.passages:  # spans point into each article's own text
        assert rep_a.text[p.derived_start:p.derived_end].strip()
        assert src_a.text[p.source_start:p.source_end].strip()
        assert p.derived_start < p.derived_end and p.source_start < p.source_end


def test_llm_style_rewrite_aligns_as_paraphrase_in_order(corpus):
    (_, src), (_, rw) = _find(corpus, "harbour-gazette"), _find(corpus, "tpd-88213")
    x, al = pair_features(rw, src)
    assert any(s.kind == "paraphrase" for s in al.seeds)
    assert x[FEATURES.index("order")] > 0.8
    assert x[FEATURES.index("coverage_derived")] > 0.4
    # the added claims are sentences left unaligned
    assert not all(al.derived_aligned)


def test_unrelated_article_has_no_passages(corpus):
    _, src = _find(corpus, "harbour-gazette")
    unrelated = [d for k, (a, d) in corpus.items() if "library" in (a.title or "").lower()]
    assert unrelated
    x, al = pair_features(unrelated[0], src)
    assert al.passages == [] and x[FEATURES.index("coverage_derived")] == 0.0


def test_empty_and_one_sentence_articles():
    docs = _docs([Article(id="one", text="Ships sail."),
                  Article(id="real", text="A tanker ran aground off Tarrow Point on Monday. "
                                          "Crews pumped out 300 tonnes of fuel by Wednesday.")])
    real = docs["real"][1]
    empty = make_doc("empty", [], np.zeros((0, 384), np.float32))
    for doc in (empty, docs["one"][1]):
        x, al = pair_features(doc, real)
        assert al.seeds == [] and al.passages == []
        assert all(np.isfinite(x))
    # identical articles: everything aligned verbatim, in order
    x, al = pair_features(real, real)
    assert x[FEATURES.index("coverage_derived")] == pytest.approx(1.0)
    assert {s.kind for s in al.seeds} == {"verbatim"}


def test_align_without_sentences_is_empty():
    al = align([], [], np.zeros((0, 384), np.float32), np.zeros((0, 384), np.float32))
    assert al.seeds == [] and al.passages == [] and al.derived_aligned == []
