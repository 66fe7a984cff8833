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
