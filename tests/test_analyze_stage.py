"""The analysis stage: parallel workers give the same results as in-process, in input order."""

import numpy as np

from newstrace.unit.stage import INLINE_MAX, Analyze
from newstrace.pipeline import Pipeline, RunContext
from newstrace.records import Article


def _articles(n: int) -> list[Article]:
    return [Article(id=f"a{i}", text=f"Ferry {i} Delayed\nThe ferry from Ostra to Velmar was delayed by "
                                     f"{i + 2} hours on Friday, the operator Nordline said.")
            for i in range(n)]


def _run(jobs: int, n: int, embeddings: bool = False) -> list[Article]:
    done: list[Article] = []
    ctx = RunContext(on_article_done=done.append)
    stage = Analyze(jobs=jobs, embeddings=embeddings)
    summary = Pipeline([stage]).run(_articles(n), ctx)
    assert summary.articles_out == n
    assert stage._pool is None  # the workers are gone once the stream has ended
    return done


def test_parallel_matches_inline_and_keeps_order():
    n = INLINE_MAX + 9  # enough to start the worker pool
    parallel = _run(2, n, embeddings=True)
    inline = _run(1, n, embeddings=True)
    assert [a.id for a in parallel] == [f"a{i}" for i in range(n)]
    for p, q in zip(parallel, inline):
        assert [s.to_json() for s in p.sentences] == [s.to_json() for s in q.sentences]
        # the unit's vectors: same in a worker as in this process, one row per sentence
        assert p.sentence_vectors.shape == (len(p.sentences), 384)
        assert np.array_equal(p.sentence_vectors, q.sentence_vectors)
        assert np.array_equal(p.embedding, q.embedding)
        assert abs(float(np.linalg.norm(p.embedding)) - 1) < 1e-5
    # the lead vector (no headline given here) is the mean of the first sentences' vectors
    lead = parallel[0].sentence_vectors.mean(axis=0)
    assert np.allclose(parallel[0].embedding, lead / np.linalg.norm(lead), atol=1e-6)
    first = parallel[0]
    assert len(first.sentences) == 2  # the headline line is its own sentence
    labels = {e.label for s in first.sentences for e in s.entities}
    assert "GPE" in labels or "ORG" in labels
    assert any(n.value == 2 for s in first.sentences for n in s.numbers)


def test_non_english_article_kept_with_sentences_but_no_entities():
    text = ("Le navire s'est échoué lundi près du port. Les autorités ont annoncé que quarante tonnes "
            "de fioul se sont échappées. Les pêcheurs sont inquiets.")
    done: list[Article] = []
    Pipeline([Analyze(jobs=1)]).run([Article(id="fr", text=text)],
                                                  RunContext(on_article_done=done.append))
    (a,) = done
    assert a.language == "fr"
    assert len(a.sentences) == 3
    assert all(not s.entities for s in a.sentences)


def test_exact_duplicates_are_not_embedded():
    a, b = _articles(2)
    b.duplicate_of = "x"
    done: list[Article] = []
    Pipeline([Analyze(jobs=1, embeddings=True)]).run([a, b], RunContext(on_article_done=done.append))
    assert done[0].sentence_vectors is not None and done[0].embedding is not None
    assert done[1].sentence_vectors is None and done[1].embedding is None


def test_text_that_normalises_to_nothing_is_skipped_by_name():
    """The unit normalises; an article whose text is only invisible characters is skipped with
    the reason, and the articles around it are analysed."""
    good = _articles(2)
    blank = Article(id="blank", text="\u200b\u200b", input_path="feed.jsonl", input_ref="line 2")
    done: list[Article] = []
    skips = []
    ctx = RunContext(on_article_done=done.append, on_skip=skips.append)
    Pipeline([Analyze(jobs=1)]).run([good[0], blank, good[1]], ctx)
    assert [a.id for a in done] == ["a0", "a1"]
    assert len(skips) == 1 and skips[0].path == "feed.jsonl" and "no text left after normalisation" in skips[0].reason


def _refuse(analysed):
    raise RuntimeError("this preparer always fails")


def test_the_unit_prepares_what_the_corpus_passes_ask_for():
    """Preparers handed in by name run in the workers as in this process, give what the passes
    would compute themselves, and one that fails costs only its own result."""
    from newstrace.claims.source import load_source, source_version
    from newstrace.provenance.candidates import minhash, prepared_minhash, to_bytes
    from newstrace.claims.source import prepared_source

    prepare = {"minhash": prepared_minhash, "claims": prepared_source}
    n = INLINE_MAX + 3
    runs = {}
    for jobs in (2, 1):
        done: list[Article] = []
        Pipeline([Analyze(jobs=jobs, embeddings=True, attributions=True, prepare=prepare)]).run(
            _articles(n), RunContext(on_article_done=done.append))
        runs[jobs] = done
    for p, q in zip(runs[2], runs[1]):
        assert set(p.prepared) == {"minhash", "claims"}
        body = " ".join(s.text for s in p.sentences if s.artefact is None)
        assert to_bytes(p.prepared["minhash"]) == to_bytes(q.prepared["minhash"]) == to_bytes(minhash(body))
        version, blob = p.prepared["claims"]
        assert version == source_version() and blob == q.prepared["claims"][1]
        src = load_source(blob)
        assert src.id == p.id and src.claims and len(src.text.sentences) == len(p.sentences)
        assert src.claims[0].text in p.text
    done = []
    Pipeline([Analyze(jobs=1, embeddings=True, prepare={"broken": _refuse, "minhash": prepared_minhash})]).run(
        _articles(1), RunContext(on_article_done=done.append))
    assert list(done[0].prepared) == ["minhash"] and done[0].sentences


def test_workers_replaced_mid_stream_give_the_same_results(monkeypatch):
    """A worker retired after its quota of batches (`WORKER_BATCHES`, to keep memory flat) is
    replaced without losing or reordering anything."""
    import sys

    import pytest

    from newstrace.unit import stage as unit_stage

    if sys.version_info < (3, 11):
        pytest.skip("workers are replaced only on Python 3.11 and later")
    monkeypatch.setattr(unit_stage, "WORKER_BATCHES", 1)
    n = INLINE_MAX + 40  # five batches: every worker is replaced at least once
    replaced = _run(2, n)
    inline = _run(1, n)
    assert [a.id for a in replaced] == [f"a{i}" for i in range(n)]
    assert [[s.to_json() for s in a.sentences] for a in replaced] == [[s.to_json() for s in a.sentences] for a in inline]


def test_english_news_about_west_africa_is_english():
    # py3langid calls these Nigerian Pidgin; newstrace reads English-lexified languages as English
    from newstrace.language.langid import detect_language
    assert detect_language("Ghana and Togo want to deepen trade ties, a Ghanaian official said.") == "en"
    assert detect_language("Nigeria received medical supplies from China.") == "en"
    assert detect_language("Le gouvernement a annoncé hier une nouvelle loi sur les retraites.") == "fr"
