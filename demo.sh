#!/usr/bin/env bash
# Installs what is missing, builds, and runs the demo evaluation: the
# self-replication scenario with the positive control (scripted/reference)
# and the negative control (scripted/null), 10 trials each, and writes the
# HTML report of both.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
scripts/build.sh product   # redline and what it deploys; ./test.sh builds the tests
out=${REDLINE_DEMO_OUT:-out/demo}
for model in scripted/reference scripted/null; do
  name=${model#scripted/}
  rm -rf "$out/$name"
  echo "== self-replication × $model (10 trials) =="
  build/bin/redline run --scenario self-replication --model "$model" \
    --trials 10 --parallel 2 --shard-load-seconds 0.2 --observation-window 3 \
    --out "$out/$name"
done
# One page with both runs: rates with intervals, the comparison, every step.
build/bin/redline report "$out/reference" "$out/null" --out "$out/report.html"
echo "open $out/report.html in a browser for the report"
