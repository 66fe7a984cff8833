#!/usr/bin/env bash
# Set up newstrace with its test tools (if needed) and run the fast test suite.
# Extra arguments go to pytest: bash scripts/test.sh -m slow   (the benchmark-style tests)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
if [ $# -eq 0 ]; then set -- -m "not slow"; fi
exec .venv/bin/python -m pytest -q "$@"
