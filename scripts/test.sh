#!/usr/bin/env bash
# `make test`: lints, unit tests, store contract and handler tests against DynamoDB Local,
# an HTTP smoke test through `cargo lambda watch` on the real paths, the OpenAPI document
# fuzzed against that stack by schemathesis, and the hosted form in a real headless Chromium.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trap 'stop_started' EXIT
trap 'exit 130' INT TERM

ensure_tools
ensure_schemathesis
ensure_checkov
ensure_xsd

log "cargo fmt --check"
cargo fmt --all --check
log "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
log "sam validate --lint"
sam validate --lint --template infra/template.yaml
log "checkov: infra/template.yaml (a check that does not fit is skipped in the template, with its reason)"
"$TOOLS/checkov/bin/checkov" --quiet --compact --skip-download --framework cloudformation \
  --file infra/template.yaml

start_dynamodb memory
log "building"
cargo build --workspace --all-targets
prepare_data "$LOCAL/test-demo.json"

# Its own port, so `make test` also runs beside a running `make dev`.
SMOKE_PORT=${SMOKE_PORT:-9100}
port_open "$SMOKE_PORT" && die "port $SMOKE_PORT is in use; set SMOKE_PORT to a free port"
log "starting cargo lambda watch on 127.0.0.1:$SMOKE_PORT for the smoke test"
start_api "$SMOKE_PORT" "$LOCAL/test-api.log"
# The stream poller beside it, for the demo merchant's contacts only: the handler tests run
# their own (in-process, each for its own merchant), and one for all would finish the
# erasures those tests leave half-done on purpose.
DEMO_MERCHANT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["merchantId"])' "$LOCAL/test-demo.json")
start_stream_poller "$SMOKE_PORT" "$LOCAL/test-stream-poller.log" \
  --also "{\"dynamodb\": {\"Keys\": {\"pk\": {\"S\": [{\"prefix\": \"C#$DEMO_MERCHANT#\"}]}}}}"

export SMOKE_API_URL="http://127.0.0.1:$SMOKE_PORT" SMOKE_DEMO_FILE="$LOCAL/test-demo.json"
# Every pain.008 file the tests make lands here, and is validated against the XSD after.
export PAIN008_DIR="$LOCAL/pain008"
# Every bank report (camt.054, pain.002) the returns tests upload lands here, for its schema.
export BANK_REPORTS_DIR="$LOCAL/bank-reports"
rm -rf "$PAIN008_DIR" "$BANK_REPORTS_DIR"
log "cargo test"
cargo test --workspace
log "pain.008 files against the official pain.008.001.08 XSD"
"$TOOLS/xsd/bin/python" scripts/validate-pain008.py "$PAIN008_DIR"
log "bank reports against their camt.054/pain.002 schemas (tests/iso20022/)"
"$TOOLS/xsd/bin/python" scripts/validate-bank-reports.py "$BANK_REPORTS_DIR"

log "browser tests (headless Chromium)"
command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1 ||
  die "Debian's chromium is needed for the browser tests (bash .ci/run installs it)"
NPM_TOOLS="$TOOLS/npm" node --test tests/browser/

log "schemathesis: docs/openapi.yaml against the local stack"
(cd "$LOCAL" && run_schemathesis "$SMOKE_API_URL" "$SMOKE_DEMO_FILE")
