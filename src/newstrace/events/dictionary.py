"""The event coder's verb and phrase dictionary (`data/cameo_verbs.toml`).

Patterns are a head word and the words that must stand around it (see the file's header);
nouns name events ("ceasefire", "air strikes") and the kinds of request CAMEO distinguishes;
frames are the verbs whose code comes from the event they govern ("urged Iran to show
restraint"), and `compose` says how. Users can add patterns with a file of the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from newstrace.events.actors import read_toml

FRAME_KINDS = ("appeal", "intent", "demand", "reject", "threaten", "deny", "consider", "accuse", "abstain")


@dataclass(frozen=True, slots=True)
class Pattern:
    head: str
    words: tuple[str, ...]  # further words, each of which must be found around the head
    code: str
    order: int  # position in the file: ties go to the first listed


@dataclass(slots=True)
class Dictionary:
    patterns: dict[str, list[Pattern]] = field(default_factory=dict)  # head lemma -> patterns
    nouns: dict[str, str] = field(default_factory=dict)  # noun phrase (lower) -> code or kind
    noun_words: int = 1  # the longest noun phrase, in words
    frames: dict[str, frozenset[str]] = field(default_factory=dict)  # kind -> head words
    hypothetical: frozenset[str] = frozenset()
    attempt: frozenset[str] = frozenset()
    compose: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, raw: dict[str, Any], source: str) -> None:
        order = sum(len(v) for v in self.patterns.values())
        for code, pats in raw.get("patterns", {}).items():
            if not isinstance(pats, list):
                raise ValueError(f"{source}: patterns for {code} must be a list of strings")
            for text in pats:
                words = str(text).lower().split()
                if not words:
                    continue
                p = Pattern(words[0], tuple(words[1:]), str(code), order)
                order += 1
                self.patterns.setdefault(p.head, []).append(p)
        for code, nouns in raw.get("nouns", {}).items():
            for n in nouns:
                key = " ".join(str(n).lower().split())
                self.nouns.setdefault(key, str(code))
                self.noun_words = max(self.noun_words, len(key.split()))
        frames = raw.get("frames", {})
        for kind in FRAME_KINDS:
            if kind in frames:
                self.frames[kind] = self.frames.get(kind, frozenset()) | frozenset(w.lower() for w in frames[kind])
        self.hypothetical |= frozenset(w.lower() for w in frames.get("hypothetical", ()))
        self.attempt |= frozenset(w.lower() for w in frames.get("attempt", ()))
        for kind, table in raw.get("compose", {}).items():
            self.compose.setdefault(kind, {}).update({str(k): str(v) for k, v in table.items()})

    def compose_code(self, kind: str, inner: str) -> str:
        """The code of frame `kind` over an event of code (or kind) `inner`."""
        table = self.compose.get(kind, {})
        if inner in table:
            return table[inner]
        for n in range(len(inner), 1, -1):
            if inner[:n] in table:
                return table[inner[:n]]
        return table.get("*", "")


@cache
def _packaged() -> Dictionary:
    d = Dictionary()
    d.add(read_toml(resources.files("newstrace.data").joinpath("cameo_verbs.toml"), "verb dictionary"),
          "cameo_verbs.toml")
    return d


def dictionary(extra: Path | None = None) -> Dictionary:
    """The packaged dictionary, with a user's file (same shape) added when given."""
    if extra is None:
        return _packaged()
    base = _packaged()
    d = Dictionary({k: list(v) for k, v in base.patterns.items()}, dict(base.nouns), base.noun_words,
                   dict(base.frames), base.hypothetical, base.attempt,
                   {k: dict(v) for k, v in base.compose.items()})
    d.add(read_toml(Path(extra), "verb dictionary"), str(extra))
    return d
