"""todos: count the TODO and FIXME markers in the worktree's text files,
and say which git the sandbox runs.

A grove skill in Python. It targets the `checker` world (wit/world.wit):
the component imports log, ui, workspace, git and process and nothing else,
so whatever it is granted it can reach no more than those.
"""

import json

from componentize_py_types import Err
from wit_world import WitWorld
from wit_world.imports import log, process, types, workspace

MARKERS = ("TODO", "FIXME")


class WitWorld(WitWorld):
    def describe(self) -> types.SkillInfo:
        # The same record `grove skill pack` wrote from grove.toml; grove
        # reads the section and asks `describe` only when there is none.
        return types.SkillInfo(
            name="todos",
            version="0.1.0",
            summary="Count TODO and FIXME markers in the tree, and show the git the sandbox runs",
            usage="grove run todos [GLOB]",
            permissions=["workspace:read", "process"],
        )

    def run(self, invocation: types.Invocation) -> types.Outcome:
        pattern = invocation.args[0] if invocation.args else "**/*"
        try:
            entries = workspace.glob(pattern)
        except Err as e:
            raise Err(types.Error_Invalid(f"cannot list {pattern}: {e.value.value}"))
        counts = {}
        for entry in entries:
            if entry.kind != workspace.EntryKind.FILE:
                continue
            try:
                text = workspace.read_text(entry.path)
            except Err:
                continue  # not UTF-8 text: no markers to count
            found = sum(line.count(m) for line in text.splitlines() for m in MARKERS)
            if found:
                counts[entry.path] = found
        total = sum(counts.values())
        log.log(log.Level.INFO, f"{total} markers in {len(counts)} files")

        out = process.run(
            process.Command(
                program="git",
                args=["--version"],
                cwd=None,
                env=[],
                stdin=None,
                timeout_ms=10_000,
                output_limit=4096,
            )
        )
        git = out.stdout.decode("utf-8", "replace").strip()

        files = "file" if len(counts) == 1 else "files"
        summary = f"{total} TODO/FIXME in {len(counts)} {files}; {git}"
        report = "\n".join(f"- {path}: {n}" for path, n in sorted(counts.items()))
        data = json.dumps({"total": total, "files": counts, "git": git})
        return types.Outcome(
            summary=summary,
            report=report or None,
            data=data if invocation.json else None,
            success=True,
        )
