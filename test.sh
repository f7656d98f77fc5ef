#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
scripts/install-test-deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 600
