"""Reading and the per-article unit on a Ray cluster (`newstrace analyze --executor ray`).

The driver cuts the input into shards (`ingest.shards`: groups of files, a WARC file, byte
ranges of a large JSON Lines file) without reading any article. Ray actors, one per worker
CPU, each loading spaCy and the embedding model once when it starts (models never travel
through the object store: spaCy pipelines do not pickle well), read their shards themselves,
find each article's artefacts and run the unit (`unit.analyze_batch`) over it, and stream the
results back in batches (a Ray streaming generator, with backpressure). The driver takes the
shards' results in plan order, so the stream, and every id, story and record made from it, is
the one a local run makes; it holds one batch at a time (results of shards ahead wait in Ray's
object store), so its memory does not grow with the input.

The driver then does what needs the store, in the order a local run does it: `read` (skips,
`--limit`), `resume` (ids settled, unchanged articles dropped), `duplicates`, and `analyze`
(`RayAnalyze`: applies each article's result), `save` and the corpus passes.

Resume works per shard, as datatrove's completion markers do: a shard is recorded as done
(`store.put_shard`, with its counts, time, attempts and worker) in the transaction that stores
its last article, and a rerun skips it without reading it. A worker that dies loses only the
shard it was on: a new actor takes its place and reads that shard again from the record after
the last one the driver received (reading is deterministic), so every record is taken exactly
once. A shard whose workers die `MAX_ATTEMPTS` times is reported as a skip naming it (a rerun
tries it again) and the run goes on.

Ray is an optional dependency (`pip install 'newstrace[ray]'`); `ray_module` says so clearly
when it is missing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newstrace.ingest.common import ReadOptions
from newstrace.ingest.shards import Shard, read_shard
from newstrace.normalize.artefacts import find_artefacts
from newstrace.pipeline import RunContext, StageStats
from newstrace.records import Article, Skipped
from newstrace.unit import Analysis, analyze_batch
from newstrace.unit.stage import Analyze, _payload, load_models

log = logging.getLogger(__name__)


class RayMissing(RuntimeError):
    """`--executor ray` without Ray installed."""


def ray_module() -> Any:
    """The `ray` module, or RayMissing with what to install."""
    try:
        import ray
    except ImportError as exc:
        raise RayMissing("--executor ray needs Ray: pip install 'newstrace[ray]' "
                         f"(or choose --executor local) ({exc})") from exc
    return ray


def check_address(address: str | None, timeout: float = 5.0) -> None:
    """A Ray address of the form HOST:PORT (or ray://HOST:PORT) that nothing answers on raises
    RayMissing at once (Ray itself would retry for minutes); other forms ("auto", "local", none)
    are left to Ray."""
    if not address or address in ("auto", "local"):
        return
    hostport = address.split("://", 1)[-1]
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit():
        raise RayMissing(f"--address {address!r} is not HOST:PORT (as `ray start --head` prints it)")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout).close()
    except OSError as exc:
        raise RayMissing(f"no Ray cluster answers at {address} ({exc}): start one with "
                         "`ray start --head`, or leave --address out to run a local one") from exc


# Shards given to each actor at a time: one being read, the next ones queued, so that no actor
# waits while the driver takes an earlier shard's results.
SHARDS_PER_WORKER = 3
# Result batches an actor may run ahead of the driver within one shard (Ray's generator
# backpressure): bounds what a large shard (a whole WARC file) holds in the object store.
AHEAD_BATCHES = 256
# Times a shard is given to a new actor after the one reading it died, before it is reported.
MAX_ATTEMPTS = 3


@contextlib.contextmanager
def ray_session(address: str | None = None) -> Iterator[Any]:
    """Ray, initialised for the length of a run: joins the cluster at `address` (or the one
    `RAY_ADDRESS` names), else starts a local one, and shuts down only what it started."""
    ray = ray_module()
    started = False
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
        started = True
    try:
        yield ray
    finally:
        if started:
            ray.shutdown()


class UnitWorker:
    """What one Ray actor holds: the loaded models; it reads shards and runs the unit over them."""

    def __init__(self, parse: bool, parser: bool, embeddings: bool) -> None:
        load_models(parse, parser, embeddings)

    def name(self) -> str:
        return f"{socket.gethostname()}:{os.getpid()}"

    def read_and_analyze(self, shard: Shard, max_bytes: int, max_chars: int, skip_first: int, batch_size: int,
                         *args: Any) -> Iterator[list[tuple[Article | Skipped, Analysis | None]]]:
        """The shard's records from the `skip_first`-th on, in batches of `batch_size` articles,
        each article with its artefacts found and its `Analysis`."""
        batch: list[Article | Skipped] = []
        n = 0
        for i, item in enumerate(read_shard(shard, ReadOptions(max_bytes=max_bytes, max_chars=max_chars))):
            if i < skip_first:
                continue
            if isinstance(item, Article):
                item.artefacts = find_artefacts(item) + [x for x in item.artefacts if x.kind == "duplicate_article"]
                n += 1
            batch.append(item)
            if n >= batch_size:
                yield _analysed(batch, args)
                batch, n = [], 0
        if batch:
            yield _analysed(batch, args)


def _analysed(batch: list[Article | Skipped], args: tuple[Any, ...]) -> list[tuple[Article | Skipped, Analysis | None]]:
    articles = [a for a in batch if isinstance(a, Article)]
    results = iter(analyze_batch([_payload(a) for a in articles], *args) if articles else [])
    return [(item, next(results) if isinstance(item, Article) else None) for item in batch]


def _owned(analysis: Analysis | None) -> Analysis | None:
    """The result with its arrays copied out of Ray's buffer: Ray reads numpy arrays without
    copying them, so a vector the corpus passes keep (a live story's lead vector, the candidate
    indexes) would otherwise keep its whole batch's buffer alive (the driver measured 1.2 GB
    instead of 0.6 at 10,000 articles)."""
    if analysis is not None:
        for name in ("title_vector", "sentence_vectors", "lead_vector"):
            value = getattr(analysis, name)
            if isinstance(value, np.ndarray):
                setattr(analysis, name, value.copy())
    return analysis


@dataclass
class _Running:
    """A shard given to an actor: the results not yet taken, and how many records were taken."""

    shard: Shard
    slot: int
    actor: Any
    results: Any  # Ray's ObjectRefGenerator
    taken: int = 0
    articles: int = 0
    skipped: int = 0
    attempts: int = 1
    started: float = field(default_factory=time.perf_counter)


class RayShards:
    """Reads the planned shards on Ray actors and yields their records in plan order.

    `done(key)`: whether a shard was finished by an earlier run (skipped unread).
    `finished(shard, counts)`: called when the stream comes back for more after a shard's last
    record: everything the shard gave has then passed `save` (see `store.put_shard`).
    `notes`: counts for the run summary (shards done, skipped, restarted), read by `RayAnalyze`.
    """

    def __init__(self, analyze: Analyze, read: ReadOptions, address: str | None = None, workers: int | None = None,
                 done: Callable[[str], bool] = lambda key: False,
                 finished: Callable[[Shard, dict[str, Any]], None] = lambda shard, counts: None) -> None:
        self.analyze = analyze
        self.read = read
        self.address = address
        self.workers = workers
        self.done = done
        self.finished = finished
        self.notes: Counter = Counter()
        self.ray_actors: list[Any] = []  # the live actors, while the stream runs

    def stream(self, plan: Iterable[Shard | Skipped]) -> Iterator[Article | Skipped]:
        with ray_session(self.address) as ray:
            try:
                yield from self._stream(ray, iter(plan))
            finally:
                for a in self.ray_actors:
                    ray.kill(a)
                self.ray_actors = []

    def _stream(self, ray: Any, plan: Iterator[Shard | Skipped]) -> Iterator[Article | Skipped]:  # noqa: C901
        n = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        actor_class = ray.remote(num_cpus=1, max_restarts=0)(UnitWorker)
        _, parse, parser, embeddings = self.analyze._init_args()
        an = self.analyze
        args = (an.parse, an.attributions, an.events, an.actors, an.embeddings, an.prepare)
        actors = self.ray_actors = [actor_class.remote(parse, parser, embeddings) for _ in range(n)]
        names: dict[int, Any] = {}  # id(actor) -> ref of its name
        self.notes[f"Ray workers: {n}"] += 1

        def submit(shard: Shard, slot: int, skip_first: int = 0) -> Any:
            return actors[slot].read_and_analyze.options(
                num_returns="streaming", _generator_backpressure_num_objects=AHEAD_BATCHES).remote(
                shard, self.read.max_bytes, self.read.max_chars, skip_first, an.batch_size, *args)

        window: deque[_Running | Skipped] = deque()
        exhausted = False

        def fill() -> None:
            nonlocal exhausted
            while not exhausted and sum(isinstance(w, _Running) for w in window) < n * SHARDS_PER_WORKER:
                item = next(plan, None)
                if item is None:
                    exhausted = True
                elif isinstance(item, Skipped):
                    window.append(item)
                elif self.done(item.key):
                    self.notes["shards done by an earlier run, not read again"] += 1
                else:
                    load = Counter(w.slot for w in window if isinstance(w, _Running))
                    slot = min(range(n), key=lambda s: (load[s], s))
                    window.append(_Running(item, slot, actors[slot], submit(item, slot)))

        def replace(dead: Any, slot: int) -> None:
            """A new actor in a dead one's place; the shards queued on the dead one go to it."""
            if actors[slot] is dead:
                actors[slot] = actor_class.remote(parse, parser, embeddings)
            for w in window:
                if isinstance(w, _Running) and w.actor is dead:
                    w.actor = actors[slot]
                    w.results = submit(w.shard, slot, w.taken)

        fill()
        while window:
            head = window.popleft()
            if isinstance(head, Skipped):
                yield head
                fill()
                continue
            while True:
                try:
                    for ref in head.results:
                        for item, analysis in ray.get(ref):
                            head.taken += 1
                            if isinstance(item, Article):
                                item.analysis = _owned(analysis)
                                head.articles += 1
                            else:
                                head.skipped += 1
                            yield item
                        fill()
                    break
                except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as exc:
                    log.warning("a Ray worker died reading %s (%s)", head.shard.label, type(exc).__name__)
                    replace(head.actor, head.slot)
                    if head.attempts >= MAX_ATTEMPTS:
                        self.notes["shards given up after their workers died"] += 1
                        yield Skipped(head.shard.files[0][0], f"the Ray workers reading this shard died {head.attempts} "
                                      f"times; {head.taken} of its records were taken, the rest were not "
                                      "(run again to retry it)", head.shard.label)
                        head = None
                        break
                    self.notes["shards read again after their worker died"] += 1
                    head.attempts += 1
                    head.actor = actors[head.slot]
                    head.results = submit(head.shard, head.slot, head.taken)
            if head is None:
                fill()
                continue
            # The stream came back for more: everything this shard gave has passed `save`.
            if id(head.actor) not in names:
                names[id(head.actor)] = head.actor.name.remote()
            try:
                worker = ray.get(names[id(head.actor)], timeout=10)
            except Exception:  # noqa: BLE001 - the name is for the log only
                worker = None
            self.notes["shards read"] += 1
            self.finished(head.shard, {"records": head.taken, "articles": head.articles, "skipped": head.skipped,
                                       "seconds": round(time.perf_counter() - head.started, 3),
                                       "attempts": head.attempts, "worker": worker,
                                       "finished": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()})
            fill()


class RayAnalyze(Analyze):
    """The `analyze` stage of a Ray run: applies the result each article brought from its worker.

    Two kinds of article are analysed again here, as the local stage analyses them, because
    their worker could not know what the driver learnt after reading: one whose id `resume`
    changed (the records carry the id), and an exact duplicate of an earlier article (marked by
    `duplicates`, which reads the store: the unit then treats the whole text as an artefact and
    does not embed it). spaCy is loaded here only when the first of them comes."""

    name = "analyze"

    def __init__(self, *args: Any, shards: RayShards | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shards = shards

    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        for a in articles:
            res, a.analysis = a.analysis, None
            for x in a.artefacts:
                stats.notes[x.kind] += 1
            if res is None or res.article_id != a.id or a.duplicate_of:
                why = "an exact duplicate" if a.duplicate_of else "id made unique after reading"
                stats.notes[f"analysed on the driver: {why}"] += 1
                res = self._analyze([_payload(a)])[0]
            yield from self._apply([a], [res], stats, run)
        if self.shards is not None:
            stats.notes.update(self.shards.notes)
