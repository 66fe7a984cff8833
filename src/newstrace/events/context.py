"""What the event coder knows of an article beyond the sentence it codes (shared by its parts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newstrace.events.actors import Actor


@dataclass(slots=True)
class Context:
    """What the coder knows of the article beyond the sentence."""
    date: str | None = None  # the article's date (ISO)
    dates: list[tuple[int, int, str]] = field(default_factory=list)  # DATE entities with values
    entities: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, label)
    attributions: list[Any] = field(default_factory=list)  # newstrace.attribution.resolve.Resolved
    recent: list[Actor] = field(default_factory=list)  # actors acting in earlier sentences
    people: dict[str, Actor] = field(default_factory=dict)  # names resolved earlier in the article
    # sentence vectors (start, end, vector) on the Doc's characters, and the model that made them
    vectors: list[tuple[int, int, Any]] = field(default_factory=list)
    vector_model: str | None = None

    def vector_at(self, start: int, end: int) -> Any:
        """The vector of the sentence that holds most of [start, end), or None."""
        best, size = None, 0
        for s, e, v in self.vectors:
            got = min(e, end) - max(s, start)
            if got > size:
                best, size = v, got
        return best
