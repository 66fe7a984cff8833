"""`newstrace analyze --executor ray`: the per-article unit on a Ray cluster the test starts itself
(two CPUs, on this machine) gives the same records as the local executor."""

import os

import pytest

from newstrace.runner import AnalyzeOptions, analyze

from .helpers import ROOT, read_jsonl

EXPORTS = ("articles", "sentences", "attributions", "claims", "events", "stories", "derivations", "families")


@pytest.fixture(scope="module")
def cluster():
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'newstrace[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
             object_store_memory=100 * 2**20)
    try:
        yield ray
    finally:
        ray.shutdown()


def _records(out):
    return {name: read_jsonl(out / f"{name}.jsonl") for name in EXPORTS}


def test_ray_and_local_executors_give_the_same_records(cluster, tmp_path):
    corpus = [str(ROOT / "examples" / "corpus")]
    local = analyze(corpus, tmp_path / "local", AnalyzeOptions(jobs=2, report=False))
    on_ray = analyze(corpus, tmp_path / "ray", AnalyzeOptions(report=False, executor="ray", workers=2))
    assert on_ray.status == local.status and on_ray.totals == local.totals
    analysed = next(s for s in on_ray.summary.stages if s.name == "analyze")
    assert analysed.notes["Ray workers: 2"] == 1
    a, b = _records(tmp_path / "local"), _records(tmp_path / "ray")
    assert a["articles"] and a["claims"] and a["derivations"] and a["events"]
    for name in EXPORTS:
        assert a[name] == b[name], name


def test_without_ray_the_error_says_what_to_install(monkeypatch, tmp_path):
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    from newstrace.unit.cluster import RayMissing

    with pytest.raises(RayMissing, match=r"pip install 'newstrace\[ray\]'"):
        analyze([str(ROOT / "examples" / "corpus")], tmp_path / "out", AnalyzeOptions(executor="ray"))
    assert not os.path.exists(tmp_path / "out" / "newstrace.db")  # refused before anything ran


def test_an_unknown_executor_is_refused(tmp_path):
    with pytest.raises(ValueError, match="--executor must be 'local' or 'ray'"):
        analyze([str(ROOT / "examples" / "corpus")], tmp_path / "out", AnalyzeOptions(executor="spark"))


def test_an_address_nobody_answers_on_is_refused_at_once(tmp_path):
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'newstrace[ray]')")
    import socket
    import time

    from newstrace.unit.cluster import RayMissing

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t = time.monotonic()
    with pytest.raises(RayMissing, match=f"no Ray cluster answers at 127.0.0.1:{port}"):
        analyze([str(ROOT / "examples" / "corpus")], tmp_path / "out",
                AnalyzeOptions(executor="ray", address=f"127.0.0.1:{port}"))
    assert time.monotonic() - t < 30
    with pytest.raises(RayMissing, match="is not HOST:PORT"):
        analyze([str(ROOT / "examples" / "corpus")], tmp_path / "out", AnalyzeOptions(executor="ray", address="nowhere"))


def _notes(result, stage="analyze"):
    return next(s for s in result.summary.stages if s.name == stage).notes


def test_cut_into_many_shards_the_records_are_the_same(cluster, tmp_path, monkeypatch):
    """Shards of one or two files and byte ranges of three lines of a JSON Lines file, read by two
    workers at once: the driver takes them in plan order, so every record is the local run's. The
    claims are checked in Ray tasks that carry their Sources, with the local pass's records."""
    from newstrace.claims import stage as claims_stage
    from newstrace.ingest import shards

    monkeypatch.setattr(claims_stage, "PARALLEL_FROM", 1)  # workers (local) and tasks (Ray) even for a few articles

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in (ROOT / "examples" / "corpus").iterdir():
        (corpus / f.name).write_bytes(f.read_bytes())
    lines = (corpus / "wire-feed.jsonl").read_bytes().splitlines(keepends=True)
    (corpus / "wire-feed.jsonl").write_bytes(b"".join(lines * 3))  # the same stories again: ids made unique
    monkeypatch.setattr(shards, "SHARD_RECORDS", 2)
    monkeypatch.setattr(shards, "SHARD_FILES", 2)
    monkeypatch.setattr(shards, "SHARD_BYTES", 3000)
    plan = [s for s in shards.plan_shards([str(corpus)]) if isinstance(s, shards.Shard)]
    assert len(plan) >= 6 and any(s.end >= 0 for s in plan)
    local = analyze([str(corpus)], tmp_path / "local", AnalyzeOptions(jobs=2, report=False))
    on_ray = analyze([str(corpus)], tmp_path / "ray", AnalyzeOptions(report=False, executor="ray", workers=2))
    assert on_ray.totals == local.totals
    assert _notes(on_ray)["shards read"] == len(plan)
    assert _notes(on_ray, "claims")["checked in Ray tasks (2 CPUs)"] == 1
    assert _notes(local, "claims")["worker processes: 2"] == 1
    a, b = _records(tmp_path / "local"), _records(tmp_path / "ray")
    for name in EXPORTS:
        assert a[name] == b[name], name


