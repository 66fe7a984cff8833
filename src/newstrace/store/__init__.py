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
CREATE TABLE IF NOT EXISTS provenance_signals (article_id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS provenance_links (
    derived_id TEXT NOT NULL, source_id TEXT NOT NULL, kind TEXT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (derived_id, source_id));
CREATE INDEX IF NOT EXISTS provenance_links_source ON provenance_links(source_id);
CREATE TABLE IF NOT EXISTS provenance_articles (article_id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS families (id TEXT PRIMARY KEY, record TEXT NOT NULL);
"""
# Columns added after a table was first created (older stores get them on opening).
_ADDED_COLUMNS = {"derivations": [("extra", "TEXT")]}
# Tables of the family pass's decisions, rewritten whole by each pass.
_DECISION_TABLES = ("provenance_links", "provenance_articles", "families")


class StoreError(RuntimeError):
    """The database cannot be opened or written (a user-facing error at the CLI edge)."""


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


class Store:
    """Articles, sentences, entities, numbers and run metadata in one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
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
                      "events", "provenance_signals"):
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
        self._maybe_commit()

    def _maybe_commit(self) -> None:
        self._pending += 1
        if self._pending >= COMMIT_EVERY_ARTICLES or time.monotonic() - self._last_commit > COMMIT_EVERY_SECONDS:
            self.commit()

    def commit_if_due(self) -> None:
        """Count one unit of work written by a stage; commit when enough has piled up."""
        self._maybe_commit()

    def put_vector(self, article_id: str, vector: bytes) -> None:
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO article_vectors(article_id, vector) VALUES (?, ?)",
                        (article_id, vector))

    def get_vector(self, article_id: str) -> bytes | None:
        row = self.db.execute("SELECT vector FROM article_vectors WHERE article_id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def put_membership(self, article_id: str, story_id: str, probability: float, arrival: int,
                       new_story: bool) -> None:
        """Record that an article joined a story (in the clusterer's arrival order)."""
        self._begin()
        if new_story:
            self.db.execute("INSERT OR REPLACE INTO stories(id, active, run_id) VALUES (?, 1, ?)",
                            (story_id, self.run_id))
        self.db.execute("INSERT OR REPLACE INTO story_members(article_id, story_id, probability, arrival, "
                        "in_state) VALUES (?, ?, ?, ?, 0)", (article_id, story_id, probability, arrival))
        self._maybe_commit()

    def story_of(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT story_id FROM story_members WHERE article_id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def retire_stories(self, story_ids: list[str]) -> None:
        if story_ids:
            self._begin()
            self.db.executemany("UPDATE stories SET active=0 WHERE id=?", [(i,) for i in story_ids])

    def save_state(self, name: str, value: bytes) -> None:
        """Store a stage's state with the memberships it covers, in one transaction."""
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO state(name, value) VALUES (?, ?)", (name, value))
        self.db.execute("UPDATE story_members SET in_state=1 WHERE in_state=0")
        self.commit()

    def put_state(self, name: str, value: bytes) -> None:
        """Store a stage's state blob (and commit everything written before it)."""
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO state(name, value) VALUES (?, ?)", (name, value))
        self.commit()

    def load_state(self, name: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM state WHERE name=?", (name,)).fetchone()
        return row[0] if row else None

    def unclustered(self) -> list[str]:
        """Ids of stored articles that the saved clusterer state does not cover, in stored
        order (an earlier run stopped before saving it); their loose memberships are dropped."""
        self._begin()
        self.db.execute("DELETE FROM story_members WHERE in_state=0")
        self.db.execute("DELETE FROM stories WHERE id NOT IN (SELECT story_id FROM story_members)")
        ids = [r[0] for r in self.db.execute(
            "SELECT a.id FROM articles a LEFT JOIN story_members m ON m.article_id=a.id "
            "WHERE m.article_id IS NULL ORDER BY a.seq")]
        self.commit()
        return ids

    # -- provenance ---------------------------------------------------------------------
    def put_provenance_doc(self, article_id: str, minhash: bytes | None, vector: bytes | None,
                           sentence_vectors: bytes | None) -> int:
        """Record that an article was checked for provenance; returns its index key."""
        self._begin()
        cur = self.db.execute("INSERT OR REPLACE INTO provenance_docs(article_id, minhash, vector, sentence_vectors) "
                              "VALUES (?, ?, ?, ?)", (article_id, minhash, vector, sentence_vectors))
        return int(cur.lastrowid)

    def provenance_article(self, key: int) -> str | None:
        """The article an index key stands for (None: it changed since it was indexed)."""
        row = self.db.execute("SELECT article_id FROM provenance_docs WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def sentence_vectors(self, article_id: str) -> bytes | None:
        row = self.db.execute("SELECT sentence_vectors FROM provenance_docs WHERE article_id=?",
                              (article_id,)).fetchone()
        return row[0] if row else None

    def provenance_index_rows(self, after_key: int) -> Iterator[tuple[int, bytes | None, bytes | None]]:
        yield from self.db.execute("SELECT key, minhash, vector FROM provenance_docs WHERE key>? "
                                   "AND (minhash IS NOT NULL OR vector IS NOT NULL) ORDER BY key", (after_key,))

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

    def story_activity(self) -> dict[str, int]:
        """Whether each story is still active (1) or retired (0), by id."""
        return dict(self.db.execute("SELECT id, active FROM stories"))

    def iter_story_members(self) -> Iterator[tuple[str, str, float | None, int | None, str | None, str | None,
                                                   str | None, str | None]]:
        """(story, article, probability, arrival, title, source, published, crawled) of every
        membership, story by story in the order stories were created, members in arrival order."""
        yield from self.db.execute(
            "SELECT m.story_id, m.article_id, m.probability, m.arrival, a.title, a.source, a.published, a.crawled "
            "FROM story_members m JOIN articles a ON a.id = m.article_id "
            "ORDER BY CAST(substr(m.story_id, instr(m.story_id, '-') + 1) AS INTEGER), m.story_id, m.arrival")

    def unchecked_provenance(self) -> list[str]:
        """Ids of stored articles not yet checked for provenance, in stored order."""
        return [r[0] for r in self.db.execute(
            "SELECT a.id FROM articles a LEFT JOIN provenance_docs p ON p.article_id=a.id "
            "WHERE p.article_id IS NULL ORDER BY a.seq")]

    def put_derivation(self, row: dict[str, Any]) -> None:
        self._begin()
        self.db.execute("DELETE FROM derivations WHERE derived_id=? AND source_id=?", (row["source_id"], row["derived_id"]))
        self.db.execute(
            "INSERT OR REPLACE INTO derivations(derived_id, source_id, score, reverse_score, derived, direction, "
            "confidence, evidence, features, coverage_derived, coverage_source, passages, found_by, extra) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (row["derived_id"], row["source_id"], row["score"], row["reverse_score"], int(row["derived"]),
             row["direction"], row["confidence"], json.dumps(row["evidence"]), json.dumps(row["features"]),
             row["coverage_derived"], row["coverage_source"], json.dumps(row["passages"]), row["found_by"],
             json.dumps(row.get("extra") or {})))

    def count_derived(self, article_ids: list[str]) -> int:
        """How many of these articles derive from another (a derivation the family pass decided)."""
        n = 0
        for i in range(0, len(article_ids), 500):
            part = article_ids[i:i + 500]
            n += self.db.execute(f"SELECT COUNT(DISTINCT derived_id) FROM provenance_links WHERE kind='derived' AND "
                                 f"derived_id IN ({','.join('?' * len(part))})", part).fetchone()[0]
        return n

    def iter_derivations(self) -> Iterator[dict[str, Any]]:
        """Every judged pair, in the reading its pair judgement preferred (`extra` holds both)."""
        return self._derivation_rows("ORDER BY derived_id, source_id", ())

    def reset_provenance(self) -> None:
        """Forget every judged pair and provenance document (provenance is judged anew)."""
        self._begin()
        for table in ("derivations", "provenance_docs", "provenance_signals", *_DECISION_TABLES):
            self.db.execute(f"DELETE FROM {table}")
        self.db.execute("DELETE FROM state WHERE name='provenance.index'")
        self.commit()

    def put_signals(self, article_id: str, record: dict[str, Any]) -> None:
        """An article's rewriting signals and originality measures (provenance.signals)."""
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO provenance_signals(article_id, record) VALUES (?, ?)",
                        (article_id, json.dumps(record, ensure_ascii=False)))

    def signals_for(self, article_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT record FROM provenance_signals WHERE article_id=?", (article_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def provenance_members(self, article_ids: list[str]
                           ) -> Iterator[tuple[str, int, str | None, list[tuple[int, int]]]]:
        """(id, stored order, published, spans of its sentences that are not artefacts) of these articles."""
        for article_id in article_ids:
            row = self.db.execute("SELECT seq, published FROM articles WHERE id=?", (article_id,)).fetchone()
            if row is None:
                continue
            spans = [(s, e) for s, e in self.db.execute(
                'SELECT start, "end" FROM sentences WHERE article_id=? AND artefact IS NULL ORDER BY idx',
                (article_id,))]
            yield article_id, int(row[0]), row[1], spans

    def pair_links(self) -> Iterator[tuple[str, str, float]]:
        """(article, article, relatedness) of every judged pair, lean (for grouping): the larger
        of the two readings' scores and copied shares."""
        yield from self.db.execute(
            "SELECT derived_id, source_id, MAX(IFNULL(score, 0), IFNULL(reverse_score, 0), "
            "IFNULL(json_extract(extra, '$.copied'), 0), IFNULL(json_extract(extra, '$.reverse_copied'), 0)) "
            "FROM derivations")

    def pairs_among(self, article_ids: list[str]) -> Iterator[dict[str, Any]]:
        """The judged pairs with both articles among `article_ids`, as `iter_derivations` gives them."""
        ids = set(article_ids)
        for article_id in article_ids:
            for row in self._derivation_rows("WHERE derived_id=?", (article_id,)):
                if row["source_id"] in ids:
                    yield row

    def _derivation_rows(self, where: str, args: tuple) -> Iterator[dict[str, Any]]:
        cur = self.db.execute(
            "SELECT derived_id, source_id, score, reverse_score, derived, direction, confidence, evidence, features, "
            f"coverage_derived, coverage_source, passages, found_by, extra FROM derivations {where}", args)
        for r in cur:
            yield {"derived_id": r[0], "source_id": r[1], "score": r[2], "reverse_score": r[3], "derived": bool(r[4]),
                   "direction": r[5], "confidence": r[6], "evidence": json.loads(r[7]),
                   "features": json.loads(r[8]), "coverage_derived": r[9], "coverage_source": r[10],
                   "passages": json.loads(r[11]), "found_by": r[12], "extra": json.loads(r[13] or "{}")}

    def clear_family_decisions(self) -> None:
        self._begin()
        for table in _DECISION_TABLES:
            self.db.execute(f"DELETE FROM {table}")

    def put_family_decisions(self, links: list[tuple[str, str, str, dict[str, Any]]],
                             articles: list[tuple[str, dict[str, Any]]], families: list[dict[str, Any]]) -> None:
        """Store one group's decisions: links (derived, source, kind 'derived' or 'sibling', record),
        each article's provenance record, and its families."""
        self._begin()
        self.db.executemany("INSERT OR REPLACE INTO provenance_links(derived_id, source_id, kind, record) "
                            "VALUES (?,?,?,?)", [(d, s, k, json.dumps(r, ensure_ascii=False)) for d, s, k, r in links])
        self.db.executemany("INSERT OR REPLACE INTO provenance_articles(article_id, record) VALUES (?,?)",
                            [(i, json.dumps(r, ensure_ascii=False)) for i, r in articles])
        self.db.executemany("INSERT OR REPLACE INTO families(id, record) VALUES (?,?)",
                            [(f["id"], json.dumps(f, ensure_ascii=False)) for f in families])
        self._maybe_commit()

    def iter_links(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        for d, s, k, r in self.db.execute("SELECT derived_id, source_id, kind, record FROM provenance_links "
                                          "ORDER BY derived_id, source_id"):
            yield d, s, k, json.loads(r)

    def article_provenance(self, article_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT record FROM provenance_articles WHERE article_id=?", (article_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def iter_families(self) -> Iterator[dict[str, Any]]:
        for (r,) in self.db.execute("SELECT record FROM families ORDER BY id"):
            yield json.loads(r)

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

    # -- claims -------------------------------------------------------------------------
    def put_claims(self, article_id: str, records: list[dict[str, Any]], signature: str) -> None:
        """Replace an article's claims, and remember what they were checked against."""
        self._begin()
        self.db.execute("DELETE FROM claims WHERE article_id=?", (article_id,))
        self.db.executemany("INSERT INTO claims(article_id, idx, record) VALUES (?,?,?)",
                            [(article_id, i, json.dumps(r, ensure_ascii=False)) for i, r in enumerate(records)])
        self.db.execute("INSERT OR REPLACE INTO claim_checks(article_id, signature) VALUES (?,?)",
                        (article_id, signature))
        self._maybe_commit()

    def claim_signatures(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT article_id, signature FROM claim_checks"))

    def claims_for(self, article_id: str) -> list[dict[str, Any]]:
        """An article's claims.jsonl records, in text order."""
        return self._records_of("claims", article_id)

    def iter_claims(self) -> Iterator[dict[str, Any]]:
        """Every claim, article by article in input order."""
        return self._all_records("claims")

    def story_members(self, story_id: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT article_id FROM story_members WHERE story_id=? ORDER BY arrival", (story_id,))]

    def derivation_partners(self, article_id: str) -> list[tuple[str, float, bool]]:
        """The articles judged against this one for provenance: (id, score, derived), best first."""
        rows = self.db.execute(
            "SELECT source_id, MAX(score, reverse_score), derived FROM derivations WHERE derived_id=? UNION ALL "
            "SELECT derived_id, MAX(score, reverse_score), derived FROM derivations WHERE source_id=?",
            (article_id, article_id)).fetchall()
        return sorted(((r[0], float(r[1] or 0.0), bool(r[2])) for r in rows), key=lambda r: -r[1])

    def document_vector(self, article_id: str) -> bytes | None:
        row = self.db.execute("SELECT vector FROM provenance_docs WHERE article_id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def reset_stories(self) -> None:
        """Forget every story (the clusterer state could not be read)."""
        self._begin()
        for table in ("story_members", "stories", "state"):
            self.db.execute(f"DELETE FROM {table}")
        self.commit()

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

    # -- reading ----------------------------------------------------------------------
    def count(self, table: str) -> int:
        assert table in ("articles", "sentences", "entities", "numbers", "skipped", "stories", "attributions",
                         "claims", "events")
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
