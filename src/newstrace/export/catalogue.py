"""The catalogue `newstrace serve` reads (`store/catalogue.py`), made from the records the run
exports: stories with the counts the story list filters on, claims and events with their
story and outlet, and actors with their events over time. Written at the end of every
`analyze`, replacing the last one."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from newstrace.provenance.records import iter_derivations, iter_families
from newstrace.report.events import dyad_of, network, normalise
from newstrace.store import Store
from newstrace.stories.records import iter_stories

# Entities of a story the story list can filter on (its most frequent ones).
STORY_ENTITIES = 20
# Partners of an actor kept with it (most events first).
ACTOR_PARTNERS = 12


def actor_key(side: dict[str, Any] | None) -> str | None:
    """The catalogue's key of an event's actor: its code, or the words of an actor without one."""
    if not side:
        return None
    return side.get("code") or (side.get("text") or "").strip() or None


def write_catalogue(store: Store) -> None:
    """Replace the store's catalogue with one made from what the store holds now."""
    story_of = dict(store.story_member_pairs())
    outlet_of = dict(store.article_outlets())
    sources = store.derivation_sources()
    derived = {d for d, _ in sources}
    claim_counts: dict[str, Counter] = defaultdict(Counter)
    outlet: dict[str, Counter] = defaultdict(Counter)
    for aid, o in outlet_of.items():
        if o:
            outlet[o]["articles"] += 1
    for o, sids in _stories_per_outlet(story_of, outlet_of).items():
        outlet[o]["stories"] = sids
    for aid in derived:
        if outlet_of.get(aid):
            outlet[outlet_of[aid]]["derived"] += 1
    for src in {s for _, s in sources}:
        if outlet_of.get(src):
            outlet[outlet_of[src]]["sourced"] += 1
    for r in store.iter_attributions():
        o = outlet_of.get(r.get("article_id"))
        if o:
            outlet[o]["attributions"] += 1
            outlet[o]["anonymous"] += bool((r.get("source") or {}).get("anonymous"))
            outlet[o]["second_hand"] += bool(r.get("second_hand"))
    for c in store.iter_claims():
        o = outlet_of.get(c["article_id"])
        if o:
            outlet[o]["claims"] += 1
            outlet[o][c.get("status") or ""] += 1
        sid = story_of.get(c["article_id"])
        if sid is not None:
            claim_counts[sid]["claims"] += 1
            claim_counts[sid][c.get("status") or ""] += 1
    event_counts: Counter = Counter()
    views = []  # the events as the report's network reads them
    names: dict[str, Counter] = defaultdict(Counter)
    actors: dict[str, dict[str, Any]] = {}
    partners: dict[str, Counter] = defaultdict(Counter)
    for e in store.iter_events():
        sid = story_of.get(e["article_id"])
        if sid is not None:
            event_counts[sid] += 1
        if outlet_of.get(e["article_id"]):
            outlet[outlet_of[e["article_id"]]]["events"] += 1
        v = normalise(e, len(views))
        if v is not None and dyad_of(v) is not None:  # what the network draws, and only that
            views.append({k: v[k] for k in ("source", "target", "mode", "quad", "goldstein", "code", "name")})
        for side in (e.get("source"), e.get("target")):
            if side and side.get("code") and (side.get("name") or side.get("text")):
                names[side["code"]][side.get("name") or side.get("text")] += 1
        day = e.get("date")
        for role, side, other in (("source", e.get("source"), e.get("target")), ("target", e.get("target"), e.get("source"))):
            key = actor_key(side)
            if key is None:
                continue
            a = actors.setdefault(key, {"actor": key, "name": side.get("name") or side.get("text"),
                                        "country": side.get("country"), "events": 0, "as_source": 0, "as_target": 0,
                                        "first": None, "last": None})
            a["events"] += 1
            a[f"as_{role}"] += 1
            if day:
                a["first"] = day if a["first"] is None else min(a["first"], day)
                a["last"] = day if a["last"] is None else max(a["last"], day)
            okey = actor_key(other)
            if okey is not None and okey != key:
                partners[key][okey] += 1

    def stories() -> Iterator[dict[str, Any]]:
        for s in iter_stories(store):
            counts = claim_counts.get(s["id"], Counter())
            yield {"id": s["id"], "size": s["size"], "start": s.get("start"), "end": s.get("end"),
                   "label": s.get("label"), "label_article": s.get("label_article"), "outlets": s.get("outlets"),
                   "entities": [{"text": e["text"], "count": e["count"]}
                                for e in (s.get("top_entities") or ())[:STORY_ENTITIES]],
                   "derived": sum(1 for a in s["article_ids"] if a in derived), "claims": counts["claims"],
                   "unsupported": counts["unsupported"], "contradicted": counts["contradicted"],
                   "events": event_counts[s["id"]], "record": s}

    def claims() -> Iterator[dict[str, Any]]:
        for c in store.iter_claims():
            att = c.get("attribution") or {}
            yield {"id": c["id"], "article_id": c["article_id"], "story_id": story_of.get(c["article_id"]),
                   "outlet": outlet_of.get(c["article_id"]), "speaker": att.get("source"),
                   "status": c.get("status"), "score": c.get("score"), "text": c.get("text"),
                   "worth": c.get("checkworthiness"), "record": c}

    def events() -> Iterator[dict[str, Any]]:
        for e in store.iter_events():
            row = {"article_id": e["article_id"], "story_id": story_of.get(e["article_id"]), "day": e.get("date"),
                   "code": e.get("code"), "record": e}
            src, tgt = actor_key(e.get("source")), actor_key(e.get("target"))
            yield {**row, "actor": src, "role": "source", "other": tgt}
            if tgt is not None:
                yield {**row, "actor": tgt, "role": "target", "other": src}

    def actor_rows() -> Iterator[dict[str, Any]]:
        for key, a in actors.items():
            a["partners"] = [{"actor": k, "events": n} for k, n in partners[key].most_common(ACTOR_PARTNERS)]
            yield a

    graph = network(views, {c: min(n.items(), key=lambda kv: (-kv[1], kv[0]))[0] for c, n in names.items()})
    outlets = [{"outlet": o, **c} for o, c in outlet.items()]
    store.write_catalogue(stories(), claims(), events(), actor_rows(), iter_derivations(store), iter_families(store),
                          graph, outlets)


def _stories_per_outlet(story_of: dict[str, str], outlet_of: dict[str, str | None]) -> dict[str, int]:
    seen: dict[str, set[str]] = defaultdict(set)
    for aid, sid in story_of.items():
        o = outlet_of.get(aid)
        if o:
            seen[o].add(sid)
    return {o: len(s) for o, s in seen.items()}
