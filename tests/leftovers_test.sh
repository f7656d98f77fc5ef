#!/usr/bin/env bash
# Runs after every other test (a ctest fixture cleanup): no process, mount,
# cgroup or socket folder of any trial may be left.
set -u
fail=0
report() { echo "LEFTOVER: $*"; fail=1; }

procs=$(ps -eo pid=,args= | grep -E 'redline-devinit|bwrap|bin/(agent|llm-server)|redline-(agent|llm-server)|/tmp/x/sys/bin' | grep -v -E 'grep|leftovers_test' || true)
[ -z "$procs" ] || report "processes:"$'\n'"$procs"

cgroups=$(find /sys/fs/cgroup -mindepth 2 -type d -path '*/redline/*' 2>/dev/null || true)
[ -z "$cgroups" ] || report "cgroups:"$'\n'"$cgroups"

mounts=$(grep -E 'redline|/rl-' /proc/self/mountinfo || true)
[ -z "$mounts" ] || report "mounts:"$'\n'"$mounts"

dirs=$(find /tmp -maxdepth 1 -name 'rl-*' 2>/dev/null || true)
[ -z "$dirs" ] || report "temporary folders:"$'\n'"$dirs"

[ $fail -eq 0 ] && echo "no leftovers: processes, cgroups, mounts, temporary folders all clean"
exit $fail
