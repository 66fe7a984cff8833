"""The embedded store: one SQLite file (`newstrace.db`) in the output folder.

Why SQLite rather than DuckDB: the store is written one article at a time, as the stream
flows, and must survive an interrupted run with everything committed so far; SQLite's
row-level transactions and WAL journal do exactly that, it ships with Python (no
dependency), and later the web UI reads it while a run writes. DuckDB shines at columnar
analytics over finished tables, which users can still run on the exported JSONL.

The store is the corpus: a second run into the same folder adds to it, skips what is
unchanged (same id, same content hash) and re-analyses what changed. The JSONL files and
the report are exported from it at the end of every run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newstrace.store.catalogue import CatalogueTables
from newstrace.store.errors import StoreError
from newstrace.store.claims import ClaimsTables
from newstrace.store.provenance import ProvenanceTables
from newstrace.store.stories import StoriesTables
from newstrace.records import SCHEMA_VERSION, Artefact, Article, Entity, Sentence, Skipped, safe_path

DB_NAME = "newstrace.db"
# Commit after this many articles or seconds, whichever comes first: an interrupted run
# loses at most this much work, and commits stay cheap.
COMMIT_EVERY_ARTICLES = 200
COMMIT_EVERY_SECONDS = 5.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, started TEXT, finished TEXT, status TEXT, inputs TEXT, summary TEXT);
CREATE TABLE IF NOT EXISTS inputs (path TEXT PRIMARY KEY, size INTEGER, mtime REAL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL, input_key TEXT, content_hash TEXT, dup_key TEXT,
    title TEXT, text TEXT NOT NULL, source TEXT, url TEXT, published TEXT, crawled TEXT,
    author TEXT, language TEXT, artefacts TEXT, title_span TEXT, duplicate_of TEXT,
    input_path TEXT, input_ref TEXT, input_format TEXT, encoding TEXT, run_id INTEGER);
CREATE INDEX IF NOT EXISTS articles_input_key ON articles(input_key);
CREATE INDEX IF NOT EXISTS articles_dup_key ON articles(dup_key);
CREATE TABLE IF NOT EXISTS sentences (
    id TEXT PRIMARY KEY, article_id TEXT NOT NULL, idx INTEGER, start INTEGER, "end" INTEGER,
    text TEXT, artefact TEXT);
CREATE INDEX IF NOT EXISTS sentences_article ON sentences(article_id, idx);
CREATE TABLE IF NOT EXISTS entities (
    sentence_id TEXT NOT NULL, article_id TEXT NOT NULL, start INTEGER, "end" INTEGER,
    text TEXT, label TEXT, value TEXT);
CREATE INDEX IF NOT EXISTS entities_article ON entities(article_id);
CREATE INDEX IF NOT EXISTS entities_label_text ON entities(label, text);
CREATE TABLE IF NOT EXISTS numbers (
    sentence_id TEXT NOT NULL, article_id TEXT NOT NULL, start INTEGER, "end" INTEGER,
    text TEXT, value REAL, unit TEXT, kind TEXT);
CREATE INDEX IF NOT EXISTS numbers_article ON numbers(article_id);
CREATE TABLE IF NOT EXISTS skipped (
    run_id INTEGER, path TEXT, "where" TEXT, reason TEXT, stage TEXT, problem INTEGER);
CREATE TABLE IF NOT EXISTS article_vectors (article_id TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS stories (id TEXT PRIMARY KEY, active INTEGER NOT NULL DEFAULT 1, run_id INTEGER);
CREATE TABLE IF NOT EXISTS story_members (
    article_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, probability REAL, arrival INTEGER,
    in_state INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS story_members_story ON story_members(story_id, arrival);
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS provenance_docs (
    key INTEGER PRIMARY KEY AUTOINCREMENT, article_id TEXT UNIQUE NOT NULL, minhash BLOB, vector BLOB,
    sentence_vectors BLOB);
CREATE TABLE IF NOT EXISTS derivations (
    derived_id TEXT NOT NULL, source_id TEXT NOT NULL, score REAL, reverse_score REAL, derived INTEGER,
    direction TEXT, confidence REAL, evidence TEXT, features TEXT, coverage_derived REAL,
    coverage_source REAL, passages TEXT, found_by TEXT, PRIMARY KEY (derived_id, source_id));
CREATE INDEX IF NOT EXISTS derivations_source ON derivations(source_id);
CREATE TABLE IF NOT EXISTS attributions (
    article_id TEXT NOT NULL, idx INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (article_id, idx));
CREATE TABLE IF NOT EXISTS claims (
    article_id TEXT NOT NULL, idx INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (article_id, idx));
CREATE TABLE IF NOT EXISTS events (
    article_id TEXT NOT NULL, idx INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (article_id, idx));
CREATE TABLE IF NOT EXISTS claim_checks (article_id TEXT PRIMARY KEY, signature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS claim_sources (article_id TEXT PRIMARY KEY, version TEXT NOT NULL, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS provenance_signals (article_id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS provenance_links (
    derived_id TEXT NOT NULL, source_id TEXT NOT NULL, kind TEXT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (derived_id, source_id));
CREATE INDEX IF NOT EXISTS provenance_links_source ON provenance_links(source_id);
CREATE TABLE IF NOT EXISTS provenance_articles (article_id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS families (id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shards (
    key TEXT PRIMARY KEY, label TEXT NOT NULL, run_id INTEGER, records INTEGER NOT NULL,
    articles INTEGER NOT NULL, skipped INTEGER NOT NULL, seconds REAL NOT NULL, attempts INTEGER NOT NULL,
    worker TEXT, finished TEXT NOT NULL);
"""
# Columns added after a table was first created (older stores get them on opening).
_ADDED_COLUMNS = {"derivations": [("extra", "TEXT")]}


