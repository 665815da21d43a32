//! `.groveinclude`: which ignored files of the main worktree a new worktree
//! gets a copy of (`.env`, local config, maybe a dependency folder), in
//! gitignore syntax. Tracked files come from the commit; untracked files
//! that are not ignored are the user's work in progress and stay put.
//!
//! The walk looks at every folder git does not ignore, and goes into an
//! ignored folder (a `target/`, a `node_modules/`) only when a pattern
//! selects it or names a path inside it: patterns are not searched for
//! inside ignored folders otherwise, which keeps the walk about as cheap as
//! `git status`. Copies are reflinks where the filesystem can.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use git2::Repository;
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::checkout::Listing;
use super::{WorktreeError, parallel};

/// The file, at the root of the main worktree.
pub const FILE: &str = ".groveinclude";

/// Copy into `dest` the ignored files of `root` that `root/.groveinclude`
/// selects, skipping paths the new worktree already has from `tracked`.
/// Returns how many files were copied.
pub fn copy(repo: &Repository, root: &Path, dest: &Path, tracked: &Listing) -> Result<usize, WorktreeError> {
    let file = root.join(FILE);
    let text = match fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(WorktreeError::io(&file, e)),
    };
    let include = Include::parse(root, &text)?;
    let mut walk = Walk { include: &include, ignores: Ignores::new(repo, root), tracked, found: Vec::new() };
    walk.dir(root, &[], false, false);
    let found = walk.found;
    copy_files(root, dest, &found)?;
    Ok(found.len())
}

/// The patterns, and where they can match.
struct Include {
    matcher: Gitignore,
    /// Some pattern matches at any depth (it has no `/` but a trailing one).
    anywhere: bool,
    /// For anchored patterns: their leading literal folders (`a/b` for
    /// `a/b/*.toml`), and whether the whole pattern is literal.
    prefixes: Vec<(Vec<u8>, bool)>,
}

impl Include {
    fn parse(root: &Path, text: &str) -> Result<Include, WorktreeError> {
        let mut builder = GitignoreBuilder::new(root);
        let mut anywhere = false;
        let mut prefixes = Vec::new();
        for (n, line) in text.lines().enumerate() {
            builder
                .add_line(None, line)
                .map_err(|e| WorktreeError::Include { line: n + 1, why: e.to_string() })?;
            let pattern = line.trim_end();
            if pattern.is_empty() || pattern.starts_with('#') || pattern.starts_with('!') {
                continue;
            }
            let pattern = pattern.trim_end_matches('/');
            if !pattern.contains('/') || pattern.starts_with("**/") {
                anywhere = true;
                continue;
            }
            let parts: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
            let is_glob = |part: &&str| part.contains(['*', '?', '[', '\\']);
            let literal = parts.len() - 1;
            let dirs = parts[..literal].iter().take_while(|p| !is_glob(p)).count();
            prefixes
                .push((parts[..dirs].join("/").into_bytes(), dirs == literal && !is_glob(&parts[literal])));
        }
        let matcher = builder.build().map_err(|e| WorktreeError::Include { line: 0, why: e.to_string() })?;
        Ok(Include { matcher, anywhere, prefixes })
    }

    /// Could an anchored pattern match inside the folder `rel`?
    fn targets(&self, rel: &[u8]) -> bool {
        self.prefixes.iter().any(|(prefix, literal)| {
            let leads_to = prefix.starts_with(rel) && prefix.get(rel.len()).is_none_or(|&c| c == b'/');
            let under =
                rel.starts_with(prefix) && (prefix.is_empty() || rel.get(prefix.len()) == Some(&b'/'));
            leads_to || (!literal && under)
        })
    }
}

/// git's ignore rules: `.gitignore` files (deepest first), then
/// `info/exclude`, then `core.excludesFile`.
struct Ignores {
    stack: Vec<Gitignore>,
    exclude: Gitignore,
    global: Gitignore,
}

impl Ignores {
    fn new(repo: &Repository, root: &Path) -> Ignores {
        let global = repo
            .config()
            .and_then(|c| c.get_path("core.excludesfile"))
            .ok()
            .or_else(|| {
                let config = std::env::var_os(crate::env::XDG_CONFIG_HOME)
                    .filter(|x| !x.is_empty())
                    .map(PathBuf::from)
                    .or_else(|| std::env::var_os(crate::env::HOME).map(|h| Path::new(&h).join(".config")))?;
                Some(config.join("git").join("ignore"))
            })
            .map(|path| matcher(root, &path))
            .unwrap_or_else(Gitignore::empty);
        let exclude = matcher(root, &repo.commondir().join("info").join("exclude"));
        Ignores { stack: Vec::new(), exclude, global }
    }

