"""One article as the claims pass reads it (`Source`): its claims and their vectors, its
sentences' vectors, words as BM25 indexes them, alignment units, and what its denials deny.

Building a Source costs about 8 ms, and every article is a candidate of some twenty others: at
10,000 articles rebuilding them was half of the claims pass. So the per-article unit builds each
once (`prepared_source`, handed to it by the runner) and the store keeps it (`claim_sources`) in
the form of `dump_source`: zlib over a JSON header and the raw float32 arrays. No pickle, so
reading a store someone else wrote never runs code. A Source is stored with the version of the
code that built it (`source_version`); the claims pass rebuilds the ones of another version.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

import numpy as np

from newstrace.claims.extract import Claim, extract_claims
from newstrace.claims.support import NAME_LABELS, Text, index_words, tokens
from newstrace.digest import code_digest
from newstrace.language.embed import dim, sentence_model
from newstrace.provenance.align import Unit, units


@dataclass(slots=True)
class Source:
    """One stored article, ready to be claimed from and to serve as evidence."""

    id: str
    outlet: str | None
    published: str | None
    text: Text
    claims: list[Claim]
    claim_vectors: np.ndarray
    low: str = ""
    name_set: set[str] = field(default_factory=set)
    # sentence index -> (the denial claim, who denied) for sentences a denial in this article refers to
    denied: dict[int, tuple[Claim, str]] = field(default_factory=dict)
    # denials that say what they deny: (claim, who denied, vector of what is denied)
    denials: list[tuple[Claim, str, np.ndarray]] = field(default_factory=list)
    indexed: list[list[str]] = field(default_factory=list)  # each sentence's words as BM25 indexes them
    units: list[Unit] = field(default_factory=list)  # its sentences as provenance aligns them


_CLAIM_FIELDS = tuple(f.name for f in fields(Claim))


def build_source(article_id: str, text: str, outlet: str | None, published: str | None,
                 sentences: list[dict[str, Any]], attributions: list[dict[str, Any]],
                 vectors: bytes | np.ndarray | None = None, threads: int | None = None) -> Source:
    """A Source from an article's text, its sentences (sentences.jsonl shape, with entities and
    numbers), its attributions and, when known, its non-artefact sentences' vectors (float16
    bytes as provenance stores them, or an array); missing vectors are embedded here (with
    `threads` threads, as are claim pieces and what denials deny)."""
    body = [s for s in sentences if not s["artefact"]]
    vecs = _vectors(body, vectors, threads)
    names = [e["text"].lower() for s in body for e in s["entities"] if e["label"] in NAME_LABELS]
    numbers = [float(n["value"]) for s in body for n in s["numbers"]]
    t = Text(text, [(s["start"], s["end"]) for s in body], names, numbers, tokens(" ".join(s["text"] for s in body)),
             vectors=vecs, sentence_words=[tokens(s["text"]) for s in body])
    claims = extract_claims(article_id, text, sentences, attributions)
    src = Source(article_id, outlet, published, t, claims, _claim_vectors(claims, body, vecs, threads),
                 low=text.lower(), name_set=set(names), indexed=[index_words(ws) for ws in t.sentence_words],
                 units=units([(s["start"], s["end"], s["text"]) for s in body]))
    _denied(src)
    contents = [(c, c.denial_content) for c in src.claims if c.denial_content]
    if contents:
        from newstrace.language.embed import embed

        for (c, _), v in zip(contents, embed([text for _, text in contents], threads=threads)):
            src.denials.append((c, who_denied(c), v))
    return src


# -- a Source kept in the store ----------------------------------------------------------------
SOURCE_FORMAT = "claim-source-1"
# The code a stored Source depends on (the checking logic in `corpus` is not part of it).
_SOURCE_CODE = ("newstrace.claims.source", "newstrace.claims.extract", "newstrace.claims.support",
                "newstrace.provenance.align")


@cache
def source_version() -> str:
    """What a stored Source depends on: its format, the code that builds it and the sentence
    model (comments and docstrings aside: `digest.code_digest`). A Source stored under another
    version is built again by the claims pass."""
    import importlib.util

    sources = []
    for name in _SOURCE_CODE:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            with open(spec.origin, encoding="utf-8") as f:
                sources.append(f.read())
    h = hashlib.sha1(f"{SOURCE_FORMAT}|{sentence_model()}|{code_digest(sources)}".encode())
    return h.hexdigest()[:16]


def dump_source(src: Source) -> bytes:
    t = src.text
    denials = [(src.claims.index(c), who) for c, who, _ in src.denials]
    arrays = [np.ascontiguousarray(a, dtype=np.float32) for a in
              (t.vectors, src.claim_vectors,
               np.stack([v for _, _, v in src.denials]) if src.denials else np.zeros((0, dim()), np.float32))]
    head = {"id": src.id, "outlet": src.outlet, "published": src.published, "text": t.text,
            "sentences": t.sentences, "names": t.names, "numbers": t.numbers, "words": t.words,
            "sentence_words": t.sentence_words, "indexed": src.indexed,
            "claims": [[getattr(c, f) for f in _CLAIM_FIELDS] for c in src.claims],
            "denials": denials,
            "units": [[u.start, u.end, u.text, sorted(u.words), sorted(u.details), sorted(u.quotes)]
                      for u in src.units],
            "shapes": [list(a.shape) for a in arrays]}
    raw = json.dumps(head, ensure_ascii=False).encode("utf-8")
    return zlib.compress(len(raw).to_bytes(4, "little") + raw + b"".join(a.tobytes() for a in arrays), 1)


def load_source(blob: bytes) -> Source:
    data = bytearray(zlib.decompress(blob))  # writable arrays, as built ones are
    n = int.from_bytes(data[:4], "little")
    head = json.loads(data[4:4 + n].decode("utf-8"))
    arrays, pos = [], 4 + n
    for shape in head["shapes"]:
        size = int(np.prod(shape)) * 4
        arrays.append(np.frombuffer(data, dtype=np.float32, count=size // 4, offset=pos).reshape(shape))
        pos += size
    vectors, claim_vectors, denial_vectors = arrays
    t = Text(head["text"], [tuple(x) for x in head["sentences"]], head["names"], head["numbers"], head["words"],
             vectors=vectors, sentence_words=head["sentence_words"])
    claims = [Claim(*row) for row in head["claims"]]
    src = Source(head["id"], head["outlet"], head["published"], t, claims, claim_vectors, low=t.text.lower(),
                 name_set=set(head["names"]), indexed=head["indexed"],
                 units=[Unit(s, e, x, frozenset(w), frozenset(d), frozenset(q)) for s, e, x, w, d, q in head["units"]])
    _denied(src)
    src.denials = [(claims[i], who, v) for (i, who), v in zip(head["denials"], denial_vectors)]
    return src


def prepared_source(a: Any) -> tuple[str, bytes] | None:
    """(version, stored Source) of an article the unit analysed (a `unit.Analysed`), built from
    what the store would give back: its sentences and attributions as their JSONL records and
    its sentence vectors as provenance stores them (float16). None for an article the claims
    pass does not read (not English) or whose sentences were not embedded."""
    if not a.english or a.sentence_vectors is None:
        return None
    sentences = json.loads(json.dumps([s.to_json() for s in a.sentences], ensure_ascii=False))
    attributions = json.loads(json.dumps(a.attributions, ensure_ascii=False))
    stored = np.asarray(a.sentence_vectors, dtype=np.float16).astype(np.float32)
    return source_version(), dump_source(build_source(a.article_id, a.text, a.outlet, a.published, sentences,
                                                      attributions, stored, a.threads))


def _vectors(body: list[dict[str, Any]], given: bytes | np.ndarray | None, threads: int | None) -> np.ndarray:
    if isinstance(given, np.ndarray) and given.shape == (len(body), dim()):
        return given.astype(np.float32)
    if isinstance(given, bytes):
        v = np.frombuffer(given, dtype=np.float16).astype(np.float32)
        if len(body) and v.size == len(body) * dim():
            return v.reshape(len(body), dim())
    from newstrace.language.embed import embed

    return embed([s["text"] for s in body], threads=threads) if body else np.zeros((0, dim()), dtype=np.float32)


def _claim_vectors(claims: list[Claim], body: list[dict[str, Any]], vecs: np.ndarray,
                   threads: int | None) -> np.ndarray:
    """A claim that is a whole sentence takes its sentence's vector; pieces are embedded."""
    row = {(s["start"], s["end"]): i for i, s in enumerate(body)}
    out = np.zeros((len(claims), dim()), dtype=np.float32)
    todo = []
    for i, c in enumerate(claims):
        j = row.get((c.start, c.end))
        if j is not None and j < len(vecs):
            out[i] = vecs[j]
        else:
            todo.append(i)
    if todo:
        from newstrace.language.embed import embed

        out[todo] = embed([claims[i].text for i in todo], threads=threads)
    return out


def who_denied(c: Claim) -> str:
    """Who a denial claim says denied it."""
    return (c.attribution or {}).get("source") or "a source"


def _denied(src: Source) -> None:
    """Which sentences a denial in the article refers to."""
    by_id = {c.id: c for c in src.claims}
    for c in src.claims:
        who = who_denied(c)
        for target in c.denies:
            t = by_id.get(target)
            if t is None:
                continue
            for i, (s, e) in enumerate(src.text.sentences):
                if s < t.end and e > t.start:
                    src.denied[i] = (c, who)
