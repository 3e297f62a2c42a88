#!/usr/bin/env bash
# `make build`: every function as Lambda runs it, with `cargo lambda build --release`, then
# `sam build` from infra/template.yaml (the rust-cargolambda build method, which runs the same
# cargo-lambda command per function and so reuses these artifacts). All functions go to one
# cargo invocation: dependencies compile once and the link steps (fat LTO, the slow part) run
# in parallel on every core.
#
# arm64 (Graviton) is the deployment default. Where the aarch64 Rust target is not installed
# (rustup cannot download it on every builder), the build is x86_64 and the template's
# Architecture parameter must say so: `make deploy` passes it on.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_tools

arch=$(lambda_architecture)
flags=(--release)
[ "$arch" = arm64 ] && flags+=(--arm64)
[ "$arch" = x86_64 ] && log "aarch64-unknown-linux-gnu is not installed: building x86_64 (rustup target add aarch64-unknown-linux-gnu for arm64)"

bins=()
for dir in functions/*/; do bins+=(--bin "$(basename "$dir")"); done
log "cargo lambda build ${flags[*]}: $(( ${#bins[@]} / 2 )) functions ($arch)"
cargo lambda build "${flags[@]}" "${bins[@]}"

log "sam build (Architecture=$arch)"
sam build --parameter-overrides "Architecture=$arch"

for dir in functions/*/; do
  name=$(basename "$dir")
  printf "%-20s %s bytes\n" "$name" "$(stat -c %s "$TARGET/lambda/$name/bootstrap")"
done
