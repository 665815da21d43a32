//! `grove merge NAME`: bring a session's work into the branch it started
//! from, in the main worktree. The only session command that touches the
//! user's checkout, and it refuses rather than leave it half-merged: every
//! check and the whole merge happen in memory before a file is written.

use clap::Args;
use git2::{Oid, Repository, Signature, build::CheckoutBuilder};
use serde_json::json;

use super::{Ctx, store_error};
use crate::cli::{CliError, Exit, output};
use crate::session::Session;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The session.
    pub name: String,

    #[command(flatten)]
    pub how: HowArgs,

    /// Print JSON: `{name, into, mode, commit}`.
    #[arg(long)]
    pub json: bool,
}

fn refuse(message: impl std::fmt::Display) -> CliError {
    CliError::new(Exit::SkillFailed, message)
}

fn git(e: git2::Error) -> CliError {
    CliError::new(Exit::Host, format!("git: {}", e.message()))
}

pub fn merge(args: MergeArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let mode = args.how.mode();
    let merged = merge_session(&ctx, &args.name, mode)?;
    if args.json {
        output::json(&json!({
            "name": merged.name, "into": merged.into, "mode": mode.as_str(), "commit": merged.commit,
        }));
    } else {
        println!("{}", merged.line());
    }
    Ok(Exit::Ok)
}

/// `--squash` or `--rebase`: how the work joins its base (`grove merge`,
/// `grove prototype pick`).
#[derive(Debug, Args)]
pub struct HowArgs {
    /// One commit with all of the session's changes.
    #[arg(long, conflicts_with = "rebase")]
    pub squash: bool,

    /// Replay the session's commits on top of the base: a linear history.
    #[arg(long)]
    pub rebase: bool,
}

impl HowArgs {
    pub fn mode(&self) -> Mode {
        match (self.squash, self.rebase) {
            (true, _) => Mode::Squash,
            (_, true) => Mode::Rebase,
            _ => Mode::Merge,
        }
    }
}

/// How a session's work joins its base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Merge,
    Squash,
    Rebase,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Merge => "merge",
            Mode::Squash => "squash",
            Mode::Rebase => "rebase",
        }
    }
}

/// A merge done.
#[derive(Debug, Clone)]
pub struct Merged {
    pub name: String,
    pub branch: String,
    pub into: String,
    pub mode: Mode,
    pub commit: String,
}

impl Merged {
    pub fn line(&self) -> String {
        format!("merged {} into {} ({}, {})", self.branch, self.into, self.mode.as_str(), &self.commit[..12])
    }
}

/// Merge session `name` into its base branch in the main worktree, or
/// refuse with nothing written.
pub fn merge_session(ctx: &Ctx, name: &str, mode: Mode) -> Result<Merged, CliError> {
    let session = ctx.session(name)?;
    if session.state.is_active() {
        return Err(refuse(format!("`{}` is still {}", session.name, session.state)).hint(format!(
            "wait for it (`grove logs -f {0}`) or stop it (`grove cancel {0}`)",
            session.name
        )));
    }
    let Some(base) = session.base_ref.clone() else {
        return Err(refuse(format!(
            "`{}` started from a detached commit: there is no branch to merge into",
            session.name
        ))
        .hint(format!("merge its branch yourself: `git merge {}`", session.branch)));
    };
    let repo = Repository::open(ctx.worktrees.root()).map_err(git)?;
    check_main_worktree(&repo, &base)?;
    commit_pending(&session)?;

    let ours = repo.head().and_then(|h| h.peel_to_commit()).map_err(git)?;
    let theirs = repo
        .find_reference(&format!("refs/heads/{}", session.branch))
        .and_then(|r| r.peel_to_commit())
        .map_err(|_| refuse(format!("branch {} is gone", session.branch)))?;
    if ours.id() == theirs.id() || repo.graph_descendant_of(ours.id(), theirs.id()).map_err(git)? {
        return Err(refuse(format!("nothing to merge: {base} already has everything on {}", session.branch)));
    }
    let commit = match mode {
        Mode::Rebase => replay(&repo, &session, &base, &ours, &theirs)?,
        Mode::Merge | Mode::Squash => {
            let mut index = repo.merge_commits(&ours, &theirs, None).map_err(git)?;
            conflicts(&index, &session, &base)?;
            let tree = repo.find_tree(index.write_tree_to(&repo).map_err(git)?).map_err(git)?;
            let sig = signature(&repo)?;
            let (message, parents) = if mode == Mode::Squash {
                (squash_message(&session), vec![&ours])
            } else {
                (format!("Merge session {} ({})", session.name, session.branch), vec![&ours, &theirs])
            };
            repo.commit(None, &sig, &sig, &message, &tree, &parents).map_err(git)?
        }
    };
    // Write the files first (safe: refuses to overwrite anything changed),
    // then move the branch: a failure leaves the branch where it was.
    let target = repo.find_commit(commit).map_err(git)?;
    repo.checkout_tree(target.as_object(), Some(CheckoutBuilder::new().safe())).map_err(git)?;
    repo.reference(&format!("refs/heads/{base}"), commit, true, &format!("grove merge {}", session.name))
        .map_err(git)?;
    // `tip` is where the session's branch ended: a squash or a rebase
    // leaves those commits off the base, and `grove rm` must still know the
    // work is merged.
    let event = json!({
        "into": base, "mode": mode.as_str(), "commit": commit.to_string(), "tip": theirs.id().to_string(),
    });
    ctx.store.event(&session.name, "merged", event).map_err(store_error)?;
    Ok(Merged { name: session.name, branch: session.branch, into: base, mode, commit: commit.to_string() })
}

