//! A session's approver: its gate's questions wait in the session store
//! for `grove approve`, `grove deny`, the dashboard or `grove attach`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{NewApproval, State, Store};
use crate::gate::approval::{Answer, Answered, AskHuman, Request};

/// The kind of the events an approval writes into the session's stream
/// (the transcript renders them).
pub const EVENT: &str = "approval";

/// How often a queued request is looked at.
const POLL: Duration = Duration::from_millis(100);

/// The human who runs `grove approve` or `grove deny` (or answers in the
/// dashboard or `grove attach`): a session's gate asks through it.
#[derive(Debug, Clone)]
pub struct QueueApprover {
    pub git_dir: PathBuf,
    pub session: String,
}

#[async_trait::async_trait]
impl AskHuman for QueueApprover {
    async fn ask(&self, req: &Request<'_>, timeout: Duration) -> Answered {
        queue(&self.git_dir, &self.session, req, timeout).await
    }
}

/// Queue the request in the session store and wait for `grove approve`,
/// `grove deny` or the timeout. The session shows as waiting-approval
/// meanwhile.
async fn queue(git_dir: &Path, session: &str, req: &Request<'_>, timeout: Duration) -> Answered {
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
        EVENT,
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
            Ok(Some(a)) if a.state == super::approvals::ENDED => {
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
        EVENT,
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
