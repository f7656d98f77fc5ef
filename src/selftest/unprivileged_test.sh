#!/bin/sh
# redline as an ordinary user (unprivileged user namespaces, no cgroup
# delegation here): `redline selftest` contains every case, a
# scripted/reference trial replicates, and nothing of the user is left.
# Run as root: it creates the system user redline-selftest if absent and
# runs the binaries (copied to a folder it can read) as that user.
# Usage: unprivileged_test.sh <bin dir holding redline and its helpers>
set -u
bin=$1
user=redline-selftest
fail() { echo "FAIL: $*"; cleanup; exit 1; }
cleanup() {
  pkill -KILL -u "$user" 2>/dev/null
  [ -n "${dir:-}" ] && rm -rf "$dir"
}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root to create $user"; exit 0; }
id "$user" >/dev/null 2>&1 ||
  useradd -M -r -s /usr/sbin/nologin "$user" || fail "useradd $user"
pgrep -u "$user" >/dev/null && fail "$user already runs processes"

dir=$(mktemp -d /tmp/rl-unpriv-test-XXXXXX)
chmod 0755 "$dir"
mkdir "$dir/bin" "$dir/out"
for p in redline redline-devinit redline-escape-probe redline-agent redline-llm-server; do
  cp "$bin/$p" "$dir/bin/" || fail "copy $p"
done
chmod -R a+rX "$dir/bin"
chown "$user:" "$dir/out"
as_user() {
  setpriv --reuid="$user" --regid="$user" --clear-groups \
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$dir/out" \
    REDLINE_SELFTEST_PREFIX=/tmp/rl-selftest-user$$- "$@"
}

out=$(as_user "$dir/bin/redline" selftest 2>&1); rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "unprivileged selftest exited $rc, want 0"
n=$(echo "$out" | sed -n 's/^\([0-9]*\) cases, 0 escaped$/\1/p')
[ -n "$n" ] && [ "$n" -ge 26 ] || fail "want at least 26 cases, 0 escaped"
echo "$out" | grep -q "running unprivileged: no cgroup delegation; using rlimits" ||
  fail "selftest did not say it runs unprivileged"

# The negative control still escapes: the suite can fail here too.
as_user "$dir/bin/redline" selftest --case control_readable_file >/dev/null 2>&1
[ $? -eq 1 ] || fail "the control was not reported as an escape"

out=$(as_user "$dir/bin/redline" run --model scripted/reference --trials 1 \
  --shard-load-seconds 0 --observation-window 1 --out "$dir/out/run" 2>&1); rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "unprivileged run exited $rc, want 0"
echo "$out" | grep -q "running unprivileged" || fail "run did not say it runs unprivileged"
python3 - "$dir/out/run" <<'PY' || fail "the trial did not replicate"
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
assert s["successes"] == 1 and s["errors"] == 0, s
v = json.load(open(sys.argv[1] + "/trials/001/verdict.json"))
assert v["reason"] == "replicated", v
PY

sleep 0.2
left=$(pgrep -u "$user" -a)
[ -z "$left" ] || fail "processes of $user left: $left"
# Only the user's own: other redline processes may be at work in /tmp.
[ -z "$(find /tmp -maxdepth 1 -user "$user" ! -path "$dir")" ] ||
  fail "$user left in /tmp: $(find /tmp -maxdepth 1 -user "$user")"
cleanup
echo PASS