LOCK_NAME = ".newstrace.lock"


class OutputLock:
    """One run writes an output folder at a time: an exclusive lock on `DIR/.newstrace.lock`,
    held for the run's life and released by the operating system if the process dies (so a
    killed run never leaves a stale lock). A second run is refused at once, naming the holder."""

    def __init__(self, folder: Path | str) -> None:
        self.path = Path(folder) / LOCK_NAME
        self.fh: Any = None

    def acquire(self) -> OutputLock:
        import fcntl

        fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise StoreError(f"{self.path.parent}: another newstrace run is writing to this folder ({holder}); "
                             f"wait for it to finish or use another --out") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        self.fh = fh
        return self

    def release(self) -> None:
        if self.fh is not None:
            self.fh.close()  # closing the file releases the lock
            self.fh = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


class Store(StoriesTables, ProvenanceTables, ClaimsTables, CatalogueTables):
    """Articles, sentences, entities, numbers and run metadata in one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            self.ensure_catalogue()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        self._add_columns()
        version = self.get_meta("schema_version")
        if version is None:
            self.set_meta("schema_version", SCHEMA_VERSION)
        elif version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise StoreError(f"{self.path} holds schema {version}; this newstrace writes "
                             f"{SCHEMA_VERSION}: use a new --out folder")
        self._in_tx = False
        self._pending = 0
        self._last_commit = time.monotonic()
        self._input_sig: dict[str, tuple[int, float] | None] = {}
        self.run_id: int | None = None

    def _add_columns(self) -> None:
        for table, columns in _ADDED_COLUMNS.items():
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns:
                if name not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    @classmethod
    def reader(cls, path: Path | str) -> Store:
        """A read-only connection to an existing store, for worker processes that only read
        (the writer's uncommitted work is not visible to it)."""
        self = cls.__new__(cls)
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None,
                                      check_same_thread=False)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc
        self._in_tx = False
        self._pending = 0
        self._last_commit = time.monotonic()
        self._input_sig = {}
        self.run_id = None
        return self

    # -- metadata and runs ------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def start_run(self, inputs: list[str], started: str) -> int:
        """Record a run as running; runs still marked running were killed or failed (the caller
        holds the output lock, so none is alive): they are closed as interrupted."""
        self.db.execute("UPDATE runs SET status='interrupted', finished=? WHERE status='running'", (started,))
        cur = self.db.execute("INSERT INTO runs(started, status, inputs) VALUES (?, 'running', ?)",
                              (started, json.dumps(inputs)))
        self.run_id = int(cur.lastrowid)
        return self.run_id

    def runs(self) -> list[dict[str, Any]]:
        """Every run, oldest first: id, started, finished, status, inputs."""
        return [{"id": r[0], "started": r[1], "finished": r[2], "status": r[3], "inputs": json.loads(r[4] or "[]")}
                for r in self.db.execute("SELECT id, started, finished, status, inputs FROM runs ORDER BY id")]

    def finish_run(self, status: str, finished: str, summary: dict[str, Any]) -> None:
        self.commit()
        self.db.execute("UPDATE runs SET status=?, finished=?, summary=? WHERE id=?",
                        (status, finished, json.dumps(summary), self.run_id))

    # -- resuming ---------------------------------------------------------------------
    def _begin(self) -> None:
        if not self._in_tx:
            self.db.execute("BEGIN")
            self._in_tx = True

    def commit(self) -> None:
        if self._in_tx:
            self.db.execute("COMMIT")
            self._in_tx = False
        self._pending = 0
        self._last_commit = time.monotonic()

    def record_input(self, path: str) -> None:
        """Remember a file's size and time, so a rerun can tell it is unchanged."""
        sig = _file_sig(path)
        if sig is not None:
            self._begin()
            self.db.execute("INSERT OR REPLACE INTO inputs(path, size, mtime) VALUES (?, ?, ?)",
                            (path, sig[0], sig[1]))

    def seen(self, input_key: str) -> bool:
        """True when the record behind `input_key` is stored and its file has not changed. (A
        file name that is not valid UTF-8 is stored escaped: looked up so.)"""
        path = input_key.rsplit("#", 1)[0]
        if path not in self._input_sig:
            row = self.db.execute("SELECT size, mtime FROM inputs WHERE path=?", (safe_path(path),)).fetchone()
            self._input_sig[path] = (row[0], row[1]) if row and _file_sig(path) == (row[0], row[1]) else None
        if self._input_sig[path] is None:
            return False
        return self.db.execute("SELECT 1 FROM articles WHERE input_key=? LIMIT 1",
                               (safe_path(input_key),)).fetchone() is not None

    def owner_of(self, article_id: str) -> tuple[str, str] | None:
        """(input_key, content_hash) of the stored article with this id, if any."""
        row = self.db.execute("SELECT input_key, content_hash FROM articles WHERE id=?",
                              (article_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def find_duplicate(self, dup_key: str, article_id: str) -> str | None:
        row = self.db.execute("SELECT id FROM articles WHERE dup_key=? AND id<>? ORDER BY seq LIMIT 1",
                              (dup_key, article_id)).fetchone()
        return row[0] if row else None

    # -- writing ----------------------------------------------------------------------
    def put_article(self, a: Article, dup_key: str | None = None) -> None:
        """Write (or replace) one analysed article with its sentences, entities and numbers."""
        self._begin()
        db = self.db
        db.execute("DELETE FROM articles WHERE id=?", (a.id,))
        for table in ("sentences", "entities", "numbers", "article_vectors", "provenance_docs", "attributions",
                      "events", "provenance_signals", "claim_sources"):
            db.execute(f"DELETE FROM {table} WHERE article_id=?", (a.id,))
        db.execute("DELETE FROM derivations WHERE derived_id=? OR source_id=?", (a.id, a.id))
        j = a.to_json()
        db.execute(
            "INSERT INTO articles(id, input_key, content_hash, dup_key, title, text, source, url, "
            "published, crawled, author, language, artefacts, title_span, duplicate_of, input_path, "
            "input_ref, input_format, encoding, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (a.id, a.input_key, a.content_hash, dup_key, a.title, a.text, a.source, a.url,
             a.published, a.crawled, a.author, a.language, json.dumps(j["artefacts"]),
             json.dumps(j["title_span"]), a.duplicate_of, a.input_path, a.input_ref,
             a.input_format, a.encoding, self.run_id))
        db.executemany('INSERT INTO sentences(id, article_id, idx, start, "end", text, artefact) '
                       "VALUES (?,?,?,?,?,?,?)",
                       [(s.id, a.id, i, s.start, s.end, s.text, s.artefact) for i, s in enumerate(a.sentences)])
        db.executemany('INSERT INTO entities VALUES (?,?,?,?,?,?,?)',
                       [(s.id, a.id, e.start, e.end, e.text, e.label, e.value)
                        for s in a.sentences for e in s.entities])
        db.executemany('INSERT INTO numbers VALUES (?,?,?,?,?,?,?,?)',
                       [(s.id, a.id, n.start, n.end, n.text, n.value, n.unit, n.kind)
                        for s in a.sentences for n in s.numbers])
        db.executemany("INSERT INTO attributions(article_id, idx, record) VALUES (?,?,?)",
                       [(a.id, i, json.dumps(r, ensure_ascii=False)) for i, r in enumerate(a.attributions)])
        db.executemany("INSERT INTO events(article_id, idx, record) VALUES (?,?,?)",
                       [(a.id, i, json.dumps(r, ensure_ascii=False)) for i, r in enumerate(a.events)])
        if a.prepared.get("claims") is not None:  # (version, blob): claims.source.prepared_source
            db.execute("INSERT INTO claim_sources(article_id, version, blob) VALUES (?,?,?)",
                       (a.id, *a.prepared["claims"]))
        self._maybe_commit()

    def _maybe_commit(self) -> None:
        self._pending += 1
        if self._pending >= COMMIT_EVERY_ARTICLES or time.monotonic() - self._last_commit > COMMIT_EVERY_SECONDS:
            self.commit()

    def commit_if_due(self) -> None:
        """Count one unit of work written by a stage; commit when enough has piled up."""
        self._maybe_commit()

    def put_state(self, name: str, value: bytes) -> None:
        """Store a stage's state blob (and commit everything written before it)."""
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO state(name, value) VALUES (?, ?)", (name, value))
        self.commit()

    def load_state(self, name: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM state WHERE name=?", (name,)).fetchone()
        return row[0] if row else None

    def all_article_ids(self) -> list[str]:
        """Every stored article's id, in stored order."""
        return [r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY seq")]

    def iter_article_ids(self) -> Iterator[str]:
        """Every stored article's id, in stored order, as a stream (for exports)."""
        for (article_id,) in self.db.execute("SELECT id FROM articles ORDER BY seq"):
            yield article_id

    def english_article_ids(self) -> list[str]:
        """Ids of stored articles in English (or of no detected language), in stored order."""
        return [r[0] for r in self.db.execute(
            "SELECT id FROM articles WHERE language IS NULL OR language='en' ORDER BY seq")]

    def content_hashes(self) -> dict[str, str]:
        """Every stored article's content hash, by id."""
        return dict(self.db.execute("SELECT id, content_hash FROM articles"))

    def article_header(self, article_id: str) -> tuple[str, str | None, str | None, str | None] | None:
        """(text, language, source, published) of a stored article, or None."""
        return self.db.execute("SELECT text, language, source, published FROM articles WHERE id=?",
                               (article_id,)).fetchone()

    def entity_names(self, article_ids: list[str]) -> Iterator[tuple[str, str]]:
        """(text, label) of every entity of these articles."""
        for i in range(0, len(article_ids), 500):
            chunk = article_ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(f"SELECT text, label FROM entities WHERE article_id IN ({marks})", chunk)

    def first_sentence(self, article_id: str) -> str | None:
        """The text of an article's first sentence that is not an artefact."""
        row = self.db.execute("SELECT text FROM sentences WHERE article_id=? AND artefact IS NULL "
                              "ORDER BY idx LIMIT 1", (article_id,)).fetchone()
        return row[0] if row else None

    def _records_of(self, table: str, article_id: str) -> list[dict[str, Any]]:
        assert table in ("attributions", "claims", "events")
        return [json.loads(r) for (r,) in self.db.execute(
            f"SELECT record FROM {table} WHERE article_id=? ORDER BY idx", (article_id,))]

    def _all_records(self, table: str) -> Iterator[dict[str, Any]]:
        assert table in ("attributions", "claims", "events")
        rows = self.db.execute(f"SELECT t.record FROM articles a JOIN {table} t ON t.article_id = a.id "
                               "ORDER BY a.seq, t.idx")
        for (r,) in rows:
            yield json.loads(r)

    def attributions_for(self, article_id: str) -> list[dict[str, Any]]:
        """An article's attributions.jsonl records, in text order."""
        return self._records_of("attributions", article_id)

    def iter_attributions(self) -> Iterator[dict[str, Any]]:
        """Every attribution, article by article in input order."""
        return self._all_records("attributions")

    def events_for(self, article_id: str) -> list[dict[str, Any]]:
        """An article's events.jsonl records, in text order."""
        return self._records_of("events", article_id)

    def iter_events(self) -> Iterator[dict[str, Any]]:
        """Every coded event, article by article in input order."""
        return self._all_records("events")

    def load_articles(self, article_ids: list[str]) -> Iterator[Article]:
        """Stored articles, one at a time, in the order given (ids no longer stored are skipped)."""
        for article_id in article_ids:
            a = self.load_article(article_id)
            if a is not None:
                yield a

    def load_article(self, article_id: str) -> Article | None:
        """A stored article with its sentences and entities (numbers left out)."""
        row = self.db.execute("SELECT id, text, title, source, url, published, crawled, language, "
                              "duplicate_of, artefacts FROM articles WHERE id=?", (article_id,)).fetchone()
        if row is None:
            return None
        a = Article(id=row[0], text=row[1], title=row[2], source=row[3], url=row[4], published=row[5],
                    crawled=row[6], language=row[7], duplicate_of=row[8],
                    artefacts=[Artefact(x["kind"], x["start"], x["end"], x.get("detail"))
                               for x in json.loads(row[9] or "[]")])
        for d in self.sentences_for(article_id):
            s = Sentence(d["id"], article_id, d["start"], d["end"], d["text"], artefact=d["artefact"])
            s.entities = [Entity(e["start"], e["end"], e["text"], e["label"], e.get("value")) for e in d["entities"]]
            a.sentences.append(s)
        return a

    def put_skip(self, skip: Skipped) -> None:
        self._begin()
        self.db.execute('INSERT INTO skipped(run_id, path, "where", reason, stage, problem) VALUES (?,?,?,?,?,?)',
                        (self.run_id, skip.path, skip.where, skip.reason, skip.stage, int(skip.problem)))

    def put_shard(self, key: str, label: str, records: int, articles: int, skipped: int, seconds: float,
                  attempts: int, worker: str | None, finished: str) -> None:
        """Record a shard of the input as done (`--executor ray`): in the transaction that holds its
        last articles, so a shard is marked done exactly when all its articles are stored."""
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO shards(key, label, run_id, records, articles, skipped, seconds, "
                        "attempts, worker, finished) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (key, label, self.run_id, records, articles, skipped, seconds, attempts, worker, finished))

    def shard_done(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM shards WHERE key = ?", (key,)).fetchone() is not None

    def iter_shards(self) -> Iterator[dict[str, Any]]:
        """The shards done, in the order they were finished (the per-shard log of a Ray run)."""
        cur = self.db.execute("SELECT key, label, run_id, records, articles, skipped, seconds, attempts, worker, "
                              "finished FROM shards ORDER BY rowid")
        for row in cur:
            yield dict(zip(("key", "label", "run_id", "records", "articles", "skipped", "seconds", "attempts",
                            "worker", "finished"), row))

    # -- reading ----------------------------------------------------------------------
    def count(self, table: str) -> int:
        assert table in ("articles", "sentences", "entities", "numbers", "skipped", "stories", "attributions",
                         "claims", "events", "shards")
        return int(self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def iter_articles(self) -> Iterator[dict[str, Any]]:
        """Articles in the shape of `articles.jsonl`, in the order they were first stored."""
        cur = self.db.execute(
            "SELECT a.id, title, text, source, url, published, crawled, author, language, artefacts, "
            "title_span, duplicate_of, input_path, input_ref, input_format, encoding, content_hash, "
            "m.story_id, ps.record, pa.record FROM articles a LEFT JOIN story_members m ON m.article_id=a.id "
            "LEFT JOIN provenance_signals ps ON ps.article_id=a.id LEFT JOIN provenance_articles pa "
            "ON pa.article_id=a.id ORDER BY a.seq")
        for r in cur:
            signals = json.loads(r[18]) if r[18] else {}
            prov = json.loads(r[19]) if r[19] else {}
            yield {"id": r[0], "title": r[1], "text": r[2], "source": r[3], "url": r[4],
                   "published": r[5], "crawled": r[6], "author": r[7], "language": r[8],
                   "artefacts": json.loads(r[9]), "title_span": json.loads(r[10]),
                   "duplicate_of": r[11],
                   "input": {"path": r[12], "ref": r[13], "format": r[14], "encoding": r[15]},
                   "content_hash": r[16], "story_id": r[17],
                   "rewrite_signals": signals.get("signals", []) + prov.pop("signals", []),
                   "provenance": {"family_id": None, "role": None, "sources": [], "candidates": [], "added": [],
                                  **prov, "measures": {k: signals.get(k) for k in ("style", "quotes", "cues",
                                                                                  "sentences")}}
                   if (prov or signals) else None}

    def article_meta(self, article_id: str) -> dict[str, Any] | None:
        """An article's outlet, URL, date and input path (for exports that cite it)."""
        r = self.db.execute("SELECT source, url, published, input_path FROM articles WHERE id=?",
                            (article_id,)).fetchone()
        return None if r is None else {"source": r[0], "url": r[1], "published": r[2], "input_path": r[3]}

    def sentences_for(self, article_id: str) -> list[dict[str, Any]]:
        """An article's sentences in the shape of `sentences.jsonl`."""
        ents: dict[str, list[dict[str, Any]]] = {}
        for sid, s, e, t, label, value in self.db.execute(
                'SELECT sentence_id, start, "end", text, label, value FROM entities WHERE article_id=? '
                "ORDER BY start", (article_id,)):
            d = {"start": s, "end": e, "text": t, "label": label}
            if value is not None:
                d["value"] = value
            ents.setdefault(sid, []).append(d)
        nums: dict[str, list[dict[str, Any]]] = {}
        for sid, s, e, t, value, unit, kind in self.db.execute(
                'SELECT sentence_id, start, "end", text, value, unit, kind FROM numbers WHERE article_id=? '
                "ORDER BY start", (article_id,)):
            v: int | float = int(value) if float(value).is_integer() else value
            nums.setdefault(sid, []).append({"start": s, "end": e, "text": t, "value": v,
                                             "unit": unit, "kind": kind})
        out = []
        for sid, s, e, t, art in self.db.execute(
                'SELECT id, start, "end", text, artefact FROM sentences WHERE article_id=? ORDER BY idx',
                (article_id,)):
            out.append({"id": sid, "article_id": article_id, "start": s, "end": e, "text": t,
                        "entities": ents.get(sid, []), "numbers": nums.get(sid, []), "artefact": art})
        return out

    def skips(self, run_id: int | None = None) -> list[dict[str, Any]]:
        rid = self.run_id if run_id is None else run_id
        return [{"path": p, "where": w, "reason": r, "stage": s, "problem": bool(pr)}
                for p, w, r, s, pr in self.db.execute(
                    'SELECT path, "where", reason, stage, problem FROM skipped WHERE run_id=?', (rid,))]

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self.db.close()


def _file_sig(path: str) -> tuple[int, float] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime
