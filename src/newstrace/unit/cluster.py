"""The `Analyze` stage on a Ray cluster (`newstrace analyze --executor ray`).

The per-article unit (`newstrace.unit.analyze_batch`) runs in Ray actors, one per worker CPU,
each loading spaCy and the embedding model once when it starts (models never travel through
the object store: spaCy pipelines do not pickle well). Batches of articles go out to the actors
with at most `IN_FLIGHT_PER_WORKER` per actor, results come back in input order and are stored
by the driver as they come, so the driver's memory stays flat on any stream.

An actor that dies (out of memory, a lost node) loses only its batch in flight: the driver
analyses that batch itself, starts another actor in its place and goes on.

Ray is an optional dependency (`pip install 'newstrace[ray]'`); `ray_module` says so clearly
when it is missing.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from typing import Any

from newstrace.pipeline import RunContext, StageStats, batches
from newstrace.records import Article
from newstrace.unit import Analysis, Payload, analyze_batch
from newstrace.unit.stage import IN_FLIGHT_PER_WORKER, Analyze, _payload, load_models

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
    import socket

    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout).close()
    except OSError as exc:
        raise RayMissing(f"no Ray cluster answers at {address} ({exc}): start one with "
                         "`ray start --head`, or leave --address out to run a local one") from exc


class UnitWorker:
    """What one Ray actor holds: the loaded models, and the unit over a batch."""

    def __init__(self, parse: bool, parser: bool, embeddings: bool) -> None:
        load_models(parse, parser, embeddings)

    def analyze(self, payloads: list[Payload], *args: Any) -> list[Analysis]:
        return analyze_batch(payloads, *args)



class RayAnalyze(Analyze):
    """`Analyze` with Ray actors instead of local worker processes.

    `address`: the cluster to join (`ray start --head` prints it); None joins the cluster this
    process already started or `RAY_ADDRESS` names, else starts a local one for the run.
    `workers`: actors to start (default: the cluster's CPUs)."""

    name = "analyze"

    def __init__(self, *args: Any, address: str | None = None, workers: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.address = address
        self.workers = workers
        self.ray_actors: list[Any] = []  # the live Ray actors, while the stream runs (not `actors`: the actor file)

    def run(self, articles: Iterator[Article], stats: StageStats, run: RunContext) -> Iterator[Article]:
        ray = ray_module()
        started = False
        if not ray.is_initialized():
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                     configure_logging=False)
            started = True
        try:
            yield from self._on_ray(ray, articles, stats, run)
        finally:
            if started:
                ray.shutdown()

    def _on_ray(self, ray: Any, articles: Iterator[Article], stats: StageStats,
                run: RunContext) -> Iterator[Article]:
        n = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        actor_class = ray.remote(num_cpus=1, max_restarts=0)(UnitWorker)
        _, parse, parser, embeddings = self._init_args()

        def start() -> Any:
            return actor_class.remote(parse, parser, embeddings)

        actors = self.ray_actors = [start() for _ in range(n)]
        stats.notes[f"Ray workers: {n}"] += 1
        args = (self.parse, self.attributions, self.events, self.actors, self.embeddings, self.prepare)
        pending: deque[tuple[list[Article], int, Any]] = deque()
        todo = batches(articles, self.batch_size)
        k = 0
        exhausted = False
        try:
            while pending or not exhausted:
                while not exhausted and len(pending) < n * IN_FLIGHT_PER_WORKER:
                    batch = next(todo, None)
                    if batch is None:
                        exhausted = True
                        break
                    slot = k % n
                    k += 1
                    pending.append((batch, slot, actors[slot].analyze.remote([_payload(a) for a in batch], *args)))
                if not pending:
                    break
                batch, slot, ref = pending.popleft()
                try:
                    results = ray.get(ref)
                except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as exc:
                    # the actor is gone: this batch is analysed here, a new actor takes its place,
                    # and the batches queued on the dead one go to it
                    log.warning("a Ray worker died (%s); its batch is analysed on the driver", type(exc).__name__)
                    stats.notes["batches analysed on the driver after a Ray worker died"] += 1
                    results = self._analyze([_payload(a) for a in batch])
                    actors[slot] = start()
                    pending = deque((b, s, actors[s].analyze.remote([_payload(a) for a in b], *args)
                                     if s == slot else r) for b, s, r in pending)
                yield from self._apply(batch, results, stats, run)
        finally:
            for a in actors:
                ray.kill(a)
