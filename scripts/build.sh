#!/usr/bin/env bash
# Configures (once) and builds redline into build/.
#   scripts/build.sh           everything: the product, its tests, the benchmarks
#   scripts/build.sh product   redline and the programs it deploys (what the demo needs)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
case "$what" in
  all) target=all ;;
  product) target=redline-product ;;
  *) echo "scripts/build.sh: unknown target set '$what' (expected all or product)" >&2; exit 2 ;;
esac
[ -f build/build.ninja ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
ninja -C build "$target"
