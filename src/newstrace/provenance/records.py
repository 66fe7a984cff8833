"""Derivation records as exported to `derivations.jsonl` and shown in the report.

One record per article pair judged, in its decided direction; and, for every article, its
best-scoring candidate source even when that reading was not the decided one (then marked
`"reading": "reverse"`, with no passages: only the decided reading is aligned and stored), so
that the ranking of sources can be evaluated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newstrace.store import Store


def _sources(store: Store) -> dict[str, set[str]]:
    """Each derived article's decided sources."""
    out: dict[str, set[str]] = {}
    for row in store.iter_derivations():
        if row["derived"]:
            out.setdefault(row["derived_id"], set()).add(row["source_id"])
    return out


def iter_derivations(store: Store) -> Iterator[dict[str, Any]]:
    best: dict[str, tuple[float, str, dict[str, Any]]] = {}  # article -> its best candidate source
    judged: set[tuple[str, str]] = set()
    sources = _sources(store)
    for row in store.iter_derivations():
        rec = {"id": f"{row['derived_id']}<{row['source_id']}", "derived_id": row["derived_id"],
               "source_id": row["source_id"], "score": row["score"], "derived": row["derived"],
               "direction": {"decided_by": row["direction"], "confidence": row["confidence"],
                             "evidence": row["evidence"]},
               "coverage_derived": row["coverage_derived"], "coverage_source": row["coverage_source"],
               "passages": row["passages"], "found_by": row["found_by"], "reading": "decided",
               "reverse_score": row["reverse_score"], "features": row["features"],
               "common_sources": sorted((sources.get(row["derived_id"], set()) & sources.get(row["source_id"], set()))
                                        - {row["derived_id"], row["source_id"]}) if row["derived"] else []}
        judged.add((row["derived_id"], row["source_id"]))
        yield rec
        for art, other, score in ((row["derived_id"], row["source_id"], row["score"]),
                                  (row["source_id"], row["derived_id"], row["reverse_score"])):
            if art not in best or score > best[art][0]:
                best[art] = (score, other, rec)
    for art, (score, other, rec) in sorted(best.items()):
        if (art, other) in judged:
            continue
        yield {"id": f"{art}<{other}", "derived_id": art, "source_id": other, "score": score, "derived": False,
               "direction": rec["direction"], "coverage_derived": None, "coverage_source": None, "passages": [],
               "found_by": rec["found_by"], "reading": "reverse", "reverse_score": rec["score"], "features": {},
               "common_sources": []}
