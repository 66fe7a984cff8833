"""`analyze`: the main job, as a library call. The CLI is a thin layer over it.

Data flows one way: read -> resume -> normalize -> artefacts -> duplicates -> analyze ->
save -> stories -> provenance -> families -> claims, then the store is exported (JSONL) and the
report written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace import __version__
from newstrace.export import export_store, write_summary
from newstrace.export.catalogue import write_catalogue
from newstrace.claims.stage import Claims
from newstrace.claims.source import prepared_source
from newstrace.digest import code_digest
from newstrace.provenance.candidates import prepared_minhash
from newstrace.ingest import ReadOptions, read_paths
from newstrace.ingest.stage import Read
from newstrace.unit.stage import Analyze
from newstrace.normalize.stages import FindArtefacts, MarkDuplicates
from newstrace.pipeline import Pipeline, RunContext, RunSummary, Stage
from newstrace.records import SCHEMA_VERSION, Article, Skipped, safe_path
from newstrace.store import DB_NAME, OutputLock, Store, StoreError
from newstrace.store.stages import Resume, Save
from newstrace.provenance.records import iter_derivations, iter_families
from newstrace.provenance.stage import Families, Provenance
from newstrace.stories.records import iter_stories
from newstrace.stories.stage import Stories

REPORT = "report.html"
# Bumped when what the analysis stage stores changes in a way its code does not show
# (1: events coded in the analysis workers).
ANALYSIS_VERSION = "1"
# What per-article analysis runs and reads. A change to any of it (not to a comment or a
# docstring) analyses the stored articles again on the next run; attribution code and data
# count when attributions or events are on, event code and data when events are.
ANALYSIS_CODE = {"always": ("normalize", "language", "unit"), "attributions": ("attribution",), "events": ("events",)}
ANALYSIS_DATA = {"always": ("artefacts.toml",),
                 "attributions": ("attribution_cues.toml", "sources.toml", "places.toml"),
                 "events": ("cameo_verbs.toml", "cameo_codes.toml", "event_words.toml", "actors.toml",
                            "places.toml", "cities.tsv", "event_model.npz")}
# Data the corpus passes read (stories, provenance, families, claims): they are recomputed
# from the store, so a change to them needs no new analysis.
CORPUS_DATA = ("story_model.json", "provenance_model.json", "family_model.json", "style_model.npz",
               "claim_model.json", "nli_head.npz", "nli_head_static.npz", "antonyms.toml")


def analysis_signature(opts: "AnalyzeOptions") -> str:
    """What the stored analysis depends on: the analysis version, the options that change it, the
    code and data of per-article analysis, and the user's actor file. A store analysed under
    another signature is analysed again."""
    import hashlib

    from importlib import resources

    h = hashlib.sha1(f"{ANALYSIS_VERSION}|{opts.attributions}|{opts.events}".encode())
    parts = ["always"] + (["attributions"] if opts.attributions or opts.events else []) \
        + (["events"] if opts.events else [])
    sources = []
    for part in parts:
        for package in ANALYSIS_CODE[part]:
            folder = resources.files(f"newstrace.{package}")
            sources += [f.read_text("utf-8") for f in sorted(folder.iterdir(), key=lambda f: f.name)
                        if f.name.endswith(".py")]
    h.update(code_digest(sources).encode())
    data = resources.files("newstrace.data")
    for name in sorted({n for part in parts for n in ANALYSIS_DATA[part]}):
        h.update(name.encode())
        h.update(data.joinpath(name).read_bytes())
    if opts.events and opts.actors:
        h.update(Path(opts.actors).read_bytes())
    return h.hexdigest()


def _reading_and_analysis(paths: Sequence[str], opts: "AnalyzeOptions", store: Store, read: Read,
                           reanalyse: bool, exclude: tuple[str, ...]) -> tuple[Iterator[Any], list[Stage]]:
    """The stream of records and the stages up to the per-article unit's, on the executor the
    options name: locally, this process reads and worker processes analyse; on Ray, the workers
    read shards of the input themselves and analyse them (`unit.cluster`), and this process
    settles what needs the store."""
    kwargs: dict[str, Any] = dict(attributions=opts.attributions, events=opts.events, actors=opts.actors,
                                  embeddings=True, prepare=_preparers(opts))
    limits = dict(max_bytes=opts.max_bytes, max_chars=opts.max_chars)
    if opts.executor == "ray":
        from newstrace.ingest.shards import plan_shards
        from newstrace.unit.cluster import RayAnalyze, RayShards

        stage = RayAnalyze(opts.jobs, **kwargs)
        stage.shards = RayShards(stage, ReadOptions(**limits), address=opts.address, workers=opts.workers,
                                 done=(lambda key: False) if reanalyse else store.shard_done,
                                 finished=lambda shard, counts: store.put_shard(shard.key, shard.label, **counts))
        source = stage.shards.stream(plan_shards(list(paths), ReadOptions(exclude=exclude)))
        # artefacts are found by the workers, with the reading
        return source, [read, Resume(store, reanalyse=reanalyse), MarkDuplicates(store), stage]
    source = read_paths(list(paths), ReadOptions(**limits, exclude=exclude,
                                                 seen=read.counting((lambda key: False) if reanalyse else store.seen)))
    return source, [read, Resume(store, reanalyse=reanalyse), FindArtefacts(), MarkDuplicates(store),
                    Analyze(opts.jobs, **kwargs)]  # `analyze` refused any other executor


def _executor_session(opts: "AnalyzeOptions") -> Any:
    """Ray kept up for the whole stream and the passes after it (one cluster for the unit's
    actors and the claims tasks); nothing for the local executor."""
    if opts.executor == "ray":
        from newstrace.unit.cluster import ray_session

        return ray_session(opts.address)
    return contextlib.nullcontext()


def _preparers(opts: "AnalyzeOptions") -> dict[str, Any]:
    """What the corpus passes ask the per-article unit to make for them (`unit.Prepare`)."""
    out: dict[str, Any] = {"minhash": prepared_minhash}
    if opts.claims:
        out["claims"] = prepared_source
    return out


@dataclass(slots=True)
class AnalyzeOptions:
    limit: int | None = None
    jobs: int | None = None  # worker processes for language analysis; None = all cores
    max_bytes: int = 20_000_000
    max_chars: int = 1_000_000
    report: bool = True
    attributions: bool = True  # parse English articles and extract who said what
    claims: bool = True  # check every article's claims against the rest of the corpus
    events: bool = True  # code who did what to whom as CAMEO events (English articles)
    actors: str | None = None  # a user's actor dictionary (TOML in the shape of data/actors.toml)
    detail_limit: int = 2000  # articles shown in full in the report
    executor: str = "local"  # where the per-article unit runs: "local" (processes) or "ray"
    address: str | None = None  # the Ray cluster to join (--executor ray)
    workers: int | None = None  # Ray workers to start (default: the cluster's CPUs)


@dataclass(slots=True)
class RunResult:
    out_dir: Path
    summary: RunSummary
    status: str  # "ok", "skipped" (finished, some inputs skipped), "unreadable" (nothing could be read), "interrupted"
    totals: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)

    @property
    def report_path(self) -> Path:
        return self.out_dir / REPORT


def _one_blas_thread() -> None:
    """One BLAS thread in this process (see newstrace/__init__.py), also when the caller
    imported NumPy before newstrace."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency; the environment variable did it
        return
    threadpool_limits(1, user_api="blas")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def analyze(paths: Sequence[str], out_dir: Path | str, options: AnalyzeOptions | None = None, *,
            on_article: Callable[[Article], None] | None = None,
            on_skip: Callable[[Skipped], None] | None = None,
            on_progress: Callable[[str, int, int], None] | None = None) -> RunResult:
    """Run the whole pipeline over `paths`, storing into and exporting to `out_dir`.

    Interrupting (KeyboardInterrupt) keeps every article already saved; the same call again
    resumes, skipping what is stored and unchanged. `on_progress(phase, done, total)` reports
    the passes that follow the stream (checking claims, writing exports, writing the report;
    `total` is 0 when there is nothing to count).
    """
    opts = options or AnalyzeOptions()
    _one_blas_thread()
    if opts.events and opts.actors:
        from newstrace.events.actors import actor_table

        actor_table(Path(opts.actors))  # ValueError naming the file, before anything runs
    if opts.executor == "ray":
        from newstrace.unit.cluster import check_address, ray_module

        ray_module()  # RayMissing, saying what to install, before anything runs
        check_address(opts.address)  # and when no cluster answers there
        if "-" in [str(p) for p in paths]:
            raise ValueError("standard input cannot be read by Ray workers: save it to a file, "
                             "or use --executor local")
    elif opts.executor != "local":
        raise ValueError(f"--executor must be 'local' or 'ray', not {opts.executor!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with OutputLock(out):  # StoreError at once when another run writes there
        return _analyze(paths, out, opts, on_article=on_article, on_skip=on_skip, on_progress=on_progress)


def _check_sentence_model(store: Store) -> None:
    """A store keeps the sentence vectors of one model (stories, provenance and claims compare
    them): a run with another model is refused, naming both."""
    from newstrace.language.embed import sentence_model

    model = sentence_model()
    stored = store.get_meta("sentence_model") or ("minilm" if store.count("articles") else None)
    if stored is None:
        store.set_meta("sentence_model", model)
        store.commit()
    elif stored != model:
        store.close()
        raise StoreError(f"{store.path} holds sentence vectors of the {stored} model, not {model} "
                         "(NEWSTRACE_SENTENCE_MODEL): analyse into another --out folder")


def _analyze(paths: Sequence[str], out: Path, opts: AnalyzeOptions, *,
             on_article: Callable[[Article], None] | None,
             on_skip: Callable[[Skipped], None] | None,
             on_progress: Callable[[str, int, int], None] | None) -> RunResult:
    """`analyze` once the output folder is locked for this run."""
    store = Store(out / DB_NAME)
    _check_sentence_model(store)
    signature = analysis_signature(opts)
    previous = store.get_meta("analysis_signature")
    reanalyse = previous != signature and store.count("articles") > 0
    if not reanalyse:  # a new store, or one analysed the same way: an interrupted run resumes
        store.set_meta("analysis_signature", signature)
        store.commit()
    store.start_run([safe_path(str(p)) for p in paths], _now())

    def skip(s: Skipped) -> None:
        store.put_skip(s)
        if on_skip:
            on_skip(s)

    context = RunContext(on_skip=skip, on_article_done=on_article or (lambda a: None))
    read = Read(opts.limit)
    source, stages = _reading_and_analysis(paths, opts, store, read, reanalyse, (os.path.realpath(out),))
    stages += [Save(store), Stories(store), Provenance(store), Families(store)]
    if opts.claims:
        stages.append(Claims(store, jobs=opts.jobs, on_progress=on_progress, executor=opts.executor))
    pipeline = Pipeline(stages)
    try:
        with _executor_session(opts):
            summary = pipeline.run(source, context)
    except BaseException:
        store.finish_run("interrupted", _now(), {})
        store.close()
        raise
    store.set_meta("analysis_signature", signature)
    store.commit()
    progress = on_progress or (lambda *a: None)
    progress("writing exports", 0, 0)
    derived = 0

    def derivations() -> Iterator[dict[str, Any]]:  # streamed from the store, derived pairs counted
        nonlocal derived
        for r in iter_derivations(store):
            derived += bool(r["derived"])
            yield r

    files = export_store(store, out, iter_stories(store), derivations())
    progress("writing the catalogue", 0, 0)
    write_catalogue(store)  # what `newstrace serve` lists and searches
    totals = {t: store.count(t) for t in ("articles", "sentences", "entities", "numbers", "attributions",
                                          "claims", "events", "stories")}
    totals["derivations"] = derived
    totals["skipped"] = summary.skip_count
    status = "skipped" if summary.skip_count else "ok"
    read_stats = summary.stages[0]
    if summary.skip_count and read_stats.kept == 0 and read.already_stored == 0:
        status = "unreadable"  # every input was skipped: nothing could be read at all
    run_info: dict[str, Any] = {
        "tool": "newstrace", "version": __version__, "schema_version": SCHEMA_VERSION,
        "generated": _now(), "inputs": [safe_path(str(p)) for p in paths], "out_dir": str(out),
        "status": status, "totals": totals, "summary": summary.to_json(),
    }
    write_summary(out, run_info)
    if opts.report:
        from newstrace.report import write_report

        progress("writing report", 0, 0)

        write_report(out / REPORT, run=run_info, articles=store.iter_articles(),
                     sentences_for=store.sentences_for, detail_limit=opts.detail_limit,
                     stories=iter_stories(store), derivations=iter_derivations(store),
                     families=list(iter_families(store)),
                     attributions_for=store.attributions_for if opts.attributions else None,
                     claims_for=store.claims_for if opts.claims else None,
                     events=list(store.iter_events()) if opts.events else None)
    store.finish_run(status, _now(), summary.to_json())
    store.close()
    return RunResult(out, summary, status, totals, files)
