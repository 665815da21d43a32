//! Asking a human: on the terminal when there is one, through the session
//! store when the session runs headless, and nobody otherwise (the action
//! is denied with a hint).

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::session::{NewApproval, State, Store};

/// What the gate asks about: the request as a session queues it (outside
/// a session, `session` is empty).
pub type Request<'a> = NewApproval<'a>;

/// Who answers an `ask`.
#[derive(Debug, Clone)]
pub enum Approver {
    /// No one can: the action is denied, saying how to let it through.
    Nobody,
    /// The human at this terminal (stdin and stderr are a TTY).
    Terminal,
    /// The human who runs `grove approve` or `grove deny`: the request is
    /// queued in the session store and the skill's call waits.
    Queue { git_dir: PathBuf, session: String },
}

impl Approver {
    /// The approver for a run: a session's queue, else the terminal, else nobody.
    pub fn for_run(git_dir: Option<&std::path::Path>, session: Option<&str>) -> Approver {
        match (git_dir, session) {
            (Some(git_dir), Some(session)) => {
                Approver::Queue { git_dir: git_dir.to_path_buf(), session: session.to_string() }
            }
            _ if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => Approver::Terminal,
            _ => Approver::Nobody,
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

/// How often a queued request is looked at.
const POLL: Duration = Duration::from_millis(100);

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
            Approver::Queue { git_dir, session } => queue(git_dir, session, req, timeout).await,
        }
    }
}

/// Ask on the terminal: allow once, allow for the session, or deny.
async fn prompt(req: &Request<'_>, timeout: Duration) -> Answer {
    let mut text = format!(
        "\n{} wants to {}.{} `{}` ({} risk)\n",
        req.skill,
        req.capability,
        req.verb,
        crate::gate::clip(req.target),
        req.level
    );
    for r in req.reasons {
        text.push_str(&format!("  · {r}\n"));
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

/// Queue the request in the session store and wait for `grove approve`,
/// `grove deny` or the timeout. The session shows as waiting-approval
/// meanwhile.
async fn queue(git_dir: &std::path::Path, session: &str, req: &Request<'_>, timeout: Duration) -> Answered {
    let failed = |e: String| Answered {
        answer: Answer::Unanswerable(format!("the approval could not be queued: {e}")),
        by: "nobody",
        id: None,
    };
    let store = match Store::open(git_dir) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let id = match store.request_approval(&NewApproval { session, ..req.clone() }) {
        Ok(id) => id,
        Err(e) => return failed(e.to_string()),
    };
    let _ = store.set_state(session, State::WaitingApproval, serde_json::json!({ "approval": id }));
    let _ = store.event(
        session,
        crate::transcript::kind::APPROVAL,
        serde_json::json!({
            "id": id, "state": "pending", "capability": req.capability, "verb": req.verb,
            "target": crate::gate::clip(req.target), "level": req.level, "reasons": req.reasons,
        }),
    );
    tracing::info!(
        "waiting for approval #{id}: {}.{} {:?} (grove approve {id} / grove deny {id})",
        req.capability,
        req.verb,
        req.target
    );
    eprintln!(
        "grove: waiting for approval #{id} of {}.{}: grove approve {id} | grove deny {id}",
        req.capability, req.verb
    );
    let deadline = Instant::now() + timeout;
    let answer = loop {
        match store.approval(id) {
            Ok(Some(a)) if a.state == "allowed" => {
                break Answered {
                    answer: if a.always { Answer::Always } else { Answer::Once },
                    by: "human:approve",
                    id: Some(id),
                };
            }
            Ok(Some(a)) if a.state == "denied" => {
                break Answered { answer: Answer::Deny { reason: a.reason }, by: "human:deny", id: Some(id) };
            }
            Ok(Some(a)) if a.state == "expired" => {
                break Answered { answer: Answer::TimedOut, by: "timeout", id: Some(id) };
            }
            // Its session ended (cancelled, removed...) first: nobody will answer.
            Ok(Some(a)) if a.state == crate::session::approvals::ENDED => {
                let why = a.reason.unwrap_or_else(|| "its session ended".into());
                break Answered {
                    answer: Answer::Unanswerable(format!("the request ended unanswered: {why}")),
                    by: "session:ended",
                    id: Some(id),
                };
            }
            Ok(_) | Err(_) => {}
        }
        if Instant::now() >= deadline {
            // Expire it unless it was answered in the meantime.
            match store.expire_approval(id) {
                Ok(false) => continue,
                _ => break Answered { answer: Answer::TimedOut, by: "timeout", id: Some(id) },
            }
        }
        tokio::time::sleep(POLL).await;
    };
    let (state, reason) = match &answer.answer {
        Answer::Once | Answer::Always => ("allowed", None),
        Answer::Deny { reason } => ("denied", reason.clone()),
        Answer::TimedOut => ("expired", None),
        Answer::Unanswerable(why) => ("unanswered", Some(why.clone())),
    };
    let _ = store.event(
        session,
        crate::transcript::kind::APPROVAL,
        serde_json::json!({ "id": id, "state": state, "by": answer.by, "reason": reason }),
    );
    // Back to work, unless the session was cancelled meanwhile.
    if store.get(session).ok().flatten().is_some_and(|s| s.state == State::WaitingApproval) {
        let _ = store.set_state(session, State::Running, serde_json::json!({ "approval": id }));
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::NewSession;

    #[tokio::test]
    async fn a_request_whose_session_ends_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.insert(&NewSession { path: dir.path().to_path_buf(), ..NewSession::example("s") }).unwrap();
        store.claim_queued(1).unwrap();
        let git_dir = dir.path().to_path_buf();
        let asking = tokio::spawn(async move {
            let reasons = Vec::new();
            let req = Request {
                session: "",
                skill: "probe",
                capability: "process",
                verb: "run",
                target: "chmod +x a",
                level: "medium",
                reasons: &reasons,
            };
            queue(&git_dir, "s", &req, Duration::from_secs(60)).await
        });
        while store.approvals(true).unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        store.set_state("s", State::Cancelled, serde_json::json!({})).unwrap();
        let answered = asking.await.unwrap();
        assert_eq!(answered.by, "session:ended");
        assert_eq!(
            answered.answer,
            Answer::Unanswerable("the request ended unanswered: its session was cancelled".into())
        );
    }
}
