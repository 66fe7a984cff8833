"""The records that flow through the pipeline and are written out.

One `Article` travels through every stage. Readers create it, artefact detection and the
per-article unit (`newstrace.unit`: normalisation, language analysis, attributions, events,
vectors) fill in their fields, and the store writes it. Every span (`start`, `end`) is a character offset into
`Article.text` exactly as written to `articles.jsonl`.

The exported shape of each record is documented in `docs/schema.md`; `to_json()` methods
produce exactly that shape.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.7"

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def safe_path(text: str) -> str:
    """A file name as text that can be stored and exported: bytes that were not UTF-8 (kept by
    Python as lone surrogates) become backslash escapes (b"\\xff" -> "\\xff")."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") \
            .encode("utf-8", "backslashreplace").decode("utf-8")


def printable(text: str) -> str:
    """`text` for a one-line message: control characters (line breaks included) escaped, so a
    file name cannot forge another line; bytes that were not UTF-8 escaped too."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), safe_path(text))


@dataclass(slots=True)
class Span:
    start: int
    end: int


@dataclass(slots=True)
class Artefact:
    """Something in the text that is not the story itself: a repeated headline, a wire credit."""

    kind: str
    start: int
    end: int
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "start": self.start, "end": self.end}
        if self.detail is not None:
            out["detail"] = self.detail
        return out


@dataclass(slots=True)
class Entity:
    start: int
    end: int
    text: str
    label: str
    value: str | None = None  # resolved ISO date for DATE entities, when resolvable

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text, "label": self.label}
        if self.value is not None:
            out["value"] = self.value
        return out


@dataclass(slots=True)
class Number:
    start: int
    end: int
    text: str
    value: float
    unit: str | None = None  # "percent", a currency code ("USD"), or None
    kind: str = "cardinal"  # cardinal, ordinal, money, percent, date

    def to_json(self) -> dict[str, Any]:
        value: int | float = int(self.value) if float(self.value).is_integer() else self.value
        return {"start": self.start, "end": self.end, "text": self.text, "value": value,
                "unit": self.unit, "kind": self.kind}


@dataclass(slots=True)
class Sentence:
    id: str
    article_id: str
    start: int
    end: int
    text: str
    entities: list[Entity] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)
    artefact: str | None = None  # kind of artefact the sentence lies in, if any

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "entities": [e.to_json() for e in self.entities],
            "numbers": [n.to_json() for n in self.numbers],
            "artefact": self.artefact,
        }


@dataclass(slots=True)
class Article:
    """One article. `text` is never rewritten after a reader creates it."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, as found
    crawled: str | None = None  # when a crawler fetched it (WARC-Date), if known
    author: str | None = None
    language: str | None = None
    # where it came from: file path, and the line / record within it
    input_path: str | None = None
    input_ref: str | None = None
    input_format: str | None = None
    encoding: str | None = None
    title_span: Span | None = None  # where the title stands inside `text`, if it does
    artefacts: list[Artefact] = field(default_factory=list)
    duplicate_of: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    # attributions.jsonl records (newstrace.attribution.records), when attributions are analysed
    attributions: list[dict[str, Any]] = field(default_factory=list)
    # events.jsonl records (newstrace.events.records), when events are coded
    events: list[dict[str, Any]] = field(default_factory=list)
    dup_key: str | None = None  # hash of the text as read by people, for exact duplicates
    # In flight only, never exported: vectors the unit made (`newstrace.unit`), read by the
    # corpus passes of the same stream and dropped by the last that reads them: the lead vector
    # (numpy float32, unit length; stories, which stores it), the title's vector and one row per
    # non-artefact sentence in order (stories and provenance, which stores them for claims).
    embedding: Any = None
    title_vector: Any = None
    sentence_vectors: Any = None
    # In flight only: what the unit made for the corpus passes, by name (`unit.Prepare`):
    # "minhash" (provenance's index key; read by provenance), "claims" ((version, bytes): the
    # article as the claims pass reads it; stored by `save`).
    prepared: dict[str, Any] = field(default_factory=dict)
    # In flight only: the unit's result (`unit.Analysis`) when a Ray worker read and analysed the
    # article before the stream reached `analyze` (`unit.cluster`), which applies it.
    analysis: Any = None
    _hash: str | None = None

    @property
    def input_key(self) -> str:
        """Identifies the input record this article came from, for resuming."""
        return f"{self.input_path or '-'}#{self.input_ref or ''}"

    @property
    def content_hash(self) -> str:
        """Hash of what analysis depends on: a rerun with the same hash skips the article."""
        if self._hash is None:
            h = hashlib.sha1()
            for part in (self.title or "", self.text, self.published or ""):
                h.update(part.encode("utf-8", "surrogatepass"))
                h.update(b"\x00")
            self._hash = h.hexdigest()
        return self._hash

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            "crawled": self.crawled,
            "author": self.author,
            "language": self.language,
            "artefacts": [a.to_json() for a in self.artefacts],
            "title_span": None if self.title_span is None else
            {"start": self.title_span.start, "end": self.title_span.end},
            "duplicate_of": self.duplicate_of,
            "input": {"path": self.input_path, "ref": self.input_ref, "format": self.input_format,
                      "encoding": self.encoding},
            "content_hash": self.content_hash,
        }


@dataclass(slots=True)
class Skipped:
    """An input, or part of one, that did not become an article, and why."""

    path: str
    reason: str
    where: str | None = None  # "line 12", "record 3 (offset 5120)", ...
    stage: str = "read"
    # False for inputs skipped by design rather than by fault (a WARC's request records,
    # an image in a crawl): counted in the summary, not printed one by one.
    problem: bool = True

    def message(self) -> str:
        """One line naming the input and the reason (control characters escaped)."""
        loc = printable(self.path) + (f" ({printable(self.where)})" if self.where else "")
        return f"{loc}: {printable(self.reason)}"

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "where": self.where, "reason": self.reason, "stage": self.stage,
                "problem": self.problem}
