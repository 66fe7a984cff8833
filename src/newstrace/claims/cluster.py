"""The claims check spread over a Ray cluster (`newstrace analyze --executor ray`).

Checking an article's claims needs its Source and its candidates' (`claims.source`, about 20 KB
each, stored by the unit), not the store: so a task carries them. The pass sends its chunks of
articles (a story's articles together, as the local workers get them) as Ray tasks with the
stored Sources of every article the chunk reads, read here from the store; a task loads them and
runs `corpus.check_source`, the same function the local pass runs, so the records are the same.
The cluster's machines need no access to the store. Sources still missing (an older store, an
exact duplicate) are built on the driver first, as the local pass does.

A task whose worker dies is retried by Ray (`max_retries`); if it still fails, `result` raises
`BrokenProcessPool` and the pass does the rest in this process, as it does when a local worker
dies.
"""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from typing import Any

from newstrace.claims.corpus import Checker, check_source
from newstrace.claims.source import dump_source, load_source, source_version
from newstrace.unit.cluster import ray_module

# Ray retries a task whose worker died this many times before the pass takes it over.
TASK_RETRIES = 2


def check_with_sources(tasks: list[tuple[str, list[str]]], blobs: dict[str, bytes]) -> list[list[dict[str, Any]]]:
    """claims.jsonl records of each (article, candidates) in `tasks`, from the stored Sources in
    `blobs` (an article without one is not English: it has no claims and is no candidate)."""
    loaded = {k: load_source(b) for k, b in blobs.items()}
    out = []
    for article_id, candidates in tasks:
        me = loaded.get(article_id)
        if me is None:
            out.append([])
            continue
        out.append(check_source(me, [loaded[c] for c in candidates if c in loaded]))
    return out


class _Result:
    def __init__(self, ray: Any, ref: Any) -> None:
        self.ray = ray
        self.ref = ref

    def result(self) -> Any:
        try:
            return self.ray.get(self.ref)
        except (self.ray.exceptions.WorkerCrashedError, self.ray.exceptions.RayActorError,
                self.ray.exceptions.NodeDiedError) as exc:
            raise BrokenProcessPool(f"a Ray worker died: {type(exc).__name__}") from exc


class RayChecks:
    """What the claims pass uses as its worker pool for checks on Ray: `submit(_, chunk)` sends
    the chunk of (article, candidates) with its Sources and returns something with `result()`."""

    def __init__(self, checker: Checker) -> None:
        self.ray = ray_module()
        self.checker = checker
        self.version = source_version()
        self.remote = self.ray.remote(num_cpus=1, max_retries=TASK_RETRIES)(check_with_sources)

    def cpus(self) -> int:
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def submit(self, _fn: Any, chunk: list[tuple[str, list[str]]]) -> _Result:
        blobs: dict[str, bytes] = {}
        for article_id, candidates in chunk:
            for key in (article_id, *candidates):
                if key not in blobs:
                    blob = self._blob(key)
                    if blob is not None:
                        blobs[key] = blob
        return _Result(self.ray, self.remote.remote(chunk, blobs))

    def _blob(self, article_id: str) -> bytes | None:
        blob = self.checker.store.claim_source(article_id, self.version)
        if blob is None:
            src = self.checker.source(article_id)  # built from the store (None: not English)
            blob = dump_source(src) if src is not None else None
        return blob
