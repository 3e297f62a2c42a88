#!/usr/bin/env bash
# Compares release opt-levels for the Lambda binaries: stripped size of the post-dataset
# bootstrap and the DataSet handler benchmark medians. Each level builds in its own target dir.
# Usage: bash scripts/bench-opt-level.sh [levels...]   (default: 3 s z)
set -euo pipefail
cd "$(dirname "$0")/.."
levels=("${@:-3 s z}")
read -r -a levels <<<"${levels[*]}"
base=${CARGO_TARGET_DIR:-target}
for level in "${levels[@]}"; do
  export CARGO_TARGET_DIR="$base/opt-$level"
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=$level CARGO_PROFILE_BENCH_OPT_LEVEL=$level
  cargo build --release -p post-dataset --quiet
  size=$(stat -c %s "$CARGO_TARGET_DIR/release/post-dataset")
  echo "opt-level=$level: post-dataset binary $size bytes"
  cargo bench -p integration-tests --bench handlers --quiet -- --noplot dataSet 2>/dev/null |
    grep -E '^(POST|GET)|time:' | sed "s/^/opt-level=$level: /"
done
