//! The queue: sessions are claimed up to the concurrency cap, given the
//! process that runs them, finished, put back, and recovered when the
//! process that ran them is gone.

use rusqlite::{TransactionBehavior, params};

use super::{Session, Store, StoreError, now_ms};
use crate::session::State;

impl Store {
    /// Claim queued sessions, oldest first, until `cap` are active. The
    /// claimed ones are marked running (without a pid yet) before the
    /// transaction ends, so no other process claims them too.
    ///
    /// A session with sub-sessions still at work holds no place: its skill
    /// is waiting on them (or soon will), and five parents each waiting on
    /// a queued child would otherwise wait for ever.
    pub fn claim_queued(&mut self, cap: usize) -> Result<Vec<Session>, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
        let active: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM sessions AS s WHERE state IN ('running', 'waiting-approval') \
                 AND NOT EXISTS (SELECT 1 FROM sessions AS c WHERE c.parent_id = s.id \
                 AND c.state IN ('queued', 'running', 'waiting-approval'))",
                [],
                |r| r.get(0),
            )
            .map_err(sql)?;
        let room = cap.saturating_sub(active as usize);
        let names: Vec<String> = {
            let mut stmt = tx
                .prepare("SELECT name FROM sessions WHERE state = 'queued' ORDER BY created_at, id LIMIT ?1")
                .map_err(sql)?;
            stmt.query_map([room as i64], |r| r.get(0))
                .map_err(sql)?
                .collect::<Result<_, _>>()
                .map_err(sql)?
        };
        let now = now_ms();
        for name in &names {
            tx.execute(
                "UPDATE sessions SET state = 'running', pid = NULL, started_at = ?2, updated_at = ?2, \
                 finished_at = NULL, exit_code = NULL, summary = NULL, error = NULL WHERE name = ?1",
                params![name, now],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        names.iter().map(|n| self.require(n)).collect()
    }

    /// Record the process working on a session.
    pub fn set_pid(&self, name: &str, pid: u32) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE sessions SET pid = ?2, updated_at = ?3 WHERE name = ?1",
                params![name, pid, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        self.event(name, "started", serde_json::json!({ "pid": pid }))
    }

    /// Record how a session ended, in one statement: readers never see the
    /// outcome without the state.
    pub fn finish(
        &self,
        name: &str,
        state: State,
        exit_code: i32,
        summary: Option<&str>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        self.conn
            .execute(
                "UPDATE sessions SET exit_code = ?2, summary = ?3, error = ?4, state = ?5, updated_at = ?6, \
                 finished_at = ?6 WHERE name = ?1",
                params![name, exit_code, summary, error, state.as_str(), now],
            )
            .map_err(|e| self.err(e))?;
        self.end_approvals(name, Some(state))?;
        self.event(
            name,
            state.as_str(),
            serde_json::json!({ "exit_code": exit_code, "summary": summary, "error": error }),
        )
    }

    /// Put a finished or interrupted session back in the queue. Its
    /// follow-ups run again after the skill, from the first: what the last
    /// run made of them (failed, skipped, or cut off) is history.
    pub fn requeue(&self, name: &str) -> Result<(), StoreError> {
        let steps: Vec<_> = self.require(name)?.follow_ups.iter().map(|f| f.step).collect();
        if !steps.is_empty() {
            self.set_follow_ups(name, &crate::session::follow_up::FollowUp::pending(&steps))?;
        }
        self.set_state(name, State::Queued, serde_json::json!({ "resumed": true }))
    }

    /// Sessions left running by a process that is gone become
    /// `interrupted`, and the programs they left running are killed.
    /// Returns their names. Run at the start of every session command, so
    /// a crash is noticed by whoever looks next.
    pub fn recover(&self) -> Result<Vec<String>, StoreError> {
        let now = now_ms();
        let mut interrupted = Vec::new();
        for s in self.list()? {
            let orphaned = match s.pid {
                Some(pid) => s.state.is_active() && !crate::pid::alive(pid),
                // Claimed but never given a pid: the launcher died in between.
                None => s.state.is_active() && now - s.updated_at > 30_000,
            };
            // Only if it is still the same active run: the process may have
            // finished (and exited) since the list was read.
            let changed = orphaned
                && self
                    .conn
                    .execute(
                        "UPDATE sessions SET state = 'interrupted', updated_at = ?2, finished_at = ?2 \
                         WHERE name = ?1 AND state IN ('running', 'waiting-approval') AND pid IS ?3",
                        params![s.name, now, s.pid],
                    )
                    .map_err(|e| self.err(e))?
                    > 0;
            if changed {
                self.end_approvals(&s.name, Some(State::Interrupted))?;
                self.event(
                    &s.name,
                    "interrupted",
                    serde_json::json!({ "pid": s.pid, "reason": "process gone" }),
                )?;
                crate::session::processes::kill_dead_runners_group(s.pid);
                interrupted.push(s.name);
            }
        }
        self.kill_left_behind(None)?;
        Ok(interrupted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::NewSession;

    fn new(name: &str) -> NewSession {
        NewSession {
            base_ref: Some("main".into()),
            task: Some("do it".into()),
            skill: "hello".into(),
            args: vec!["a".into()],
            ..NewSession::example(name)
        }
    }

    #[test]
    fn sessions_round_trip_and_queue_respects_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        for n in ["a", "b", "c"] {
            store.insert(&new(n)).unwrap();
        }
        assert!(matches!(store.insert(&new("a")), Err(StoreError::Exists(_))));
        let claimed = store.claim_queued(2).unwrap();
        assert_eq!(claimed.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert!(store.claim_queued(2).unwrap().is_empty());
        store.finish("a", State::Done, 0, Some("ok"), None).unwrap();
        assert_eq!(store.claim_queued(2).unwrap()[0].name, "c");
        let a = store.require("a").unwrap();
        assert_eq!(
            (a.state, a.summary.as_deref(), a.args.clone()),
            (State::Done, Some("ok"), vec!["a".to_string()])
        );
        let kinds: Vec<String> = store.events("a").unwrap().into_iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["created", "done"]);
        // Reopening does not re-run migrations.
        drop(store);
        assert_eq!(Store::open(dir.path()).unwrap().list().unwrap().len(), 3);
    }

    #[test]
    fn a_parent_waiting_on_its_sub_sessions_holds_no_place() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        for parent in ["p1", "p2"] {
            store.insert(&new(parent)).unwrap();
        }
        assert_eq!(store.claim_queued(2).unwrap().len(), 2);
        // Both running parents spawn a child each: with a cap of 2, the
        // children still run, or the parents would wait on them for ever.
        for (child, parent) in [("c1", "p1"), ("c2", "p2")] {
            store.insert(&NewSession { parent: Some(parent.into()), ..new(child) }).unwrap();
        }
        let claimed: Vec<String> = store.claim_queued(2).unwrap().into_iter().map(|s| s.name).collect();
        assert_eq!(claimed, ["c1", "c2"]);
        // A third root waits: the two children hold the places now.
        store.insert(&new("r")).unwrap();
        assert!(store.claim_queued(2).unwrap().is_empty());
        store.finish("c1", State::Done, 0, None, None).unwrap();
        // p1 holds a place again once its child is done; c2 still works.
        assert!(store.claim_queued(2).unwrap().is_empty());
        store.finish("p1", State::Done, 0, None, None).unwrap();
        assert_eq!(store.claim_queued(2).unwrap()[0].name, "r");
    }

    #[test]
    fn dead_runners_are_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store.insert(&new("a")).unwrap();
        store.claim_queued(1).unwrap();
        // A pid that cannot exist.
        store.set_pid("a", 0x7fff_fff0).unwrap();
        assert_eq!(store.recover().unwrap(), ["a"]);
        assert_eq!(store.require("a").unwrap().state, State::Interrupted);
    }
}