/// The main worktree must be on the base branch and have no changes to
/// tracked files: a merge must never mix with the user's own edits.
fn check_main_worktree(repo: &Repository, base: &str) -> Result<(), CliError> {
    let head = repo.head().map_err(git)?;
    if !head.is_branch() || head.shorthand() != Some(base) {
        let on = head.shorthand().unwrap_or("a detached HEAD").to_string();
        return Err(refuse(format!("the main worktree is on {on}, not {base}"))
            .hint(format!("`git switch {base}` first")));
    }
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(false).include_ignored(false);
    let dirty: Vec<String> = repo
        .statuses(Some(&mut opts))
        .map_err(git)?
        .iter()
        .filter_map(|e| e.path().map(String::from))
        .collect();
    if !dirty.is_empty() {
        return Err(refuse(format!("the main worktree has uncommitted changes: {}", dirty.join(", ")))
            .hint("commit or stash them, then merge again"));
    }
    Ok(())
}

/// Commit whatever the session left uncommitted in its worktree, so the
/// merge carries all of its work.
fn commit_pending(session: &Session) -> Result<(), CliError> {
    let repo = Repository::open(&session.path).map_err(git)?;
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true);
    if repo.statuses(Some(&mut opts)).map_err(git)?.is_empty() {
        return Ok(());
    }
    let mut index = repo.index().map_err(git)?;
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).map_err(git)?;
    index.update_all(["*"], None).map_err(git)?;
    index.write().map_err(git)?;
    let tree = repo.find_tree(index.write_tree().map_err(git)?).map_err(git)?;
    let parent = repo.head().and_then(|h| h.peel_to_commit()).map_err(git)?;
    let sig = signature(&repo)?;
    let message = format!("grove: work of session {}", session.name);
    repo.commit(Some("HEAD"), &sig, &sig, &message, &tree, &[&parent]).map_err(git)?;
    Ok(())
}

/// Replay the session's commits onto `onto` in memory; returns the last.
fn replay(
    repo: &Repository,
    session: &Session,
    base: &str,
    onto: &git2::Commit<'_>,
    theirs: &git2::Commit<'_>,
) -> Result<Oid, CliError> {
    let mut walk = repo.revwalk().map_err(git)?;
    walk.push(theirs.id()).map_err(git)?;
    walk.hide(onto.id()).map_err(git)?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE).map_err(git)?;
    let sig = signature(repo)?;
    let mut current = repo.find_commit(onto.id()).map_err(git)?;
    for oid in walk {
        let commit = repo.find_commit(oid.map_err(git)?).map_err(git)?;
        if commit.parent_count() > 1 {
            continue;
        }
        let mut index = repo.cherrypick_commit(&commit, &current, 0, None).map_err(git)?;
        conflicts(&index, session, base)?;
        let tree = repo.find_tree(index.write_tree_to(repo).map_err(git)?).map_err(git)?;
        let id = repo
            .commit(None, &commit.author(), &sig, commit.message().unwrap_or(""), &tree, &[&current])
            .map_err(git)?;
        current = repo.find_commit(id).map_err(git)?;
    }
    Ok(current.id())
}

fn conflicts(index: &git2::Index, session: &Session, base: &str) -> Result<(), CliError> {
    if !index.has_conflicts() {
        return Ok(());
    }
    let mut paths: Vec<String> = index
        .conflicts()
        .map_err(git)?
        .filter_map(|c| c.ok())
        .filter_map(|c| c.our.or(c.their).or(c.ancestor))
        .map(|e| String::from_utf8_lossy(&e.path).into_owned())
        .collect();
    paths.dedup();
    Err(refuse(format!("merging {} into {base} conflicts in: {}", session.branch, paths.join(", "))).hint(
        format!(
            "nothing was changed; resolve it on the branch (e.g. `git -C {} rebase {base}`) and merge again",
            session.path.display()
        ),
    ))
}

fn squash_message(session: &Session) -> String {
    match &session.task {
        Some(task) => format!("{task}\n\nSquashed from session {} ({}).", session.name, session.branch),
        None => format!("Session {} ({})", session.name, session.branch),
    }
}

fn signature(repo: &Repository) -> Result<Signature<'static>, CliError> {
    repo.signature()
        .or_else(|_| Signature::now("grove", "grove@localhost"))
        .map(|s| s.to_owned())
        .map_err(git)
}
