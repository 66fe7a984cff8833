#!/usr/bin/env bash
# Set up newstrace (if needed) and run it on the bundled example corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=${1:-out/example}
set +e
.venv/bin/newstrace analyze examples/corpus --out "$out" --actors examples/actors.toml
code=$?
set -e
# 3 = finished with skipped inputs: the example corpus contains none, but say so clearly
if [ $code -ne 0 ] && [ $code -ne 3 ]; then exit $code; fi
echo "open the report: $(pwd)/$out/report.html"
