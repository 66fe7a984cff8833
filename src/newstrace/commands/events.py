"""Coding a text outside a run: `newstrace events TEXT|FILE` and the benchmarks."""

from __future__ import annotations

from typing import Any

from newstrace.records import Article


def code_articles(articles: list[Article], actors: str | None = None) -> list[Article]:
    """Normalise, analyse and code `articles` in this process (events filled in, in place)."""
    from newstrace.unit.stage import Analyze
    from newstrace.normalize.stages import FindArtefacts
    from newstrace.pipeline import Pipeline, RunContext

    Pipeline([FindArtefacts(), Analyze(jobs=1, attributions=True, events=True, actors=actors)]).run(
        articles, RunContext())
    return articles


def code_text(text: str, published: str | None = None, actors: str | None = None,
              article_id: str = "text") -> list[dict[str, Any]]:
    """The events of one text (a sentence or an article)."""
    a = Article(id=article_id, text=text, published=published)
    code_articles([a], actors)
    return a.events
