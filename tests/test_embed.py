"""Sentence embeddings: both backends give the same unit vectors; paraphrases are close."""

import numpy as np

from newstrace.language import embed as E

TEXTS = [
    "A cargo ship ran aground off the coast on Tuesday, spilling fuel into the bay.",
    "On Tuesday a freighter hit the rocks near the shore and leaked oil into the bay.",
    "The city library reopened after a two-year renovation.",
    "",
]


def test_vectors_are_unit_length_and_paraphrases_are_closest():
    v = E.embed(TEXTS)
    assert v.shape == (4, E.DIM) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)  # empty text too
    assert v[0] @ v[1] > 0.5
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3
    assert E.embed([]).shape == (0, E.DIM)


def test_onnx_and_torch_backends_agree():
    assert E.backend().name == "onnx" and E.backend().precision == "int8"
    fp32 = E._OnnxBackend(2, "fp32")
    torch_backend = E._TorchBackend(2)
    texts = [t or "." for t in TEXTS]
    a, b = fp32.encode(texts, 2), torch_backend.encode(texts, 2)
    assert np.min(np.sum(a * b, axis=1)) > 0.9999
    # the int8 graph (the default) stays close to float32
    q = E.backend().encode(texts, 2)
    assert np.min(np.sum(a * q, axis=1)) > 0.97


def test_onnx_order_and_batching_do_not_change_vectors():
    texts = [f"Report number {i} says the harbour reopened on day {i}." for i in range(7)] + TEXTS[:2]
    whole = E.backend().encode(texts, 32)
    small = E.backend().encode(texts, 3)
    assert np.allclose(whole, small, atol=1e-5)


def _first_load(_: int) -> tuple[str, np.ndarray]:
    backend = E._OnnxBackend(1, "int8")
    return backend.name, backend.encode([TEXTS[0]], 1)


def test_processes_that_start_together_build_the_cached_graph_once(tmp_path, monkeypatch):
    # Analysis workers load the models at the same moment on a fresh machine (as in CI): each
    # must end up with the same int8 graph, none falling back to PyTorch on the other's files.
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    monkeypatch.setenv("NEWSTRACE_CACHE", str(tmp_path))
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as pool:
        (n1, v1), (n2, v2) = pool.map(_first_load, range(2))
    assert n1 == n2 == "onnx"
    assert np.array_equal(v1, v2)
    assert np.allclose(v1, E.backend().encode([TEXTS[0]], 1), atol=1e-6)
    built = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".onnx")
    assert len(built) == 2 and sum(name.endswith("-int8.onnx") for name in built) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".quantise-") or "inferred" in p.name]