def test_a_rerun_skips_the_shards_done_and_reads_the_rest(cluster, tmp_path, monkeypatch):
    """A run stopped part way (here by --limit) records the shards it finished; the next run skips
    those without reading them, reads the others, and ends with the records of one whole run."""
    from newstrace.ingest import shards
    from newstrace.store import Store

    monkeypatch.setattr(shards, "SHARD_FILES", 1)
    corpus = [str(ROOT / "examples" / "corpus")]
    ray_opts = dict(report=False, executor="ray", workers=2)
    first = analyze(corpus, tmp_path / "ray", AnalyzeOptions(limit=2, **ray_opts))
    done_first = _notes(first)["shards read"]
    assert 1 <= done_first < 5
    second = analyze(corpus, tmp_path / "ray", AnalyzeOptions(**ray_opts))
    assert _notes(second)["shards done by an earlier run, not read again"] == done_first
    assert _notes(second)["shards read"] + done_first == 5
    store = Store(tmp_path / "ray" / "newstrace.db")
    log = list(store.iter_shards())
    store.close()
    assert len(log) == 5 and len({r["key"] for r in log}) == 5  # each shard recorded once
    assert all(r["attempts"] == 1 and r["worker"] for r in log)
    whole = analyze(corpus, tmp_path / "local", AnalyzeOptions(jobs=2, report=False))
    assert second.totals == whole.totals
    assert sum(r["articles"] for r in log) == whole.totals["articles"]
    a, b = _records(tmp_path / "local"), _records(tmp_path / "ray")
    for name in ("articles", "sentences", "attributions", "events"):
        assert a[name] == b[name], name
    third = analyze(corpus, tmp_path / "ray", AnalyzeOptions(**ray_opts))
    assert _notes(third)["shards done by an earlier run, not read again"] == 5


def test_a_worker_killed_mid_shard_loses_nothing(cluster, tmp_path):
    """An actor killed while reading a shard (with others queued on it): a new actor reads that
    shard again from the record after the last one taken, the queued shards go to it, and every
    record comes back once, in order, analysed as the local unit analyses it."""
    from newstrace.ingest import ReadOptions, read_paths
    from newstrace.ingest.shards import plan_shards
    from newstrace.pipeline import Pipeline, RunContext
    from newstrace.records import Article
    from newstrace.unit.cluster import RayAnalyze, RayShards
    from newstrace.unit.stage import Analyze

    for i in range(60):
        (tmp_path / f"ferry{i:02d}.txt").write_text(
            f"Ferry {i} Delayed\nThe ferry from Ostra to Velmar was delayed by {i + 2} hours on Friday, "
            "the operator Nordline said.\n", encoding="utf-8")
    plan = list(plan_shards([str(tmp_path)], records=12))
    stage = RayAnalyze(batch_size=4)
    finished = []
    runner = RayShards(stage, ReadOptions(), workers=2, finished=lambda shard, counts: finished.append((shard, counts)))
    stage.shards = runner
    taken = []

    def stream():
        for item in runner.stream(plan):
            taken.append(item)
            if len(taken) == 2:  # shard 0 is being read: kill its worker
                cluster.kill(runner.ray_actors[0])
            yield item

    done: list[Article] = []
    summary = Pipeline([stage]).run(stream(), RunContext(on_article_done=done.append))
    expected = list(read_paths([str(tmp_path)]))
    assert [a.id for a in done] == [a.id for a in expected]
    local: list[Article] = []
    Pipeline([Analyze(jobs=1, batch_size=4)]).run(read_paths([str(tmp_path)]), RunContext(on_article_done=local.append))
    assert [[s.to_json() for s in a.sentences] for a in done] == [[s.to_json() for s in a.sentences] for a in local]
    assert [s.key for s, _ in finished] == [s.key for s in plan]  # every shard finished once, in order
    assert [c["records"] for _, c in finished] == [12] * 5
    assert max(c["attempts"] for _, c in finished) == 2
    assert summary.stages[0].notes["shards read again after their worker died"] >= 1


def test_result_vectors_do_not_keep_ray_buffers(cluster, tmp_path):
    """Ray gives numpy arrays as read-only views into its buffers: a vector a corpus pass keeps
    would keep its whole batch alive. The driver holds copies it owns."""
    from newstrace.ingest import ReadOptions
    from newstrace.ingest.shards import plan_shards
    from newstrace.unit.cluster import RayAnalyze, RayShards

    for i in range(3):
        (tmp_path / f"ferry{i}.txt").write_text(f"Ferry {i} Delayed\nThe ferry was delayed by {i + 2} hours.\n")
    stage = RayAnalyze(batch_size=2, embeddings=True)
    items = list(RayShards(stage, ReadOptions(), workers=1).stream(plan_shards([str(tmp_path)])))
    assert len(items) == 3
    for a in items:
        for v in (a.analysis.sentence_vectors, a.analysis.lead_vector):
            assert v is not None and v.flags.owndata and v.flags.writeable
