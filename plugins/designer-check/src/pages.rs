//! Pictures of the pages a design change shows on, when `[evidence]` in
//! `.grove/config.toml` says how the app is served: the work as it is now
//! and, when the check has a base commit, as it was there, each served on
//! its own (through `process`, so through the gate and the sandbox) and
//! screenshotted in the browser, kept in the evidence bundle for the
//! reviewer and the pull request.
//!
//! Which pages: each changed HTML file, at its own path (`docs/index.html`
//! → `/docs/`); and, for changes that are not a page (a stylesheet, a
//! token, an image), the pages `[design] pages` lists, else the app's
//! start page (`[evidence] url`).

use grove_app::App;
use grove_app::config::Evidence;
use grove_sdk::evidence::{self, Kind};
use grove_sdk::prelude::*;

use crate::detect::Change;

/// Where the base commit's files are written to serve them.
const BEFORE_DIR: &str = ".designer-check-before";
/// The viewport of each picture.
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 800;
/// More pages than this are a list to read, not pictures to look at.
const MAX_PAGES: usize = 12;

/// A picture kept in the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shot {
    pub page: String,
    /// `after` (the work) or `before` (the base commit).
    pub when: &'static str,
}

/// The URL paths to picture for `changes`.
pub fn to_picture(changes: &[Change], listed: &[String], start: &str) -> Vec<String> {
    let mut pages: Vec<String> = Vec::new();
    let mut add = |page: String| {
        if !pages.contains(&page) {
            pages.push(page);
        }
    };
    let mut other = false;
    for change in changes {
        match page_of(&change.path) {
            Some(page) => add(page),
            None => other = true,
        }
    }
    if other {
        if listed.is_empty() {
            add(start.to_string());
        }
        for page in listed {
            add(page.clone());
        }
    }
    pages.truncate(MAX_PAGES);
    pages
}

/// The URL path an HTML file is served at by a static server of the tree.
fn page_of(path: &str) -> Option<String> {
    let lower = path.to_ascii_lowercase();
    if !(lower.ends_with(".html") || lower.ends_with(".htm")) {
        return None;
    }
    Some(match path.rsplit_once('/') {
        Some((dir, "index.html")) => format!("/{dir}/"),
        None if path == "index.html" => "/".to_string(),
        _ => format!("/{path}"),
    })
}

/// Picture `pages` after, and before when there is a `base`; a page that
/// will not load is a warning, never a failed check.
pub fn take(config: &Evidence, pages: &[String], base: Option<&str>) -> Vec<Shot> {
    let mut shots = Vec::new();
    if pages.is_empty() {
        return shots;
    }
    shots.extend(serve_and_shoot(config, pages, None, "after", None));
    if let Some(base) = base {
        if workspace::stat(BEFORE_DIR).is_ok() && workspace::remove(BEFORE_DIR).is_err() {
            return shots;
        }
        match workspace::export_commit(base, BEFORE_DIR) {
            Ok(_) => shots.extend(serve_and_shoot(config, pages, Some(BEFORE_DIR), "before", Some(base))),
            Err(e) => log::warn(&format!("no before pictures: {}", e.message())),
        }
        if let Err(e) = workspace::remove(BEFORE_DIR) {
            log::warn(&format!("removing {BEFORE_DIR}: {}", e.message()));
        }
    }
    shots
}

fn serve_and_shoot(
    config: &Evidence,
    pages: &[String],
    cwd: Option<&str>,
    when: &'static str,
    commit: Option<&str>,
) -> Vec<Shot> {
    let app = match App::serve(config, cwd) {
        Ok(app) => app,
        Err(e) => {
            log::warn(&format!("no {when} pictures: {}", e.message()));
            return Vec::new();
        }
    };
    let mut shots = Vec::new();
    for page in pages {
        let kept = app.screenshot(page, WIDTH, HEIGHT).and_then(|png| {
            evidence::add(Kind::Png, &format!("designer-check: {page} ({when})"), &png, commit)
        });
        match kept {
            Ok(_) => shots.push(Shot { page: page.clone(), when }),
            Err(e) => log::warn(&format!("no picture of {page} ({when}): {}", e.message())),
        }
    }
    app.stop();
    shots
}

/// The pictures, as a paragraph of the report.
pub fn markdown(shots: &[Shot]) -> String {
    let list: Vec<String> = shots.iter().map(|s| format!("`{}` ({})", s.page, s.when)).collect();
    format!("\n\nPictures in the evidence bundle: {}.\n", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Kind;

    fn change(path: &str) -> Change {
        Change { path: path.into(), kind: Kind::Stylesheet, lines: vec![1] }
    }

    #[test]
    fn html_files_are_their_own_pages_and_other_changes_show_on_the_listed_ones() {
        let changes = [change("index.html"), change("docs/index.html"), change("about.html")];
        assert_eq!(to_picture(&changes, &[], "/"), ["/", "/docs/", "/about.html"]);
        let changes = [change("style.css"), change("about.html")];
        assert_eq!(to_picture(&changes, &[], "/app/"), ["/about.html", "/app/"]);
        let listed = ["/".to_string(), "/settings".to_string()];
        assert_eq!(to_picture(&changes, &listed, "/app/"), ["/about.html", "/", "/settings"]);
        assert_eq!(to_picture(&[], &listed, "/"), Vec::<String>::new());
    }
}
