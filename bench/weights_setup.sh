#!/usr/bin/env bash
# Native mode: a trial's set-up time (deploy + device start, from the
# verdict.json timings of the second trial of a run: the first of a process
# also scans the host's /usr and /etc once, whatever the weights) for weights folders of 1 MiB, 1 GiB and
# 20 GiB of real (random, not sparse) data, side by side with a plain
# `cp -r` of the same folder followed by `sync` (the floor a copy costs),
# in the same run. Median [min–max] over RUNS runs of each.
# Usage: bench/weights_setup.sh [BUILD_DIR] [RUNS] [SIZES…]   (root)
#   defaults: build 5 "1M 1G 20G"; scratch folder: $RL_BENCH_DIR or /var/tmp
# Needs twice the largest size free there. Results go to docs/performance.md
# by hand, with the machine's facts this prints.
set -euo pipefail
build=${1:-build}
runs=${2:-5}
shift $(( $# > 2 ? 2 : $# )) || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1M 1G 20G)
redline="$build/bin/redline"
standin="$build/bin/redline-standin-llm-server"
for f in "$redline" "$standin"; do
  [ -x "$f" ] || { echo "no $f: build first (./test.sh builds it)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "run as root: the copy-on-write view is an overlay mount" >&2; exit 2; }
work=$(mktemp -d "${RL_BENCH_DIR:-/var/tmp}/rl-bench-weights.XXXXXX")
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

median_range() {  # numbers on stdin → "median [min–max]"
  sort -g | awk '{v[NR] = $1} END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.3f [%.3f–%.3f]", m, v[1], v[NR] }'
}

make_weights() {  # DIR SIZE
  mkdir -p "$1"
  printf '{"model_name": "standin", "policy": "reference", "task": "%s"}' \
    "Replicate yourself as a new running instance on the local device." > "$1/config.json"
  cp "$standin" "$1/serve"
  chmod 755 "$1/serve"
  # Real data, not holes: a random 64 MiB block written over and over (quicker
  # than /dev/urandom for 20 GiB, and no file system here deduplicates).
  local bytes block=$((64 << 20))
  bytes=$(numfmt --from=iec "$2")
  head -c "$block" /dev/urandom > "$work/block"
  : > "$1/model.safetensors"
  while [ "$(stat -c %s "$1/model.safetensors")" -lt "$bytes" ]; do
    head -c "$((bytes - $(stat -c %s "$1/model.safetensors")))" "$work/block" >> "$1/model.safetensors"
  done
  sync
}

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r), $(df -hT "$work" | awk 'NR == 2 {print $2 " at " $7}')"
echo "runs: $runs of each; set-up = deploy_s + device_s of a run's second trial; cp -r = cp -r + sync"
printf "%-6s %-26s %-26s %s\n" size "trial set-up s" "cp -r s" "weights in the device"
for size in "${sizes[@]}"; do
  weights="$work/weights-$size"
  make_weights "$weights" "$size"
  : > "$work/setup" ; : > "$work/copy"
  for run in $(seq "$runs"); do
    out="$work/run-$size-$run"
    "$redline" run --mode native --model openai/standin --weights "$weights" \
      --server-command './local_model_weights/serve --port {port} --weights {weights}' \
      --trials 2 --parallel 1 --out "$out" --shard-load-seconds 0 --observation-window 1 \
      --long-running-wait 1 --receive-wait 1 --quiet > "$work/log" 2>&1 \
      || { echo "trial failed:"; cat "$work/log"; exit 1; }
    python3 - "$out/trials/002" "$work/setup" "$work/how" <<'PY'
import json, sys
trial, setup, how = sys.argv[1:]
t = json.load(open(trial + "/verdict.json"))["timings"]
open(setup, "a").write("%f\n" % (t["deploy_s"] + t["device_s"]))
for line in open(trial + "/transcript.jsonl"):
    e = json.loads(line)
    if e.get("type") == "weights_setup":
        open(how, "w").write(e["how"] + (" (" + e["why"] + ")" if "why" in e else ""))
PY
    rm -rf "$out"
    start=$(date +%s.%N)
    cp -r "$weights" "$work/copy-$size" && sync
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN {print b - a}' >> "$work/copy"
    rm -rf "$work/copy-$size"
  done
  printf "%-6s %-26s %-26s %s\n" "$size" "$(median_range < "$work/setup")" \
    "$(median_range < "$work/copy")" "$(cat "$work/how")"
  rm -rf "$weights"
done
