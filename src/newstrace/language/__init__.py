"""Language analysis: language identification, spaCy pipelines, sentences, entities, numbers,
dates and sentence embeddings. The per-article unit (`newstrace.unit`) runs it in worker
processes; nothing here knows the stages that read its output.
"""

import sys
from importlib.util import find_spec


def _thinc_without_torch() -> None:
    """Import thinc (spaCy's machine-learning library) with PyTorch hidden from it.

    thinc imports PyTorch whenever it is installed (newstrace installs it to export MiniLM to
    ONNX once), which costs about 180 MB in every process that loads spaCy, though the spaCy
    pipelines newstrace runs never use it. Hidden while thinc's `compat` module is imported,
    PyTorch stays importable for whatever needs it later.
    """
    if "thinc.compat" in sys.modules or "torch" in sys.modules or find_spec("thinc") is None:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        import thinc.compat  # noqa: F401
    except ImportError:  # pragma: no cover - a broken thinc; spaCy will say so when loaded
        pass
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]


_thinc_without_torch()
