"""Language identification with py3langid (model shipped inside the package, no download)."""

from __future__ import annotations

from functools import cache
from typing import Any

# Text shorter than this many letters is not identified: langid guesses wildly on a
# headline-length fragment, and such text is analysed as English (the default) anyway.
MIN_LETTERS = 20
# Below this normalised probability the language is left unknown (None).
MIN_PROBABILITY = 0.5
# Only the start of a long article is read: a few sentences decide the language.
SAMPLE_CHARS = 2000
# English-lexified languages the model confuses with English news about the places they are
# spoken ("Ghana and Togo want to deepen trade ties" reads as Nigerian Pidgin): read as
# English, which is also how newstrace analyses them.
ENGLISH_LEXIFIED = frozenset({"pcm"})


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unsure."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    ranked = _identifier().rank(sample)
    lang, prob = ranked[0]
    if lang in ENGLISH_LEXIFIED:
        english = next((p for code, p in ranked[:3] if code == "en"), 0.0)
        if english > 0:
            lang, prob = "en", prob + english
    return lang if prob >= MIN_PROBABILITY else None
