#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for trying
# `redline run --executor slurm` and for its tests: munged, slurmctld and
# slurmd from Debian's packages (installed if missing), every file of the
# cluster in one state folder, on ports of its own, so several clusters
# (one per test) can run side by side. `stop` cancels what is left, stops
# the daemons and removes the folder: nothing of the cluster remains.
#
#   scripts/local-slurm.sh start  [--dir DIR]   # prints: export SLURM_CONF=DIR/slurm.conf
#   scripts/local-slurm.sh status [--dir DIR]
#   scripts/local-slurm.sh stop   [--dir DIR]
#
# DIR defaults to $REDLINE_SLURM_DIR or /tmp/redline-slurm. Needs root (the
# daemons run as root; munged as the munge user).
set -euo pipefail

usage() { echo "usage: $0 start|stop|status [--dir DIR]" >&2; exit 2; }
[ $# -ge 1 ] || usage
action=$1; shift
dir=${REDLINE_SLURM_DIR:-/tmp/redline-slurm}
while [ $# -gt 0 ]; do
  case $1 in
    --dir) [ $# -ge 2 ] || usage; dir=$2; shift 2 ;;
    *) usage ;;
  esac
done
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
conf=$dir/slurm.conf
host=$(hostname -s)

die() { echo "local-slurm: $*" >&2; exit 1; }

install_packages() {
  local missing=()
  for p in munge slurmctld slurmd slurm-client; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "needs root to install ${missing[*]}"
  echo "local-slurm: installing ${missing[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # policy-rc.d (if any) keeps the packages' own services from starting:
  # this script starts its daemons itself, with its own configuration.
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# A TCP port nothing listens on, in 20000-59999.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if ! ss -Hltn "sport = :$port" | grep -q .; then
      if ! grep -qs "Port=$port\$" /tmp/*/slurm.conf "$dir/slurm.conf" 2>/dev/null; then
        echo "$port"; return 0
      fi
    fi
  done
  die "no free port found"
}

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_conf() {
  local ctld_port=$1 slurmd_port=$2 cluster=$3
  cat > "$conf" <<CONF
# Written by scripts/local-slurm.sh: a one-node cluster in $dir.
ClusterName=$cluster
SlurmctldHost=$host
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# A cancelled task gets SIGTERM, then SIGKILL after KillWait seconds:
# enough for a trial to end as interrupted and tear its device down.
KillWait=30
MinJobAge=3600
SchedulerParameters=sched_interval=1
NodeName=$host CPUs=$(nproc) RealMemory=16000 State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  [ "$(id -u)" -eq 0 ] || die "start needs root"
  install_packages
  if pid_alive "$dir/slurmctld.pid"; then
    echo "local-slurm: already running in $dir"
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  mkdir -p "$dir"
  chmod 0755 "$dir"
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
  chown munge:munge "$dir/munge"
  # munged wants its socket folder reachable by all, writable only by munge.
  chmod 0711 "$dir/munge"
  head -c 1024 /dev/urandom > "$dir/munge/munge.key"
  chown munge:munge "$dir/munge/munge.key"
  chmod 0400 "$dir/munge/munge.key"
  runuser -u munge -- /usr/sbin/munged --socket="$dir/munge/munge.socket" \
    --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" \
    || die "munged did not start ($dir/munge/munged.log)"
  write_conf "$(free_port)" "$(free_port)" "rl$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export SLURM_CONF=$conf
  /usr/sbin/slurmctld -f "$conf" || die "slurmctld did not start: $(tail -5 "$dir/log/slurmctld.log" 2>/dev/null)"
  /usr/sbin/slurmd -f "$conf" -N "$host" || die "slurmd did not start: $(tail -5 "$dir/log/slurmd.log" 2>/dev/null)"
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "local-slurm: running in $dir (node $host, partition main)"
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    sleep 0.5
  done
  die "the node did not come up: $(sinfo 2>&1 | tail -3); logs in $dir/log"
}

status() {
  [ -f "$conf" ] || { echo "local-slurm: not running ($dir has no slurm.conf)"; return 1; }
  local up=0
  for d in munge/munged slurmctld slurmd; do
    if pid_alive "$dir/$d.pid"; then echo "${d##*/}: running (pid $(cat "$dir/$d.pid"))"
    else echo "${d##*/}: not running"; up=1; fi
  done
  SLURM_CONF=$conf sinfo 2>&1 || up=1
  echo "export SLURM_CONF=$conf"
  return $up
}

# Processes with an fd on a unix socket bound under $dir (slurmstepd of this
# cluster's jobs, whose sockets live in its spool folder).
socket_holders() {
  local inodes
  inodes=$(awk -v d="$dir/" 'index($8, d) == 1 { print $7 }' /proc/net/unix | sort -u)
  [ -n "$inodes" ] || return 0
  for fd in /proc/[0-9]*/fd/*; do
    local link
    link=$(readlink "$fd" 2>/dev/null) || continue
    case $link in socket:\[*\])
      local inode=${link#socket:[}; inode=${inode%]}
      if grep -qx "$inode" <<<"$inodes"; then
        local pid=${fd#/proc/}; echo "${pid%%/*}"
      fi ;;
    esac
  done | sort -u
}

# `pid` and every process below it.
descendants() {
  local pid=$1
  echo "$pid"
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do descendants "$child"; done
}

stop_pidfile() {
  local file=$1
  pid_alive "$file" || return 0
  local pid; pid=$(cat "$file")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  [ -d "$dir" ] || { echo "local-slurm: nothing in $dir"; return 0; }
  if [ -f "$conf" ] && pid_alive "$dir/slurmctld.pid"; then
    export SLURM_CONF=$conf
    # Jobs first, so that their trials end as interrupted and tear down.
    scancel --full --quiet --user "$(id -un)" 2>/dev/null || true
    for _ in $(seq 1 90); do
      [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
      sleep 1
    done
  fi
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  # What survived its daemon: steps of this cluster and what they started.
  for pid in $(socket_holders); do
    for p in $(descendants "$pid"); do kill -KILL "$p" 2>/dev/null || true; done
  done
  stop_pidfile "$dir/munge/munged.pid"
  rm -rf "$dir"
  echo "local-slurm: stopped; $dir removed"
}

case $action in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
