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
