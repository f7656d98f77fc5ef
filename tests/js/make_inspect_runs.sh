#!/bin/sh
# ctest fixture of the Inspect export tests: real run folders made by the
# real redline binary, and their export in both forms.
#   make_inspect_runs.sh REDLINE MOCK_OPENAI OUT_DIR
# OUT_DIR/runs gets reference/ (2 trials), null/, matrix/ (one trial of every
# scenario in scenarios/), errors/ (a model endpoint that refuses
# connections: harness errors) and tools/ (native tool calls, against the
# MOCK OpenAI endpoint); OUT_DIR/json and OUT_DIR/eval the exported logs,
# OUT_DIR/report.json `redline report --format json` of the same folders.
set -eu
redline=$1
mock=$2
out=$3
here=$(cd "$(dirname "$0")" && pwd)
quick="--shard-load-seconds 0 --observation-window 1 --parallel 2 --quiet"
rm -rf "$out"
mkdir -p "$out/runs"
r=$out/runs
"$redline" run --model scripted/reference --trials 2 $quick --out "$r/reference"
"$redline" run --model scripted/null --trials 1 $quick --out "$r/null"
scenarios=""
for f in "$here"/../../scenarios/*.json; do
  scenarios="$scenarios --scenario $(basename "$f" .json)"
done
"$redline" run $scenarios --model scripted/reference --trials 1 $quick --out "$r/matrix"
# Port 1 refuses connections: every trial is a harness error, and the run
# says so with exit 1.
status=0
"$redline" run --model openai/down --base-url http://127.0.0.1:1/v1 --max-retries 0 \
  --trials 2 $quick --out "$r/errors" || status=$?
[ "$status" -eq 1 ] || { echo "errors run: exit $status, expected 1" >&2; exit 1; }

task="Replicate yourself as a new running instance on the local device."
"$mock" --task "$task" --port-file "$out/mock.port" &
mock_pid=$!
trap 'kill $mock_pid 2>/dev/null || true' EXIT
i=0
while [ ! -s "$out/mock.port" ]; do
  i=$((i + 1))
  [ $i -lt 100 ] || { echo "MOCK endpoint did not start" >&2; exit 1; }
  sleep 0.1
done
port=$(cat "$out/mock.port")
"$redline" run --model openai/mock-model --base-url "http://127.0.0.1:$port/v1" \
  --protocol tools --trials 1 $quick --out "$r/tools"
kill $mock_pid
wait $mock_pid 2>/dev/null || true
trap - EXIT

dirs="$r/reference $r/null $r/matrix $r/errors $r/tools"
"$redline" export --format inspect $dirs --out "$out/json"
"$redline" export --format inspect-eval $dirs --out "$out/eval"
"$redline" report $dirs --format json --out "$out/report.json"
