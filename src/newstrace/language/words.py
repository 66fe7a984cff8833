"""Word lists shared by the stages that compare texts."""

from __future__ import annotations

from functools import cache


@cache
def stop_words() -> frozenset[str]:
    """spaCy's English stop words (lower case)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)
