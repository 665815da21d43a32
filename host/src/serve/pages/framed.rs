//! A skill's HTML shown inside the page frame: a prototype comparison
//! (`<git dir>/grove/prototype/<run>/index.html`, or the report `grove run
//! prototype` saved, `grove/reports/prototype-<time>.html`, titled with
//! its run) and any report a skill saved with `ui.report`. The file is a
//! skill's work, so it is served under a policy of its own: sandboxed (an
//! origin of its own, no cookies, no way to reach the server's pages or the
//! top window), no requests anywhere, its images, styles and scripts inline
//! only.

use std::path::{Path, PathBuf};

use crate::serve::html::{escape, segment};

/// The policy the comparison page is served under.
pub const CSP: &str = "default-src 'none'; img-src data:; media-src data:; font-src data:; \
     style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'self'; sandbox allow-scripts";

/// Whether `name` is one plain path segment: letters, digits, `.`, `_`
/// and `-`, not starting with a dot.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The report `file` (a name such as `simplify-<time>.html`) a skill saved
/// in `<git dir>/grove/reports`, if it exists.
pub fn report(git_dir: &Path, file: &str) -> Option<PathBuf> {
    if !plain(file) || !file.ends_with(".html") {
        return None;
    }
    let path = git_dir.join("grove").join("reports").join(file);
    path.is_file().then_some(path)
}

/// The comparison page of run `run`, if it exists.
pub fn path(git_dir: &Path, run: &str) -> Option<PathBuf> {
    if !plain(run) {
        return None;
    }
    let path = git_dir.join("grove").join("prototype").join(run).join("index.html");
    if path.is_file() {
        return Some(path);
    }
    saved_report(git_dir, run)
}

/// The page `grove run prototype` saved as its report
/// (`<git dir>/grove/reports/prototype-<time>.html`, titled `prototype
/// RUN`): the newest one of `run`.
fn saved_report(git_dir: &Path, run: &str) -> Option<PathBuf> {
    use std::io::Read;
    let title = format!("<title>prototype {run}</title>");
    let mut reports: Vec<PathBuf> = std::fs::read_dir(git_dir.join("grove").join("reports"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("prototype-")))
        .collect();
    // The names carry the time they were saved: the newest sorts last.
    reports.sort();
    reports.into_iter().rev().find(|report| {
        // The title is in the page's first bytes.
        let mut head = vec![0u8; 4096];
        let read = std::fs::File::open(report).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
        String::from_utf8_lossy(&head[..read]).contains(&title)
    })
}

/// The frame page's body for run `run`.
pub fn body(git_dir: &Path, run: &str) -> Option<String> {
    path(git_dir, run)?;
    let src = format!("/prototype/{}/index.html", segment(run));
    Some(frame("Prototype", run, "The comparison the prototype skill wrote", &src))
}

/// The frame page's body for report `file`.
pub fn report_body(git_dir: &Path, file: &str) -> Option<String> {
    report(git_dir, file)?;
    let src = format!("/report/{}/page", segment(file));
    Some(frame("Report", file, "A report a skill saved", &src))
}

fn frame(kind: &str, name: &str, what: &str, src: &str) -> String {
    format!(
        "<h1>{kind} <span class=\"meta\">{name}</span></h1>\
         <p class=\"meta\">{what}; it runs sandboxed and reaches nothing.</p>\
         <iframe class=\"prototype\" src=\"{src}\" sandbox=\"allow-scripts\" title=\"{kind} {name}\"></iframe>",
        name = escape(name),
        src = escape(src),
    )
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

    #[test]
    fn the_report_grove_run_prototype_saved_is_found_by_its_run() {
        let git = tempfile::tempdir().unwrap();
        let reports = git.path().join("grove/reports");
        std::fs::create_dir_all(&reports).unwrap();
        let page =
            |run: &str| format!("<!doctype html><html><head><title>prototype {run}</title></head></html>");
        std::fs::write(reports.join("prototype-2026-12-06T060000Z.html"), page("proto-a")).unwrap();
        std::fs::write(reports.join("prototype-2026-12-06T070000Z.html"), page("proto-b")).unwrap();
        std::fs::write(reports.join("simplify-2026-12-06T070000Z.html"), page("proto-a")).unwrap();
        let found = path(git.path(), "proto-a").unwrap();
        assert!(found.ends_with("prototype-2026-12-06T060000Z.html"), "{found:?}");
        assert!(path(git.path(), "proto-c").is_none());
        assert!(path(git.path(), "../reports").is_none());
        let found = report(git.path(), "simplify-2026-12-06T070000Z.html").unwrap();
        assert!(found.ends_with("simplify-2026-12-06T070000Z.html"));
        assert!(
            report_body(git.path(), "simplify-2026-12-06T070000Z.html")
                .unwrap()
                .contains("src=\"/report/simplify-2026-12-06T070000Z.html/page\"")
        );
        for bad in ["../serve.json", "serve.json", "simplify-2026-12-06T070000Z", ".x.html", "nope.html"] {
            assert!(report(git.path(), bad).is_none(), "{bad:?}");
        }
    }
}
