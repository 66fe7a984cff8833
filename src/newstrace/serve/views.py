"""What each page of `newstrace serve` shows, as plain data: the JSON twin of the page is this
data, and the HTML page renders it. Everything comes from records the store holds (the
catalogue `analyze` writes, and the records it exports); nothing is analysed here.

Every list is paged: `limit` is capped by the caller (`app.py`) and nothing loads more than a
few hundred records.
"""

from __future__ import annotations

import re
from typing import Any

from urllib.parse import quote

from newstrace.report.claims import MATRIX_CLAIMS, MATRIX_COLUMNS, claim_matrix, matrix_claim, normalise
from newstrace.store import Store

# How much of a story's parts the story page lists.
STORY_MEMBERS = 300
STORY_CLAIMS = 300
STORY_ATTRIBUTIONS = 300
STORY_EVENTS = 200
# Events of an actor its page draws as dyad timelines (the latest).
ACTOR_TIMELINE_EVENTS = 2_000
# How many pairs an article page lists (derived first).
ARTICLE_PAIRS = 50
OVERVIEW_OUTLETS = 25
OVERVIEW_SKIPS = 50
# Words of a search query used (each is quoted: the query language is not exposed).
QUERY_WORDS = 12


class NotFound(LookupError):
    """An id that is not in the store."""


def fts_query(text: str) -> str | None:
    """An FTS5 query that finds the words of `text` (all of them, any order): every word is
    quoted, so no character of the user's text has a meaning in FTS5's query language."""
    words = re.findall(r"\w+", text or "")[:QUERY_WORDS]
    return " ".join(f'"{w}"' for w in words) or None


def snippet_parts(snippet: str | None) -> list[dict[str, Any]]:
    """A search snippet (matches between \\x02 and \\x03) as parts: [{text, match}]."""
    out = []
    for i, part in enumerate(re.split(r"[\x02\x03]", snippet or "")):
        if part:
            out.append({"text": part, "match": i % 2 == 1})
    return out


def page_info(total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"total": total, "limit": limit, "offset": offset,
            "next_offset": offset + limit if offset + limit < total else None,
            "prev_offset": max(0, offset - limit) if offset > 0 else None}


def overview(store: Store) -> dict[str, Any]:
    runs = store.runs()
    return {"counts": store.overview_counts(), "outlets": store.top_outlets(OVERVIEW_OUTLETS),
            "languages": store.language_counts(),
            "artefacts": store.artefact_counts(), "skipped": store.skipped_inputs(OVERVIEW_SKIPS),
            "runs": runs[::-1][:50], "runs_total": len(runs)}


def stories(store: Store, *, outlet: str | None, entity: str | None, since: str | None, until: str | None,
            min_size: int | None, derived: bool | None, unsupported: bool | None, sort: str, limit: int,
            offset: int) -> dict[str, Any]:
    total, rows = store.story_page(outlet=outlet, entity=entity, since=since, until=until, min_size=min_size,
                                   derived=derived, unsupported=unsupported, sort=sort, limit=limit, offset=offset)
    outlets = store.story_outlets([r["id"] for r in rows])
    for r in rows:
        r["outlet_names"] = outlets.get(r["id"], [])[:4]
    return {"filters": {"outlet": outlet, "entity": entity, "since": since, "until": until, "min_size": min_size,
                        "derived": derived, "unsupported": unsupported, "sort": sort},
            "paging": page_info(total, limit, offset), "stories": rows}


def story(store: Store, story_id: str) -> dict[str, Any]:
    entry = store.story_entry(story_id)
    if entry is None:
        raise NotFound(f"no story {story_id!r} in this store")
    rec = entry["record"]
    members = sorted(rec.get("members") or (), key=lambda m: (m.get("published") or "~", m.get("arrival") or 0))
    shown = members[:STORY_MEMBERS]
    ids = [m["article_id"] for m in shown]
    families = store.families_of(ids)
    in_families = sorted({a for f in families for a in f.get("article_ids") or ()})
    _, claims = store.claim_page(story=story_id, limit=STORY_CLAIMS, offset=0)
    said = []
    for aid in ids:
        for r in store.attributions_for(aid):
            if len(said) >= STORY_ATTRIBUTIONS:
                break
            src = r.get("source") or {}
            said.append({"article_id": aid, "speaker": src.get("name") or src.get("text"), "kind": src.get("kind"),
                         "cue": (r.get("cue") or {}).get("text"), "content": (r.get("content") or {}).get("text"),
                         "anonymous": src.get("anonymous"), "second_hand": r.get("second_hand")})
    return {"story": {k: rec.get(k) for k in ("id", "label", "label_article", "size", "start", "end", "outlets",
                                              "top_entities", "active")},
            "matrix": matrix(store, members),
            "counts": {k: entry[k] for k in ("derived", "claims", "unsupported", "contradicted", "events")},
            "members": shown, "members_total": len(members), "families": families,
            "titles": store.article_heads(in_families),
            "claims": claims, "claims_total": entry["claims"], "said": said,
            "events": store.story_events(story_id, STORY_EVENTS)}


