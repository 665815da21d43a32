#!/bin/sh
# Build the skill into out/NAME.wasm and pack its grove.toml into it.
# Needs componentize-py 0.25.1 (`pip install componentize-py==0.25.1`) and
# grove (on PATH, or named by $GROVE).
set -eu
cd "$(dirname "$0")"
name=$(sed -n 's/^name *= *"\([^"]*\)".*/\1/p' grove.toml | head -n 1)
mkdir -p out
# The `checker` world of wit/world.wit: the component imports log, ui,
# workspace, git and process, and nothing else.
componentize-py -d wit -w checker componentize app -o "out/$name.wasm"
"${GROVE:-grove}" skill pack "out/$name.wasm" --manifest grove.toml
