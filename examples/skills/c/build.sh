#!/bin/sh
# Build the skill into out/NAME.wasm and pack its grove.toml into it.
# Needs clang with wasi-libc (Debian: clang lld wasi-libc
# libclang-rt-dev-wasm32), wit-bindgen-cli 0.61.1 and wasm-tools 1.258.0
# (`cargo install --locked`), cargo for the WASI adapter (or name one with
# $WASI_ADAPTER), and grove (on PATH, or named by $GROVE).
set -eu
cd "$(dirname "$0")"
name=$(sed -n 's/^name *= *"\([^"]*\)".*/\1/p' grove.toml | head -n 1)
mkdir -p out gen
# Bindings for the `checker` world of wit/world.wit: the component imports
# log, ui, workspace, git and process, and nothing else.
wit-bindgen c wit --world checker --out-dir gen >/dev/null
# A reactor: a library the host calls, with no `main`.
clang --target=wasm32-wasi -mexec-model=reactor -O2 -Wall -Werror -Igen \
    -o "out/$name.core.wasm" app.c gen/checker.c gen/checker_component_type.o
# wasi-libc speaks WASI preview1; the adapter turns that into WASI 0.2.
adapter=${WASI_ADAPTER:-out/wasi_snapshot_preview1.reactor.wasm}
[ -f "$adapter" ] || cargo run --quiet --release --manifest-path adapter/Cargo.toml -- "$adapter"
wasm-tools component new "out/$name.core.wasm" --adapt "wasi_snapshot_preview1=$adapter" -o "out/$name.wasm"
"${GROVE:-grove}" skill pack "out/$name.wasm" --manifest grove.toml
