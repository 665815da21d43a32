//! What lies below a folder of the worktree, for rules that act on
//! everything there: the symlinks a tool that follows them would cross,
//! and the protected files (`.git`, `.env`, CI configuration) a command
//! on "every file found" would reach. The walk is bounded; a folder too
//! big to walk says so, and what it cannot see is not known.

use std::path::{Path, PathBuf};

use super::paths::{Paths, Zone, inside_zone};

/// Most entries looked at, and deepest folder, in one survey.
const MAX_ENTRIES: usize = 10_000;
const MAX_DEPTH: usize = 24;

/// What a bounded walk below a folder found.
#[derive(Debug, Default)]
pub struct Survey {
    /// Symlinks, relative to the worktree root.
    pub links: Vec<String>,
    /// Protected files (and `.git` folders, not descended into), relative
    /// to the worktree root, with their zone.
    pub protected: Vec<(String, Zone)>,
    /// False when the walk stopped at its bounds: there may be more.
    pub complete: bool,
}

impl Paths {
    /// Walk `dir` (inside the worktree, absolute and resolved) without
    /// following symlinks.
    pub fn survey(&self, dir: &Path) -> Survey {
        let mut out = Survey { complete: true, ..Survey::default() };
        let mut stack: Vec<(PathBuf, usize)> = vec![(dir.to_path_buf(), 0)];
        let mut seen = 0;
        while let Some((folder, depth)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else { continue };
            for entry in entries.flatten() {
                seen += 1;
                if seen > MAX_ENTRIES {
                    out.complete = false;
                    return out;
                }
                let path = entry.path();
                let Ok(rel) = path.strip_prefix(self.root()) else { continue };
                let rel = rel.to_string_lossy().into_owned();
                let Ok(kind) = entry.file_type() else { continue };
                if kind.is_symlink() {
                    out.links.push(rel);
                    continue;
                }
                let zone = inside_zone(&rel);
                // `.git` is big and all of it is protected; CI and grove
                // folders are small: their files are listed one by one.
                if zone == Zone::GitDir || zone != Zone::Tree && !kind.is_dir() {
                    out.protected.push((rel, zone));
                    continue;
                }
                if kind.is_dir() {
                    if depth + 1 >= MAX_DEPTH {
                        out.complete = false;
                        continue;
                    }
                    stack.push((path, depth + 1));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_and_protected_files_and_knows_its_bounds() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("web/.git")).unwrap();
        std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
        std::fs::write(root.join(".github/workflows/ci.yml"), "").unwrap();
        std::fs::write(root.join("web/.env.local"), "K=1").unwrap();
        std::fs::write(root.join("web/app.js"), "").unwrap();
        std::os::unix::fs::symlink("/etc", root.join("web/etc")).unwrap();
        let p = Paths::new(root.clone(), None);
        let s = p.survey(&root);
        assert!(s.complete);
        assert_eq!(s.links, ["web/etc"]);
        let mut protected: Vec<&str> = s.protected.iter().map(|(p, _)| p.as_str()).collect();
        protected.sort();
        assert_eq!(protected, [".github/workflows/ci.yml", "web/.env.local", "web/.git"]);

        for i in 0..MAX_ENTRIES + 1 {
            std::fs::write(root.join(format!("f{i}")), "").unwrap();
        }
        assert!(!p.survey(&root).complete);
    }
}
