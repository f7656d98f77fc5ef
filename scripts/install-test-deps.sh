#!/usr/bin/env bash
# What the tests need beyond scripts/install-deps.sh: Debian's chromium (the
# report's browser test), Slurm and munge (the Slurm executor's test), and
# the npm packages of tests/js (playwright-core to drive chromium, the
# official `openai` client to test redline-llm-server).
# docs/dependencies.md says why each one is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
missing=()
dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed" || missing+=(chromium)
# Node: Debian's nodejs + npm, unless a node with npm is already installed.
command -v npm >/dev/null || missing+=(nodejs npm)
# Slurm (the --executor slurm test runs a one-node cluster: scripts/local-slurm.sh).
for p in munge slurmctld slurmd slurm-client; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ ! -d tests/js/node_modules ] || [ tests/js/package-lock.json -nt tests/js/node_modules ]; then
  echo "install-test-deps: npm ci in tests/js"
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi
