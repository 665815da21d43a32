//! `review`: pull requests on GitHub for a skill, through the host's
//! client (`review/`). The token is the host's (`review::Settings`): no
//! call hands it, or anything made with it, to the guest. Every call is
//! judged by the gate as reaching other people (`find` as a lookup), and
//! the repository is the one the user's and the project's `[github]`
//! settings name, read from the main worktree, not the session's.

use std::path::{Path, PathBuf};

use super::{CapError, Caps, ErrorKind};
use crate::gate::{Permission, Permit};
use crate::repo::remote::{self as push, RemoteError};
use crate::review::evidence_branch::{self, File, Folder};
use crate::review::github::{self, GitHub, LineComment, StatusState};
use crate::review::{HandoffError, Settings, findings, to_github};
use crate::wit::grove::skill::review::{
    Host, LineComment as WitLineComment, Opened, Posted, PullRequest, StatusState as WitState,
};

/// What the calls need, worked out from the workspace without the network.
struct Reach {
    gh: GitHub,
    settings: Settings,
    /// The workspace's root, in the repository the pull requests are of.
    workspace: PathBuf,
}

impl Caps {
    /// The client and settings, for a call the gate allowed.
    fn reach(&self, permit: &Permit) -> Result<Reach, CapError> {
        debug_assert_eq!(
            permit.permission(),
            Permission::Review,
            "only a review permit reaches the code host"
        );
        let workspace = self.workspace.root().to_path_buf();
        let repo = open(&workspace)?;
        let main_root = main_root(&repo);
        let settings = Settings::load(&main_root).map_err(|e| CapError::of(ErrorKind::Invalid, e))?;
        let gh = to_github::client(&settings, &repo).map_err(handoff_error)?;
        Ok(Reach { gh, settings, workspace })
    }

    /// The session's folder on the evidence branch: the bundle's name.
    fn evidence_folder(&self) -> String {
        self.evidence.as_ref().map_or_else(|| "runs".to_string(), |b| b.name().to_string())
    }
}

fn open(workspace: &Path) -> Result<git2::Repository, CapError> {
    git2::Repository::discover(workspace)
        .map_err(|e| CapError::unsupported("review needs a git repository").because(e))
}

/// The main worktree: where the project's `.grove/config.toml` is read.
fn main_root(repo: &git2::Repository) -> PathBuf {
    let common = repo.commondir();
    let common = common.canonicalize().unwrap_or_else(|_| common.to_path_buf());
    if common.file_name().is_some_and(|n| n == ".git") {
        return common.parent().map(Path::to_path_buf).unwrap_or(common);
    }
    repo.workdir().map(Path::to_path_buf).unwrap_or(common)
}

/// The branch checked out in the workspace.
fn current_branch(workspace: &Path) -> Result<String, CapError> {
    let repo = open(workspace)?;
    let head = repo.head().map_err(|e| CapError::failed("reading HEAD").because(e))?;
    if !head.is_branch() {
        return Err(CapError::invalid("the workspace is on a detached commit: name the head branch"));
    }
    head.shorthand().map(str::to_string).ok_or_else(|| CapError::invalid("the branch's name is not UTF-8"))
}

/// A branch name a skill may push: no option, no refspec tricks.
fn plain_branch(name: &str) -> Result<(), CapError> {
    let ok = !name.is_empty()
        && !name.starts_with('-')
        && !name.contains("..")
        && git2::Reference::is_valid_name(&format!("refs/heads/{name}"))
        && !name.contains(':');
    if ok { Ok(()) } else { Err(CapError::invalid(format!("`{name}` is not a branch name"))) }
}

fn handoff_error(e: HandoffError) -> CapError {
    match e {
        HandoffError::NoToken { config_file } => CapError::denied(format!(
            "there is no GitHub token: the user sets GH_TOKEN, or `token` under [github] in {config_file}"
        )),
        HandoffError::GitHub(e) => github_error(e),
        HandoffError::NoRepository { .. } => CapError::of(ErrorKind::Invalid, e),
        HandoffError::Push(_) => CapError::of(ErrorKind::Failed, e),
        _ => CapError::of(ErrorKind::Io, e),
    }
}

fn github_error(e: github::Error) -> CapError {
    let kind = match &e {
        github::Error::NoToken | github::Error::BadCredentials { .. } => ErrorKind::Denied,
        github::Error::RateLimited { .. } => ErrorKind::Limit,
        github::Error::Api { status: 404, .. } => ErrorKind::NotFound,
        github::Error::Api { status: 422, .. } => ErrorKind::Invalid,
        github::Error::Api { status: 403, .. } => ErrorKind::Denied,
        github::Error::Transport { .. } => ErrorKind::Io,
        _ => ErrorKind::Failed,
    };
    CapError::of(kind, e)
}

fn push_error(e: RemoteError) -> CapError {
    CapError::of(ErrorKind::Failed, e)
}

