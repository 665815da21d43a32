//! `grove pr NAME`: hand a session's work to review as a pull request that
//! carries its evidence (`review/`): push its branch, publish its evidence
//! to the `grove-evidence` branch, open or update the pull request, ask
//! CODEOWNERS and `--reviewer` to review, set a commit status per verdict,
//! post the code-review findings as line comments. `--backend local`
//! writes the same page offline, for `grove serve`.
//!
//! Progress goes to stderr, the pull request's URL to stdout. A missing or
//! refused token stops it before anything is pushed or changed; nothing
//! here touches the session, its branch or a worktree.

use clap::{Args, ValueEnum};
use serde_json::json;

use super::session::Ctx;
use super::{CliError, Exit, output};
use crate::review::{self, Handoff, HandoffError, Options, Related, SessionInfo, Settings, github};
use crate::session::Session;

#[derive(Debug, Args)]
pub struct PrArgs {
    /// The session.
    pub name: String,

    /// Open it as a draft.
    #[arg(long)]
    pub draft: bool,

    /// Ask LOGIN to review too (beside CODEOWNERS); repeat for more.
    #[arg(long = "reviewer", value_name = "LOGIN")]
    pub reviewers: Vec<String>,

    /// The branch to merge into (default: the branch the session started
    /// from, else the repository's default branch).
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,

    /// Where the pull request goes: GitHub, or a page on this machine
    /// (`<git dir>/grove/pr/NAME/`, shown by `grove serve`).
    #[arg(long, value_enum, default_value_t = Backend::Github)]
    pub backend: Backend,

    /// Tell nobody on Slack (by default, with a Slack token set up, each
    /// reviewer gets a direct message and failing checks go to the on-call).
    #[arg(long)]
    pub no_notify: bool,

    /// Print JSON: `{url, number, created, reviewers, gifs, failing_checks, comments_posted, notified}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    Github,
    Local,
}

pub fn pr(args: PrArgs) -> Result<Exit, CliError> {
    let ctx = Ctx::open()?;
    let session = ctx.session(&args.name)?;
    let opened = open(&ctx, &session, &args)?;
    // The pull request is there whatever Slack says: a failure to tell
    // people is reported after its address, and says how to tell them again.
    match opened.notified {
        Ok(notified) => print(&args, &opened.handoff, notified.as_deref()),
        Err(e) => {
            print(&args, &opened.handoff, None);
            return Err(e);
        }
    }
    Ok(Exit::Ok)
}

/// What a hand-off came to: the pull request, and whom Slack told (`None`:
/// nobody was to be told) or why telling them failed.
pub struct Opened {
    pub handoff: Handoff,
    pub notified: Result<Option<Vec<crate::notify::Delivery>>, CliError>,
}

/// Hand `session` off as `args` say and tell the reviewers on Slack: what
/// `grove pr` does, and a session's `pr-draft` follow-up (which hands in
/// the session as its skill ended, before the store records it).
pub fn open(ctx: &Ctx, session: &Session, args: &PrArgs) -> Result<Opened, CliError> {
    let handoff = hand_off_session(ctx, session, args)?;
    let notified = match args.backend {
        Backend::Github if !args.no_notify => super::notify::after_pr(ctx.worktrees.root(), &handoff)
            .map_err(|mut e| {
                let again = format!(
                    "the pull request is open; tell them again with `grove notify handoff {} …`",
                    handoff.url
                );
                e.hint = Some(match e.hint.take() {
                    Some(first) => format!("{first}; {again}"),
                    None => again,
                });
                e
            }),
        _ => Ok(None),
    };
    Ok(Opened { handoff, notified })
}

fn print(args: &PrArgs, handoff: &Handoff, notified: Option<&[crate::notify::Delivery]>) {
    if args.json {
        let mut value = json!(handoff);
        value["notified"] = json!(notified);
        output::json(&value);
    } else {
        println!("{}", handoff.url);
        for delivery in notified.unwrap_or_default() {
            eprintln!(
                "grove pr: told {} on Slack ({})",
                crate::text::one_line(&delivery.to),
                crate::text::one_line(&delivery.destination)
            );
        }
    }
}

