"""newstrace: trace the news across a pile of articles, offline.

Library first: `newstrace.runner.analyze()` is the main job; the CLI (`newstrace.cli`) is a
thin layer over it. See docs/architecture.md for the stages and docs/schema.md for the
output records.
"""

__version__ = "0.1.0"
