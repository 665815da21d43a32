// todos: count the TODO and FIXME markers in the worktree's text files,
// and say which git the sandbox runs.
//
// A grove skill in JavaScript. It targets the `checker` world
// (wit/world.wit): the component imports log, ui, workspace, git and
// process and nothing else, so whatever it is granted it can reach no more
// than those.

import { log } from "grove:skill/log@0.2.0";
import { run as runProgram } from "grove:skill/process@0.2.0";
import { glob, readText } from "grove:skill/workspace@0.2.0";

const MARKERS = ["TODO", "FIXME"];

// The same record `grove skill pack` wrote from grove.toml; grove reads the
// section and asks `describe` only when there is none.
export function describe() {
  return {
    name: "todos",
    version: "0.1.0",
    summary: "Count TODO and FIXME markers in the tree, and show the git the sandbox runs",
    usage: "grove run todos [GLOB]",
    permissions: ["workspace:read", "process"],
  };
}

// A host call that fails throws; its `payload` is the contract's `error`
// variant, e.g. { tag: "denied", val: "…" }.
export function run(invocation) {
  const pattern = invocation.args[0] ?? "**/*";
  let entries;
  try {
    entries = glob(pattern);
  } catch (e) {
    throw { tag: "invalid", val: `cannot list ${pattern}: ${e.payload?.val ?? e}` };
  }
  const counts = {};
  for (const entry of entries) {
    if (entry.kind !== "file") continue;
    let text;
    try {
      text = readText(entry.path);
    } catch {
      continue; // not UTF-8 text: no markers to count
    }
    let found = 0;
    for (const line of text.split("\n")) {
      for (const marker of MARKERS) found += line.split(marker).length - 1;
    }
    if (found) counts[entry.path] = found;
  }
  const files = Object.keys(counts).sort();
  const total = files.reduce((sum, path) => sum + counts[path], 0);
  log("info", `${total} markers in ${files.length} files`);

  let out;
  try {
    out = runProgram({ program: "git", args: ["--version"], env: [], timeoutMs: 10000, outputLimit: 4096 });
  } catch (e) {
    throw e.payload ?? e; // a refusal is this run's error as it is
  }
  const git = new TextDecoder().decode(out.stdout).trim();

  const noun = files.length === 1 ? "file" : "files";
  return {
    summary: `${total} TODO/FIXME in ${files.length} ${noun}; ${git}`,
    report: files.length ? files.map((path) => `- ${path}: ${counts[path]}`).join("\n") : undefined,
    data: invocation.json ? JSON.stringify({ total, files: counts, git }) : undefined,
    success: true,
  };
}
