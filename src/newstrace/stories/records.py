"""Story records, built from the store: one line of `stories.jsonl` per story.

A story's label is the headline of its most representative member: the one whose lead
embedding is closest to the mean of the members' (the medoid), falling back to the first
member with a title. Its span runs from the earliest to the latest member date (published,
else crawled); the first article is the earliest dated member, else the first to arrive.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np

from newstrace.language.dates import parse_reference
from newstrace.stories.cluster import ENTITY_LABELS
from newstrace.store import Store

TOP_ENTITIES = 8
LABEL_CHARS = 160


def _label(member: dict[str, Any], first_sentence: str | None) -> str:
    title = (member.get("title") or "").strip()
    text = title or (first_sentence or "").strip() or member["article_id"]
    text = " ".join(text.split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _day(member: dict[str, Any]) -> str | None:
    when = parse_reference(member.get("published")) or parse_reference(member.get("crawled"))
    return when.isoformat() if when else None


def _entities(store: Store, ids: list[str]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    shown: dict[str, Counter[tuple[str, str]]] = {}  # lower-cased name -> (spelling, label)
    for text, label in store.entity_names(ids):
        if label not in ENTITY_LABELS:
            continue
        name = " ".join(text.split())
        key = name.lower()
        counts[key] += 1
        shown.setdefault(key, Counter())[(name, label)] += 1
    out = []
    for key, n in counts.most_common(TOP_ENTITIES):
        spelling = shown[key]
        text = Counter({name: c for (name, _), c in spelling.items()}).most_common(1)[0][0]
        labels: Counter[str] = Counter()
        for (_, label), c in spelling.items():
            labels[label] += c
        out.append({"text": text, "label": labels.most_common(1)[0][0], "count": n})
    return out


def _representative(store: Store, members: list[dict[str, Any]]) -> dict[str, Any]:
    titled = [m for m in members if (m.get("title") or "").strip()] or members
    if len(titled) <= 2:
        return titled[0]
    vecs, have = [], []
    for m in titled:
        blob = store.get_vector(m["article_id"])
        if blob is not None:
            vecs.append(np.frombuffer(blob, dtype=np.float32))
            have.append(m)
    if len(vecs) < 2:
        return titled[0]
    mat = np.vstack(vecs)
    centre = mat.mean(axis=0)
    return have[int(np.argmax(mat @ centre))]


def _first_sentence(store: Store, article_id: str) -> str | None:
    return store.first_sentence(article_id)


def story_record(store: Store, story_id: str, active: bool, members: list[dict[str, Any]]) -> dict[str, Any]:
    dated = [(d, m) for m in members if (d := _day(m))]
    first = min(dated, key=lambda dm: (dm[0], dm[1]["arrival"]))[1] if dated else members[0]
    rep = _representative(store, members)
    outlets = Counter(m.get("source") for m in members)
    return {
        "id": story_id,
        "label": _label(rep, None if rep.get("title") else _first_sentence(store, rep["article_id"])),
        "label_article": rep["article_id"],
        "size": len(members),
        "article_ids": [m["article_id"] for m in members],
        "first_article_id": first["article_id"],
        "start": min(d for d, _ in dated) if dated else None,
        "end": max(d for d, _ in dated) if dated else None,
        "outlets": [{"source": s, "articles": n}
                    for s, n in sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))],
        "top_entities": _entities(store, [m["article_id"] for m in members]),
        "active": active,
        "members": members,
        "derived_articles": store.count_derived([m["article_id"] for m in members]),
        "unsupported_claims": None,
    }


def iter_stories(store: Store) -> Iterator[dict[str, Any]]:
    """Every story with members, in the order stories were created."""
    active = store.story_activity()
    cur = store.iter_story_members()
    current: str | None = None
    members: list[dict[str, Any]] = []
    for sid, aid, p, arrival, title, source, published, crawled in cur:
        if sid != current and members:
            yield story_record(store, current, bool(active.get(current, 1)), members)
            members = []
        current = sid
        members.append({"article_id": aid, "title": title, "source": source, "published": published,
                        "crawled": crawled, "probability": p, "arrival": arrival})
    if members:
        yield story_record(store, current, bool(active.get(current, 1)), members)
