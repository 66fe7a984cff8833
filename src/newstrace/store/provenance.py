"""The store's part for the provenance and families passes: indexed documents, derivations,
rewriting signals, family decisions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

# Tables of the family pass's decisions, rewritten whole by each pass.
_DECISION_TABLES = ("provenance_links", "provenance_articles", "families")


class ProvenanceTables:
    """Mixed into `Store`, which opens the connection (`db`) and owns the transaction helpers
    these methods call (`_begin`, `commit`, `_maybe_commit`)."""

    db: sqlite3.Connection
    run_id: int | None

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
