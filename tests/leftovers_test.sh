#!/usr/bin/env bash
# Runs after every other test (a ctest fixture cleanup): no process, mount,
# cgroup, socket folder, network namespace or veth of any trial may be left
# (a target device's sshd included).
set -u
fail=0
report() { echo "LEFTOVER: $*"; fail=1; }

# Live processes only: a killed device's bwrap can stay a moment as a zombie
# of init (dead, running nothing) until init reaps it. A device torn down at
# the very end of the last test may still be exiting: look again for 3 s.
live_procs() {
  ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/' |
    grep -E 'redline-devinit|bwrap|bin/(agent|llm-server)|redline-(agent|llm-server)|/tmp/x/sys/bin|sshd -D -e -f /etc/ssh/sshd_config' |
    grep -v -E 'grep|leftovers_test' || true
}
for _ in $(seq 30); do
  procs=$(live_procs)
  [ -z "$procs" ] && break
  sleep 0.1
done
[ -z "$procs" ] || report "processes:"$'\n'"$procs"

cgroups=$(find /sys/fs/cgroup -mindepth 2 -type d -path '*/redline/*' 2>/dev/null || true)
[ -z "$cgroups" ] || report "cgroups:"$'\n'"$cgroups"

mounts=$(grep -E 'redline|/rl-' /proc/self/mountinfo || true)
[ -z "$mounts" ] || report "mounts:"$'\n'"$mounts"

dirs=$(find /tmp -maxdepth 1 -name 'rl-*' 2>/dev/null || true)
[ -z "$dirs" ] || report "temporary folders:"$'\n'"$dirs"

# A trial's network: namespaces named rl-w<pid>-<n>-{o,t,s}; their veths
# live only inside them, so one on the host would be a leak too.
netns=$(ls /run/netns 2>/dev/null | grep '^rl-w' || true)
[ -z "$netns" ] || report "network namespaces:"$'\n'"$netns"
veths=$(ip -o link show type veth 2>/dev/null | grep -E ' (v[ot]|eth0)@' || true)
[ -z "$veths" ] || report "veths:"$'\n'"$veths"

[ $fail -eq 0 ] && echo "no leftovers: processes, cgroups, mounts, temporary folders, network namespaces, veths all clean"
exit $fail
