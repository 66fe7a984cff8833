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


def test_a_worker_killed_mid_stream_loses_nothing(cluster):
    """An actor killed while batches are queued on it: its batch is analysed on the driver, a new
    actor takes its place, and every article comes back once, in order, as the local unit gives it."""
    from newstrace.pipeline import Pipeline, RunContext
    from newstrace.records import Article
    from newstrace.unit.cluster import RayAnalyze
    from newstrace.unit.stage import Analyze

    def articles():
        return [Article(id=f"a{i}", text=f"Ferry {i} Delayed\nThe ferry from Ostra to Velmar was delayed by "
                                         f"{i + 2} hours on Friday, the operator Nordline said.") for i in range(80)]

    stage = RayAnalyze(batch_size=4, workers=2)
    done: list[Article] = []

    def on_done(a):
        done.append(a)
        if len(done) == 1:  # the first batch is back: kill a worker with batches queued on it
            cluster.kill(stage.ray_actors[1])

    summary = Pipeline([stage]).run(articles(), RunContext(on_article_done=on_done))
    local: list[Article] = []
    Pipeline([Analyze(jobs=1, batch_size=4)]).run(articles(), RunContext(on_article_done=local.append))
    assert [a.id for a in done] == [f"a{i}" for i in range(80)]
    assert [[s.to_json() for s in a.sentences] for a in done] == [[s.to_json() for s in a.sentences] for a in local]
    notes = summary.stages[0].notes
    assert notes["batches analysed on the driver after a Ray worker died"] >= 1
