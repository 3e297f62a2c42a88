#!/usr/bin/env bash
# `make deploy`: `make build`, then `sam deploy` with samconfig.toml. The first deployment is
# `sam deploy --guided` (README), which records the stack's parameters in samconfig.toml;
# this adds the Architecture the functions were built for.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/build.sh
arch=$(lambda_architecture)
overrides=$(python3 - "$arch" <<'PY'
import sys, tomllib
config = tomllib.load(open("samconfig.toml", "rb"))
saved = config.get("default", {}).get("deploy", {}).get("parameters", {}).get("parameter_overrides", "")
saved = " ".join(saved) if isinstance(saved, list) else saved
kept = [p for p in saved.split() if not p.startswith("Architecture=")]
print(" ".join(kept + [f"Architecture={sys.argv[1]}"]))
PY
)
log "sam deploy --parameter-overrides $overrides"
sam deploy --template-file .aws-sam/build/template.yaml --parameter-overrides "$overrides" "$@"
