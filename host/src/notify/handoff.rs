//! Handing a pull request over to people: each reviewer gets a direct
//! message with its link and the first GIF of the evidence (shared into
//! that conversation), and failing checks go to whoever is on call.
//!
//! Everything that can be checked without Slack is checked first (every
//! reviewer mapped to an e-mail, an on-call named when a check failed,
//! the GIF readable), so a mistake in the setup sends nothing rather than
//! half the messages.

use std::path::PathBuf;

use super::client::Slack;
use super::error::{Error, MAX_FILE};
use super::message::{Message, Posted};
use super::mrkdwn::Mrkdwn;
use super::routing::{Destination, Routing};
use super::upload::File;

/// A pull request that was just opened or updated.
#[derive(Debug, Clone, Default)]
pub struct Handoff {
    /// The pull request's page.
    pub url: String,
    pub number: u64,
    /// Its reviewers: GitHub logins, CODEOWNERS entries or e-mails.
    pub reviewers: Vec<String>,
    /// The evidence's GIFs; the first goes to each reviewer.
    pub gifs: Vec<PathBuf>,
    /// The names of the checks that failed.
    pub failing_checks: Vec<String>,
    /// Designers to ask for a sign-off the change lacks (e-mails).
    pub designers: Vec<String>,
}

/// One message the hand-off sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Delivery {
    /// Who it was for, as the hand-off named them (`on-call` for the on-call).
    pub to: String,
    /// Where it went: an e-mail or `#channel`.
    pub destination: String,
    #[serde(flatten)]
    pub posted: Posted,
    /// The id of the GIF shared with it.
    pub file: Option<String>,
}

/// Tell the reviewers of `handoff` and, when a check failed, the on-call.
pub async fn handoff(slack: &Slack, routing: &Routing, handoff: &Handoff) -> Result<Vec<Delivery>, Error> {
    // Everything local first: a missing mapping sends nothing.
    let mut reviewers: Vec<(String, Destination)> = Vec::new();
    for who in &handoff.reviewers {
        let to = routing.destination(who)?;
        if !reviewers.iter().any(|(_, d)| *d == to) {
            reviewers.push((who.clone(), to));
        }
    }
    let mut designers: Vec<(String, Destination)> = Vec::new();
    for who in &handoff.designers {
        let to = routing.destination(who)?;
        if !designers.iter().any(|(_, d)| *d == to) {
            designers.push((who.clone(), to));
        }
    }
    let on_call = if handoff.failing_checks.is_empty() { None } else { Some(routing.on_call()?) };
    let gif = match handoff.gifs.first() {
        Some(path) => Some((path, read_gif(path)?)),
        None => None,
    };

    let label = format!("#{}", handoff.number);
    let mut sent = Vec::new();
    for (who, to) in reviewers {
        let conversation = slack.conversation(&to, gif.is_some()).await?;
        let mut text = Mrkdwn::text("Pull request ");
        text.push(Mrkdwn::link(&handoff.url, &label)).push_text(" is ready for your review.");
        let posted = slack.post(&conversation, &Message::new(text)).await?;
        let file = match &gif {
            Some((path, bytes)) => {
                let name = path.file_name().map_or("evidence.gif".into(), |n| n.to_string_lossy());
                let file = File { name: &name, bytes, title: &format!("{label}: the change at work") };
                let comment = Mrkdwn::text(&format!("What {label} looks like working"));
                Some(slack.upload(&posted.conversation, file, &comment).await?)
            }
            None => None,
        };
        sent.push(Delivery { to: who, destination: to.to_string(), posted, file });
    }
    for (who, to) in designers {
        let conversation = slack.conversation(&to, false).await?;
        let mut text = Mrkdwn::text("Pull request ");
        text.push(Mrkdwn::link(&handoff.url, &label)).push_text(
            " changes the design without a designer's sign-off: the changes and their before and after \
             pictures are on it. Sign it off, or ask for another design.",
        );
        let posted = slack.post(&conversation, &Message::new(text)).await?;
        sent.push(Delivery { to: who, destination: to.to_string(), posted, file: None });
    }
    if let Some(to) = on_call {
        let conversation = slack.conversation(&to, false).await?;
        let mut text = Mrkdwn::text("Checks failed on pull request ");
        text.push(Mrkdwn::link(&handoff.url, &label)).push_text(":");
        let mut list = Mrkdwn::default();
        for check in &handoff.failing_checks {
            list.push_text(&format!("• {check}\n"));
        }
        let posted = slack.post(&conversation, &Message::new(text).section(list)).await?;
        sent.push(Delivery { to: "on-call".into(), destination: to.to_string(), posted, file: None });
    }
    Ok(sent)
}

/// The GIF's bytes, when it is one and not too large to share.
fn read_gif(path: &PathBuf) -> Result<Vec<u8>, Error> {
    let size = std::fs::metadata(path).map_err(|source| Error::File { path: path.clone(), source })?.len();
    if size > MAX_FILE {
        return Err(Error::TooLarge { what: path.display().to_string() });
    }
    let bytes = std::fs::read(path).map_err(|source| Error::File { path: path.clone(), source })?;
    if !bytes.starts_with(b"GIF87a") && !bytes.starts_with(b"GIF89a") {
        return Err(Error::Invalid(format!("{} is not a GIF", path.display())));
    }
    Ok(bytes)
}
