//! What `simplify` finds in the files a variant changed, read from its
//! worktree as its diff shows them: clones among them, functions too long or too deeply nested.
//! Dead-code hints are left out: with only the changed files in view, a
//! function called from an unchanged one would look unused.

use grove_diff::Diff;
use grove_sdk::prelude::*;
use grove_sdk::sessions;
use grove_simplify::Thresholds;
use serde::Serialize;

/// The most files of one variant read for the analysis.
const MAX_FILES: usize = 200;

/// One finding, as a card lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Simpler {
    pub path: String,
    pub line: u32,
    pub message: String,
}

/// The findings on the files `diff` changed, as session `session` has them.
pub fn findings(session: &str, diff: &Diff<'_>) -> Vec<Simpler> {
    let files: Vec<(String, Vec<u8>)> = diff
        .files
        .iter()
        .filter(|f| !f.is_deleted())
        .take(MAX_FILES)
        .filter_map(|f| match sessions::read_file(session, &f.path) {
            Ok(bytes) => Some((f.path.clone(), bytes)),
            Err(e) => {
                log::debug(&format!("simplify skips {}: {}", f.path, e.message()));
                None
            }
        })
        .collect();
    let mut found = grove_simplify::analyze(files, Thresholds::default());
    found.rank();
    let mut out = Vec::new();
    for clone in &found.clones {
        let [first, rest @ ..] = clone.locations.as_slice() else { continue };
        let others: Vec<String> = rest.iter().map(|l| format!("{}:{}", l.path, l.start_line)).collect();
        let kind = match clone.kind {
            grove_simplify::findings::CloneKind::Exact => "the same",
            grove_simplify::findings::CloneKind::Renamed => "the same but for names",
        };
        out.push(Simpler {
            path: first.path.clone(),
            line: first.start_line,
            message: format!("{} lines {kind} as at {}", clone.lines, others.join(", ")),
        });
    }
    for f in &found.long_functions {
        out.push(Simpler {
            path: f.path.clone(),
            line: f.start_line,
            message: format!(
                "`{}` is {} lines long (more than {})",
                f.name,
                f.lines,
                Thresholds::default().max_lines
            ),
        });
    }
    for f in &found.deep_nesting {
        out.push(Simpler {
            path: f.path.clone(),
            line: f.depth_line,
            message: format!(
                "`{}` nests {} deep (more than {})",
                f.name,
                f.depth,
                Thresholds::default().max_depth
            ),
        });
    }
    out
}
