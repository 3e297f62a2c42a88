#!/usr/bin/env bash
# `make bench`: handler overhead (criterion, in-memory adapters), listing cost, cold starts of
# every function, CPU and latency per request of every function beside its own DynamoDB requests
# replayed, cost per 1,000 donations and a 5,000-donor spike that checks every DataSet, all on
# the functions' Lambda builds against DynamoDB Local. Figures go to BENCHMARKS.md by hand,
# with the machine and date.
# BENCH_FUNCTIONS="create-session process-session": only the cold starts and the CPU and latency
# of those functions (a before/after comparison in minutes instead of the whole run).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trap 'stop_started' EXIT
trap 'exit 130' INT TERM

ensure_tools
start_dynamodb memory
only=${BENCH_FUNCTIONS:-}
if [ -z "$only" ]; then
  log "handler overhead (criterion, in-memory adapters)"
  cargo bench -p integration-tests --bench handlers -- --noplot
  log "listing over 10,000 DataSets (DynamoDB Local)"
  cargo bench -p integration-tests --bench listing
  log "SEPA at its largest: a collection of 5,000 debits, sent, and a camt.054 of 1,000 returns (DynamoDB Local)"
  cargo bench -p integration-tests --bench sepa
fi

log "every function as Lambda runs it (cargo lambda build --release, this machine's arch), and the harness"
# The measured binaries are the deployed bootstraps: built apart from the harness, whose
# dependencies' features would otherwise be unified into them.
bins=()
for dir in "$ROOT"/functions/*/; do bins+=(--bin "$(basename "$dir")"); done
native=()
[ "$(uname -m)" = aarch64 ] && native=(--arm64)   # cargo lambda builds x86_64 unless told
cargo lambda build --release "${native[@]}" "${bins[@]}"
cargo build --release -p lambda-bench
cargo build --quiet -p admin   # seeds the demo merchant and form the harness uses
prepare_data "$LOCAL/bench-demo.json" >/dev/null
functions=$LOCAL/bench-functions   # function name -> its bootstrap, as the harness expects
rm -rf "$functions" && mkdir -p "$functions"
for dir in "$ROOT"/functions/*/; do
  name=$(basename "$dir")
  bootstrap=$TARGET/lambda/$name/bootstrap
  ln -s "$bootstrap" "$functions/$name"
  printf '%-22s %s bytes (stripped bootstrap)\n' "$name" "$(stat -c %s "$bootstrap")"
done
if [ -n "$only" ]; then
  for name in $only; do
    [ -e "$functions/$name" ] || die "BENCH_FUNCTIONS: no function '$name' in functions/"
  done
  log "cold starts of $only (loopback Runtime API, DynamoDB Local)"
  for name in $only; do "$TARGET/release/coldstart" "$functions" "$LOCAL/bench-demo.json" 10 "$name"; done
  log "CPU and latency per request of $only, each beside its raw DynamoDB requests"
  for name in $only; do "$TARGET/release/perf" "$functions" "$LOCAL/bench-demo.json" 5000 "$name"; done
  exit 0
fi
log "cold starts (loopback Runtime API, DynamoDB Local)"
"$TARGET/release/coldstart" "$functions" "$LOCAL/bench-demo.json" 10
log "CPU and latency per request: each function beside its raw DynamoDB requests"
"$TARGET/release/perf" "$functions" "$LOCAL/bench-demo.json" 5000
log "cost per 1,000 donations: metered DynamoDB capacity, measured durations, eu-central-1 prices"
"$TARGET/release/cost" "$functions" "$LOCAL/bench-demo.json" 1000
log "spike: 5,000 donor journeys at 64 concurrent donors, then every DataSet found again"
"$TARGET/release/spike" "$functions" "$LOCAL/bench-demo.json" 5000 64
