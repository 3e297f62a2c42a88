#!/usr/bin/env bash
# `make bench`: handler overhead (criterion, in-memory adapters), listing cost, cold starts of
# every function, CPU and latency per request beside the raw DynamoDB requests, cost per 1,000
# donations, a 5,000-donor spike that checks every DataSet, and the old concurrency-32 load
# (machine-bound) on release builds against DynamoDB Local. Figures go to BENCHMARKS.md by
# hand, with the machine and date.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trap 'stop_started' EXIT
trap 'exit 130' INT TERM

ensure_tools
start_dynamodb memory
log "handler overhead (criterion, in-memory adapters)"
cargo bench -p integration-tests --bench handlers -- --noplot
log "listing over 10,000 DataSets (DynamoDB Local)"
cargo bench -p integration-tests --bench listing

log "release builds of every function, and the harness"
# Functions only (not admin, whose SSO features would be unified into them), as deployed.
packages=()
for dir in "$ROOT"/functions/*/; do packages+=(-p "$(basename "$dir")"); done
cargo build --release "${packages[@]}" -p lambda-bench
cargo build --quiet -p admin   # seeds the demo merchant and form the harness uses
prepare_data "$LOCAL/bench-demo.json" >/dev/null
for dir in "$ROOT"/functions/*/; do
  name=$(basename "$dir")
  printf '%s: %s bytes stripped\n' "$name" "$(stat -c %s "$TARGET/release/$name")"
done
log "cold starts (loopback Runtime API, DynamoDB Local)"
"$TARGET/release/coldstart" "$TARGET/release" "$LOCAL/bench-demo.json" 10
log "CPU and latency per request: release functions beside their raw DynamoDB requests"
"$TARGET/release/perf" "$TARGET/release" "$LOCAL/bench-demo.json" 5000
log "cost per 1,000 donations: metered DynamoDB capacity, measured durations, eu-central-1 prices"
"$TARGET/release/cost" "$TARGET/release" "$LOCAL/bench-demo.json" 1000
log "spike: 5,000 donor journeys at 64 concurrent donors, then every DataSet found again"
"$TARGET/release/spike" "$TARGET/release" "$LOCAL/bench-demo.json" 5000 64
log "load at concurrency 32 (machine-bound: on 2 cores it measures CPU queueing, not the functions)"
"$TARGET/release/load" "$TARGET/release" "$LOCAL/bench-demo.json" 10000 32