impl Host for Caps {
    async fn open(&mut self, pr: PullRequest) -> Result<Opened, CapError> {
        // Only the branch the skill works on is pushed: a skill never pushes
        // another of the user's branches (their main, a colleague's work).
        let head = current_branch(self.workspace.root())?;
        if let Some(named) = pr.head.as_deref().filter(|named| *named != head) {
            return Err(CapError::invalid(format!(
                "a skill opens pull requests of the branch it works on (`{head}`), not `{named}`"
            )));
        }
        plain_branch(&head)?;
        if let Some(base) = &pr.base {
            plain_branch(base)?;
        }
        let target = format!("{head} {}", crate::text::one_line(&pr.title));
        let permit = self.check("review", "open", &target, Permission::Review).await?;
        let reach = self.reach(&permit)?;
        // The token is proved before the branch leaves the machine.
        let default_branch = reach.gh.default_branch().await.map_err(github_error)?;
        {
            let repo = open(&reach.workspace)?;
            push::push(&repo, &reach.settings.remote, &[&format!("refs/heads/{head}:refs/heads/{head}")])
                .map_err(push_error)?;
        }
        let (pull, created) = match reach.gh.open_pull(&head).await.map_err(github_error)? {
            Some(open) => {
                (reach.gh.update_pull(open.number, &pr.title, &pr.body).await.map_err(github_error)?, false)
            }
            None => {
                let base = pr.base.unwrap_or(default_branch);
                let pull = reach.gh.create_pull(&pr.title, &pr.body, &head, &base, pr.draft).await;
                (pull.map_err(github_error)?, true)
            }
        };
        Ok(Opened { number: pull.number, url: pull.url, created })
    }

    async fn find(&mut self, head: Option<String>) -> Result<Option<Opened>, CapError> {
        let head = match head {
            Some(head) => head,
            None => current_branch(self.workspace.root())?,
        };
        plain_branch(&head)?;
        let permit = self.check("review", "find", &head, Permission::Review).await?;
        let reach = self.reach(&permit)?;
        let open = reach.gh.open_pull(&head).await.map_err(github_error)?;
        Ok(open.map(|p| Opened { number: p.number, url: p.url, created: false }))
    }

    async fn comment(&mut self, number: u64, body: String) -> Result<String, CapError> {
        let target = format!("#{number} {}", crate::text::one_line(&body));
        let permit = self.check("review", "comment", &target, Permission::Review).await?;
        let reach = self.reach(&permit)?;
        reach.gh.comment(number, &body).await.map_err(github_error)
    }

    async fn set_status(
        &mut self,
        number: u64,
        context: String,
        state: WitState,
        description: String,
    ) -> Result<(), CapError> {
        let state = match state {
            WitState::Pending => StatusState::Pending,
            WitState::Success => StatusState::Success,
            WitState::Failure => StatusState::Failure,
        };
        let target = format!("#{number} {context} {}", state.as_str());
        let permit = self.check("review", "set-status", &target, Permission::Review).await?;
        let reach = self.reach(&permit)?;
        let pull = reach.gh.pull(number).await.map_err(github_error)?;
        reach.gh.set_status(&pull.head_sha, &context, state, &description, None).await.map_err(github_error)
    }

    async fn attach(&mut self, number: u64, name: String, contents: Vec<u8>) -> Result<String, CapError> {
        let plain = !name.is_empty()
            && name.len() <= 100
            && !name.starts_with('.')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !plain {
            return Err(CapError::invalid(format!(
                "`{name}` is not a plain file name (letters, digits, `.`, `_`, `-`)"
            )));
        }
        if contents.len() as u64 > crate::evidence::bundle::MAX_BUNDLE {
            return Err(CapError::new(ErrorKind::Limit, "an attachment holds at most 256 MiB"));
        }
        let target = format!("#{number} {name}");
        let permit = self.check("review", "attach", &target, Permission::Review).await?;
        let reach = self.reach(&permit)?;
        // The pull request must exist: an attachment belongs to one.
        reach.gh.pull(number).await.map_err(github_error)?;
        let folder = self.evidence_folder();
        {
            let repo = open(&reach.workspace)?;
            let files = [File { name: &name, bytes: &contents }];
            evidence_branch::publish(&repo, &reach.settings.remote, &folder, &files, Folder::Add, &[])
                .map_err(push_error)?;
        }
        let repo_name = &reach.gh.repo;
        Ok(evidence_branch::raw_url(&reach.settings.web, &repo_name.owner, &repo_name.name, &folder, &name))
    }

    async fn post_review(
        &mut self,
        number: u64,
        body: String,
        comments: Vec<WitLineComment>,
    ) -> Result<Posted, CapError> {
        let target = format!("#{number} {} comments", comments.len());
        let permit = self.check("review", "post-review", &target, Permission::Review).await?;
        let reach = self.reach(&permit)?;
        let pull = reach.gh.pull(number).await.map_err(github_error)?;
        let lines = {
            let repo = open(&reach.workspace)?;
            let head =
                git2::Oid::from_str(&pull.head_sha).and_then(|id| repo.find_commit(id)).map_err(|e| {
                    CapError::not_found("the pull request's head is not in this repository").because(e)
                })?;
            let base = [
                format!("refs/remotes/{}/{}", reach.settings.remote, pull.base),
                format!("refs/heads/{}", pull.base),
            ]
            .iter()
            .find_map(|name| repo.refname_to_id(name).ok())
            .ok_or_else(|| {
                CapError::not_found(format!("the base branch `{}` is not in this repository", pull.base))
            })?;
            findings::lines_in_diff(&repo, base, head.id())
                .map_err(|e| CapError::failed("reading the diff").because(e))?
        };
        let already = findings::posted(&reach.gh.review_comment_bodies(number).await.map_err(github_error)?);
        let wanted: Vec<(String, u32, String)> =
            comments.into_iter().map(|c| (c.path, c.line, c.body)).collect();
        let (to_post, left): (Vec<LineComment>, findings::Left) =
            findings::comments(&wanted, &lines, &already);
        if !to_post.is_empty() {
            let body = body.replace("<!--", "&lt;!--");
            reach.gh.post_review(number, &pull.head_sha, &body, &to_post).await.map_err(github_error)?;
        }
        Ok(Posted {
            comments: to_post.len() as u32,
            already: left.posted as u32,
            outside: left.outside as u32,
        })
    }
}
