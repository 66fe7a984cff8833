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
