#!/bin/sh
# Build the skill into out/NAME.wasm and pack its grove.toml into it.
# Needs Node.js with npm (the first build installs componentize-js 0.23.0
# and jco 1.35.0 into node_modules/, as package-lock.json pins them) and
# grove (on PATH, or named by $GROVE).
set -eu
cd "$(dirname "$0")"
name=$(sed -n 's/^name *= *"\([^"]*\)".*/\1/p' grove.toml | head -n 1)
[ -d node_modules/@bytecodealliance/componentize-js ] || npm ci --no-audit --no-fund --loglevel=error
mkdir -p out
node build.mjs "out/$name.wasm"
"${GROVE:-grove}" skill pack "out/$name.wasm" --manifest grove.toml