/// Hand `session` off, as it is given; what a notifier is called with.
fn hand_off_session(ctx: &Ctx, session: &Session, args: &PrArgs) -> Result<Handoff, CliError> {
    let name = session.name.clone();
    let git_dir = ctx.worktrees.git_dir().to_path_buf();
    let main_root = ctx.worktrees.root().to_path_buf();
    let repo = git2::Repository::open(&main_root)
        .map_err(|e| CliError::new(Exit::Host, format!("opening the repository: {}", e.message())))?;
    let info = SessionInfo {
        name: session.name.clone(),
        branch: session.branch.clone(),
        base_ref: session.base_ref.clone(),
        base_commit: session.base_commit.clone(),
        task: session.task.clone(),
        summary: session.summary.clone(),
        state: session.state.to_string(),
        error: session.error.clone(),
        parent: match &session.parent {
            Some(parent) => {
                let parent = ctx.session(parent)?;
                Some(Related { name: parent.name, branch: parent.branch })
            }
            None => None,
        },
        // Its sub-sessions' pull requests, opened before this one, are
        // alternatives to it: linked once this one opens.
        alternatives: ctx
            .store
            .children(&session.name)
            .map_err(super::session::store_error)?
            .into_iter()
            .map(|child| Related { name: child.name, branch: child.branch })
            .collect(),
    };
    let options = Options { draft: args.draft, reviewers: args.reviewers.clone(), base: args.base.clone() };
    let prepared =
        review::handoff::prepare(&repo, &git_dir, info, options).map_err(|e| handoff_error(e, &name))?;
    match args.backend {
        Backend::Local => {
            review::local::write(&git_dir, &repo, prepared).map_err(|e| handoff_error(e, &name))
        }
        Backend::Github => {
            let settings = Settings::load(&main_root).map_err(|e| {
                CliError::new(Exit::Usage, e).hint("fix the [github] section the message names")
            })?;
            let progress = |line: &str| eprintln!("grove pr: {line}");
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| CliError::new(Exit::Host, format!("starting the runtime: {e}")))?;
            runtime
                .block_on(review::to_github::hand_off(&settings, &repo, prepared, &progress))
                .map_err(|e| handoff_error(e, &name))
        }
    }
}

fn handoff_error(e: HandoffError, name: &str) -> CliError {
    let message = crate::text::with_causes(&e);
    let local = format!("or write the page offline with `grove pr {name} --backend local`");
    match e {
        HandoffError::NoToken { config_file } => CliError::new(Exit::Usage, message).hint(format!(
            "set GH_TOKEN (or GITHUB_TOKEN), or `token` under [github] in {config_file}; nothing was pushed. \
             {local}"
        )),
        HandoffError::GitHub(github::Error::BadCredentials { .. }) => CliError::new(Exit::Usage, message)
            .hint(format!(
                "the token is wrong, expired or revoked: make a new one with the `repo` scope and set GH_TOKEN; \
                 nothing was pushed. {local}"
            )),
        HandoffError::GitHub(github::Error::RateLimited { .. }) => {
            CliError::new(Exit::Host, message).hint(format!("run `grove pr {name}` again then; it picks up where it stopped"))
        }
        HandoffError::NoRepository { .. } => CliError::new(Exit::Usage, message)
            .hint("name it in .grove/config.toml: [github] repo = \"owner/name\""),
        HandoffError::NoBranch(_) => CliError::new(Exit::Usage, message),
        HandoffError::Push(_) => CliError::new(Exit::Host, message).hint(
            "the session and its branch are as they were; fix the remote (or pull what it has) and run it again",
        ),
        _ => CliError::new(Exit::Host, message),
    }
}
