#!/usr/bin/env bash
# Runs after every other test (a ctest fixture cleanup): no process, mount,
# cgroup, socket folder, network namespace or veth of any trial may be left
# (a target device's sshd included).
#
#   leftovers_test.sh --record FILE   (fixture setup) notes what is there
#                                     before the suite: not the suite's doing
#   leftovers_test.sh [FILE]          reports whatever is there now and was
#                                     not in FILE
set -u

# One line per thing of a trial that exists now: "<kind> <what>".
snapshot() {
  # Live processes only: a killed device's bwrap can stay a moment as a
  # zombie of init (dead, running nothing) until init reaps it.
  ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/' |
    grep -E 'redline-devinit|bwrap|bin/(agent|llm-server)|redline-(agent|llm-server)|/tmp/x/sys/bin|sshd -D -e -f /etc/ssh/sshd_config' |
    grep -v -E 'grep|leftovers_test' | awk '{ $2 = ""; print "process " $0 }'
  find /sys/fs/cgroup -mindepth 2 -type d -path '*/redline/*' 2>/dev/null | sed 's/^/cgroup /'
  grep -E 'redline|/rl-' /proc/self/mountinfo | awk '{ print "mount " $5 }'
  find /tmp -maxdepth 1 -name 'rl-*' 2>/dev/null | sed 's/^/folder /'
  # A trial's network: namespaces named rl-w<pid>-<n>-{o,t,s}; their veths
  # live only inside them, so one on the host would be a leak too.
  ls /run/netns 2>/dev/null | grep '^rl-w' | sed 's/^/netns /'
  ip -o link show type veth 2>/dev/null | grep -E ' (v[ot]|eth0)@' | awk '{ print "veth " $2 }'
}

if [ "${1:-}" = "--record" ]; then
  snapshot | sort > "$2"
  echo "recorded $(wc -l < "$2") things that were there before the tests"
  exit 0
fi
baseline=${1:-/dev/null}
[ -f "$baseline" ] || baseline=/dev/null

# Only what the suite left: things there before it are not its doing.
fresh() { snapshot | sort | comm -23 - <(sort "$baseline"); }

# A device torn down at the very end of the last test may still be exiting:
# look again for 3 s.
for _ in $(seq 30); do
  left=$(fresh)
  [ -z "$left" ] && break
  sleep 0.1
done
if [ -n "$left" ]; then
  echo "LEFTOVER:"
  echo "$left"
  exit 1
fi
echo "no leftovers: processes, cgroups, mounts, temporary folders, network namespaces, veths all clean"
