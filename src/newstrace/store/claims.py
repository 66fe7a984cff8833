"""The store's part for the claims pass: each article's checked claims and their signature."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any


class ClaimsTables:
    """Mixed into `Store`, which opens the connection (`db`) and owns the transaction helpers
    these methods call (`_begin`, `commit`, `_maybe_commit`)."""

    db: sqlite3.Connection
    run_id: int | None

    def put_claims(self, article_id: str, records: list[dict[str, Any]], signature: str) -> None:
        """Replace an article's claims, and remember what they were checked against."""
        self._begin()
        self.db.execute("DELETE FROM claims WHERE article_id=?", (article_id,))
        self.db.executemany("INSERT INTO claims(article_id, idx, record) VALUES (?,?,?)",
                            [(article_id, i, json.dumps(r, ensure_ascii=False)) for i, r in enumerate(records)])
        self.db.execute("INSERT OR REPLACE INTO claim_checks(article_id, signature) VALUES (?,?)",
                        (article_id, signature))
        self._maybe_commit()

    def claim_source(self, article_id: str, version: str) -> bytes | None:
        """An English article's Source for the claims pass (`claims.source.dump_source`), if stored
        under `version`."""
        row = self.db.execute(
            "SELECT s.blob FROM claim_sources s JOIN articles a ON a.id=s.article_id WHERE s.article_id=? "
            "AND s.version=? AND (a.language IS NULL OR a.language='en')", (article_id, version)).fetchone()
        return row[0] if row else None

    def put_claim_source(self, article_id: str, version: str, blob: bytes) -> None:
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO claim_sources(article_id, version, blob) VALUES (?,?,?)",
                        (article_id, version, blob))
        self._maybe_commit()

    def ids_without_claim_source(self, version: str) -> list[str]:
        """English articles, in stored order, with no Source stored under `version`."""
        return [r[0] for r in self.db.execute(
            "SELECT a.id FROM articles a LEFT JOIN claim_sources s ON s.article_id=a.id AND s.version=? "
            "WHERE (a.language IS NULL OR a.language='en') AND s.article_id IS NULL ORDER BY a.seq", (version,))]

    def claim_signatures(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT article_id, signature FROM claim_checks"))

    def claims_for(self, article_id: str) -> list[dict[str, Any]]:
        """An article's claims.jsonl records, in text order."""
        return self._records_of("claims", article_id)

    def iter_claims(self) -> Iterator[dict[str, Any]]:
        """Every claim, article by article in input order."""
        return self._all_records("claims")
