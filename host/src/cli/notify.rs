//! `grove notify`: check the Slack setup with a test message, or hand a
//! pull request over to its reviewers and the on-call as `grove pr` does.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use super::exit::{CliError, Exit};
use super::output;
use crate::notify::{self, Handoff, Message, Mrkdwn, Routing, Slack};
use crate::paths::WorkspaceLocation;

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send a test message, to check the setup: the token, the project's
    /// routing ([notify] of .grove/config.toml) and the app's scopes.
    Test(TestArgs),

    /// Tell a pull request's reviewers (a direct message with its link and
    /// the first GIF) and, when checks failed, whoever is on call.
    Handoff(HandoffArgs),
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Who gets it: `#channel`, a GitHub login or CODEOWNERS entry mapped
    /// under [notify.people], or an e-mail. Default: whoever is on call.
    #[arg(long, value_name = "PERSON|#CHANNEL")]
    pub to: Option<String>,

    /// Print where it went as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct HandoffArgs {
    /// The pull request's URL.
    pub url: String,

    /// Its number; by default the number its URL ends with.
    #[arg(long)]
    pub number: Option<u64>,

    /// A reviewer: a GitHub login, CODEOWNERS entry or e-mail (repeat).
    #[arg(long = "reviewer", value_name = "WHO")]
    pub reviewers: Vec<String>,

    /// A GIF of the change at work; the first goes to each reviewer (repeat).
    #[arg(long = "gif", value_name = "PATH")]
    pub gifs: Vec<PathBuf>,

    /// The name of a check that failed; the on-call hears of each (repeat).
    #[arg(long = "failing-check", value_name = "NAME")]
    pub failing_checks: Vec<String>,

    /// A designer (e-mail) to ask for the sign-off the change lacks (repeat).
    #[arg(long = "designer", value_name = "EMAIL")]
    pub designers: Vec<String>,

    /// Print what was sent as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: NotifyCommand) -> Result<Exit, CliError> {
    match command {
        NotifyCommand::Test(args) => super::block_on(test(args)),
        NotifyCommand::Handoff(args) => super::block_on(handoff(args)),
    }
}

/// The client and the routing of the repository around the current folder.
fn setup() -> Result<(Slack, Routing), CliError> {
    let cwd =
        std::env::current_dir().map_err(|e| CliError::new(Exit::Host, format!("current folder: {e}")))?;
    let root = WorkspaceLocation::discover(&cwd).root;
    let routing = Routing::load(&root).map_err(failure)?;
    let slack = Slack::from_user_config().map_err(failure)?;
    Ok((slack, routing))
}

async fn test(args: TestArgs) -> Result<Exit, CliError> {
    let (slack, routing) = setup()?;
    let destination = match &args.to {
        Some(to) => routing.destination(to),
        None => routing.on_call(),
    }
    .map_err(failure)?;
    let conversation = slack.conversation(&destination, false).await.map_err(failure)?;
    let text = Mrkdwn::text("grove can reach this conversation: a test message from `grove notify test`.");
    let posted = slack.post(&conversation, &Message::new(text)).await.map_err(failure)?;
    if args.json {
        output::json(&json!({
            "to": args.to.as_deref().unwrap_or("on-call"),
            "destination": destination.to_string(),
            "conversation": posted.conversation,
            "ts": posted.ts,
        }));
    } else {
        println!("sent a test message to {destination} ({})", posted.conversation);
    }
    Ok(Exit::Ok)
}

async fn handoff(args: HandoffArgs) -> Result<Exit, CliError> {
    let number = match args.number.or_else(|| number_in(&args.url)) {
        Some(number) => number,
        None => {
            return Err(CliError::new(Exit::Usage, format!("{} ends with no pull request number", args.url))
                .hint("give it with --number N"));
        }
    };
    let (slack, routing) = setup()?;
    let handoff = Handoff {
        url: args.url,
        number,
        reviewers: args.reviewers,
        gifs: args.gifs,
        failing_checks: args.failing_checks,
        designers: args.designers,
    };
    let sent = notify::handoff(&slack, &routing, &handoff).await.map_err(failure)?;
    if args.json {
        output::json(&json!({ "sent": sent }));
    } else if sent.is_empty() {
        println!("nobody to tell: no reviewers and no failing checks");
    } else {
        for delivery in &sent {
            let file = delivery.file.as_deref().map(|f| format!(" with {f}")).unwrap_or_default();
            println!(
                "told {} at {}{file}",
                crate::text::one_line(&delivery.to),
                crate::text::one_line(&delivery.destination)
            );
        }
    }
    Ok(Exit::Ok)
}

/// After `grove pr`: the reviewers hear of the pull request and the on-call
/// of its failing checks, when Slack is set up (a bot token); `None` when
/// it is not. `root` is the main checkout, whose `[notify]` routes: never a
/// session's worktree, which a skill could have written.
pub fn after_pr(
    root: &std::path::Path,
    pr: &crate::review::Handoff,
) -> Result<Option<Vec<notify::Delivery>>, CliError> {
    let config = notify::SlackConfig::load().map_err(failure)?;
    if config.token.is_none() {
        return Ok(None);
    }
    let slack = Slack::new(&config).map_err(failure)?;
    let routing = Routing::load(root).map_err(failure)?;
    let handoff = Handoff {
        url: pr.url.clone(),
        number: pr.number,
        reviewers: pr.reviewers.clone(),
        gifs: pr.gifs.clone(),
        failing_checks: pr.failing_checks.clone(),
        designers: pr.designers.clone(),
    };
    super::block_on(notify::handoff(&slack, &routing, &handoff)).map(Some).map_err(failure)
}

/// The number a pull request's URL ends with (`…/pull/12`).
fn number_in(url: &str) -> Option<u64> {
    url.trim_end_matches('/').rsplit('/').next()?.parse().ok()
}

/// A notification that failed, for the human: a setup mistake is a usage
/// error (exit 2), a failure to reach Slack grove's (exit 5).
fn failure(e: notify::Error) -> CliError {
    let exit = if e.is_setup() { Exit::Usage } else { Exit::Host };
    let message = match &e {
        notify::Error::Transport { source, .. } => format!("{e}: {source}"),
        _ => e.to_string(),
    };
    let error = CliError::new(exit, message);
    match e.hint() {
        Some(hint) => error.hint(hint),
        None => error,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pull_requests_number_is_read_from_its_url() {
        assert_eq!(super::number_in("https://github.com/o/r/pull/12"), Some(12));
        assert_eq!(super::number_in("https://github.com/o/r/pull/12/"), Some(12));
        assert_eq!(super::number_in("https://github.com/o/r"), None);
    }
}
