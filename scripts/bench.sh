#!/usr/bin/env bash
# `make bench`: handler overhead (criterion, in-memory stores) and listing cost on DynamoDB
# Local. Figures go to BENCHMARKS.md by hand, with the machine and date.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trap 'stop_started' EXIT
trap 'exit 130' INT TERM

ensure_tools
start_dynamodb
log "handler overhead (criterion, in-memory stores)"
cargo bench -p session-api --bench handler -- --noplot
cargo bench -p process-session --bench handler -- --noplot
cargo bench -p dataset-api --bench handler -- --noplot
log "listing over 10,000 DataSets (DynamoDB Local)"
cargo bench -p integration-tests --bench listing