    fn ignored(&self, path: &Path, is_dir: bool) -> bool {
        let layers = self.stack.iter().rev().chain([&self.exclude, &self.global]);
        for layer in layers {
            match layer.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }
}

/// A matcher for the gitignore-syntax file `file`, relative to `root`
/// (empty when the file is absent or unreadable).
fn matcher(root: &Path, file: &Path) -> Gitignore {
    let mut builder = GitignoreBuilder::new(root);
    if file.is_file() {
        builder.add(file);
    }
    builder.build().unwrap_or_else(|_| Gitignore::empty())
}

struct Walk<'a> {
    include: &'a Include,
    ignores: Ignores,
    tracked: &'a Listing,
    found: Vec<Vec<u8>>,
}

impl Walk<'_> {
    /// Visit the folder `dir` (`rel` from the root), which is `ignored` by
    /// git and `selected` by an include pattern or not.
    fn dir(&mut self, dir: &Path, rel: &[u8], ignored: bool, selected: bool) {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                tracing::debug!(dir = %dir.display(), "skipping unreadable folder: {e}");
                return;
            }
        };
        let gitignore = dir.join(".gitignore");
        let pushed = !ignored && gitignore.is_file();
        if pushed {
            self.ignores.stack.push(matcher(dir, &gitignore));
        }
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name == ".git" {
                continue;
            }
            let Ok(kind) = entry.file_type() else { continue };
            let path = entry.path();
            let child =
                if rel.is_empty() { name.as_bytes().to_vec() } else { [rel, b"/", name.as_bytes()].concat() };
            let is_dir = kind.is_dir();
            let child_ignored = ignored || self.ignores.ignored(&path, is_dir);
            let child_selected = match self.include.matcher.matched(&path, is_dir) {
                Match::Ignore(_) => true,
                Match::Whitelist(_) => false,
                Match::None => selected,
            };
            if is_dir {
                let wanted = child_selected
                    || (!child_ignored && self.include.anywhere)
                    || self.include.targets(&child);
                // Another repository or worktree (maybe grove's own) is not part of this one.
                if wanted && !path.join(".git").exists() {
                    self.dir(&path, &child, child_ignored, child_selected);
                }
            } else if child_selected && child_ignored && !self.tracked.contains(&child) {
                self.found.push(child);
            }
        }
        if pushed {
            self.ignores.stack.pop();
        }
    }
}

/// Copy `files` (relative paths) from `root` to `dest`: regular files by
/// reflink or copy, symlinks as symlinks. A path the new worktree already
/// uses for something else is skipped.
fn copy_files(root: &Path, dest: &Path, files: &[Vec<u8>]) -> Result<(), WorktreeError> {
    let mut parents: Vec<&[u8]> =
        files.iter().filter_map(|f| f.iter().rposition(|&c| c == b'/').map(|i| &f[..i])).collect();
    parents.sort();
    parents.dedup();
    for parent in parents {
        let path = dest.join(OsStr::from_bytes(parent));
        if let Err(e) = fs::create_dir_all(&path) {
            tracing::debug!(path = %path.display(), "not copying into it: {e}");
        }
    }
    parallel::map(
        files.len(),
        || Ok(()),
        |(), i| {
            let rel = OsStr::from_bytes(&files[i]);
            let (from, to) = (root.join(rel), dest.join(rel));
            let copied = match fs::symlink_metadata(&from) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    fs::read_link(&from).and_then(|target| std::os::unix::fs::symlink(target, &to))
                }
                Ok(meta) if meta.is_file() => reflink_copy::reflink_or_copy(&from, &to).map(drop),
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            };
            match copied {
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::AlreadyExists | io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                    ) =>
                {
                    tracing::debug!(path = %to.display(), "not copied: {e}");
                    Ok(())
                }
                Err(e) => Err(WorktreeError::io(&to, e)),
                Ok(()) => Ok(()),
            }
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_patterns_can_match() {
        let root = Path::new("/r");
        let inc = Include::parse(root, "config/local.toml\n/secrets/*.key\n# c\n!x\n").unwrap();
        assert!(!inc.anywhere);
        assert!(inc.targets(b"config"));
        assert!(!inc.targets(b"config/sub"), "a literal pattern needs only its own folders");
        assert!(inc.targets(b"secrets"));
        assert!(inc.targets(b"secrets/deeper"), "a glob may reach further down");
        assert!(!inc.targets(b"node_modules"));
        assert!(!inc.targets(b"conf"));

        let inc = Include::parse(root, ".env\ntarget/\n").unwrap();
        assert!(inc.anywhere);
        let inc = Include::parse(root, "**/foo/bar\n").unwrap();
        assert!(inc.anywhere);
        let inc = Include::parse(root, "/*/local.toml\n").unwrap();
        assert!(inc.targets(b"anything"));
    }
}
