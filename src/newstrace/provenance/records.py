"""Derivation and family records as exported (`derivations.jsonl`, `families.jsonl`) and shown
in the report.

Each judged pair is one record, in the direction the family pass decided when it decided one
(a derivation: `derived` true, with its `relation`), else in the reading the pair judgement
preferred (`derived` false; `relation` `shared_source` for siblings, null otherwise). Both
readings of a pair were aligned and stored, so a record turned round by the family pass keeps
passages, coverage and features of its own reading. Then, for every article whose best-ranked
candidate source is not already a record with it as `derived_id`, one more record for that
reading (`"reading": "reverse"`, no passages), so that the ranking of sources can be evaluated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newstrace.store import Store


def _decisions(store: Store) -> tuple[dict[tuple[str, str], dict], dict[frozenset, dict]]:
    derived: dict[tuple[str, str], dict] = {}
    siblings: dict[frozenset, dict] = {}
    for d, s, kind, record in store.iter_links():
        if kind == "derived":
            derived[(d, s)] = record
        else:
            siblings[frozenset((d, s))] = record
    return derived, siblings


def _sources(derived: dict[tuple[str, str], dict]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for d, s in derived:
        out.setdefault(d, set()).add(s)
    return out


def _turned(row: dict[str, Any]) -> dict[str, Any]:
    """The other reading of a judged pair (its features, coverage and passages)."""
    x = row.get("extra") or {}
    rev = x.get("reverse_features") or {}
    return {**row, "derived_id": row["source_id"], "source_id": row["derived_id"],
            "score": row["reverse_score"], "reverse_score": x.get("probability", row["score"]),
            "features": rev, "coverage_derived": rev.get("coverage_derived"),
            "coverage_source": rev.get("coverage_source"), "passages": x.get("reverse_passages", [])}


def iter_derivations(store: Store) -> Iterator[dict[str, Any]]:
    derived, siblings = _decisions(store)
    sources = _sources(derived)
    candidates: dict[str, list[dict]] = {}
    emitted: set[tuple[str, str]] = set()
    for row in store.iter_derivations():
        pair = (row["derived_id"], row["source_id"])
        link = derived.get(pair)
        if link is None and pair[::-1] in derived:
            row, link = _turned(row), derived[pair[::-1]]
        a, b = row["derived_id"], row["source_id"]
        sibling = siblings.get(frozenset((a, b)))
        for art in (a, b):
            if art not in candidates:
                rec = store.article_provenance(art)
                candidates[art] = (rec or {}).get("candidates", [])
        family_score = next((c["derived"] for c in candidates[a] if c["id"] == b), None)
        if link is not None:
            direction = {"decided_by": link["decided_by"], "confidence": link["score"], "evidence": link["evidence"]}
        else:
            direction = {"decided_by": row["direction"], "confidence": row["confidence"], "evidence": row["evidence"]}
        rank = next((k for k, c in enumerate(candidates[a], 1) if c["id"] == b), None)
        yield {"id": f"{a}<{b}", "derived_id": a, "source_id": b,
               "score": link["score"] if link else (family_score if family_score is not None else row["score"]),
               "derived": link is not None,
               "relation": link["relation"] if link else ("shared_source" if sibling else None),
               "direction": direction,
               "coverage_derived": row["coverage_derived"], "coverage_source": row["coverage_source"],
               "passages": row["passages"], "found_by": row["found_by"], "reading": "decided",
               "rank": rank, "family_id": (link or sibling or {}).get("family_id"),
               "pair_score": max(row["score"] or 0.0, row["reverse_score"] or 0.0),
               "reverse_score": row["reverse_score"], "features": row["features"],
               "common_sources": sorted(sibling["common_sources"]) if sibling else
               sorted((sources.get(a, set()) & sources.get(b, set())) - {a, b})}
        emitted.add((a, b))
    for art, cands in sorted(candidates.items()):
        if not cands or (art, cands[0]["id"]) in emitted:
            continue
        best = cands[0]
        yield {"id": f"{art}<{best['id']}", "derived_id": art, "source_id": best["id"], "score": best["derived"],
               "derived": False, "relation": None,
               "direction": {"decided_by": "undetermined", "confidence": 0.5, "evidence": []},
               "coverage_derived": None, "coverage_source": None, "passages": [], "found_by": None,
               "reading": "reverse", "rank": 1, "family_id": None, "pair_score": None, "reverse_score": None,
               "features": {}, "common_sources": []}


def iter_families(store: Store) -> Iterator[dict[str, Any]]:
    """families.jsonl: each family with its roots, members, derivations and siblings."""
    derived, siblings = _decisions(store)
    edges: dict[str, list[dict]] = {}
    for (d, s), rec in derived.items():
        edges.setdefault(rec.get("family_id") or "", []).append(
            {"derived_id": d, "source_id": s, "relation": rec["relation"], "score": rec["score"]})
    sibs: dict[str, list[dict]] = {}
    for pair, rec in siblings.items():
        a, b = sorted(pair)
        sibs.setdefault(rec.get("family_id") or "", []).append(
            {"article_ids": [a, b], "common_sources": rec["common_sources"]})
    for fam in store.iter_families():
        yield {**fam, "derivations": sorted(edges.get(fam["id"], []), key=lambda e: (e["derived_id"], e["source_id"])),
               "siblings": sorted(sibs.get(fam["id"], []), key=lambda e: e["article_ids"])}
