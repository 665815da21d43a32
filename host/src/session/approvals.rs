//! Approvals: actions a headless session's skill waits on a human for.
//! The session's process queues a request and polls it; `grove approve`
//! and `grove deny` (or the dashboard) answer it from another process.
//! A request ends with its session: once the session is done, failed,
//! cancelled, interrupted or removed, nobody is waiting for the answer.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::state::State;
use super::store::{Store, StoreError, now_ms};

/// The state of a request whose session ended before anyone answered it.
pub const ENDED: &str = "ended";

/// One request, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    pub id: i64,
    pub session: String,
    pub skill: String,
    pub capability: String,
    pub verb: String,
    pub target: String,
    pub level: String,
    pub reasons: Vec<String>,
    /// `pending`, `allowed`, `denied`, `expired`, or `ended` (with its
    /// session, before anyone answered).
    pub state: String,
    /// Allowed for the rest of the session, not just once.
    pub always: bool,
    pub decided_by: Option<String>,
    /// Why it was denied, in the human's words; for an ended one, how its
    /// session ended.
    pub reason: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

/// What a session asks for: the gate's request, as it is stored.
pub type NewApproval<'a> = crate::gate::approval::Request<'a>;

const COLUMNS: &str = "id, session, skill, capability, verb, target, level, reasons, state, always, decided_by, reason, created_at, decided_at";

