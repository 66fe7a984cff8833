"""The store's catalogue: what `newstrace serve` lists, filters, pages and searches.

`analyze` writes it at the end of every run (`export/catalogue.py` makes the rows from the
records it exports): one row per story (its record as in stories.jsonl, with the counts the
story list filters and sorts on), its outlets and top entities, one row per claim and per
event (with its story and outlet), and per actor. Full-text search runs on SQLite FTS5:
`articles_fts` follows the articles table through triggers (so it is always current) and
`claims_fts` is filled with the claim rows.

Every query here is bounded: lists take a `limit` and an `offset`, and the caller caps them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from newstrace.store.errors import StoreError

CATALOGUE_SCHEMA = """
CREATE TABLE IF NOT EXISTS cat_stories (
    story_id TEXT PRIMARY KEY, seq INTEGER, size INTEGER, start TEXT, "end" TEXT, label TEXT,
    label_article TEXT, outlets INTEGER, derived INTEGER, claims INTEGER, unsupported INTEGER,
    contradicted INTEGER, events INTEGER, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cat_stories_by_size ON cat_stories(size DESC, seq);
CREATE INDEX IF NOT EXISTS cat_stories_by_start ON cat_stories(start, seq);
CREATE INDEX IF NOT EXISTS cat_stories_by_end ON cat_stories("end" DESC, seq);
CREATE INDEX IF NOT EXISTS cat_stories_by_outlets ON cat_stories(outlets DESC, seq);
CREATE INDEX IF NOT EXISTS cat_stories_by_unsupported ON cat_stories(unsupported DESC, seq);
CREATE INDEX IF NOT EXISTS cat_stories_by_seq ON cat_stories(seq);
CREATE TABLE IF NOT EXISTS cat_story_outlets (story_id TEXT NOT NULL, outlet TEXT NOT NULL, articles INTEGER);
CREATE INDEX IF NOT EXISTS cat_story_outlets_outlet ON cat_story_outlets(outlet, story_id);
CREATE TABLE IF NOT EXISTS cat_story_entities (story_id TEXT NOT NULL, entity TEXT NOT NULL, count INTEGER);
CREATE INDEX IF NOT EXISTS cat_story_entities_entity ON cat_story_entities(entity COLLATE NOCASE, story_id);
CREATE TABLE IF NOT EXISTS cat_claims (
    seq INTEGER PRIMARY KEY, claim_id TEXT, article_id TEXT, story_id TEXT, outlet TEXT, speaker TEXT,
    status TEXT, score REAL, text TEXT, record TEXT NOT NULL, worth REAL);
CREATE INDEX IF NOT EXISTS cat_claims_status ON cat_claims(status, seq);
CREATE INDEX IF NOT EXISTS cat_claims_worth ON cat_claims(status, worth DESC, seq);
CREATE INDEX IF NOT EXISTS cat_claims_outlet ON cat_claims(outlet, seq);
CREATE INDEX IF NOT EXISTS cat_claims_story ON cat_claims(story_id, seq);
CREATE INDEX IF NOT EXISTS cat_claims_speaker ON cat_claims(speaker COLLATE NOCASE, seq);
CREATE INDEX IF NOT EXISTS cat_claims_article ON cat_claims(article_id, seq);
CREATE TABLE IF NOT EXISTS cat_events (
    seq INTEGER PRIMARY KEY, article_id TEXT, story_id TEXT, actor TEXT, role TEXT, other TEXT,
    day TEXT, code TEXT, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cat_events_actor ON cat_events(actor, day, seq);
CREATE INDEX IF NOT EXISTS cat_events_story ON cat_events(story_id, seq);
CREATE TABLE IF NOT EXISTS cat_actors (
    actor TEXT PRIMARY KEY, name TEXT, country TEXT, events INTEGER, as_source INTEGER,
    as_target INTEGER, first TEXT, last TEXT, partners TEXT);
CREATE INDEX IF NOT EXISTS cat_actors_events ON cat_actors(events);
CREATE TABLE IF NOT EXISTS cat_derivations (
    derived_id TEXT NOT NULL, source_id TEXT NOT NULL, derived INTEGER, score REAL, record TEXT NOT NULL,
    PRIMARY KEY (derived_id, source_id));
CREATE INDEX IF NOT EXISTS cat_derivations_source ON cat_derivations(source_id);
CREATE TABLE IF NOT EXISTS cat_outlets (
    outlet TEXT PRIMARY KEY, articles INTEGER, stories INTEGER, claims INTEGER, supported INTEGER,
    unsupported INTEGER, contradicted INTEGER, attributions INTEGER, anonymous INTEGER, second_hand INTEGER,
    derived INTEGER, sourced INTEGER, events INTEGER);
CREATE INDEX IF NOT EXISTS cat_outlets_articles ON cat_outlets(articles DESC, outlet);
CREATE TABLE IF NOT EXISTS cat_families (family_id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cat_family_members (article_id TEXT NOT NULL, family_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cat_family_members_article ON cat_family_members(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS claims_fts USING fts5(text, content='cat_claims', content_rowid='seq');
"""

# Above this many matches a search lists the newest first: ranking every match by relevance
# (FTS5's bm25) takes longer than a page may (benchmarks/serve_speed.py: a word in almost every
# article of 100,000 took 0.7 s to rank, the newest 50 take 2 ms).
RANKED_MATCHES = 20_000
# Full-text index of the articles (title and text), kept in step with the table by triggers.
ARTICLES_FTS = """
CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='seq');
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text); END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text); END;
CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text); END;
"""

OUTLET_KEYS = ("outlet", "articles", "stories", "claims", "supported", "unsupported", "contradicted", "attributions",
               "anonymous", "second_hand", "derived", "sourced", "events")
ACTOR_KEYS = ("actor", "name", "country", "events", "as_source", "as_target", "first", "last", "partners")
CLAIM_SORTS = {"stored": "c.seq", "worth": "c.worth DESC, c.seq", "score": "c.score, c.seq"}
STORY_SORTS = {"size": "size DESC, seq", "recent": '"end" DESC, seq', "oldest": "start, seq",
               "outlets": "outlets DESC, seq", "unsupported": "unsupported DESC, seq", "created": "seq"}


class CatalogueTables:
    """Mixed into `Store`, which opens the connection (`db`) and owns the transaction helpers
    these methods call (`_begin`, `commit`)."""

    db: sqlite3.Connection

    # -- writing (analyze) ------------------------------------------------------------
    def ensure_catalogue(self) -> None:
        """Create the catalogue's tables, and the articles' full-text index (filled from the
        articles already stored when it is new)."""
        self.db.executescript(CATALOGUE_SCHEMA)
        if not self.db.execute("SELECT 1 FROM sqlite_master WHERE name='articles_fts'").fetchone():
            self.db.executescript(ARTICLES_FTS)
            self.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")

    def write_catalogue(self, stories: Iterable[dict[str, Any]], claims: Iterable[dict[str, Any]],
                        events: Iterable[dict[str, Any]], actors: Iterable[dict[str, Any]],
                        derivations: Iterable[dict[str, Any]] = (),
                        families: Iterable[dict[str, Any]] = (), network: dict[str, Any] | None = None,
                        outlets: Iterable[dict[str, Any]] = ()) -> None:
        """Replace the catalogue with these rows, in one transaction (a reader sees the old one
        or the new one, never half of each)."""
        self._begin()  # type: ignore[attr-defined]
        db = self.db
        for table in ("cat_stories", "cat_story_outlets", "cat_story_entities", "cat_claims", "cat_events",
                      "cat_actors", "cat_derivations", "cat_families", "cat_family_members", "cat_outlets"):
            db.execute(f"DELETE FROM {table}")
        for i, s in enumerate(stories):
            db.execute('INSERT INTO cat_stories(story_id, seq, size, start, "end", label, label_article, outlets, '
                       "derived, claims, unsupported, contradicted, events, record) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       (s["id"], i, s["size"], s.get("start"), s.get("end"), s.get("label"), s.get("label_article"),
                        len(s.get("outlets") or ()), s["derived"], s["claims"], s["unsupported"], s["contradicted"],
                        s["events"], json.dumps(s["record"], ensure_ascii=False)))
            db.executemany("INSERT INTO cat_story_outlets(story_id, outlet, articles) VALUES (?,?,?)",
                           [(s["id"], o["source"], o["articles"]) for o in s.get("outlets") or () if o.get("source")])
            db.executemany("INSERT INTO cat_story_entities(story_id, entity, count) VALUES (?,?,?)",
                           [(s["id"], e["text"], e["count"]) for e in s.get("entities") or ()])
        db.executemany("INSERT INTO cat_claims(claim_id, article_id, story_id, outlet, speaker, status, score, text, "
                       "record, worth) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       ((c["id"], c["article_id"], c.get("story_id"), c.get("outlet"), c.get("speaker"),
                         c.get("status"), c.get("score"), c.get("text"), json.dumps(c["record"], ensure_ascii=False),
                         c.get("worth")) for c in claims))
        db.execute("INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')")
        db.executemany("INSERT INTO cat_events(article_id, story_id, actor, role, other, day, code, record) "
                       "VALUES (?,?,?,?,?,?,?,?)",
                       ((e["article_id"], e.get("story_id"), e["actor"], e["role"], e.get("other"), e.get("day"),
                         e.get("code"), json.dumps(e["record"], ensure_ascii=False)) for e in events))
        db.executemany("INSERT INTO cat_actors(actor, name, country, events, as_source, as_target, first, last, "
                       "partners) VALUES (?,?,?,?,?,?,?,?,?)",
                       ((a["actor"], a.get("name"), a.get("country"), a["events"], a["as_source"], a["as_target"],
                         a.get("first"), a.get("last"), json.dumps(a.get("partners") or [], ensure_ascii=False))
                        for a in actors))
        db.executemany("INSERT OR REPLACE INTO cat_derivations(derived_id, source_id, derived, score, record) "
                       "VALUES (?,?,?,?,?)",
                       ((d["derived_id"], d["source_id"], int(bool(d.get("derived"))), d.get("score"),
                         json.dumps(d, ensure_ascii=False)) for d in derivations))
        for f in families:
            db.execute("INSERT OR REPLACE INTO cat_families(family_id, record) VALUES (?,?)",
                       (f["id"], json.dumps(f, ensure_ascii=False)))
            db.executemany("INSERT INTO cat_family_members(article_id, family_id) VALUES (?,?)",
                           [(a, f["id"]) for a in f.get("article_ids") or ()])
        db.executemany(f"INSERT OR REPLACE INTO cat_outlets({', '.join(OUTLET_KEYS)}) "
                       f"VALUES ({','.join('?' * len(OUTLET_KEYS))})", ([o.get(k, 0) for k in OUTLET_KEYS] for o in outlets))
        artefacts = [{"kind": k, "articles": n} for k, n in db.execute(
            "SELECT json_extract(j.value, '$.kind') AS kind, COUNT(DISTINCT a.seq) FROM articles a, "
            "json_each(a.artefacts) j WHERE a.artefacts IS NOT NULL AND a.artefacts != '[]' GROUP BY kind "
            "ORDER BY 2 DESC, kind")]
        languages = [{"language": lang or "unknown", "articles": n} for lang, n in db.execute(
            "SELECT language, COUNT(*) FROM articles GROUP BY language ORDER BY 2 DESC, 1")]
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('catalogue_overview', ?)",
                   (json.dumps({"artefacts": artefacts, "languages": languages}, ensure_ascii=False),))
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('catalogue_network', ?)",
                   (json.dumps(network, ensure_ascii=False),))
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('catalogue', '1')")
        self.commit()  # type: ignore[attr-defined]

    def story_member_pairs(self) -> Iterator[tuple[str, str]]:
        """(article id, story id) of every member."""
        yield from self.db.execute("SELECT article_id, story_id FROM story_members")

    def article_outlets(self) -> Iterator[tuple[str, str | None]]:
        """(article id, outlet) of every article."""
        yield from self.db.execute("SELECT id, source FROM articles")

    def derivation_sources(self) -> list[tuple[str, str]]:
        """(derived article, its source) of every derivation the families decided (as
        derivations.jsonl has them with `derived` true)."""
        return list(self.db.execute("SELECT derived_id, source_id FROM provenance_links WHERE kind='derived'"))

    # -- reading (serve) --------------------------------------------------------------
    def query_only(self) -> None:
        """Refuse any write on this connection (on top of opening the file read-only)."""
        self.db.execute("PRAGMA query_only=1")

    def has_catalogue(self) -> bool:
        """Whether `analyze` wrote the catalogue (False for a store of an older newstrace); a file
        that is no SQLite database raises StoreError."""
        try:
            return self.db.execute("SELECT value FROM meta WHERE key='catalogue'").fetchone() is not None
        except sqlite3.OperationalError:  # no meta table
            return False
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot read the database {getattr(self, 'path', '')}: {exc}") from exc

    def overview_counts(self) -> dict[str, int]:
        out = {}
        for name, sql in (("articles", "SELECT COUNT(*) FROM articles"),
                          ("stories", "SELECT COUNT(*) FROM cat_stories"),
                          ("claims", "SELECT COUNT(*) FROM cat_claims"),
                          ("unsupported", "SELECT COUNT(*) FROM cat_claims WHERE status='unsupported'"),
                          ("contradicted", "SELECT COUNT(*) FROM cat_claims WHERE status='contradicted'"),
                          ("events", "SELECT COUNT(*) FROM events"),
                          ("actors", "SELECT COUNT(*) FROM cat_actors"),
                          ("derived", "SELECT COUNT(DISTINCT derived_id) FROM provenance_links WHERE kind='derived'"),
                          ("attributions", "SELECT COUNT(*) FROM attributions"),
                          ("skipped", "SELECT COUNT(*) FROM skipped")):
            out[name] = int(self.db.execute(sql).fetchone()[0])
        return out

    def _overview_meta(self) -> dict[str, Any]:
        r = self.db.execute("SELECT value FROM meta WHERE key='catalogue_overview'").fetchone()
        return json.loads(r[0]) if r and r[0] else {}

    def top_outlets(self, limit: int) -> list[dict[str, Any]]:
        """The outlets with the most articles (as the catalogue counted them)."""
        return [{"outlet": o, "articles": n} for o, n in self.db.execute(
            "SELECT outlet, articles FROM cat_outlets ORDER BY articles DESC, outlet LIMIT ?", (limit,))]

    def language_counts(self) -> list[dict[str, Any]]:
        """Articles in each language (as the catalogue counted them)."""
        return self._overview_meta().get("languages") or []

    def family_page(self, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """(families, the page of them, largest first) as families.jsonl records."""
        total = int(self.db.execute("SELECT COUNT(*) FROM cat_families").fetchone()[0])
        rows = self.db.execute(
            "SELECT f.record FROM cat_families f LEFT JOIN (SELECT family_id, COUNT(*) AS n FROM cat_family_members "
            "GROUP BY family_id) m ON m.family_id=f.family_id ORDER BY m.n DESC, f.family_id LIMIT ? OFFSET ?",
            (limit, offset))
        return total, [json.loads(r) for (r,) in rows]

    def artefact_counts(self) -> list[dict[str, Any]]:
        """Articles with each kind of artefact (as the catalogue counted them)."""
        return self._overview_meta().get("artefacts") or []

    def skipped_inputs(self, limit: int) -> list[dict[str, Any]]:
        return [{"run": r, "path": p, "where": w, "reason": why, "stage": s}
                for r, p, w, why, s in self.db.execute(
                    'SELECT run_id, path, "where", reason, stage FROM skipped ORDER BY rowid DESC LIMIT ?', (limit,))]

    def story_page(self, *, outlet: str | None = None, entity: str | None = None, since: str | None = None,
                   until: str | None = None, min_size: int | None = None, derived: bool | None = None,
                   unsupported: bool | None = None, sort: str = "size", limit: int = 50,
                   offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(how many stories match, the page of them) with their catalogue counts."""
        where, args = [], []
        if outlet:
            where.append("story_id IN (SELECT story_id FROM cat_story_outlets WHERE outlet=?)")
            args.append(outlet)
        if entity:
            where.append("story_id IN (SELECT story_id FROM cat_story_entities WHERE entity=? COLLATE NOCASE)")
            args.append(entity)
        if since:
            where.append('"end" >= ?')
            args.append(since)
        if until:
            where.append("start <= ?")
            args.append(until + "\uffff")
        if min_size:
            where.append("size >= ?")
            args.append(min_size)
        if derived is not None:
            where.append("derived > 0" if derived else "derived = 0")
        if unsupported is not None:
            where.append("unsupported > 0" if unsupported else "unsupported = 0")
        cond = (" WHERE " + " AND ".join(where)) if where else ""
        total = int(self.db.execute(f"SELECT COUNT(*) FROM cat_stories{cond}", args).fetchone()[0])
        rows = self.db.execute(
            f'SELECT story_id, size, start, "end", label, label_article, outlets, derived, claims, unsupported, '
            f"contradicted, events FROM cat_stories{cond} ORDER BY {STORY_SORTS[sort]} LIMIT ? OFFSET ?",
            [*args, limit, offset])
        keys = ("id", "size", "start", "end", "label", "label_article", "outlets", "derived", "claims",
                "unsupported", "contradicted", "events")
        return total, [dict(zip(keys, r)) for r in rows]

    def story_outlets(self, story_ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if story_ids:
            marks = ",".join("?" * len(story_ids))
            for sid, o in self.db.execute(
                    f"SELECT story_id, outlet FROM cat_story_outlets WHERE story_id IN ({marks}) "
                    f"ORDER BY articles DESC, outlet", story_ids):
                out.setdefault(sid, []).append(o)
        return out

    def story_entry(self, story_id: str) -> dict[str, Any] | None:
        r = self.db.execute("SELECT record, derived, claims, unsupported, contradicted, events FROM cat_stories "
                            "WHERE story_id=?", (story_id,)).fetchone()
        if r is None:
            return None
        return {"record": json.loads(r[0]), "derived": r[1], "claims": r[2], "unsupported": r[3],
                "contradicted": r[4], "events": r[5]}

    def story_label(self, story_id: str) -> str | None:
        r = self.db.execute("SELECT label FROM cat_stories WHERE story_id=?", (story_id,)).fetchone()
        return r[0] if r else None

    def claim_page(self, *, status: str | None = None, outlet: str | None = None, speaker: str | None = None,
                   story: str | None = None, article: str | None = None, q: str | None = None,
                   sort: str = "stored", limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """(how many claims match, the page of their records). `q` is an FTS5 query over the
        claims' text (the caller quotes it)."""
        where, args = [], []
        for col, value in (("status", status), ("outlet", outlet), ("story_id", story), ("article_id", article)):
            if value:
                where.append(f"c.{col}=?")
                args.append(value)
        if speaker:
            where.append("c.speaker=? COLLATE NOCASE")
            args.append(speaker)
        src = "cat_claims c"
        if q:
            src = "claims_fts f JOIN cat_claims c ON c.seq=f.rowid"
            where.append("claims_fts MATCH ?")
            args.append(q)
        cond = (" WHERE " + " AND ".join(where)) if where else ""
        total = int(self.db.execute(f"SELECT COUNT(*) FROM {src}{cond}", args).fetchone()[0])
        order = CLAIM_SORTS[sort]
        rows = self.db.execute(f"SELECT c.record, c.story_id, c.outlet, c.speaker FROM {src}{cond} ORDER BY {order} "
                               f"LIMIT ? OFFSET ?", [*args, limit, offset])
        return total, [{**json.loads(r), "story_id": s, "outlet": o, "speaker": sp} for r, s, o, sp in rows]

    def search_articles(self, q: str, limit: int, offset: int) -> tuple[int, bool, list[dict[str, Any]]]:
        """(matches, ranked, the page): articles matching the FTS5 query `q`, best first (newest
        first above `RANKED_MATCHES` matches: ranked False), each with a highlighted snippet
        (the marks are \\x02 and \\x03, for the caller to turn into escaped HTML)."""
        return self._search("articles_fts", 1, "articles a ON a.seq", "a.id, a.title, a.source, a.published",
                            ("id", "title", "source", "published"), q, limit, offset)

    def search_claims(self, q: str, limit: int, offset: int) -> tuple[int, bool, list[dict[str, Any]]]:
        """(matches, ranked, the page) of the claims, as `search_articles` gives articles."""
        return self._search("claims_fts", 0, "cat_claims c ON c.seq", "c.claim_id, c.article_id, c.outlet, c.status",
                            ("id", "article_id", "outlet", "status"), q, limit, offset)

    def _search(self, fts: str, column: int, join: str, fields: str, keys: tuple[str, ...], q: str, limit: int,
                offset: int) -> tuple[int, bool, list[dict[str, Any]]]:
        total = int(self.db.execute(f"SELECT COUNT(*) FROM {fts} WHERE {fts} MATCH ?", (q,)).fetchone()[0])
        ranked = total <= RANKED_MATCHES
        rows = self.db.execute(
            f"SELECT {fields}, snippet({fts}, {column}, char(2), char(3), ' … ', 24) FROM {fts} JOIN {join}={fts}.rowid "
            f"WHERE {fts} MATCH ? ORDER BY {'rank' if ranked else fts + '.rowid DESC'} LIMIT ? OFFSET ?",
            (q, limit, offset))
        return total, ranked, [dict(zip((*keys, "snippet"), r)) for r in rows]

    def outlet_page(self, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """(outlets, the page of them, most articles first) with their catalogue counts."""
        total = int(self.db.execute("SELECT COUNT(*) FROM cat_outlets").fetchone()[0])
        rows = self.db.execute(f"SELECT {', '.join(OUTLET_KEYS)} FROM cat_outlets ORDER BY articles DESC, outlet "
                               f"LIMIT ? OFFSET ?", (limit, offset))
        return total, [dict(zip(OUTLET_KEYS, r)) for r in rows]

    def actor_page(self, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        total = int(self.db.execute("SELECT COUNT(*) FROM cat_actors").fetchone()[0])
        rows = self.db.execute(f"SELECT {', '.join(ACTOR_KEYS)} FROM cat_actors ORDER BY events DESC, actor "
                               f"LIMIT ? OFFSET ?", (limit, offset))
        return total, [_actor(r) for r in rows]

    def actor_network(self) -> dict[str, Any] | None:
        """The actor network drawn at the end of the run (`report.events.network`'s geometry)."""
        r = self.db.execute("SELECT value FROM meta WHERE key='catalogue_network'").fetchone()
        return json.loads(r[0]) if r and r[0] else None

    def actor_entry(self, actor: str) -> dict[str, Any] | None:
        r = self.db.execute(f"SELECT {', '.join(ACTOR_KEYS)} FROM cat_actors WHERE actor=?", (actor,)).fetchone()
        return None if r is None else _actor(r)

    def actor_events(self, actor: str, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """An actor's events over time (as source or target), as events.jsonl records with the role."""
        total = int(self.db.execute("SELECT COUNT(*) FROM cat_events WHERE actor=?", (actor,)).fetchone()[0])
        rows = self.db.execute("SELECT record, role, story_id FROM cat_events WHERE actor=? ORDER BY day, seq "
                               "LIMIT ? OFFSET ?", (actor, limit, offset))
        return total, [{**json.loads(r), "role": role, "story_id": s} for r, role, s in rows]

    def actor_recent_events(self, actor: str, limit: int) -> list[dict[str, Any]]:
        """An actor's latest `limit` events (by date, undated first), oldest first, as events.jsonl records."""
        rows = self.db.execute("SELECT record FROM cat_events WHERE actor=? ORDER BY day DESC, seq DESC LIMIT ?",
                               (actor, limit)).fetchall()
        return [json.loads(r) for (r,) in reversed(rows)]

    def actor_timeline(self, actor: str) -> list[tuple[str, int]]:
        """(month, events) of an actor."""
        return [(m, n) for m, n in self.db.execute(
            "SELECT substr(day, 1, 7) AS m, COUNT(*) FROM cat_events WHERE actor=? AND day IS NOT NULL GROUP BY m "
            "ORDER BY m", (actor,))]

    def story_events(self, story_id: str, limit: int) -> list[dict[str, Any]]:
        return [json.loads(r) for (r,) in self.db.execute(
            "SELECT record FROM cat_events WHERE story_id=? AND role='source' ORDER BY day, seq LIMIT ?",
            (story_id, limit))]

    def derivations_of(self, article_id: str, limit: int) -> list[dict[str, Any]]:
        """The judged pairs this article is in (either side), as derivations.jsonl records, derived
        ones first, then by score."""
        return [json.loads(r) for (r,) in self.db.execute(
            "SELECT record FROM (SELECT record, derived, score FROM cat_derivations WHERE derived_id=? UNION ALL "
            "SELECT record, derived, score FROM cat_derivations WHERE source_id=?) ORDER BY derived DESC, "
            "score DESC LIMIT ?", (article_id, article_id, limit))]

    def derivation_pair(self, a: str, b: str) -> dict[str, Any] | None:
        """The judged pair of these two articles (either way round), as its derivations.jsonl record."""
        r = self.db.execute("SELECT record FROM cat_derivations WHERE (derived_id=? AND source_id=?) OR "
                            "(derived_id=? AND source_id=?)", (a, b, b, a)).fetchone()
        return json.loads(r[0]) if r else None

    def families_of(self, article_ids: list[str]) -> list[dict[str, Any]]:
        """The families (as families.jsonl records) these articles are in, each once."""
        seen: dict[str, dict[str, Any]] = {}
        for i in range(0, len(article_ids), 500):
            chunk = article_ids[i:i + 500]
            for fid, r in self.db.execute(
                    "SELECT DISTINCT f.family_id, f.record FROM cat_family_members m JOIN cat_families f "
                    f"ON f.family_id=m.family_id WHERE m.article_id IN ({','.join('?' * len(chunk))})", chunk):
                if fid not in seen:
                    seen[fid] = json.loads(r)
        return [seen[k] for k in sorted(seen)]

    def article_row(self, article_id: str) -> dict[str, Any] | None:
        """An article's stored fields (text included), or None."""
        keys = ("id", "title", "text", "source", "url", "published", "crawled", "author", "language",
                "artefacts", "title_span", "duplicate_of", "input_path", "input_format", "content_hash")
        r = self.db.execute(f"SELECT {', '.join(keys)} FROM articles WHERE id=?", (article_id,)).fetchone()
        if r is None:
            return None
        d = dict(zip(keys, r))
        d["artefacts"] = json.loads(d["artefacts"] or "[]")
        d["title_span"] = json.loads(d["title_span"] or "null")
        return d

    def article_heads(self, article_ids: list[str]) -> dict[str, dict[str, Any]]:
        """id -> title, outlet and date of these articles (those that exist)."""
        out = {}
        for i in range(0, len(article_ids), 500):
            chunk = article_ids[i:i + 500]
            for aid, t, s, p in self.db.execute(
                    f"SELECT id, title, source, published FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk):
                out[aid] = {"id": aid, "title": t, "source": s, "published": p}
        return out


def _actor(row: tuple) -> dict[str, Any]:
    return {**dict(zip(ACTOR_KEYS, row)), "partners": json.loads(row[-1] or "[]")}
