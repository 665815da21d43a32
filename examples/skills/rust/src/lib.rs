//! todos: count the TODO and FIXME markers in the worktree's text files,
//! and say which git the sandbox runs.
//!
//! A grove skill in Rust. The component imports only the interfaces it
//! calls (log, workspace, process), so those are its ceiling.

use grove_sdk::prelude::*;
use grove_sdk::workspace::EntryKind;

const MARKERS: [&str; 2] = ["TODO", "FIXME"];

struct Todos;

impl Skill for Todos {
    // Kept equal to grove.toml: `grove skill pack` checks the two agree.
    const MANIFEST: Manifest =
        Manifest::new("todos", "Count TODO and FIXME markers in the tree, and show the git the sandbox runs")
            .usage("grove run todos [GLOB]")
            .permissions(&[permission::WORKSPACE_READ, permission::PROCESS]);

    fn run(invocation: Invocation) -> Result<Outcome> {
        let pattern = invocation.args.first().map_or("**/*", String::as_str);
        let entries = workspace::glob(pattern)
            .map_err(|e| Error::invalid(format!("cannot list {pattern}: {}", e.message())))?;
        let mut counts = std::collections::BTreeMap::new();
        for entry in entries.iter().filter(|e| e.kind == EntryKind::File) {
            // Not UTF-8 text: no markers to count.
            let Ok(text) = workspace::read_text(&entry.path) else { continue };
            let found: usize =
                text.lines().map(|line| MARKERS.iter().map(|m| line.matches(m).count()).sum::<usize>()).sum();
            if found > 0 {
                counts.insert(entry.path.clone(), found);
            }
        }
        let total: usize = counts.values().sum();
        log::log(log::Level::Info, &format!("{total} markers in {} files", counts.len()));

        let out =
            process::Command::new("git").arg("--version").timeout_ms(10_000).output_limit(4096).run()?;
        let git = String::from_utf8_lossy(&out.stdout).trim().to_string();

        let files = if counts.len() == 1 { "file" } else { "files" };
        let mut outcome = Outcome::ok(format!("{total} TODO/FIXME in {} {files}; {git}", counts.len()));
        if !counts.is_empty() {
            let report: Vec<String> = counts.iter().map(|(path, n)| format!("- {path}: {n}")).collect();
            outcome = outcome.with_report(report.join("\n"));
        }
        if invocation.json {
            let data = serde_json::json!({ "total": total, "files": counts, "git": git });
            outcome = outcome.with_data(data.to_string());
        }
        Ok(outcome)
    }
}

grove_sdk::export!(Todos);
