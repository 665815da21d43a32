//! Asking a human: on the terminal when there is one, through whatever
//! the embedder supplies (grove's sessions queue the request in their
//! store, see `session::approver::QueueApprover`), and nobody otherwise
//! (the action is denied with a hint). The gate knows nothing of sessions.

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;
use std::time::Duration;

/// What the gate asks a human about.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The session the run works in; empty outside one.
    pub session: &'a str,
    pub skill: &'a str,
    pub capability: &'a str,
    pub verb: &'a str,
    pub target: &'a str,
    pub level: &'a str,
    pub reasons: &'a [String],
}

/// A human somewhere else answers: the embedder's way of asking.
#[async_trait::async_trait]
pub trait AskHuman: Send + Sync {
    async fn ask(&self, req: &Request<'_>, timeout: Duration) -> Answered;
}

/// Who answers an `ask`.
#[derive(Clone)]
pub enum Approver {
    /// No one can: the action is denied, saying how to let it through.
    Nobody,
    /// The human at this terminal (stdin and stderr are a TTY).
    Terminal,
    /// Someone the embedder reaches (a session's approval queue).
    Elsewhere(Arc<dyn AskHuman>),
}

impl std::fmt::Debug for Approver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Approver::Nobody => "Nobody",
            Approver::Terminal => "Terminal",
            Approver::Elsewhere(_) => "Elsewhere",
        })
    }
}

impl Approver {
    /// The terminal when stdin and stderr are one, else nobody.
    pub fn terminal_or_nobody() -> Approver {
        if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            Approver::Terminal
        } else {
            Approver::Nobody
        }
    }
}

/// The human's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Once,
    /// Allow this action again, unasked, for the rest of the run.
    Always,
    Deny {
        reason: Option<String>,
    },
    /// No answer in time: denied.
    TimedOut,
    /// No one could be asked.
    Unanswerable(String),
}

/// How it was answered, for the audit log.
#[derive(Debug, Clone)]
pub struct Answered {
    pub answer: Answer,
    pub by: &'static str,
    /// The queued request, when there was one.
    pub id: Option<i64>,
}

impl Approver {
    pub async fn ask(&self, req: &Request<'_>, timeout: Duration) -> Answered {
        match self {
            Approver::Nobody => Answered {
                answer: Answer::Unanswerable(
                    "no one to ask: not on a terminal and not in a session (hint: run it in a terminal, \
                     pass --mode bypass, or allow it in your policy file)"
                        .into(),
                ),
                by: "nobody",
                id: None,
            },
            Approver::Terminal => {
                Answered { answer: prompt(req, timeout).await, by: "human:terminal", id: None }
            }
            Approver::Elsewhere(human) => human.ask(req, timeout).await,
        }
    }
}

/// Ask on the terminal: allow once, allow for the session, or deny.
async fn prompt(req: &Request<'_>, timeout: Duration) -> Answer {
    // The prompt is built from the gate's action. What the skill asked for
    // (its name, the target, the reasons quoting it) is made safe and kept
    // to one line, and the target stands alone behind a `│` gutter, so no
    // text of the skill's can draw a second prompt or pass for grove's own.
    let safe = crate::text::one_line;
    let mut text = format!(
        "\ngrove: skill `{}` asks for {}.{} ({} risk):\n  │ {}\n",
        safe(req.skill),
        req.capability,
        req.verb,
        req.level,
        safe(crate::gate::clip(req.target)),
    );
    for r in req.reasons {
        text.push_str(&format!("  · {}\n", safe(r)));
    }
    text.push_str("Allow [o]nce, allow for this [s]ession, or [d]eny? ");
    eprint!("{text}");
    // Reading stdin blocks; keep it off the async runtime's threads.
    let read = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|n| (n > 0).then_some(line))
    });
    match tokio::time::timeout(timeout, read).await {
        Err(_) => {
            eprintln!("\n(no answer in {}s: denied)", timeout.as_secs());
            Answer::TimedOut
        }
        Ok(Ok(Ok(Some(line)))) => match line.trim().to_ascii_lowercase().as_str() {
            "o" | "once" | "y" | "yes" => Answer::Once,
            "s" | "session" | "a" | "always" => Answer::Always,
            "" | "d" | "deny" | "n" | "no" => Answer::Deny { reason: None },
            other => Answer::Deny { reason: Some(format!("answered `{other}`")) },
        },
        Ok(_) => Answer::Deny { reason: Some("standard input closed".into()) },
    }
}
