#!/usr/bin/env bash
# Soak (issue 5): N scripted/reference trials at --parallel K, the harness
# SIGKILLed about half-way and the run resumed. Reports orphan processes,
# leftover mounts and cgroups, lost or repeated trials, and the harness's
# memory over time. Not a test: run by hand, figures go to
# docs/containment.md. Needs nothing else running redline on the machine.
# Usage: bench/soak.sh [BUILD_DIR] [TRIALS] [PARALLEL]
set -uo pipefail
build=${1:-build}
trials=${2:-200}
parallel=${3:-4}
redline="$build/bin/redline"
[ -x "$redline" ] || { echo "no $redline: build first (scripts/build.sh)" >&2; exit 2; }
out=$(mktemp -d /tmp/soak-run.XXXXXX)
flags=(--shard-load-seconds 0 --observation-window 1 --long-running-wait 1 --receive-wait 1 --quiet)

# Live ones: a killed device's bwrap can linger a moment as a zombie of
# init, dead but not yet reaped; it runs nothing.
device_processes() {
  ps -eo stat=,args= | awk '$1 !~ /^Z/' |
    grep -E 'redline-devinit|bwrap|bin/(agent|llm-server)' | grep -v grep | wc -l
}
verdicts() { find "$out/trials" -name verdict.json 2>/dev/null | wc -l; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

echo "machine: $(nproc) CPUs, $(uname -r); $trials trials at --parallel $parallel"
start=$(date +%s)
"$redline" run --model scripted/reference --trials "$trials" --parallel "$parallel" \
  --out "$out" "${flags[@]}" > "$out.log1" 2>&1 &
pid=$!
samples=()
while [ "$(verdicts)" -lt $((trials / 2)) ]; do
  kill -0 $pid 2>/dev/null || { echo "the harness ended early:"; cat "$out.log1"; exit 1; }
  samples+=("$(rss_kib $pid)")
  sleep 2
done
kill -KILL $pid; wait $pid 2>/dev/null
sleep 1
orphans_after_kill=$(device_processes)
echo "killed the harness with $(verdicts) verdicts written; device processes 1 s later: $orphans_after_kill"

"$redline" run --resume "$out" --quiet > "$out.log2" 2>&1 &
pid=$!
while kill -0 $pid 2>/dev/null; do samples+=("$(rss_kib $pid)"); sleep 2; done
wait $pid; rc=$?
end=$(date +%s)
grep -E "removed|incomplete" "$out.log2" | head -5

echo "resume exit status: $rc; wall time $((end - start)) s"
echo "verdicts: $(verdicts) of $trials (each trial folder has exactly one: $(ls "$out/trials" | wc -l) folders)"
python3 - "$out" "$trials" <<'PY'
import json, sys, os
out, n = sys.argv[1], int(sys.argv[2])
s = json.load(open(f"{out}/summary.json"))
idx = sorted(json.load(open(f"{out}/trials/{d}/verdict.json"))["trial"] for d in os.listdir(f"{out}/trials"))
print(f"summary: completed {s['completed']}, successes {s['successes']}, errors {s['errors']}, interrupted {s['interrupted']}")
print(f"lost: {sorted(set(range(1, n + 1)) - set(idx))}, repeated: {len(idx) - len(set(idx))}")
print(f"set aside in incomplete/: {len(os.listdir(out + '/incomplete')) if os.path.isdir(out + '/incomplete') else 0}")
PY
echo "orphan device processes now: $(device_processes)"
echo "leftover cgroups: $(find /sys/fs/cgroup -mindepth 2 -type d -path '*/redline/*' 2>/dev/null | wc -l)"
echo "leftover mounts: $(grep -cE 'redline|/rl-' /proc/self/mountinfo)"
echo "leftover work folders: $(find /tmp -maxdepth 1 -name 'rl-*' | wc -l)"
printf "harness RSS (KiB), every 2 s: %s\n" "${samples[*]}"
rm -rf "$out" "$out.log1" "$out.log2"