impl Store {
    /// Queue a request; returns its id.
    pub fn request_approval(&self, a: &NewApproval<'_>) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO approvals (session, skill, capability, verb, target, level, reasons, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    a.session,
                    a.skill,
                    a.capability,
                    a.verb,
                    a.target,
                    a.level,
                    serde_json::to_string(a.reasons).expect("strings serialize"),
                    now_ms()
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn approval(&self, id: i64) -> Result<Option<Approval>, StoreError> {
        self.conn
            .query_row(&format!("SELECT {COLUMNS} FROM approvals WHERE id = ?1"), [id], from_row)
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Requests, oldest first: only pending ones, or all of them.
    pub fn approvals(&self, pending_only: bool) -> Result<Vec<Approval>, StoreError> {
        let filter = if pending_only { "WHERE state = 'pending'" } else { "" };
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM approvals {filter} ORDER BY id"))
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], from_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Answer a pending request. Returns false when it was no longer
    /// pending (answered by someone else, or expired): first answer wins.
    pub fn answer_approval(
        &self,
        id: i64,
        allow: bool,
        always: bool,
        decided_by: &str,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.settle(id, if allow { "allowed" } else { "denied" }, always, decided_by, reason)
    }

    /// Give up on a pending request (its wait timed out). Returns false
    /// when it had been answered meanwhile.
    pub fn expire_approval(&self, id: i64) -> Result<bool, StoreError> {
        self.settle(id, "expired", false, "timeout", None)
    }

    /// End the pending requests of session `name`, which has just become
    /// `state` (`None`: it was removed). The store calls this wherever a
    /// session's state turns final, so no path leaves one waiting.
    pub fn end_approvals(&self, name: &str, state: Option<State>) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE approvals SET state = ?2, decided_by = 'session', reason = ?3, decided_at = ?4 \
                 WHERE session = ?1 AND state = 'pending'",
                params![name, ENDED, session_ended(state), now_ms()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// End pending requests an older grove left behind: of sessions that
    /// are gone, or that ended after the request was made.
    pub fn end_stale_approvals(&self) -> Result<(), StoreError> {
        for a in self.approvals(true)? {
            let why = match self.get(&a.session)? {
                None => session_ended(None),
                Some(s) if s.state.is_final() && s.updated_at >= a.created_at => session_ended(Some(s.state)),
                Some(_) => continue,
            };
            self.settle(a.id, ENDED, false, "session", Some(&why))?;
        }
        Ok(())
    }

    /// Move a request out of `pending`, if it still is.
    fn settle(
        &self,
        id: i64,
        state: &str,
        always: bool,
        by: &str,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE approvals SET state = ?2, always = ?3, decided_by = ?4, reason = ?5, decided_at = ?6 \
                 WHERE id = ?1 AND state = 'pending'",
                params![id, state, always, by, reason, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        Ok(changed > 0)
    }

    /// Record the mode a session works in from now on.
    pub fn set_mode(&self, name: &str, mode: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE sessions SET mode = ?2, updated_at = ?3 WHERE name = ?1",
                params![name, mode, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        self.event(name, "mode", serde_json::json!({ "mode": mode }))
    }
}

impl Approval {
    /// What became of a request that is no longer pending, in words.
    pub fn outcome(&self) -> String {
        match (self.state.as_str(), &self.decided_by, &self.reason) {
            ("pending", _, _) => "still pending".into(),
            ("expired", _, _) => "not answered in time, so denied".into(),
            (ENDED, _, Some(why)) => format!("ended unanswered: {why}"),
            (state, Some(by), _) => format!("answered already: {state} by {by}"),
            (state, None, _) => state.to_string(),
        }
    }
}

/// Why a session's requests ended: it became `state`, or (`None`) is gone.
fn session_ended(state: Option<State>) -> String {
    match state {
        Some(State::Done) => "its session finished".into(),
        Some(State::Cancelled | State::Interrupted) => format!("its session was {}", state.expect("some")),
        Some(state) => format!("its session {state}"),
        None => "its session no longer exists".into(),
    }
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Approval> {
    let reasons: String = r.get(7)?;
    Ok(Approval {
        id: r.get(0)?,
        session: r.get(1)?,
        skill: r.get(2)?,
        capability: r.get(3)?,
        verb: r.get(4)?,
        target: r.get(5)?,
        level: r.get(6)?,
        reasons: serde_json::from_str(&reasons).unwrap_or_default(),
        state: r.get(8)?,
        always: r.get(9)?,
        decided_by: r.get(10)?,
        reason: r.get(11)?,
        created_at: r.get(12)?,
        decided_at: r.get(13)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_answer_wins() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("s.db")).unwrap();
        let req = NewApproval {
            session: "s",
            skill: "agent",
            capability: "process",
            verb: "run",
            target: "git push",
            level: "medium",
            reasons: &["git.push: publishes".to_string()],
        };
        let id = store.request_approval(&req).unwrap();
        assert_eq!(store.approvals(true).unwrap().len(), 1);
        assert!(store.answer_approval(id, true, true, "human:approve", None).unwrap());
        assert!(!store.answer_approval(id, false, false, "human:deny", Some("no")).unwrap());
        assert!(!store.expire_approval(id).unwrap());
        let a = store.approval(id).unwrap().unwrap();
        assert_eq!((a.state.as_str(), a.always, a.reasons.len()), ("allowed", true, 1));
        assert!(store.approvals(true).unwrap().is_empty());
        let other = store.request_approval(&req).unwrap();
        assert!(store.expire_approval(other).unwrap());
        assert_eq!(store.approval(other).unwrap().unwrap().state, "expired");
    }

    fn session(name: &str) -> crate::session::NewSession {
        crate::session::NewSession::example(name)
    }

    #[test]
    fn requests_end_with_their_session_whichever_way_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_file(&dir.path().join("s.db")).unwrap();
        let ask = |store: &Store, session: &str| {
            let reasons = Vec::new();
            let req = NewApproval {
                session,
                skill: "probe",
                capability: "process",
                verb: "run",
                target: "chmod +x a",
                level: "medium",
                reasons: &reasons,
            };
            store.request_approval(&req).unwrap()
        };
        for name in ["cancelled", "failed", "done", "interrupted", "removed"] {
            store.insert(&session(name)).unwrap();
        }
        store.claim_queued(5).unwrap();
        let ids: Vec<i64> = ["cancelled", "failed", "done", "interrupted", "removed"]
            .iter()
            .map(|name| ask(&store, name))
            .collect();
        store.set_state("cancelled", State::Cancelled, serde_json::json!({})).unwrap();
        store.finish("failed", State::Failed, 1, None, Some("boom")).unwrap();
        store.finish("done", State::Done, 0, Some("ok"), None).unwrap();
        store.set_pid("interrupted", 0x7fff_fff0).unwrap();
        store.recover().unwrap();
        store.delete("removed").unwrap();
        let reasons: Vec<(String, Option<String>)> =
            ids.iter().map(|id| store.approval(*id).unwrap().unwrap()).map(|a| (a.state, a.reason)).collect();
        let want = [
            "its session was cancelled",
            "its session failed",
            "its session finished",
            "its session was interrupted",
            "its session no longer exists",
        ];
        for ((state, reason), want) in reasons.iter().zip(want) {
            assert_eq!((state.as_str(), reason.as_deref()), (ENDED, Some(want)));
        }
        assert!(!store.answer_approval(ids[0], true, false, "human:approve", None).unwrap());
        assert!(store.approvals(true).unwrap().is_empty());
        let cancelled = store.approval(ids[0]).unwrap().unwrap();
        assert_eq!(cancelled.outcome(), "ended unanswered: its session was cancelled");

        // One an older grove left pending for a session now gone.
        let orphan = ask(&store, "ghost");
        store.end_stale_approvals().unwrap();
        assert_eq!(
            store.approval(orphan).unwrap().unwrap().outcome(),
            "ended unanswered: its session no longer exists"
        );
    }
}
