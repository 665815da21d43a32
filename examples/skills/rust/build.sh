#!/bin/sh
# Build the skill into out/NAME.wasm and check its grove.toml against the
# manifest the SDK wrote. Needs Rust with the wasm32-wasip2 target
# (`rustup target add wasm32-wasip2`) and grove (on PATH, or named by $GROVE).
set -eu
cd "$(dirname "$0")"
name=$(sed -n 's/^name *= *"\([^"]*\)".*/\1/p' grove.toml | head -n 1)
cargo build --release --target wasm32-wasip2
mkdir -p out
target=${CARGO_TARGET_DIR:-target}
cp "$target/wasm32-wasip2/release/$(echo "$name" | tr - _).wasm" "out/$name.wasm"
"${GROVE:-grove}" skill pack "out/$name.wasm" --manifest grove.toml
