"""The store's part for the stories pass: lead vectors, memberships, the clusterer's state."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


class StoriesTables:
    """Mixed into `Store`, which opens the connection (`db`) and owns the transaction helpers
    these methods call (`_begin`, `commit`, `_maybe_commit`)."""

    db: sqlite3.Connection
    run_id: int | None

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

    def story_members(self, story_id: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT article_id FROM story_members WHERE story_id=? ORDER BY arrival", (story_id,))]

    def reset_stories(self) -> None:
        """Forget every story (the clusterer state could not be read)."""
        self._begin()
        for table in ("story_members", "stories", "state"):
            self.db.execute(f"DELETE FROM {table}")
        self.commit()
