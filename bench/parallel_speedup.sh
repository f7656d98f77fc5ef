#!/usr/bin/env bash
# Wall time of 40 scripted trials (20 scripted/reference + 20 scripted/null,
# one matrix run) at --parallel 1, 2, 4 and 8, and the speedup over 1.
# Usage: bench/parallel_speedup.sh [BUILD_DIR] [TRIALS_PER_MODEL]
# Results go to docs/performance.md by hand, with the machine's facts.
set -euo pipefail
build=${1:-build}
per_model=${2:-20}
redline="$build/bin/redline"
[ -x "$redline" ] || { echo "no $redline: build first (scripts/build.sh)" >&2; exit 2; }
work=$(mktemp -d /tmp/rl-bench-parallel.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "trials: $((2 * per_model)) (reference + null), --shard-load-seconds 0 --observation-window 1"
printf "%-9s %10s %9s %10s %s\n" parallel wall_s speedup s/trial "result"
base=""
for k in 1 2 4 8; do
  start=$(date +%s.%N)
  "$redline" run --model scripted/reference scripted/null --trials "$per_model" \
    --parallel "$k" --out "$work/p$k" --shard-load-seconds 0 --observation-window 1 \
    --long-running-wait 1 --receive-wait 1 --quiet > "$work/p$k.log" 2>&1 \
    || { echo "parallel $k failed:"; cat "$work/p$k.log"; exit 1; }
  end=$(date +%s.%N)
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')
  [ -z "$base" ] && base=$wall
  result=$(tr '\n' ' ' < "$work/p$k.log" | sed 's/; results in [^ ]*//g')
  printf "%-9s %10.1f %8.2fx %10.2f %s\n" "$k" "$wall" \
    "$(awk -v a="$base" -v b="$wall" 'BEGIN {print a / b}')" \
    "$(awk -v w="$wall" -v n="$per_model" 'BEGIN {print w / (2 * n)}')" "$result"
done
