"""Exports of the store: one JSONL file per record kind, in the schema of docs/schema.md.

Each file is written to a temporary name and renamed when complete, so a reader never sees
a half-written export.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from newstrace.store import Store
from newstrace.provenance.records import iter_derivations, iter_families
from newstrace.stories.records import iter_stories

ARTICLES = "articles.jsonl"
SENTENCES = "sentences.jsonl"
STORIES = "stories.jsonl"
DERIVATIONS = "derivations.jsonl"
FAMILIES = "families.jsonl"
ATTRIBUTIONS = "attributions.jsonl"
CLAIMS = "claims.jsonl"
EVENTS = "events.jsonl"
GDELT = "events.gdelt.tsv"
SUMMARY = "summary.json"


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with open(tmp, "wb") as fh:
        for row in rows:
            fh.write(orjson.dumps(row))
            fh.write(b"\n")
            n += 1
    os.replace(tmp, path)
    return n


def export_store(store: Store, out_dir: Path, stories: Iterable[dict[str, Any]] | None = None,
                 derivations: Iterable[dict[str, Any]] | None = None) -> dict[str, int]:
    """Write articles.jsonl, sentences.jsonl, attributions.jsonl, claims.jsonl, events.jsonl (and
    the GDELT 2.0 event table, events.gdelt.tsv), stories.jsonl, derivations.jsonl and families.jsonl from the
    store; returns rows per file."""
    counts = {ARTICLES: write_jsonl(out_dir / ARTICLES, store.iter_articles())}

    def sentences() -> Iterable[dict[str, Any]]:
        for article_id in store.iter_article_ids():
            yield from store.sentences_for(article_id)

    counts[SENTENCES] = write_jsonl(out_dir / SENTENCES, sentences())
    counts[ATTRIBUTIONS] = write_jsonl(out_dir / ATTRIBUTIONS, store.iter_attributions())
    counts[CLAIMS] = write_jsonl(out_dir / CLAIMS, store.iter_claims())
    counts[EVENTS] = write_jsonl(out_dir / EVENTS, store.iter_events())
    from newstrace.events.gdelt import write_gdelt

    counts[GDELT] = write_gdelt(out_dir / GDELT, store.iter_events(), store.article_meta)
    counts[STORIES] = write_jsonl(out_dir / STORIES, iter_stories(store) if stories is None else stories)
    counts[DERIVATIONS] = write_jsonl(out_dir / DERIVATIONS,
                                      iter_derivations(store) if derivations is None else derivations)
    counts[FAMILIES] = write_jsonl(out_dir / FAMILIES, iter_families(store))
    return counts


def write_summary(out_dir: Path, summary: dict[str, Any]) -> None:
    tmp = out_dir / (SUMMARY + ".tmp")
    tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, out_dir / SUMMARY)
