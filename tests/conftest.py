"""Test set-up: the src-layout package importable without installing; shared-data fixture."""

import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parent.parent / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)

from .helpers import SHARED  # noqa: E402


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the clone (CI has it); tests that need it skip without it."""
    if not SHARED.is_dir():
        pytest.skip(f"needs the project's shared data beside the clone ({SHARED}); not present here")
    return SHARED
