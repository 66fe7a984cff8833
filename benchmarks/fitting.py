"""Model fitting shared by the benchmarks that calibrate newstrace's decisions."""

from __future__ import annotations

import numpy as np


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0,
                 sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Ridge-penalised logistic regression by Newton's method (IRLS): (weights, bias).
    The bias is not penalised; features are expected to be of order 1. `sample_weight`
    weighs each row's loss (default 1)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    sw = np.ones(len(x)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    w = np.zeros(xb.shape[1])
    pen = np.eye(xb.shape[1]) * l2
    pen[-1, -1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -50, 50)))
        step = np.linalg.solve((xb * (sw * p * (1 - p))[:, None]).T @ xb + pen, xb.T @ (sw * (p - y)) + pen @ w)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def probability(weights: np.ndarray, bias: float, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(x @ weights + bias, -50, 50)))
