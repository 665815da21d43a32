//! The folder to scan: where grove ran, or the PATH named from there,
//! as a workspace-relative path ("" for the root).

use grove_sdk::prelude::*;
use grove_sdk::workspace::EntryKind;

use crate::lang::Lang;

/// `path` as typed, relative to `cwd` (the invocation's, relative to the
/// workspace root), with `.` and `..` resolved.
pub fn resolve(cwd: &str, path: Option<&str>) -> Result<String> {
    let joined = match path {
        None => cwd.to_string(),
        Some(p) if p.starts_with('/') => {
            return Err(Error::invalid(format!(
                "{p:?} is absolute; give a folder relative to where you are"
            )));
        }
        Some(p) => format!("{cwd}/{p}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(Error::invalid(format!(
                        "{:?} leads outside the workspace",
                        path.unwrap_or(cwd)
                    )));
                }
            }
            _ => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}

/// Fail with a usage error unless `dir` is a folder of the workspace.
pub fn check_folder(dir: &str) -> Result<()> {
    if dir.is_empty() {
        return Ok(());
    }
    match workspace::stat(dir) {
        Ok(meta) if meta.kind == EntryKind::Directory => Ok(()),
        Ok(_) => Err(Error::invalid(format!("{dir} is not a folder"))),
        Err(Error::NotFound(_)) => Err(Error::invalid(format!("no folder {dir} in the workspace"))),
        Err(e) => Err(e),
    }
}

/// One glob for every file the scan reads under `dir`: sources of every
/// language, and the manifests that mark crate roots and entry points.
pub fn glob(dir: &str) -> String {
    let names: Vec<String> = Lang::EXTENSIONS
        .iter()
        .map(|ext| format!("*.{ext}"))
        .chain(["Cargo.toml".to_string(), "package.json".to_string()])
        .collect();
    let under = if dir.is_empty() { String::new() } else { format!("{}/", escape(dir)) };
    format!("{under}**/{{{}}}", names.join(","))
}

/// Glob syntax in a folder name (`[draft]`, `a{b}`) stands for itself.
fn escape(s: &str) -> String {
    let special = |c: char| "*?[]{}\\".contains(c);
    s.chars().flat_map(|c| special(c).then_some('\\').into_iter().chain([c])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_from_where_grove_ran() {
        assert_eq!(resolve("", None).unwrap(), "");
        assert_eq!(resolve("host", None).unwrap(), "host");
        assert_eq!(resolve("host", Some("../sdk/./src/")).unwrap(), "sdk/src");
        assert_eq!(resolve("a", Some("..")).unwrap(), "");
        assert!(resolve("", Some("..")).is_err());
        assert!(resolve("", Some("/etc")).is_err());
    }

    #[test]
    fn one_glob_for_everything() {
        let g = glob("");
        assert!(g.starts_with("**/{*.rs,*.py,"), "{g}");
        assert!(g.ends_with(",Cargo.toml,package.json}"), "{g}");
        assert!(glob("docs/[x]").starts_with(r"docs/\[x\]/**/{"));
    }
}
