//! Approvals: actions a headless session's skill waits on a human for.
//! The session's process queues a request and polls it; `grove approve`
//! and `grove deny` (or the dashboard) answer it from another process.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::store::{Store, StoreError, now_ms};

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
    /// `pending`, `allowed`, `denied` or `expired`.
    pub state: String,
    /// Allowed for the rest of the session, not just once.
    pub always: bool,
    pub decided_by: Option<String>,
    /// Why it was denied, in the human's words.
    pub reason: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

/// What a session asks for.
#[derive(Debug, Clone)]
pub struct NewApproval<'a> {
    pub session: &'a str,
    pub skill: &'a str,
    pub capability: &'a str,
    pub verb: &'a str,
    pub target: &'a str,
    pub level: &'a str,
    pub reasons: &'a [String],
}

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
}
