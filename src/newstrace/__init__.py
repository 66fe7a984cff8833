"""newstrace: trace the news across a pile of articles, offline.

Library first: `newstrace.runner.analyze()` is the main job; the CLI (`newstrace.cli`) is a
thin layer over it. See docs/architecture.md for the stages and docs/schema.md for the
output records.
"""

import os

# Every matrix product here is small (a claim against a few sentences, an article against a
# story); parallelism comes from worker processes. OpenBLAS's own threads only spin against
# them: on 2 busy cores a (3 x 1536) @ (1536 x 256) product took 32 ms with them and 0.23 ms
# without. Set before NumPy loads; `runner.analyze` also limits them when NumPy came first.
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

__version__ = "0.1.0"
