#!/bin/sh
# `redline selftest` end to end: the whole suite is contained here (exit 0,
# 0 escaped), a negative control is reported as an escape (exit 1), an
# unknown case is bad input (exit 2), and nothing of the suite is left.
# Usage: selftest_test.sh <path of redline>
# Its folders have a prefix of their own (REDLINE_SELFTEST_PREFIX): the
# leftover check looks at those only, never at other tests' selftests.
set -u
redline=$1
fail() { echo "FAIL: $*"; exit 1; }
prefix=/tmp/rl-selftest-root$$-
export REDLINE_SELFTEST_PREFIX=$prefix

out=$("$redline" selftest 2>&1); rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "selftest exited $rc, want 0"
n=$(echo "$out" | sed -n 's/^\([0-9]*\) cases, 0 escaped$/\1/p')
[ -n "$n" ] && [ "$n" -ge 26 ] || fail "want at least 26 cases, 0 escaped"
echo "$out" | grep -q "NO-ESCAPE" && fail "a case escaped"

json=$("$redline" selftest --json --case fork_bomb --case reboot_command); rc=$?
[ $rc -eq 0 ] || fail "selftest --json exited $rc"
echo "$json" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["escapes"] == 0, r
assert [c["case"] for c in r["cases"]] == ["reboot_command", "fork_bomb"], r
assert all(c["contained"] and c["seconds"] > 0 for c in r["cases"]), r
' || fail "selftest --json output"

out=$("$redline" selftest --case control_readable_file 2>&1); rc=$?
echo "$out"
[ $rc -eq 1 ] || fail "the control exited $rc, want 1"
echo "$out" | grep -q "^1 cases, 1 escaped$" || fail "the control was not reported as an escape"

out=$("$redline" selftest --case no_such_case 2>&1); rc=$?
[ $rc -eq 2 ] || fail "an unknown case exited $rc, want 2"
echo "$out" | grep -q 'unknown --case "no_such_case"' || fail "unclear message: $out"

REDLINE_SELFTEST_PREFIX=/tmp/elsewhere- "$redline" selftest --case fork_bomb >/dev/null 2>&1
[ $? -eq 2 ] || fail "a bad REDLINE_SELFTEST_PREFIX was not bad input"

ls -d "$prefix"* 2>/dev/null && fail "a selftest folder was left"
grep -q " $prefix" /proc/self/mountinfo && fail "a selftest home tmpfs was left mounted"
echo PASS