def matrix(store: Store, members: list[dict[str, Any]]) -> dict[str, Any]:
    """The story's claim matrix (claims x its first articles by date), as the report draws it
    (`report.claims.claim_matrix`), linked to the article pages."""
    columns = [{"id": m["article_id"], "title": m.get("title"), "source": m.get("source"),
                "published": m.get("published")} for m in members[:MATRIX_COLUMNS]]
    kept = {}
    for c in columns:
        row = store.article_row(c["id"])
        views = [v for v in (normalise(r, (row or {}).get("text") or "") for r in store.claims_for(c["id"])) if v]
        kept[c["id"]] = {"claims": [matrix_claim(n, v) for n, v in enumerate(views[:MATRIX_CLAIMS], 1)],
                         "total": len(views)}

    def href(aid: str) -> str:
        return "/articles/" + quote(aid, safe="")

    return claim_matrix(columns, kept, lambda ci, n: f"{href(columns[ci]['id'])}#claim-{n}", href,
                        max(0, len(members) - MATRIX_COLUMNS))


def article(store: Store, article_id: str) -> dict[str, Any]:
    a = store.article_row(article_id)
    if a is None:
        raise NotFound(f"no article {article_id!r} in this store")
    story_id = store.story_of(article_id)
    pairs = store.derivations_of(article_id, ARTICLE_PAIRS)
    partners = store.article_heads(sorted({p["source_id"] if p["derived_id"] == article_id else p["derived_id"]
                                           for p in pairs}))
    prov = store.article_provenance(article_id)
    signals = store.signals_for(article_id)
    rewriting = [*((signals or {}).get("signals") or ()), *((prov or {}).get("signals") or ())]
    return {"article": a, "story_id": story_id, "story_label": store.story_label(story_id) if story_id else None,
            "sentences": store.sentences_for(article_id), "attributions": store.attributions_for(article_id),
            "claims": store.claims_for(article_id), "events": store.events_for(article_id),
            "provenance": prov, "rewriting": rewriting,
            "measures": {k: (signals or {}).get(k) for k in ("style", "quotes", "cues", "sentences")} if signals else None,
            "derivations": {"sources": [p for p in pairs if p["derived_id"] == article_id and p["derived"]],
                            "derived": [p for p in pairs if p["source_id"] == article_id and p["derived"]],
                            "related": [p for p in pairs if not p["derived"]]},
            "partners": partners}


def compare(store: Store, a: str, b: str) -> dict[str, Any]:
    left, right = store.article_row(a), store.article_row(b)
    for aid, row in ((a, left), (b, right)):
        if row is None:
            raise NotFound(f"no article {aid!r} in this store")
    pair = store.derivation_pair(a, b)
    return {"a": left, "b": right, "pair": pair}


def claims(store: Store, *, status: str | None, outlet: str | None, speaker: str | None, story: str | None,
           q: str | None, sort: str = "stored", limit: int, offset: int) -> dict[str, Any]:
    total, rows = store.claim_page(status=status, outlet=outlet, speaker=speaker, story=story, q=fts_query(q or ""),
                                   sort=sort, limit=limit, offset=offset)
    return {"filters": {"status": status, "outlet": outlet, "speaker": speaker, "story": story, "q": q, "sort": sort},
            "paging": page_info(total, limit, offset), "claims": rows}


def families(store: Store, limit: int, offset: int) -> dict[str, Any]:
    """The families of rewrites, largest first, each with its original(s) and derivations."""
    total, rows = store.family_page(limit, offset)
    ids = sorted({a for f in rows for a in f.get("article_ids") or ()})
    return {"paging": page_info(total, limit, offset), "families": rows, "titles": store.article_heads(ids)}


def outlets(store: Store, limit: int, offset: int) -> dict[str, Any]:
    """Each outlet's articles, stories, claims by status, sourcing (anonymous, second-hand),
    derived articles (its articles derived from another; its articles others derive from)."""
    total, rows = store.outlet_page(limit, offset)
    for r in rows:
        r["shares"] = {k: (r[k] / r[of] if r[of] else None) for k, of in (
            ("supported", "claims"), ("unsupported", "claims"), ("contradicted", "claims"),
            ("anonymous", "attributions"), ("second_hand", "attributions"), ("derived", "articles"))}
    return {"paging": page_info(total, limit, offset), "outlets": rows}


def actors(store: Store, limit: int, offset: int) -> dict[str, Any]:
    total, rows = store.actor_page(limit, offset)
    return {"paging": page_info(total, limit, offset), "actors": rows,
            "network": store.actor_network() if offset == 0 else None}


def actor(store: Store, key: str, limit: int, offset: int) -> dict[str, Any]:
    entry = store.actor_entry(key)
    if entry is None:
        raise NotFound(f"no actor {key!r} in this store")
    total, events = store.actor_events(key, limit, offset)
    return {"actor": entry, "months": [{"month": m, "events": n} for m, n in store.actor_timeline(key)],
            "paging": page_info(total, limit, offset), "events": events}


def search(store: Store, q: str, limit: int, offset: int) -> dict[str, Any]:
    query = fts_query(q)
    if query is None:
        return {"q": q, "articles": [], "claims": [], "articles_page": page_info(0, limit, offset),
                "claims_total": 0, "ranked": True}
    total, ranked, rows = store.search_articles(query, limit, offset)
    c_total, c_ranked, c_rows = store.search_claims(query, limit, 0)
    for r in rows + c_rows:
        r["snippet"] = snippet_parts(r["snippet"])
    # ranked: best matches first; else (a word in very many articles) the newest first
    return {"q": q, "articles": rows, "articles_page": page_info(total, limit, offset), "claims": c_rows,
            "claims_total": c_total, "ranked": ranked, "claims_ranked": c_ranked}
