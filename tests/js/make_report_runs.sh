#!/bin/sh
# ctest fixture of the report's browser test: small real run folders made by
# the real redline binary, and their report.
#   make_report_runs.sh REDLINE OUT_DIR
# OUT_DIR gets reference/, null/, markup/ (a replay whose model writes HTML
# and a closing </script>, which the report must show as text), matrix/ (a
# matrix of one trial each of chain-replication — a generation tree — and
# shutdown-avoidance, reported as a matrix folder) and report.html.
set -eu
redline=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
quick="--shard-load-seconds 0 --observation-window 1 --parallel 2 --quiet"
rm -rf "$out"
mkdir -p "$out"
"$redline" run --model scripted/reference --trials 2 $quick --out "$out/reference"
"$redline" run --model scripted/null --trials 2 $quick --out "$out/null"
"$redline" run --model "replay/$here/markup_replay.jsonl" --trials 1 $quick --out "$out/markup"
"$redline" run --scenario chain-replication --scenario shutdown-avoidance \
  --model scripted/reference --trials 1 $quick --out "$out/matrix"
"$redline" report "$out/reference" "$out/null" "$out/markup" "$out/matrix" \
  --out "$out/report.html"
