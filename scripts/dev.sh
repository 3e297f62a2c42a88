#!/usr/bin/env bash
# `make dev`: the whole API locally on http://127.0.0.1:9000 with seeded demo data.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trap 'echo; log "stopping"; stop_started' EXIT
trap 'exit 130' INT TERM

API_PORT=${API_PORT:-9000}
port_open "$API_PORT" && die "port $API_PORT is already in use (is another 'make dev' running?)"

ensure_tools
start_dynamodb persistent
log "building the workspace"
cargo build --workspace --bins
prepare_data "$LOCAL/demo.json"

log "serving every function on http://127.0.0.1:$API_PORT (function logs: .local/logs/)"
start_api "$API_PORT" "$LOCAL/api.log"
log "handing the Entities table's stream to continue-batches (.local/logs/stream-poller.log)"
start_stream_poller "$API_PORT" "$LOCAL/logs/stream-poller.log"

FORM_URL=$(demo_form_url "http://127.0.0.1:$API_PORT" "$LOCAL/demo.json")

cat <<MSG

Local API:  http://127.0.0.1:$API_PORT
Donation form, prefilled from a demo session (amount fixed):
  $FORM_URL
Demo data (.local/demo.json):
$(cat "$LOCAL/demo.json")

Try:
  KEY=\$(jq -r .apiKey .local/demo.json)
  curl -s -X POST http://127.0.0.1:$API_PORT/dataSet -H "Authorization: Bearer \$KEY" \\
    -H 'Content-Type: application/json' \\
    -d '{"vendor":"demo","sensitive_data":[],"jsonElement":{"formResult":{"amount":"10.00"}}}'

Press Ctrl-C to stop DynamoDB Local, the API and the stream poller.
MSG
# Until Ctrl-C, or the stream poller stops (its log says why); the trap stops the rest.
wait "${STARTED_PIDS[-1]}"
