//! A session handed off for review: what is gathered from it before
//! anything leaves the machine ([`prepare`]), the errors of a hand-off,
//! and what one hands back ([`Handoff`]), the boundary a notifier is
//! called with.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use super::codeowners::{self, CodeOwners, Reviewers};
use super::findings;
use super::github;
use super::page::{self, Page};
use super::verdicts::{self, Verdict};
use crate::evidence::bundle::{Bundle, Entry, Kind};
use crate::repo::remote::RemoteError;

/// What a hand-off did: the pull request (or the local page) and what a
/// person told about it would want to know.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Handoff {
    /// The pull request's page (the local backend: the page's file).
    pub url: String,
    /// The pull request's number (0 for the local backend).
    pub number: u64,
    /// Whether this hand-off opened it (else it updated it).
    pub created: bool,
    /// Everyone asked to review: logins, and teams as `org/team`.
    pub reviewers: Vec<String>,
    /// The evidence's GIFs, on this machine.
    pub gifs: Vec<PathBuf>,
    /// The contexts of the verdicts that failed (`grove/code-review`, …).
    pub failing_checks: Vec<String>,
    /// Review comments posted by this hand-off.
    pub comments_posted: usize,
    /// The designers' e-mails, when the change touches the design without
    /// their sign-off: they are asked directly.
    pub designers: Vec<String>,
}

/// The session as the command line knows it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub name: String,
    pub branch: String,
    pub base_ref: Option<String>,
    pub base_commit: String,
    pub task: Option<String>,
    pub summary: Option<String>,
    /// `done`, `failed`, …
    pub state: String,
    pub error: Option<String>,
    /// The session that spawned this one (a design challenge's
    /// original): its pull request, if open, is linked both ways.
    pub parent: Option<Related>,
    /// The sessions this one started (a design challenge of it): those
    /// whose pull request is open when this one's opens are alternatives
    /// to it, and get linked then.
    pub alternatives: Vec<Related>,
}

/// A session related to the one handed off, by name and branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub name: String,
    pub branch: String,
}

/// How the user asked for it.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub draft: bool,
    /// `--reviewer` logins, beside CODEOWNERS'.
    pub reviewers: Vec<String>,
    /// The branch to merge into, instead of the session's base or the
    /// repository's default.
    pub base: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    #[error("there is no GitHub token")]
    NoToken { config_file: String },
    #[error("which GitHub repository `{remote}` is could not be told from its URL `{url}`")]
    NoRepository { remote: String, url: String },
    #[error("the session's branch `{0}` is gone")]
    NoBranch(String),
    #[error(transparent)]
    GitHub(#[from] github::Error),
    #[error("pushing to the remote")]
    Push(#[from] RemoteError),
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    #[error("writing {}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Everything gathered from the session, before anything is sent.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub session: SessionInfo,
    pub options: Options,
    pub head: Oid,
    pub base_commit: Oid,
    /// The page, its evidence not yet linked.
    pub page: Page,
    /// The bundle's files, in order.
    pub evidence: Vec<(Entry, PathBuf)>,
    pub codeowners: Reviewers,
    /// Findings with a line, as (path, line, comment text).
    pub findings: Vec<(String, u32, String)>,
}

impl Prepared {
    pub fn failing_checks(&self) -> Vec<String> {
        self.page.verdicts.iter().filter(|v| !v.passed).map(|v| v.context.clone()).collect()
    }

    /// Put the evidence on the page, each file at the address `url` gives
    /// its name (on the evidence branch, or beside the local page).
    pub fn show_evidence(&mut self, url: impl Fn(&str) -> String) {
        self.page.evidence = self
            .evidence
            .iter()
            .map(|(entry, _)| super::page::Shown {
                caption: entry.caption.clone(),
                kind: entry.kind.as_str().to_string(),
                file: entry.file.clone(),
                url: url(&entry.file),
            })
            .collect();
    }

    pub fn gifs(&self) -> Vec<PathBuf> {
        self.evidence.iter().filter(|(e, _)| e.kind == Kind::Gif).map(|(_, p)| p.clone()).collect()
    }
}

/// Gather what a pull request of `session` shows.
pub fn prepare(
    repo: &Repository,
    git_dir: &Path,
    session: SessionInfo,
    options: Options,
) -> Result<Prepared, HandoffError> {
    let head = repo
        .find_branch(&session.branch, git2::BranchType::Local)
        .ok()
        .and_then(|b| b.get().target())
        .ok_or_else(|| HandoffError::NoBranch(session.branch.clone()))?;
    let base_commit = Oid::from_str(&session.base_commit)?;
    let files = page::files_changed(repo, base_commit, head)?;

    let bundle = Bundle::at(git_dir, &session.name);
    let mut verdicts: Vec<Verdict> =
        vec![verdicts::of_session(&session.state, session.summary.as_deref(), session.error.as_deref())];
    verdicts.extend(verdicts::of_bundle(&bundle));
    let evidence: Vec<(Entry, PathBuf)> = bundle
        .entries()
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            let path = bundle.dir().join(&e.file);
            (e, path)
        })
        .collect();

    // CODEOWNERS as the base has it: the session cannot name its own reviewers.
    let owners = codeowners_at(repo, base_commit);
    let codeowners = owners.reviewers(files.iter().map(|f| f.path.as_str()));

    let findings = verdicts::code_review_report(&bundle)
        .and_then(|entry| std::fs::read(bundle.dir().join(entry.file)).ok())
        .map(|json| findings::of_report(&json))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| Some((f.path.clone(), f.line?, findings::text_of(&f))))
        .collect();

    let page = Page {
        session: session.name.clone(),
        title: page::title_of(&session.name, session.task.as_deref()),
        head: session.branch.clone(),
        base: options.base.clone().or(session.base_ref.clone()).unwrap_or_default(),
        task: session.task.clone(),
        summary: session.summary.clone(),
        files,
        verdicts,
        evidence: Vec::new(),
        reviewers: Vec::new(),
        comments: Vec::new(),
        draft: options.draft,
        alternative_to: None,
        alternative_to_page: None,
        alternatives: Vec::new(),
    };
    Ok(Prepared { session, options, head, base_commit, page, evidence, codeowners, findings })
}

/// The CODEOWNERS file of commit `at`, or none.
fn codeowners_at(repo: &Repository, at: Oid) -> CodeOwners {
    let Ok(tree) = repo.find_commit(at).and_then(|c| c.tree()) else { return CodeOwners::default() };
    for location in codeowners::LOCATIONS {
        if let Ok(entry) = tree.get_path(Path::new(location))
            && let Ok(blob) = repo.find_blob(entry.id())
        {
            return CodeOwners::parse(&String::from_utf8_lossy(blob.content()));
        }
    }
    CodeOwners::default()
}
