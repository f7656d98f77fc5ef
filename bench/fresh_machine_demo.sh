#!/usr/bin/env bash
# Times a newcomer's first ./demo.sh on a fresh Debian 12 system: a minimal
# root file system from debootstrap (nothing installed but git), this
# repository cloned into it, and ./demo.sh run there as root — installs,
# build with an empty compiler cache, the 20 trials, the report. The root is
# entered with pivot_root in a private mount namespace (not chroot: a
# chrooted process may not create the user namespaces a device needs), with
# the host's kernel, cgroups and network. Prints each phase's start and the
# total. Needs root and a reachable Debian mirror.
#
#   bench/fresh_machine_demo.sh [WORK_DIR]   (default /var/tmp/redline-fresh)
#   DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR    (default deb.debian.org's)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/var/tmp/redline-fresh}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
[ "$(id -u)" -eq 0 ] || { echo "fresh_machine_demo: needs root" >&2; exit 1; }
# WORK_DIR is emptied: only one this script made (it leaves a marker).
if [ -e "$work" ] && [ ! -e "$work/.fresh-machine-demo" ] && [ -n "$(ls -A "$work")" ]; then
  echo "fresh_machine_demo: $work is not empty and not made by this script" >&2
  exit 2
fi
if ! command -v debootstrap >/dev/null; then
  apt-get update -q >/dev/null && apt-get install -y -q debootstrap >/dev/null
fi

root="$work/root"
rm -rf "$work"
mkdir -p "$work"
touch "$work/.fresh-machine-demo"
trap 'rm -rf "$root"' EXIT
echo "fresh_machine_demo: debootstrap bookworm into $root (not timed)"
debootstrap --variant=minbase --include=git,ca-certificates bookworm "$root" "$mirror" \
  >"$work/debootstrap.log" 2>&1 || { tail -5 "$work/debootstrap.log" >&2; exit 1; }
# The sources a Debian 12 installation has: the release, its updates, security.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"
git clone -q "$repo" "$root/root/redline"

# Inside a private mount namespace: the kernel's file systems, then the new
# root; the old one is detached so nothing of the host's files stays visible.
enter='
  set -e
  mount --make-rprivate /
  mount --bind "$0" "$0"
  mount -t proc proc "$0/proc"
  mount --rbind /sys "$0/sys"
  mount --rbind /dev "$0/dev"
  mount -t tmpfs tmpfs "$0/tmp"
  mount -t tmpfs tmpfs "$0/run"
  cd "$0"
  mkdir -p .old-root
  pivot_root . .old-root
  cd /
  umount -l /.old-root
  rmdir /.old-root
  exec env -i HOME=/root TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "cd /root/redline && ./demo.sh"'
log="$work/demo.log"
since() { awk -v now="$EPOCHREALTIME" -v start="$1" 'BEGIN { printf "%.1f", now - start }'; }
start=$EPOCHREALTIME
set +e
unshare --mount --fork bash -c "$enter" "$root" 2>&1 | while IFS= read -r line; do
  printf '%7s %s\n' "$(since "$start")" "$line"
done >"$log"
status=${PIPESTATUS[0]}
set -e
total=$(since "$start")

# Phase starts from the demo's own output.
phase() {  # label, first line matching the pattern
  local t
  t=$(re="$2" awk '$0 ~ ENVIRON["re"] { print $1; exit }' "$log")
  printf '  %-28s %s s\n' "$1" "${t:-?}"
}
echo "fresh_machine_demo: phases (seconds since ./demo.sh started)"
phase "installs start" 'install-deps'
phase "configure (cmake) start" 'The CXX compiler identification|-- Configuring'
phase "build start" '\[1/[0-9]+\]'
phase "trials start" '== self-replication'
phase "report" 'open .*report.html'
printf '  %-28s %s s (exit %s)\n' "total" "$total" "$status"
grep -E 'succeeded, rate' "$log" | sed 's/^ *[0-9.]* /  /' || true
echo "fresh_machine_demo: whole output in $log"
exit "$status"
