//! Pushing and fetching through the user's own `git`, so that everything
//! their `git push` honours works for grove too: `~/.ssh/config` and its
//! keys, `known_hosts`, credential helpers (`gh auth setup-git`, the
//! keychain), `url.*.insteadOf`, proxies. libgit2 knows none of SSH's
//! configuration and grove links it without a network transport; it still
//! reads the repository (remotes, trees) and builds the evidence commits.
//!
//! git never prompts here (`GIT_TERMINAL_PROMPT=0`): a push from a
//! session's runner has nobody at a terminal, and a hung prompt would hold
//! the pull request forever. A missing credential is an error with a hint.

use std::path::Path;
use std::process::{Command, Stdio};

use git2::Repository;

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("the remote `{remote}` does not exist")]
    NoRemote { remote: String },
    #[error("the remote refused {refname}: {message}")]
    Rejected { refname: String, message: String },
    #[error("`git {verb} {remote}` failed: {message}{hint}")]
    Transport { verb: &'static str, remote: String, message: String, hint: &'static str },
    #[error("no `git` program to reach the remote with: install git")]
    NoGit,
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// Push `refspecs` to `remote`, all or none of them; an error for each ref
/// it refused.
pub fn push(repo: &Repository, remote: &str, refspecs: &[&str]) -> Result<(), RemoteError> {
    check_remote(repo, remote)?;
    let flags: &[&str] = if refspecs.len() > 1 { &["--porcelain", "--atomic"] } else { &["--porcelain"] };
    let out = git(repo.path(), "push", remote, refspecs, flags)?;
    // `--porcelain` prints a line per ref, `!` for each one refused:
    // `!<TAB>FROM:TO<TAB>[rejected] (fetch first)`.
    let stdout = String::from_utf8_lossy(&out.stdout);
    if let Some((refname, message)) = stdout.lines().find_map(refused) {
        return Err(RemoteError::Rejected { refname, message });
    }
    if out.status.success() {
        return Ok(());
    }
    Err(transport_error("push", remote, &out.stderr))
}

/// Fetch `refspecs` from `remote`; a ref the remote lacks is no error.
pub fn fetch(repo: &Repository, remote: &str, refspecs: &[&str]) -> Result<(), RemoteError> {
    check_remote(repo, remote)?;
    fetch_at(repo.path(), remote, refspecs, &[])
}

/// Fetch `refspecs` from `remote` (a configured name or a URL) into the
/// repository whose git directory is `git_dir`, with git's `flags`
/// (`--depth 1`); a ref the remote lacks is no error.
pub fn fetch_at(git_dir: &Path, remote: &str, refspecs: &[&str], flags: &[&str]) -> Result<(), RemoteError> {
    let flags: Vec<&str> = ["--no-tags", "--quiet"].iter().chain(flags).copied().collect();
    let out = git(git_dir, "fetch", remote, refspecs, &flags)?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    // A branch not on the remote yet.
    if stderr.contains("couldn't find remote ref") {
        return Ok(());
    }
    Err(transport_error("fetch", remote, &out.stderr))
}

/// The URL of `remote`, if it has one.
pub fn remote_url(repo: &Repository, remote: &str) -> Option<String> {
    repo.find_remote(remote).ok()?.url().map(str::to_string)
}

fn check_remote(repo: &Repository, remote: &str) -> Result<(), RemoteError> {
    match repo.find_remote(remote) {
        Ok(_) => Ok(()),
        Err(_) => Err(RemoteError::NoRemote { remote: remote.to_string() }),
    }
}

/// Run `git VERB [FLAGS] -- REMOTE REFSPECS…` on the repository whose git
/// directory is `git_dir`.
fn git(
    git_dir: &Path,
    verb: &'static str,
    remote: &str,
    refspecs: &[&str],
    flags: &[&str],
) -> Result<std::process::Output, RemoteError> {
    let run = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .arg(verb)
        .args(flags)
        // Neither the remote nor a refspec may pass for an option.
        .arg("--")
        .arg(remote)
        .args(refspecs)
        .env("GIT_TERMINAL_PROMPT", "0")
        // From a git hook, these would point git somewhere else.
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_COMMON_DIR")
        .stdin(Stdio::null())
        .output();
    match run {
        Ok(out) => Ok(out),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(RemoteError::NoGit),
        Err(e) => {
            Err(RemoteError::Transport { verb, remote: remote.to_string(), message: e.to_string(), hint: "" })
        }
    }
}

/// A refused ref of `git push --porcelain`'s output: its name on the
/// remote and why.
fn refused(line: &str) -> Option<(String, String)> {
    let mut fields = line.strip_prefix("!\t")?.splitn(2, '\t');
    let refs = fields.next()?;
    let refname = refs.rsplit_once(':').map_or(refs, |(_, to)| to).to_string();
    let message = fields.next().unwrap_or("rejected").trim().to_string();
    Some((refname, message))
}

fn transport_error(verb: &'static str, remote: &str, stderr: &[u8]) -> RemoteError {
    let text = crate::text::sanitize(&String::from_utf8_lossy(stderr)).into_owned();
    let message = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_prefix("fatal: ").or_else(|| l.strip_prefix("error: ")).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("; ");
    let credentials = [
        "terminal prompts disabled",
        "Authentication failed",
        "Permission denied",
        "could not read Username",
    ];
    let hint = if credentials.iter().any(|c| text.contains(c)) {
        "\nhint: grove reaches the remote with your git and never prompts; check that `git push` works here without a \
         prompt (an SSH key in the agent, or a credential helper such as `gh auth setup-git`)"
    } else {
        ""
    };
    RemoteError::Transport { verb, remote: remote.to_string(), message, hint }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_refs_are_read_from_the_porcelain_output() {
        assert_eq!(
            refused("!\trefs/heads/a:refs/heads/a\t[rejected] (fetch first)"),
            Some(("refs/heads/a".into(), "[rejected] (fetch first)".into()))
        );
        assert_eq!(refused("*\trefs/heads/a:refs/heads/a\t[new branch]"), None);
        assert_eq!(refused("To /tmp/remote.git"), None);
    }

    #[test]
    fn a_missing_credential_says_how_to_set_one_up() {
        let e = transport_error(
            "push",
            "origin",
            b"fatal: could not read Username for 'https://github.com': terminal prompts disabled\n",
        );
        let text = e.to_string();
        assert!(text.starts_with("`git push origin` failed: could not read Username"), "{text}");
        assert!(text.contains("gh auth setup-git"), "{text}");
    }
}
