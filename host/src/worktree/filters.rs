//! When git would not write a blob's bytes as they are: content filters
//! (`filter=lfs`...), `ident`, `working-tree-encoding`, and end-of-line
//! conversion to CRLF. grove's fast checkout writes blobs verbatim, so for
//! such a repository the checkout is left to git itself, filters and all.
//! Also the `post-checkout` hook, which `git worktree add` runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use git2::{Config, Repository};

use super::WorktreeError;
use super::checkout::Listing;

/// Why checking out `listing` would transform some file, if it would.
/// Conservative: a rule that might apply counts.
pub fn conversion(repo: &Repository, git_dir: &Path, listing: &Listing) -> Option<String> {
    let config = repo.config().ok()?.snapshot().ok()?;
    if config.get_bool("core.autocrlf").unwrap_or(false) {
        return Some("core.autocrlf is true".into());
    }
    if config.get_string("core.eol").is_ok_and(|eol| eol.eq_ignore_ascii_case("crlf")) {
        return Some("core.eol is crlf".into());
    }
    let mut sources: Vec<(String, Vec<u8>)> = Vec::new();
    for oid in &listing.attributes {
        if let Ok(blob) = repo.find_blob(*oid) {
            sources.push((format!(".gitattributes ({oid})"), blob.content().to_vec()));
        }
    }
    for path in attribute_files(&config, git_dir) {
        if let Ok(bytes) = std::fs::read(&path) {
            sources.push((path.display().to_string(), bytes));
        }
    }
    sources.iter().find_map(|(source, bytes)| {
        let text = String::from_utf8_lossy(bytes);
        let why = text.lines().find_map(|line| converting_attribute(line, &config))?;
        Some(format!("{source} sets {why}"))
    })
}

/// The attribute files besides the tree's own: `info/attributes` and the
/// user's (`core.attributesFile`, else `$XDG_CONFIG_HOME/git/attributes`).
fn attribute_files(config: &Config, git_dir: &Path) -> Vec<PathBuf> {
    let mut files = vec![git_dir.join("info").join("attributes")];
    if let Ok(path) = config.get_path("core.attributesfile") {
        files.push(path);
    } else if let Some(xdg) = std::env::var_os(crate::env::XDG_CONFIG_HOME).filter(|x| !x.is_empty()) {
        files.push(Path::new(&xdg).join("git").join("attributes"));
    } else if let Some(home) = std::env::var_os(crate::env::HOME) {
        files.push(Path::new(&home).join(".config").join("git").join("attributes"));
    }
    files
}

/// The attribute on this `.gitattributes` line that transforms files on
/// checkout, if any. `text`, `eol=lf` and `-crlf` do nothing on checkout
/// unless CRLF is asked for (checked in the config above).
fn converting_attribute(line: &str, config: &Config) -> Option<String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    line.split_whitespace().skip(1).find_map(|attr| {
        let (key, value) = attr.split_once('=').unwrap_or((attr, ""));
        match key {
            "ident" | "working-tree-encoding" => Some(attr.to_string()),
            "eol" if value.eq_ignore_ascii_case("crlf") => Some(attr.to_string()),
            // A filter does something only if its driver is configured.
            "filter"
                if ["smudge", "process"]
                    .iter()
                    .any(|cmd| config.get_string(&format!("filter.{value}.{cmd}")).is_ok()) =>
            {
                Some(attr.to_string())
            }
            _ => None,
        }
    })
}

/// Check out `commit` into `folder` (registered at `admin`) with git's own
/// filters: `git read-tree --reset -u`, which also writes the index. Without
/// a `git` program, libgit2's checkout (which knows CRLF and `ident`, not
/// filter drivers).
pub fn checkout(admin: &Path, folder: &Path, commit: &git2::Commit<'_>) -> Result<(), WorktreeError> {
    let run = Command::new("git")
        .args(["read-tree", "--reset", "-u"])
        .arg(commit.id().to_string())
        .current_dir(folder)
        .env("GIT_DIR", admin)
        .env("GIT_WORK_TREE", folder)
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_COMMON_DIR")
        .stdin(Stdio::null())
        .output();
    match run {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(WorktreeError::Git(format!(
            "`git read-tree` could not check out {}: {}",
            commit.id(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!("no `git` program: checking out without filter drivers");
            let repo = Repository::open(folder).map_err(WorktreeError::git)?;
            let mut options = git2::build::CheckoutBuilder::new();
            options.force();
            repo.checkout_tree(commit.as_object(), Some(&mut options)).map_err(WorktreeError::git)
        }
        Err(e) => Err(WorktreeError::io(Path::new("git"), e)),
    }
}

/// Run the repository's `post-checkout` hook in a new worktree, as `git
/// worktree add` does (arguments: null id, new HEAD, `1`). Its failure does
/// not undo the worktree; it is logged.
pub fn post_checkout(repo: &Repository, worktree: &Path, head: git2::Oid) {
    let hooks = match repo.config().and_then(|c| c.get_path("core.hookspath")) {
        Ok(dir) => worktree.join(dir),
        Err(_) => repo.commondir().join("hooks"),
    };
    let hook = hooks.join("post-checkout");
    let executable = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(&hook).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if !executable {
        return;
    }
    let run = Command::new(&hook)
        .args([git2::Oid::zero().to_string(), head.to_string(), "1".into()])
        .current_dir(worktree)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .output();
    match run {
        Ok(out) if out.status.success() => {}
        Ok(out) => tracing::warn!(
            hook = %hook.display(),
            "post-checkout hook failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => tracing::warn!(hook = %hook.display(), "could not run the post-checkout hook: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(entries: &[(&str, &str)]) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::open(&dir.path().join("config")).unwrap();
        for (k, v) in entries {
            config.set_str(k, v).unwrap();
        }
        (dir, config.snapshot().unwrap())
    }

    #[test]
    fn which_attributes_convert() {
        let (_dir, plain) = config(&[]);
        for line in ["* text=auto", "*.sh text eol=lf", "*.bin -text binary", "# ident", "*.x -ident", ""] {
            assert_eq!(converting_attribute(line, &plain), None, "{line}");
        }
        assert_eq!(converting_attribute("*.c ident", &plain).as_deref(), Some("ident"));
        assert_eq!(converting_attribute("*.bat text eol=crlf", &plain).as_deref(), Some("eol=crlf"));
        assert!(converting_attribute("*.txt working-tree-encoding=UTF-16", &plain).is_some());
        // A filter without a driver does nothing; with one, it converts.
        assert_eq!(converting_attribute("*.psd filter=lfs diff=lfs", &plain), None);
        let (_dir, lfs) = config(&[("filter.lfs.process", "git-lfs filter-process")]);
        assert_eq!(converting_attribute("*.psd filter=lfs diff=lfs", &lfs).as_deref(), Some("filter=lfs"));
    }
}
