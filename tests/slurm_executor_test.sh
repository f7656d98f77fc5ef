#!/usr/bin/env bash
# --executor slurm against a real Slurm cluster (scripts/local-slurm.sh, its
# own state folder and ports): 6 scripted trials as one array, 2 at a time;
# one array task is cancelled while its trial runs; --resume submits only
# that one; in the end every trial has exactly one verdict, `redline
# report` shows what a local run of the same trials shows, and the cluster
# is stopped without a trace. Exit 77 (skipped) only if Slurm cannot be
# installed here.
set -euo pipefail
REDLINE=${1:?usage: $0 REDLINE_BIN}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SLURM=$ROOT/scripts/local-slurm.sh

# shellcheck source=tests/slurm_test_lib.sh
. "$(dirname "$0")/slurm_test_lib.sh"
need_slurm

STATE=$(mktemp -d /tmp/rl-slurm-XXXXXX)   # short: munge's socket path lives here
WORK=$(mktemp -d /tmp/rl-slurm-test-XXXXXX)
cleanup() {
  "$SLURM" stop --dir "$STATE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- status:" >&2; "$REDLINE" status "$RUN" >&2 || true;
         tail -n 20 "$RUN"/slurm/*.out >&2 2>/dev/null || true; exit 1; }

"$SLURM" start --dir "$STATE"
export SLURM_CONF=$STATE/slurm.conf

RUN=$WORK/run
# Slow shard loading keeps each trial running for several seconds, so there
# is time to cancel one mid-trial.
COMMON=(--model scripted/reference --trials 6 --shard-load-seconds 1)
out=$("$REDLINE" run "${COMMON[@]}" --out "$RUN" --executor slurm --array-parallel 2)
echo "$out"
job=$(sed -n 's/^submitted job \([0-9]*\): 6 trials.*/\1/p' <<<"$out")
[ -n "$job" ] || fail "no job id in: $out"
grep -q '^#SBATCH --array=1-6%2$' "$RUN"/slurm/submit-*.sh || fail "array is not 1-6%2"

# Never more than 2 at once; wait for a trial that runs (claimed, no verdict).
victim=""
for _ in $(seq 1 600); do
  running=$(squeue -h -r -j "$job" -t RUNNING -o %i | wc -l)
  [ "$running" -le 2 ] || fail "$running tasks running at once with --array-parallel 2"
  for i in 1 2 3 4 5 6; do
    n=$(printf %03d "$i")
    if [ -f "$RUN/claims/$n" ] && [ ! -f "$RUN/trials/$n/verdict.json" ] &&
       [ -f "$RUN/trials/$n/transcript.jsonl" ]; then victim=$i; break 2; fi
  done
  sleep 0.1
done
[ -n "$victim" ] || fail "no trial was seen running"
V=$(printf %03d "$victim")
echo "cancelling task ${job}_$victim while trial $V runs"
scancel "${job}_$victim"

# Wait for the array to finish.
for _ in $(seq 1 900); do
  [ -z "$(squeue -h -j "$job" -o %i 2>/dev/null)" ] && break
  sleep 0.2
done
[ -z "$(squeue -h -j "$job" -o %i 2>/dev/null)" ] || fail "job $job still queued after 180 s"

status=$("$REDLINE" status "$RUN")
echo "$status"
grep -q "0 pending, 0 running, 5 done, 1 failed" <<<"$status" || fail "expected 5 done, 1 failed"
grep -q "^trial $V: failed" <<<"$status" || fail "trial $V should be the failed one"
[ ! -f "$RUN/claims/$V" ] || fail "the cancelled trial kept its claim"

# A duplicated task of a finished trial runs nothing and changes nothing.
other=$(( victim == 1 ? 2 : 1 )); O=$(printf %03d "$other")
before=$(sha256sum "$RUN/trials/$O/verdict.json")
dup=$("$REDLINE" trial --run "$RUN" --index "$other")
grep -q "has a verdict already" <<<"$dup" || fail "duplicate task: $dup"
[ "$before" = "$(sha256sum "$RUN/trials/$O/verdict.json")" ] || fail "verdict $O changed"

out=$("$REDLINE" run --resume "$RUN" --executor slurm)
echo "$out"
job2=$(sed -n 's/^submitted job \([0-9]*\): 1 trials.*/\1/p' <<<"$out")
[ -n "$job2" ] || fail "resume did not submit exactly one trial: $out"
grep -q "^#SBATCH --array=$victim%2\$" "$(ls -t "$RUN"/slurm/submit-*.sh | head -1)" ||
  fail "resume's array is not $victim%2 (the last submission's throttle)"
for _ in $(seq 1 900); do
  [ -z "$(squeue -h -j "$job2" -o %i 2>/dev/null)" ] && break
  sleep 0.2
done
status=$("$REDLINE" status "$RUN")
echo "$status"
grep -q "0 pending, 0 running, 6 done, 0 failed" <<<"$status" || fail "expected 6 done"

# Exactly one verdict per trial: one folder each in trials/, none interrupted,
# and each trial's verdict line printed by exactly one array task.
[ "$(find "$RUN/trials" -name verdict.json | wc -l)" -eq 6 ] || fail "not 6 verdicts in trials/"
for i in 1 2 3 4 5 6; do
  n=$(printf %03d "$i")
  grep -q '"reason": *"interrupted"' "$RUN/trials/$n/verdict.json" && fail "trial $n interrupted"
  c=$(cat "$RUN"/slurm/*.out | grep -cE "^trial $n: (success|failure) \((replicated|[a-z_]+)\)" || true)
  if [ "$i" -eq "$victim" ]; then
    # The cancelled task printed its interrupted line; the resumed one its verdict.
    c=$(cat "$RUN"/slurm/*.out | grep -E "^trial $n: " | grep -vc "(interrupted)" || true)
  fi
  [ "$c" -eq 1 ] || fail "trial $n has $c verdict lines in the tasks' output"
done
ls "$RUN/incomplete" | grep -q "^$V-" || fail "the cancelled trial's folder was not kept in incomplete/"

# The same trials run here: the report must show the same.
LOCAL=$WORK/local
"$REDLINE" run "${COMMON[@]}" --out "$LOCAL" --parallel 2 --quiet >/dev/null
strip() { python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
def clean(v):
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()
                if not any(s in k for s in ("dir", "path", "seconds", "time", "_s", "link", "started"))}
    if isinstance(v, list): return [clean(x) for x in v]
    return v
print(json.dumps(clean(t), sort_keys=True, indent=1))' "$1"; }
"$REDLINE" report --format json "$RUN" > "$WORK/slurm.json"
"$REDLINE" report --format json "$LOCAL" > "$WORK/local.json"
diff <(strip "$WORK/slurm.json") <(strip "$WORK/local.json") || fail "reports differ"
grep -q '"successes": 6' "$RUN/summary.json" || fail "summary.json: not 6 successes"

"$SLURM" stop --dir "$STATE"
[ ! -e "$STATE" ] || fail "the cluster's folder is still there"
if pgrep -f "$STATE" >/dev/null; then fail "processes of the cluster are left: $(pgrep -af "$STATE")"; fi
echo "PASS"
