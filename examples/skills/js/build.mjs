// Componentize app.js for the `checker` world of wit/world.wit: the
// component imports log, ui, workspace, git and process, and of WASI only
// what a JavaScript engine needs (no HTTP).
//
// componentize-js's API is called directly: its 0.23.0 command line lacks a
// dependency of its own, and jco 1.35.0's `componentize` cannot read a WIT
// folder (its WASI shim opens no directory).
import { writeFile } from "node:fs/promises";

import { componentize } from "@bytecodealliance/componentize-js";

const out = process.argv[2] ?? "out/skill.wasm";
const { component } = await componentize({
  sourcePath: "app.js",
  witPath: "wit",
  worldName: "checker",
  disableFeatures: ["http", "fetch-event"],
});
await writeFile(out, component);
