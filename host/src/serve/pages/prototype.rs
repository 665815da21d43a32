//! A prototype comparison, when the prototype skill has written one:
//! `<git dir>/grove/prototype/<run>/index.html`, shown inside the page
//! frame. The file is a skill's work, so it is served under a policy of
//! its own: sandboxed (an origin of its own, no cookies, no way to reach
//! the server's pages or the top window), no requests anywhere, its images,
//! styles and scripts inline only.

use std::path::{Path, PathBuf};

use crate::serve::html::{escape, segment};

/// The policy the comparison page is served under.
pub const CSP: &str = "default-src 'none'; img-src data:; media-src data:; font-src data:; \
     style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'self'; sandbox allow-scripts";

/// The comparison page of run `run`, if it exists. A run's name is one
/// plain path segment: letters, digits, `.`, `_` and `-`, not starting with
/// a dot.
pub fn path(git_dir: &Path, run: &str) -> Option<PathBuf> {
    let plain = !run.is_empty()
        && run.len() <= 128
        && !run.starts_with('.')
        && run.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    let path = git_dir.join("grove").join("prototype").join(run).join("index.html");
    (plain && path.is_file()).then_some(path)
}

/// The frame page's body for run `run`.
pub fn body(git_dir: &Path, run: &str) -> Option<String> {
    path(git_dir, run)?;
    Some(format!(
        "<h1>Prototype <span class=\"meta\">{name}</span></h1>\
         <p class=\"meta\">The comparison the prototype skill wrote; it runs sandboxed and reaches nothing.</p>\
         <iframe class=\"prototype\" src=\"/prototype/{href}/index.html\" sandbox=\"allow-scripts\" title=\"prototype {name}\"></iframe>",
        name = escape(run),
        href = segment(run),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_run_name_that_has_a_page_is_found() {
        let git = tempfile::tempdir().unwrap();
        let dir = git.path().join("grove/prototype/run-1");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<p>a</p>").unwrap();
        std::fs::write(git.path().join("grove/secret.html"), "no").unwrap();
        assert!(path(git.path(), "run-1").is_some());
        for bad in ["", "..", "../grove", "run-1/../..", ".hidden", "run 1", "run-2"] {
            assert!(path(git.path(), bad).is_none(), "{bad:?}");
        }
        assert!(body(git.path(), "run-1").unwrap().contains("src=\"/prototype/run-1/index.html\""));
    }
}
