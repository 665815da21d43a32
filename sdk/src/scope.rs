//! The folder a skill works on: where the user ran grove, or the PATH they
//! named from there, as a workspace-relative path. Skills that read a tree
//! (`stats`, `simplify`) limit their work to it.

use crate::workspace::{self, EntryKind};
use crate::{Error, Result};

/// A folder inside the workspace. Empty for the workspace root; otherwise
/// `/`-separated with no `.`, `..` or trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    dir: String,
}

impl Scope {
    /// `path` (relative to `cwd`, as the user typed it) inside the
    /// workspace. `cwd` is the invocation's, relative to the root.
    pub fn resolve(cwd: &str, path: Option<&str>) -> Result<Scope> {
        let Some(path) = path else {
            return Ok(normalize(cwd).unwrap_or(Scope { dir: String::new() }));
        };
        if path.starts_with('/') {
            return Err(Error::invalid(format!(
                "{path:?} is absolute; give a folder relative to where you are"
            )));
        }
        normalize(&format!("{cwd}/{path}"))
            .ok_or_else(|| Error::invalid(format!("{path:?} leads outside the workspace")))
    }

    /// Fail unless the folder exists. The root always does; for anything
    /// else an empty glob would otherwise read as "no files".
    pub fn check_exists(&self) -> Result<()> {
        if self.dir.is_empty() {
            return Ok(());
        }
        match workspace::stat(&self.dir) {
            Ok(meta) if meta.kind == EntryKind::Directory => Ok(()),
            Ok(_) => Err(Error::invalid(format!("{} is not a folder", self.dir))),
            Err(Error::NotFound(_)) => {
                Err(Error::invalid(format!("no folder {} in the workspace", self.dir)))
            }
            Err(e) => Err(e),
        }
    }

    /// The folder as shown to the user and in JSON: `.` for the root.
    pub fn display(&self) -> &str {
        if self.dir.is_empty() { "." } else { &self.dir }
    }

    /// The folder as a workspace-relative path: empty for the root.
    pub fn dir(&self) -> &str {
        &self.dir
    }

    /// The folder for capabilities that take "none for the root".
    pub fn as_option(&self) -> Option<String> {
        (!self.dir.is_empty()).then(|| self.dir.clone())
    }

    /// A glob for every file under the folder.
    pub fn glob(&self) -> String {
        if self.dir.is_empty() { "**/*".into() } else { format!("{}/**/*", escape_glob(&self.dir)) }
    }

    /// One glob for the files under the folder (at any depth) whose names
    /// match one of `names` (each a glob of its own, such as `*.rs`).
    pub fn glob_of<S: AsRef<str>>(&self, names: &[S]) -> String {
        let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
        let under = if self.dir.is_empty() { String::new() } else { format!("{}/", escape_glob(&self.dir)) };
        format!("{under}**/{{{}}}", names.join(","))
    }

    /// `name` inside the folder, as a workspace-relative path.
    pub fn join(&self, name: &str) -> String {
        if self.dir.is_empty() { name.into() } else { format!("{}/{name}", self.dir) }
    }

    /// `path` (workspace-relative) relative to the folder, or `None` when it
    /// lies outside.
    pub fn relative<'p>(&self, path: &'p str) -> Option<&'p str> {
        if self.dir.is_empty() {
            return Some(path);
        }
        path.strip_prefix(self.dir.as_str())?.strip_prefix('/')
    }
}

/// Resolve `.` and `..`; `None` when `..` climbs above the root.
fn normalize(path: &str) -> Option<Scope> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(Scope { dir: parts.join("/") })
}

/// Escape glob syntax in a literal folder name (`[draft]`, `a{b}`).
fn escape_glob(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(cwd: &str, path: Option<&str>) -> String {
        Scope::resolve(cwd, path).unwrap().display().to_string()
    }

    #[test]
    fn paths_resolve_from_where_grove_ran() {
        assert_eq!(dir("", None), ".");
        assert_eq!(dir("host", None), "host");
        assert_eq!(dir("", Some("host/src/")), "host/src");
        assert_eq!(dir("host", Some("src")), "host/src");
        assert_eq!(dir("host", Some("../sdk/./src")), "sdk/src");
        assert_eq!(dir("host", Some("..")), ".");
    }

    #[test]
    fn paths_stay_inside_the_workspace() {
        assert!(Scope::resolve("", Some("..")).is_err());
        assert!(Scope::resolve("host", Some("../../etc")).is_err());
        assert!(Scope::resolve("", Some("/etc")).is_err());
    }

    #[test]
    fn globs_and_relative_paths() {
        let root = Scope::resolve("", None).unwrap();
        assert_eq!(root.glob(), "**/*");
        assert_eq!(root.join("Cargo.toml"), "Cargo.toml");
        assert_eq!(root.as_option(), None);

        let s = Scope::resolve("", Some("docs/[draft]")).unwrap();
        assert_eq!(s.glob(), r"docs/\[draft\]/**/*");
        assert_eq!(s.relative("docs/[draft]/a.md"), Some("a.md"));
        assert_eq!(s.relative("docs/[draft]x/a.md"), None);
        assert_eq!(s.join("a.md"), "docs/[draft]/a.md");
        assert_eq!(s.dir(), "docs/[draft]");
        assert_eq!(root.dir(), "");
    }

    #[test]
    fn one_glob_for_many_names() {
        let root = Scope::resolve("", None).unwrap();
        assert_eq!(root.glob_of(&["*.rs", "Cargo.toml"]), "**/{*.rs,Cargo.toml}");
        let s = Scope::resolve("a{b}", Some("src")).unwrap();
        assert_eq!(s.glob_of(&[String::from("*.py")]), r"a\{b\}/src/**/{*.py}");
    }
}
