"""Benchmark-style tests, deselected from the quick suite (`bash scripts/test.sh -m slow` runs them):
a small soak (runs killed with SIGKILL, exports compared with a clean run's) and a longer fuzz."""

import subprocess
import sys

import pytest

from .helpers import ROOT, run_fuzz

pytestmark = pytest.mark.slow
SHARED = ROOT.parent / "shared" / "data"


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/data (the development data) beside the clone")
def test_a_small_soak_gives_the_exports_of_a_clean_run(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "soak.py"), "--n", "200", "--seed", "3",
                           "--work", str(tmp_path / "soak")], capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "result: identical" in proc.stdout
    assert proc.stdout.count("killed during") >= 3  # the kills landed
    assert "worker processes that outlived a killed main process: 0" in proc.stdout


def test_every_fuzz_target_runs_a_minute_without_a_crash():
    run_fuzz("--seconds", "60", timeout=1800)
